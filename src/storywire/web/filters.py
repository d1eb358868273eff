"""Jinja filters. Everything from feeds is plain text and autoescaped; links are
rendered only for http(s) URLs, so a javascript: or data: URL never becomes a link."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from jinja2 import Environment

from ..timeutil import from_iso


def safe_url(url: str) -> str | None:
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def when(iso: str) -> str:
    """'Aug 1, 2025, 4:13 PM UTC' from the store's ISO time."""
    t: datetime = from_iso(iso)
    return f"{t:%b} {t.day}, {t.year}, {t:%I:%M %p}".replace(", 0", ", ") + " UTC"


def install_filters(env: Environment) -> None:
    env.filters["safe_url"] = safe_url
    env.filters["when"] = when
