"""Sentence splitting and boilerplate removal for news text.

A rule-based splitter: it breaks after ., ! or ? (and any closing quotes or
brackets) when the next word starts a sentence, except after common
abbreviations, titles and initials ("Mr.", "U.S.", "Jan.", "J."). Datelines
("WASHINGTON —", "LONDON (Reuters) -") are cut from the start of a paragraph.
"""

from __future__ import annotations

import re

from ..text import capitalised

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "gov",
    "sen",
    "rep",
    "gen",
    "col",
    "lt",
    "sgt",
    "capt",
    "cmdr",
    "adm",
    "pres",
    "rev",
    "hon",
    "atty",
    "supt",
    "insp",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "ltd",
    "co",
    "corp",
    "bros",
    "vs",
    "etc",
    "no",
    "nos",
    "vol",
    "fig",
    "approx",
    "dept",
    "est",
    "mt",
    "ft",
    "ave",
    "blvd",
    "rd",
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "d.c",
    "a.m",
    "p.m",
    "i.e",
    "e.g",
    "ph.d",
    "n.y",
    "l.a",
    "calif",
    "fla",
    "mass",
    "penn",
    "wash",
}
# Candidate break: terminal punctuation, optional closers, whitespace, then an opener.
_BREAK = re.compile(r"([.!?]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"(\S+)$")
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .,'-]{2,40}(\s*\([A-Za-z .]+\))?\s*(?:[—–―][—–―-]?\s*|-{1,2}\s+)"
    r"(?=[A-Z\"“'‘])"
)
# Whole words only, and no bare "sign up" or "By ...": news sentences say "misreporting
# by hospitals", "advertisements", "a new chance to sign up for care", "By July, ...".
_BOILERPLATE = re.compile(
    r"(sign up (here|now|today|for (our|free))|newsletter|subscribe|click here|read more"
    r"|related:|follow us|follow (him|her)"
    r"|all rights reserved|©|copyright|getty images|\(ap photo|\bphoto(graph)?:|"
    r"image caption|image source|contributed to this report|this story has been updated"
    r"|^advertisement\b|download the app|share this|listen to this"
    r"|cookies|terms of (use|service)|privacy policy|@\w+\.com|twitter\.com/|"
    r"\breporting by|\bediting by|\bwriting by|^\(?(reuters|ap|afp)\)?\s*[-—]?$"
    r"|opinions expressed|views expressed|^(read|watch|listen|more|see also|related)\s*:"
    # photo captions end with the date the picture was taken
    r"|, (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}, \d{4}\.?$)",
    re.I,
)


def strip_dateline(paragraph: str) -> str:
    return _DATELINE.sub("", _DATELINE.sub("", paragraph, count=1), count=1)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, paragraph by paragraph, datelines removed."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*", text):
        paragraph = strip_dateline(paragraph.strip())
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    out, start = [], 0
    for m in _BREAK.finditer(paragraph):
        head = paragraph[start : m.start(1)]
        word = _LAST_WORD.search(head)
        token = (word.group(1) if word else "").lower().lstrip("(\"'“‘")
        if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
            continue  # "Mr. Smith", "J. Smith": not the end of a sentence
        out.append(paragraph[start : m.end(1)].strip())
        start = m.end(2)
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


# A byline is "By" and names only: "By Jane Doe and John Roe, Reuters" (case-sensitive:
# "By early July, the death toll had declined" is news).
_BYLINE = re.compile(r"^By\s+(?:(?:[A-Z][\w.'’-]*|and|&)[\s,|]*)+$")


def is_boilerplate(sentence: str) -> bool:
    return (
        bool(_BOILERPLATE.search(sentence))
        or bool(_BYLINE.match(sentence.strip()))
        or _is_headline(sentence)
    )


def _is_headline(sentence: str) -> bool:
    """Headline Case Text Like This (a title or subhead inside the body, not a sentence)."""
    words = [w for w in sentence.split() if w[:1].isalpha()]
    if len(words) < 5:
        return False
    return sum(map(capitalised, words)) / len(words) >= 0.9


def word_count(text: str) -> int:
    return len(text.split())
