"""Small text helpers shared by stages."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment such as a feed summary."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment or "")).split())
