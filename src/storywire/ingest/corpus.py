"""Articles from JSON Lines corpora (optionally gzipped), with field mapping.

Each line is one JSON object. Fields are read under storywire's names (``id``,
``url``, ``title``, ``text``, ``published``, ``outlet``, ``author``, ``language``,
``kind``, ``summary``) unless a mapping names the file's own field, e.g.
``{"text": "content_original", "outlet": "source"}``. A line that cannot be used
is reported with its line number and skipped; the others are still read. An article
without a title gets one from its text (``textutil.headline``; ``title_from_text`` says
so), and a text that repeats the headline on its first line loses that line.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import ParseError
from ..extract import classify
from ..models import Article, Kind
from ..textutil import headline
from ..timeutil import parse_time

FIELDS = (
    "id",
    "url",
    "title",
    "text",
    "published",
    "outlet",
    "author",
    "language",
    "kind",
    "summary",
    "topic",  # the article's section (the listings' topic filter)
    "lean",  # outlet facts: set on the article's outlet (majority of its articles)
    "country",
)
OUTLET_FIELDS = ("lean", "country")


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def parse_mapping(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["text=content_original", ...]`` -> ``{"text": "content_original"}``."""
    mapping = {}
    for pair in pairs:
        name, sep, source = pair.partition("=")
        if not sep or not source:
            raise ParseError(f"--field {pair!r}: expected NAME=SOURCE_FIELD")
        if name not in FIELDS:
            known = ", ".join(FIELDS)
            raise ParseError(f"--field {pair!r}: unknown field {name!r} (known: {known})")
        mapping[name] = source
    return mapping


def open_lines(path: Path) -> IO[str]:
    if not path.exists():
        raise ParseError(f"{path}: no such file")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """(line number, object) for each non-blank line, or a BadLine for invalid JSON."""
    try:
        with open_lines(path) as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    yield number, BadLine(number, f"invalid JSON: {exc}")
                    continue
                if isinstance(obj, dict):
                    yield number, obj
                else:
                    yield number, BadLine(number, "not a JSON object")
    except (OSError, EOFError) as exc:
        raise ParseError(f"{path}: cannot read: {exc}") from exc


def _getter(obj: dict[str, Any], mapping: dict[str, str]) -> Any:
    def get(name: str) -> str:
        value = obj.get(mapping.get(name, name))
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        return "" if value is None else str(value).strip()

    return get


def outlet_facts(obj: dict[str, Any], mapping: dict[str, str]) -> tuple[str, dict[str, str]]:
    """(outlet name, {lean, country} as the line gives them) for the article's outlet."""
    get = _getter(obj, mapping)
    return get("outlet") or "Unknown outlet", {k: get(k) for k in OUTLET_FIELDS if get(k)}


def to_article(obj: dict[str, Any], mapping: dict[str, str], line: int) -> Article | BadLine:
    get = _getter(obj, mapping)

    title, text, derived = headline(get("title"), get("text"))
    published = parse_time(obj.get(mapping.get("published", "published")))
    if not title:
        return BadLine(line, "no title and no text")
    if published is None:
        return BadLine(line, "no valid published time")
    ident = get("id")
    # Without a URL the article still needs a stable identity: the same article read
    # twice gets the same one, different corpora never collide by line number.
    url = (
        get("url")
        or "urn:storywire:"
        + hashlib.sha1(
            f"{ident}\n{get('outlet')}\n{title}\n{published.isoformat()}".encode()
        ).hexdigest()
    )
    kind = get("kind").lower()
    return Article(
        url=url,
        title=title,
        text=text,
        published=published,
        outlet=get("outlet") or "Unknown outlet",
        kind=Kind(kind) if kind in set(Kind) else classify(url=url, title=title),
        author=get("author"),
        language=get("language").lower(),
        summary=get("summary"),
        section=get("topic")[:200],
        external_id=ident,
        title_from_text=derived,
    )
