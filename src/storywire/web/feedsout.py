"""Atom and JSON Feed outputs of stories (all, per topic, per search).

Each entry carries the page: highlights, the Story with its citation marks [n], the
opinions and the sources (outlet, headline, link), so a feed reader shows what the
web page shows; a story of opinion pieces only still has its opinions and sources.
Each story is one entry whose id never changes and is unique to this instance: the
story's address under ``base_url`` (``https://news.example.org/stories/ID``); a
rewrite changes the entry's title, content and ``updated`` time only.
``?min_outlets=N`` keeps the stories reported by at least N outlets.
"""

from __future__ import annotations

import html
import json
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Query
from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import Response

from ..present import StoryPage, version_page
from ..store.listing import Listed, StoryFilter
from ..timeutil import to_iso
from .cache import Rendered, rendered, respond
from .context import Web, web_of
from .filters import image_url

FEED_SIZE = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(value: str) -> str:
    """Drop the characters XML 1.0 cannot carry (feed titles sometimes have them)."""
    return _NOT_XML.sub("", value)


def guid(base: str, story_id: int) -> str:
    """The entry id: the story's address on this instance (unique per instance)."""
    return f"{base}/stories/{story_id}"


def _base(request: Request, web: Web) -> str:
    return (web.settings.base_url or str(request.base_url)).rstrip("/")


def _author(base: str) -> str:
    return f"storywire at {urlsplit(base).netloc or 'localhost'}"


def _entries(web: Web, topic: str, q: str, min_outlets: int) -> list[Listed]:
    if q:
        with web.search_gate, web.store.reading():
            items = web.store.search_stories(q, limit=FEED_SIZE)
    else:
        items = web.store.recent_stories(StoryFilter(topic=topic), limit=FEED_SIZE)
    return [i for i in items if i.story.outlet_count >= min_outlets]


def _page(web: Web, item: Listed) -> StoryPage | None:
    found = web.store.story_version(item.story.id, item.story.version)
    return version_page(web.store, item.story, *found) if found else None


def _marks(refs: list[int]) -> str:
    return f" [{', '.join(str(r) for r in refs)}]" if refs else ""


def _image(web: Web, page: StoryPage | None) -> str:
    """The lead image's URL when images are shown (``show_images``), else ""."""
    if not web.settings.show_images or page is None or not page["image"]:
        return ""
    return image_url(page["image"]["url"])


def _content(page: StoryPage | None, title: str, image: str = "") -> str:
    """The page as escaped HTML: lead image with its credit, highlights, Story with
    citation marks, opinions, sources. Never empty (the title when nothing else is
    written)."""
    if page is None:
        return f"<p>{html.escape(title)}</p>"
    e = html.escape
    parts: list[str] = []
    if image and page["image"]:
        credit = page["image"]
        parts.append(
            f'<figure><img src="{e(image)}" alt="" referrerpolicy="no-referrer">'
            f"<figcaption>Image: {e(credit['outlet'])} [{credit['n']}]</figcaption></figure>"
        )
    if page["highlights"]:
        parts.append("<h3>Highlights</h3><ul>")
        parts += [f"<li>{e(s['text'])}{_marks(s['refs'])}</li>" for s in page["highlights"]]
        parts.append("</ul>")
    if page["body"]:
        story = " ".join(f"{e(s['text'])}{_marks(s['refs'])}" for s in page["body"])
        parts.append(f"<h3>Story</h3><p>{story}</p>")
    if page["opinions"]:
        parts.append("<h3>Opinions</h3><ul>")
        for o in page["opinions"]:
            by = f", {e(o['author'])}" if o["author"] else ""
            parts.append(
                f'<li>{e(o["outlet"])}{by}: <a href="{e(o["url"])}">{e(o["title"])}</a>'
                f" — {e(o['gist'])}</li>"
            )
        parts.append("</ul>")
    parts.append("<h3>Sources</h3><ol>")
    for group in page["sources"]:
        for a in group["articles"]:
            parts.append(
                f'<li value="{a["n"]}">{e(group["outlet"])}: '
                f'<a href="{e(a["url"])}">{e(a["title"])}</a></li>'
            )
    parts.append("</ol>")
    return "".join(parts)


def _summary(page: StoryPage | None, item: Listed) -> str:
    if item.top_highlight:
        return item.top_highlight
    if page and page["opinions"]:
        return page["opinions"][0]["gist"]
    return item.title


def _title(topic: str, q: str) -> str:
    return "storywire" + (f": {topic}" if topic else "") + (f": search {q}" if q else "")


def _atom(request: Request, web: Web, topic: str, q: str, min_outlets: int) -> Rendered:
    base, items = _base(request, web), _entries(web, topic, q, min_outlets)
    fg = FeedGenerator()
    fg.id(xml_safe(f"{base}{request.url.path}?{request.url.query}"))
    fg.title(xml_safe(_title(topic, q)))
    fg.author({"name": _author(base), "uri": f"{base}/"})
    fg.link(href=xml_safe(str(request.url)), rel="self")
    fg.link(href=f"{base}/", rel="alternate")
    fg.updated(max((i.story.updated_at for i in items), default=web.store.reference_time()))
    for item in reversed(items):  # feedgen prepends: newest ends up first
        page = _page(web, item)
        entry = fg.add_entry()
        entry.id(guid(base, item.story.id))
        entry.title(xml_safe(item.title) or "(untitled)")
        entry.link(href=f"{base}/stories/{item.story.id}")
        entry.published(item.story.first_published)
        entry.updated(item.story.updated_at)
        entry.summary(xml_safe(_summary(page, item)))
        image = _image(web, page)
        entry.content(xml_safe(_content(page, item.title, image)), type="html")
    return rendered(fg.atom_str(pretty=False), "application/atom+xml; charset=utf-8")


def _json_item(base: str, web: Web, i: Listed) -> dict[str, Any]:
    page = _page(web, i)
    image = _image(web, page)
    item = {
        "id": guid(base, i.story.id),
        "url": f"{base}/stories/{i.story.id}",
        "title": i.title,
        "summary": _summary(page, i),
        "content_html": _content(page, i.title, image),
        "date_published": to_iso(i.story.first_published),
        "date_modified": to_iso(i.story.updated_at),
    }
    if image:
        item["image"] = image  # JSON Feed 1.1: the item's main image
    return item


def _json_feed(request: Request, web: Web, topic: str, q: str, min_outlets: int) -> Rendered:
    base = _base(request, web)
    items = [_json_item(base, web, i) for i in _entries(web, topic, q, min_outlets)]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": _title(topic, q),
        "home_page_url": f"{base}/",
        "feed_url": str(request.url),
        "authors": [{"name": _author(base), "url": f"{base}/"}],
        "items": items,
    }
    body = json.dumps(feed, ensure_ascii=False).encode()
    return rendered(body, "application/feed+json; charset=utf-8")


Topic = Annotated[str, Query(max_length=200, description="Only stories of this topic")]
Search = Annotated[str, Query(max_length=500, description="Only stories matching these words")]
MinOutlets = Annotated[
    int, Query(ge=0, le=10_000, description="Only stories reported by at least this many outlets")
]


def atom(
    request: Request, topic: Topic = "", q: Search = "", min_outlets: MinOutlets = 0
) -> Response:
    web = web_of(request)
    page = web.ttl.get_or_make(
        ("atom", str(request.url)), lambda: _atom(request, web, topic, q, min_outlets)
    )
    return respond(request, page)


def json_feed(
    request: Request, topic: Topic = "", q: Search = "", min_outlets: MinOutlets = 0
) -> Response:
    web = web_of(request)
    page = web.ttl.get_or_make(
        ("jsonfeed", str(request.url)), lambda: _json_feed(request, web, topic, q, min_outlets)
    )
    return respond(request, page)
