"""Small text helpers shared by stages."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
# C0 controls but tab and newline, DEL, C1 controls: ESC starts terminal escape
# sequences (colours, cursor moves, OSC window titles and links), 0x9b is a one-byte CSI.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` without the control characters a terminal would act on."""
    return _TERMINAL_CONTROL.sub("", text)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment such as a feed summary."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment or "")).split())
