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


def plural(count: int, singular: str, many: str = "", width: int = 0) -> str:
    """ "1 outlet", "2 outlets", "0 stories" (``many`` for an irregular plural); ``width``
    right-aligns the number, for columns."""
    return f"{count:>{width}} {singular if count == 1 else many or singular + 's'}"


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment such as a feed summary."""
    return " ".join(html.unescape(_TAG.sub(" ", fragment or "")).split())


HEADLINE_WORDS = 20  # a derived headline is cut to this many words
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LINE = re.compile(r"\n|\s{2,}")  # a headline set off by a line break (or two spaces)


def _norm(s: str) -> str:
    return " ".join(s.split()).casefold().rstrip(".:!?")


def headline(title: str, text: str) -> tuple[str, str, bool]:
    """(title, text, derived) of an article whose headline may be missing, or given
    again at the top of its text.

    - a text that begins with its headline on a line of its own loses that line (it is
      the title, not the story's first sentence);
    - no title: the text's first line when it reads as a headline (up to 20 words, no
      closing full stop, more text after it), else its first sentence (cut to 20 words),
      and ``derived`` is True. The text is otherwise kept as given."""
    title, text = " ".join(title.split()), text.strip()
    first, rest = _first_line(text)
    if title and rest and _norm(first) == _norm(title):
        return title, rest, False
    if title or not text:
        return title, text, False
    if rest and len(first.split()) <= HEADLINE_WORDS and not first.endswith("."):
        return " ".join(first.split()), rest, True
    words = _first_sentence(text).split()
    if len(words) > HEADLINE_WORDS:
        return " ".join(words[:HEADLINE_WORDS]).rstrip(",;:") + "…", text, True
    return " ".join(words), text, True


def _first_line(text: str) -> tuple[str, str]:
    """The text's first line and the rest (empty when there is one line)."""
    parts = _LINE.split(text, maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else (text, "")


def _first_sentence(text: str) -> str:
    """Up to the first sentence end that leaves at least four words (so "Mr." or
    "U.S." does not end it)."""
    for m in _SENTENCE_END.finditer(text):
        if len(text[: m.start()].split()) >= 4:
            return text[: m.start()]
    return text
