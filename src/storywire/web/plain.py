"""What the JSON API hands out: plain text and http(s) links only.

Consumers put API values into their own pages, so values that would be live there are
not passed on: text fields lose tags and control characters (no unescaping: ``&lt;``
stays as typed, it is text), and a link that is not http(s) (``javascript:``,
``data:``, ``vbscript:``...) is returned as null. Paths on this site (``/stories/3``)
stay. docs/api.md says the same.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..text import terminal_safe

TEXT_KEYS = frozenset(
    {"title", "author", "outlet", "summary", "text", "gist", "top_highlight", "site_name"}
)
URL_KEYS = frozenset({"url", "story_url"})
_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")


# Nothing to remove: no "<" and no control character (the common case: one search
# matches instead of two substitutions).
_CLEAN = re.compile(r"[^<\x00-\x08\x0b-\x1f\x7f-\x9f]*")
# Certainly an http(s) URL that urlsplit accepts unchanged: a plain host, then no
# whitespace, control character or bracket (anything else takes the full check).
_PLAIN_URL = re.compile(r"(?i:https?)://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][!-Z\\^-z|~]*)?")


def plain_text(value: str) -> str:
    """Text without tags and control characters (newline and tab kept)."""
    if _CLEAN.fullmatch(value):
        return value
    return terminal_safe(_TAG.sub("", value))


def web_url(value: str) -> str | None:
    """An http(s) URL or a path on this site; anything else None."""
    if _PLAIN_URL.fullmatch(value):
        return value
    text = value.strip()
    if text.startswith("/") and not text.startswith("//"):
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text if terminal_safe(text) == text else None


def api_safe(data: Any) -> Any:
    """``data`` (dicts, lists, scalars) with its text and URL fields made safe."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                if key in URL_KEYS:
                    value = web_url(value)
                elif key in TEXT_KEYS:
                    value = plain_text(value)
            elif isinstance(value, dict | list):
                value = api_safe(value)
            out[key] = value
        return out
    if isinstance(data, list):
        return [api_safe(v) for v in data]
    return data
