"""Jinja filters. Everything from feeds is plain text and autoescaped; links are
rendered only for http(s) URLs, so a javascript: or data: URL never becomes a link.
HTML that feeds put in summaries is reduced to its text with nh3 before escaping."""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import urlsplit

import nh3
from jinja2 import Environment

from ..timeutil import display_time, to_iso
from ..urls import lead_image

_TOKEN = re.compile(r"[^a-z0-9-]")


def safe_url(url: str) -> str | None:
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def image_url(url: str) -> str:
    """An image URL fit for ``src``: absolute http(s), no spaces, quotes or angle
    brackets (checked again here, whatever the store holds); else ""."""
    return lead_image(url, "")


def plain(fragment: str) -> str:
    """Feed HTML to plain text: nh3 drops every tag (and script/style content)."""
    return html.unescape(nh3.clean(fragment or "", tags=set()))


def css_token(value: str) -> str:
    return _TOKEN.sub("", str(value).lower())[:30] or "x"


def iso(value: datetime | str) -> str:
    return value if isinstance(value, str) else to_iso(value)


def install_filters(env: Environment) -> None:
    env.filters.update(
        safe_url=safe_url,
        when=display_time,
        plain=plain,
        css_token=css_token,
        iso=iso,
        image_url=image_url,
    )
