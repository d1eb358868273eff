"""Atom and JSON Feed outputs of stories (all, per topic, per search).

Each story is one entry whose id never changes (``tag:storywire,2025:story/ID``);
a rewrite changes the entry's title, content and ``updated`` time only.
"""

from __future__ import annotations

import html
import json
import re
from typing import Annotated, Any

from fastapi import Query
from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import Response

from ..store.listing import Listed, StoryFilter
from ..timeutil import to_iso
from .cache import Rendered, rendered, respond
from .context import Web, web_of

FEED_SIZE = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry (feed titles sometimes have them)."""
    return _NOT_XML.sub("", value)


def guid(story_id: int) -> str:
    return f"tag:storywire,2025:story/{story_id}"


def _base(request: Request, web: Web) -> str:
    return (web.settings.base_url or str(request.base_url)).rstrip("/")


def _entries(web: Web, topic: str, q: str) -> list[Listed]:
    if q:
        return web.store.search_stories(q, limit=FEED_SIZE)
    return web.store.recent_stories(StoryFilter(topic=topic), limit=FEED_SIZE)


def _content(web: Web, item: Listed) -> str:
    """Highlights and body of the current version as escaped HTML."""
    found = web.store.story_version(item.story.id, item.story.version)
    if found is None:
        return ""
    version = found[0]
    parts = ["<ul>"] + [f"<li>{html.escape(s.text)}</li>" for s in version.highlights]
    parts += ["</ul>"] + [f"<p>{html.escape(s.text)}</p>" for s in version.body]
    return "".join(parts)


def _title(topic: str, q: str) -> str:
    return "storywire" + (f": {topic}" if topic else "") + (f": search {q}" if q else "")


def _atom(request: Request, web: Web, topic: str, q: str) -> Rendered:
    base, items = _base(request, web), _entries(web, topic, q)
    fg = FeedGenerator()
    fg.id(xml_safe(f"{base}{request.url.path}?{request.url.query}"))
    fg.title(xml_safe(_title(topic, q)))
    fg.link(href=xml_safe(str(request.url)), rel="self")
    fg.link(href=f"{base}/", rel="alternate")
    fg.updated(max((i.story.updated_at for i in items), default=web.store.reference_time()))
    for item in reversed(items):  # feedgen prepends: newest ends up first
        entry = fg.add_entry()
        entry.id(guid(item.story.id))
        entry.title(xml_safe(item.title) or "(untitled)")
        entry.link(href=f"{base}/stories/{item.story.id}")
        entry.published(item.story.first_published)
        entry.updated(item.story.updated_at)
        entry.summary(xml_safe(item.top_highlight))
        entry.content(xml_safe(_content(web, item)), type="html")
    return rendered(fg.atom_str(pretty=False), "application/atom+xml; charset=utf-8")


def _json_feed(request: Request, web: Web, topic: str, q: str) -> Rendered:
    base = _base(request, web)
    items: list[dict[str, Any]] = [
        {
            "id": guid(i.story.id),
            "url": f"{base}/stories/{i.story.id}",
            "title": i.title,
            "summary": i.top_highlight,
            "content_html": _content(web, i),
            "date_published": to_iso(i.story.first_published),
            "date_modified": to_iso(i.story.updated_at),
        }
        for i in _entries(web, topic, q)
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _title(topic, q),
        "home_page_url": f"{base}/",
        "feed_url": str(request.url),
        "items": items,
    }
    body = json.dumps(feed, ensure_ascii=False).encode()
    return rendered(body, "application/feed+json; charset=utf-8")


Topic = Annotated[str, Query(max_length=200, description="Only stories of this topic")]
Search = Annotated[str, Query(max_length=500, description="Only stories matching these words")]


def atom(request: Request, topic: Topic = "", q: Search = "") -> Response:
    web = web_of(request)
    page = web.ttl.get_or_make(("atom", str(request.url)), lambda: _atom(request, web, topic, q))
    return respond(request, page)


def json_feed(request: Request, topic: Topic = "", q: Search = "") -> Response:
    web = web_of(request)
    page = web.ttl.get_or_make(
        ("jsonfeed", str(request.url)), lambda: _json_feed(request, web, topic, q)
    )
    return respond(request, page)
