"""Feed bytes to entries: RSS 0.9x/1.0/2.0 and Atom via feedparser, JSON Feed by hand.

Entry rules: an entry without a link is skipped (there is no page to fetch);
relative links are resolved against the feed URL; an entry without a date gets
``published=None`` (the page's own date or the fetch time is used later);
entries repeating a GUID or link keep the first occurrence. An entry that cannot be
read (a link that is no URL, a field of the wrong type) is skipped with a logged
reason; the feed's other entries are kept. JSON nested deeper than ``MAX_JSON_DEPTH``
has its deep parts read as null.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urljoin

import feedparser

from ..errors import ParseError
from ..models import Entry
from ..timeutil import parse_time
from ..urls import lead_image

log = logging.getLogger(__name__)
MAX_JSON_DEPTH = 64
T = TypeVar("T")


def parse_feed(data: bytes, url: str, headers: dict[str, str] | None = None) -> list[Entry]:
    """Entries of a feed document, newest first. Raises ParseError when it is not a feed."""
    stripped = data.lstrip()
    if stripped.startswith(b"{"):
        return _dedup(_json_feed(stripped, url))
    parsed = feedparser.parse(data, response_headers=headers or {})
    if not parsed.entries and (parsed.bozo or not parsed.feed.get("title")):
        reason = _bozo_reason(parsed) or "no feed elements found"
        if stripped[:1000].lower().find(b"<html") >= 0:
            reason = "the document is an HTML page, not a feed"
        raise ParseError(f"not a feed: {reason}")
    entries = _each(parsed.entries, lambda e: _entry(e, url), url)
    return sorted(_dedup(entries), key=_newest_first)


def _each(items: Iterable[Any], read: Callable[[Any], T | None], url: str) -> list[T]:
    """``read`` of each item; an item it fails on is logged and skipped."""
    out = []
    for n, item in enumerate(items, 1):
        try:
            entry = read(item)
        except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as exc:
            log.info("feed %s: entry %d skipped: %s", url, n, str(exc)[:200] or type(exc))
            continue
        if entry is not None:
            out.append(entry)
    return out


def _bozo_reason(parsed: feedparser.FeedParserDict) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return ""
    line = getattr(exc, "getLineNumber", lambda: None)()
    where = f" at line {line}" if line else ""
    return f"malformed XML{where} ({getattr(exc, 'getMessage', lambda: str(exc))()})"


def _newest_first(e: Entry) -> float:
    return -(e.published.timestamp() if e.published else 0.0)


def _entry(e: feedparser.FeedParserDict, feed_url: str) -> Entry:
    link = e.get("link") or ""
    # dict.get: feedparser's own get() warns when it maps updated_parsed to published.
    when = dict.get(e, "published_parsed") or dict.get(e, "updated_parsed")
    published = parse_time(calendar.timegm(when)) if when else None  # sane window
    tags = tuple(t.get("term", "") for t in e.get("tags", []) if t.get("term"))
    return Entry(
        url=urljoin(feed_url, link.strip()) if link else "",
        title=(e.get("title") or "").strip(),
        summary=e.get("summary") or "",
        published=published,
        author=e.get("author") or "",
        guid=e.get("id") or "",
        tags=tags,
        image=lead_image(_entry_image(e), feed_url),
    )


def _entry_image(e: feedparser.FeedParserDict) -> str:
    """An RSS/Atom entry's image: media:thumbnail, an image media:content, or an image
    enclosure (the first found)."""
    for m in e.get("media_thumbnail") or []:
        if isinstance(m, dict) and m.get("url"):
            return str(m["url"])
    for m in e.get("media_content") or []:
        kind = f"{m.get('medium', '')} {m.get('type', '')}" if isinstance(m, dict) else ""
        if "image" in kind and m.get("url"):
            return str(m["url"])
    for link in e.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(link.get("href") or "")
    return ""


def _json_feed(data: bytes, feed_url: str) -> list[Entry]:
    try:
        try:
            doc = json.loads(data)
        except RecursionError:  # one deep value: read it as null, keep the rest
            doc = json.loads(cap_depth(data.decode("utf-8"), MAX_JSON_DEPTH))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise ParseError("not a feed: JSON without an 'items' list")
    return _each(doc["items"], lambda item: _json_item(item, feed_url), feed_url)


def _json_item(item: Any, feed_url: str) -> Entry | None:
    if not isinstance(item, dict):
        raise TypeError(f"an item is a JSON {type(item).__name__}, not an object")
    link = _str(item, "url") or _str(item, "external_url")
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    if not isinstance(authors, list):
        raise TypeError("'authors' is not a list")
    tags = item.get("tags") or []
    if not isinstance(tags, list):
        raise TypeError(f"'tags' is a JSON {type(tags).__name__}, not a list")
    return Entry(
        url=urljoin(feed_url, link) if link else "",
        title=_str(item, "title"),
        summary=_str(item, "summary") or _str(item, "content_text"),
        published=parse_time(item.get("date_published") or item.get("date_modified")),
        author=", ".join(_str(a, "name") for a in authors if isinstance(a, dict)),
        guid=str(item["id"]) if isinstance(item.get("id"), str | int) else "",
        tags=tuple(t for t in tags if isinstance(t, str)),
        image=lead_image(_image(item), feed_url),
    )


def _image(item: dict[str, Any]) -> str:
    for key in ("image", "banner_image"):
        if isinstance(item.get(key), str) and item[key]:
            return str(item[key])
    return ""


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return (value or "").strip()
    raise TypeError(f"{key!r} is a JSON {type(value).__name__}, not a string")


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def cap_depth(text: str, limit: int) -> str:
    """JSON text with every array/object nested deeper than ``limit`` replaced by null."""
    out, depth, skipping, pos = [], 0, 0, 0
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token[0] == '"':
            continue
        if token in "[{":
            depth += 1
            if depth > limit and not skipping:
                out += [text[pos : m.start()], "null"]
                skipping = depth
        else:
            if skipping and depth == skipping:
                pos, skipping = m.end(), 0
            depth -= 1
    if not skipping:
        out.append(text[pos:])
    return "".join(out)


def _dedup(entries: list[Entry]) -> list[Entry]:
    seen: set[str] = set()
    out = []
    for e in entries:
        keys = {k for k in (e.guid, e.url) if k}
        if not e.url or keys & seen:
            continue
        seen |= keys
        out.append(e)
    return out
