"""Words as the reader-side judge sees them: its own tokens, Porter stems, stop words and
times (not the writer's), shared by ``reader_side`` and ``reader_refs``."""

from __future__ import annotations

import re

import snowballstemmer  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_PORTER = snowballstemmer.stemmer("porter")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "say", "told", "mr", "ms", "mrs"}
QUOTE = re.compile(r"\"[^\"]*\"|“[^”]*”")
NOT_NOUN = re.compile(r"(ly|ing|ed|est|n't)$")
TIMES = {
    "day", "days", "week", "weeks", "month", "months", "year", "years", "morning",
    "afternoon", "evening", "night", "weekend", "season", "summer", "spring", "fall",
    "autumn", "winter", "time", "times", "decade", "century", "moment", "hour", "hours",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "country", "nation", "administration", "holiday", "far",
    "past", "fiscal", "coming", "current", "world",
}  # fmt: skip


def content(text: str) -> set[str]:
    toks = _TOKEN.findall(text.lower().replace("’", "'"))
    return {_PORTER.stemWord(t.removesuffix("'s")) for t in toks if t not in STOP and len(t) > 1}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))
