"""Jinja filters. Everything from feeds is plain text and autoescaped; links are
rendered only for http(s) URLs, so a javascript: or data: URL never becomes a link."""

from __future__ import annotations

from urllib.parse import urlsplit

from jinja2 import Environment

from ..timeutil import display_time


def safe_url(url: str) -> str | None:
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def install_filters(env: Environment) -> None:
    env.filters["safe_url"] = safe_url
    env.filters["when"] = display_time
