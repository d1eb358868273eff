"""Feed bytes to entries: RSS 0.9x/1.0/2.0 and Atom via feedparser, JSON Feed by hand.

Entry rules: an entry without a link is skipped (there is no page to fetch);
relative links are resolved against the feed URL; an entry without a date gets
``published=None`` (the page's own date or the fetch time is used later);
entries repeating a GUID or link keep the first occurrence.
"""

from __future__ import annotations

import calendar
import json
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser

from ..errors import ParseError
from ..models import Entry
from ..timeutil import parse_time
from ..urls import lead_image


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
    entries = [_entry(e, url) for e in parsed.entries]
    return sorted(_dedup(entries), key=_newest_first)


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
    published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
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
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise ParseError("not a feed: JSON without an 'items' list")
    entries = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url") or ""
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        entries.append(
            Entry(
                url=urljoin(feed_url, str(link)) if link else "",
                title=str(item.get("title") or ""),
                summary=str(item.get("summary") or item.get("content_text") or ""),
                published=parse_time(item.get("date_published") or item.get("date_modified")),
                author=", ".join(str(a.get("name", "")) for a in authors if isinstance(a, dict)),
                guid=str(item.get("id") or ""),
                tags=tuple(str(t) for t in item.get("tags") or []),
                image=lead_image(
                    str(item.get("image") or item.get("banner_image") or ""), feed_url
                ),
            )
        )
    return entries


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
