"""URL checks shared by extraction and the pages (kept light: the web imports it)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

__all__ = ["lead_image"]

MAX_IMAGE_URL = 2000
_URL_UNSAFE = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def lead_image(value: str | None, page_url: str) -> str:
    """The page's lead image as an absolute http(s) URL, or "" (relative URLs are resolved
    against the page; data:, javascript: and URLs with spaces or quotes are dropped)."""
    value = (value or "").strip()
    if not value or len(value) > MAX_IMAGE_URL or _URL_UNSAFE.search(value):
        return ""
    try:
        url = urljoin(page_url, value) if page_url else value
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return url
