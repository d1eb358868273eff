"""Articles from JSON Lines corpora (optionally gzipped), with field mapping.

Each line is one JSON object. Fields are read under storywire's names (``id``,
``url``, ``title``, ``text``, ``published``, ``outlet``, ``author``, ``language``,
``kind``, ``summary``) unless a mapping names the file's own field, e.g.
``{"text": "content_original", "outlet": "source"}``. A line that cannot be used
is reported with its line number and a one-line reason and skipped; the others are
still read. Each step guards its own failures: a line longer than ``MAX_LINE_CHARS``
is skipped unread, JSON nested deeper than Python can parse, a field of the wrong
type (an object as title) or a date outside the sane window (``timeutil``) each make
that line bad, never the whole file. An article without a title gets one from its text
(``text.headline``; ``title_from_text`` says so), and a text that repeats the
headline on its first line loses that line.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ..errors import ParseError
from ..models import Article, Kind
from ..text import headline
from ..timeutil import read_time

# The fields read from each line, under these names unless a mapping renames them, and
# what each means (``storywire import --help`` lists them from here).
FIELDS = {
    "id": "the article's id in the file (string or number)",
    "url": "its address (else an identity hashed from id, outlet, title, time)",
    "title": "headline (without one: the text's first line or sentence)",
    "text": "body text (plain); a line needs a title or a text",
    "published": "ISO 8601 time or Unix epoch (required)",
    "outlet": "outlet name",
    "author": "byline (a list of names is joined)",
    "language": "language code (en, de, pt-BR)",
    "kind": "news, wire or opinion (else guessed from the URL and title)",
    "summary": "a short description",
    "topic": "the article's section (the listings' topic filter)",
    "lean": "the outlet's lean (the majority of its articles sets it)",
    "country": "the outlet's country, ISO code (the majority of its articles sets it)",
}
OUTLET_FIELDS = ("lean", "country")


MAX_LINE_CHARS = 20_000_000  # one article; a longer line is skipped without parsing it


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
        raw = io.BufferedReader(_Inflated(path), buffer_size=_BLOCK)
        return io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


_BLOCK = 1 << 20  # bytes of decompressed text per hand-over from the inflating thread
_AHEAD = 8  # blocks inflated ahead of the reader


class _Inflated(io.RawIOBase):
    """The decompressed bytes of a .gz file, inflated by a thread ahead of the reader:
    zlib lets go of the GIL while it inflates, so on a machine with a spare core
    decompression (about a third of reading a large corpus) runs beside the parsing.
    The text layer on top (decoding, newlines, ``readline``) is the usual one."""

    def __init__(self, path: Path) -> None:
        self._blocks: queue.Queue[bytes | BaseException] = queue.Queue(_AHEAD)
        self._stop = threading.Event()
        self._left = memoryview(b"")
        self._done = False
        self._thread = threading.Thread(target=self._inflate, args=(path,), daemon=True)
        self._thread.start()

    def _inflate(self, path: Path) -> None:
        try:
            with gzip.open(path, "rb") as fh:
                while not self._stop.is_set() and (block := fh.read1(_BLOCK)):
                    self._put(block)
            self._put(b"")
        except BaseException as exc:  # handed to the reader, raised there
            self._put(exc)

    def _put(self, item: bytes | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._blocks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._left and not self._done:
            item = self._blocks.get()
            if isinstance(item, BaseException):
                self._done = True
                raise item
            self._left = memoryview(item)
            self._done = not item
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n

    def close(self) -> None:
        self._stop.set()
        super().close()


def read_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """(line number, object) for each non-blank line, or a BadLine saying why not."""
    for number, line in raw_lines(path):
        yield number, record(number, line)


def raw_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """(line number, line) for each non-blank line, unparsed; None for a line over
    ``MAX_LINE_CHARS`` (see :func:`record`)."""
    try:
        with open_lines(path) as fh:
            for number, line in enumerate(_bounded_lines(fh), 1):
                if line is None or line.strip():
                    yield number, line
    except (OSError, EOFError, ValueError) as exc:  # e.g. a truncated .gz
        raise ParseError(f"{path}: cannot read: {exc}") from exc


def record(number: int, line: str | None) -> dict[str, Any] | BadLine:
    """The object of one of :func:`raw_lines`' lines, or a BadLine saying why not."""
    if line is None:
        return BadLine(number, f"longer than {MAX_LINE_CHARS:,} characters")
    return parse_line(line, number)


def _bounded_lines(fh: IO[str]) -> Iterator[str | None]:
    """Lines of ``fh``; None for a line over MAX_LINE_CHARS (read past, never held whole)."""
    while line := fh.readline(MAX_LINE_CHARS + 1):
        if len(line) <= MAX_LINE_CHARS or line.endswith("\n"):
            yield line
            continue
        while (rest := fh.readline(1 << 20)) and not rest.endswith("\n"):
            pass
        yield None


def parse_line(line: str, number: int) -> dict[str, Any] | BadLine:
    """One line as a JSON object, or why it is not one."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return BadLine(number, f"invalid JSON: {exc}")
    except RecursionError:
        return BadLine(number, "invalid JSON: nested too deeply")
    return obj if isinstance(obj, dict) else BadLine(number, "not a JSON object")


class _WrongType(ValueError):
    pass


def _text(name: str, value: Any) -> str:
    """A field as text: strings and numbers; a list of them joined (authors)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v).strip() for v in value)
    raise _WrongType(f"field {name!r}: a JSON {type(value).__name__}, not text")


def outlet_facts(obj: dict[str, Any], mapping: dict[str, str]) -> tuple[str, dict[str, str]]:
    """(outlet name, {lean, country} as the line gives them) for the article's outlet."""

    def get(name: str) -> str:
        try:
            return _text(name, obj.get(mapping.get(name, name)))
        except _WrongType:
            return ""

    return get("outlet") or "Unknown outlet", {k: get(k) for k in OUTLET_FIELDS if get(k)}


def to_article(obj: dict[str, Any], mapping: dict[str, str], line: int) -> Article | BadLine:
    """The article of one record, or why the record is not one."""
    try:
        fields = {name: _text(name, obj.get(mapping.get(name, name))) for name in FIELDS}
    except _WrongType as exc:
        return BadLine(line, str(exc))
    fields["title"], fields["text"], derived = headline(fields["title"], fields["text"])
    published, why = read_time(obj.get(mapping.get("published", "published")))
    if not fields["title"]:
        return BadLine(line, "no title and no text")
    if published is None:
        return BadLine(line, f"no valid published time{': ' + why if why else ''}")
    return _article(fields, published, derived)


def _article(fields: dict[str, str], published: datetime, derived: bool) -> Article:
    def get(name: str) -> str:
        return fields[name]

    title = get("title")
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
        text=get("text"),
        published=published,
        outlet=get("outlet") or "Unknown outlet",
        kind=Kind(kind) if kind in set(Kind) else _classify(url, title),
        author=get("author"),
        language=get("language").lower(),
        summary=get("summary"),
        section=get("topic")[:200],
        external_id=ident,
        title_from_text=derived,
    )


def _classify(url: str, title: str) -> Kind:
    """extract.classify, imported on first use: the extraction stack (trafilatura) is
    seconds of imports that `storywire serve` must not pay (the CLI imports this module)."""
    from ..extract import classify

    return classify(url=url, title=title)
