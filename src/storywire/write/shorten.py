"""Shorten a sentence for a highlight, by deletion only.

Deletions, tried in order until the sentence fits: a parenthesis, an attribution the
citation already carries (", according to reports", ", officials said"), a day
("on Sunday"), an opening time phrase ("On Monday, "), an appositive or relative
clause between commas, then a trailing clause (", which ...", ", after ...",
" — ..."). A part is deleted only when it holds no number, no name, no negation and
no quoted words, so the shortened sentence says less, never something else. Nothing
is reworded except a capital letter where an opening phrase was cut.
"""

from __future__ import annotations

import re

from ..text import capitalised, words
from .sentences import word_count

HIGHLIGHT_WORDS = 25
_DAYS = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_CALENDAR = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "The", "A", "An", "On", "In", "At",
}  # fmt: skip
_NEGATION = re.compile(r"\b(not|no|never|none|nor|without|neither|nobody|nothing)\b|n't", re.I)
_DELETIONS = [
    re.compile(r"\s*\([^()]{1,80}\)"),
    re.compile(
        r",\s*(according to (a |the )?[\w\s-]{0,30}(reports?|statement|officials|sources|media)"
        r"|(officials|authorities|police|sources|investigators|a spokesman|a spokeswoman"
        r"|a spokesperson|the (agency|company|department|ministry|report)) (said|say|says"
        r"|reported))(?=[.!]?[\"'”’]?$)"
    ),
    re.compile(rf"\s+(on|late on|early on|last) {_DAYS}\b"),
    re.compile(r"^(On|Late on|Early on|Earlier on|Late|Early|Earlier|Last) \w+( \w+)?,\s+"),
    re.compile(
        r",\s+(who|which|whose|where|a|an|the|now|once|then|himself|herself)\s[^,;:—–]{2,90},"
        r"(?=\s)"
    ),
    re.compile(
        r"(,\s+|\s+[—–]\s+|;\s+)(which|who|as|after|while|amid|but|although|though|including"
        r"|when|where|following|prompting|saying|adding|citing|with|in a|in an|and|a|an|the"
        r"|noting|because|since|even as|despite)\b[^\"“”]*?(?=[.!]?$)"
    ),
]


def droppable(part: str) -> bool:
    """No number, no name, no negation, no quoted words."""
    if re.search(r"\d", part) or re.search(r"[\"“”‘’]|'\w", part) or _NEGATION.search(part):
        return False
    return not any(capitalised(w) and w not in _CALENDAR for w in words(part, "prose"))


def shorten(sentence: str, limit: int = HIGHLIGHT_WORDS) -> str:
    """The sentence cut by deletions (see module doc) until it has at most ``limit``
    words; as short as the allowed deletions make it when they cannot reach ``limit``."""
    text = sentence.strip()
    for rule in _DELETIONS:
        if word_count(text) <= limit:
            break
        text = _delete(rule, text)
    return text


def _delete(rule: re.Pattern[str], text: str) -> str:
    for m in reversed(list(rule.finditer(text))):
        if not droppable(m.group(0)):
            continue
        head, tail = text[: m.start()], text[m.end() :]
        if m.start() == 0:
            tail = tail[:1].upper() + tail[1:]
        text = head + tail
    text = re.sub(r"\s+([.,!?])", r"\1", text).strip()
    if text and text[-1] not in ".!?\"'”’":
        text += "."
    return text
