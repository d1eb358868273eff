"""What every handler shares: settings, store, templates and caches (``app.state.web``)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from importlib import resources
from typing import Any, TypedDict

import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..models import Story
from ..present import ListingItem, StoryPage, listing_item, version_page
from ..settings import Settings
from ..store import Store
from ..store.listing import StoryFilter
from ..timeutil import from_iso, to_iso
from .cache import LRU, Rendered, TTLCache, rendered
from .filters import install_filters
from .gate import FifoGate
from .plain import api_safe

HTML = "text/html; charset=utf-8"
JSON = "application/json"
# The time ranges a listing offers (hours before the newest article; None: everything),
# in the order the home page lists them. The pages, the API's parameter check and its
# OpenAPI schema all read this table.
RANGES = {"1d": 24, "2d": 48, "7d": 168, "30d": 720, "all": None}
# Default home window: the last 2 days before the newest article, widened to 7, 30
# days, then everything while it holds fewer stories than one page.
DEFAULT_WIDENING = ("2d", "7d", "30d", "all")
WIDEN_BELOW = 30  # stories: one home page


class ListingPage(TypedDict):
    """Ranked stories for a listing request, the window used and the next cursor."""

    stories: list[ListingItem]
    range: str | None
    reference_time: str
    next_cursor: str | None
    page: int


class NotFound(HTTPException):
    def __init__(self, what: str):
        super().__init__(404, f"{what} not found")


@dataclass(frozen=True)
class Listing(StoryFilter):
    """A listing request: the store's filters (topic, language, country, since, until)
    plus a named time range and where the page starts."""

    range: str | None = None
    offset: int = 0
    limit: int = 30
    ref: datetime | None = None  # pinned by a cursor so that paging stays consistent


def encode_cursor(offset: int, ref: datetime) -> str:
    raw = json.dumps({"o": offset, "t": to_iso(ref)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, datetime]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, ref = int(data["o"]), from_iso(str(data["t"]))
        if not 0 <= offset <= 1_000_000 or not 1900 <= ref.year <= 9998:
            raise ValueError("offset or time out of range")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, "cursor: malformed cursor (use next_cursor as given)") from exc
    return offset, ref


def _render_tag() -> str:
    """Changes when templates or styles change, so cached pages are revalidated."""
    h = hashlib.blake2b(digest_size=6)
    root = resources.files("storywire") / "web"
    for folder in ("templates", "static"):
        for item in sorted((root / folder).iterdir(), key=lambda p: p.name):
            h.update(item.name.encode() + item.read_bytes())
    return h.hexdigest()


class Web:
    def __init__(self, settings: Settings, store: Store, *, static_site: bool = False):
        self.settings, self.store, self.static_site = settings, store, static_site
        # Searches (API, page, feed) run search_concurrency at a time, in arrival order.
        self.search_gate = FifoGate(search_places(settings, store))
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("storywire", "web/templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        install_filters(self.env)
        # Absolute links (canonical, og:url) need the public address; without base_url
        # the canonical link is a path and og:url is left out.
        self.env.globals.update(
            static_site=static_site,
            show_images=settings.show_images,
            site_url=settings.base_url.rstrip("/"),
        )
        self.tag = _render_tag()
        self.versions: LRU[Rendered] = LRU(4096)
        self.ttl: TTLCache[Rendered] = TTLCache(settings.page_cache_seconds)
        self._rendering: dict[tuple[int, int, str, int, int], asyncio.Future[Rendered]] = {}
        self._facets: TTLCache[dict[str, list[str]]] = TTLCache(60.0, size=1)
        # Story pages: the story row (current version, status) and the links' generation
        # are read at most every page_cache_seconds per process, not per request: on
        # PostgreSQL each was a round trip on the event loop (story pages at 50
        # connections: 291 req/s with timeouts at 300,000 articles).
        self._heads: TTLCache[Story | None] = TTLCache(settings.page_cache_seconds, 8192)
        self._links: TTLCache[int] = TTLCache(settings.page_cache_seconds, size=1)

    def facets(self) -> dict[str, list[str]]:
        """Filter choices (topics, languages, countries): scans, so kept for a minute."""
        return self._facets.get_or_make("facets", self.store.facets)

    # -- rendering --------------------------------------------------------------

    def html(self, template: str, **context: Any) -> bytes:
        return self.env.get_template(template).render(**context).encode()

    def page(self, template: str, **context: Any) -> Rendered:
        return rendered(self.html(template, **context), HTML)

    # -- listings ---------------------------------------------------------------

    def story_filter(self, q: Listing, ref: datetime, range_: str | None) -> StoryFilter:
        hours = RANGES.get(range_ or "all")
        since = q.since or (ref - timedelta(hours=hours) if hours else None)
        chosen = {f.name: getattr(q, f.name) for f in fields(StoryFilter)}
        return StoryFilter(**{**chosen, "since": since})

    def listing(self, q: Listing) -> ListingPage:
        """Ranked stories for a listing request, with the window used and the next cursor."""
        ref = q.ref or self.store.reference_time()
        range_ = q.range
        if range_ is None and q.since is None:
            for candidate in DEFAULT_WIDENING:
                range_ = candidate
                f = self.story_filter(q, ref, candidate)
                if candidate == "all" or self.store.count_stories(f) >= WIDEN_BELOW:
                    break
        f = self.story_filter(q, ref, range_)
        found = self.store.ranked_stories(f, ref=ref, limit=q.limit + 1, offset=q.offset)
        more, found = len(found) > q.limit, found[: q.limit]
        cover = self.store.coverage([x.story.id for x in found])
        images = self.store.lead_images([x.story.id for x in found])
        return {
            "stories": [
                listing_item(x, cover.get(x.story.id), images.get(x.story.id, "")) for x in found
            ],
            "range": range_,
            "reference_time": to_iso(ref),
            "next_cursor": encode_cursor(q.offset + q.limit, ref) if more else None,
            "page": q.offset // q.limit + 1,
        }

    # -- story pages ------------------------------------------------------------

    def head(self, story_id: int, *, cached: bool = False) -> Story:
        """The story row; ``cached``: as read within the last page_cache_seconds."""
        if cached:
            story = self._heads.get_or_make(story_id, lambda: self.store.get_story(story_id))
        else:
            story = self.store.get_story(story_id)
        if story is None or story.version == 0:
            raise NotFound(f"story {story_id}")
        return story

    def story_data(self, story: Story, version: int) -> StoryPage:
        found = self.store.story_version(story.id, version)
        if found is None:
            raise NotFound(f"version {version} of story {story.id}")
        return version_page(self.store, replace(story, version=version), *found)

    async def story_async(self, story: Story, version: int, kind: str) -> Rendered:
        """``story_rendered`` with a render (a cache miss) in the thread pool."""
        key = self._page_key(story, version, kind)
        hit = self.versions.peek(key)
        if hit is not None:
            return hit
        task = self._rendering.get(key)
        if task is None:  # one render per page, however many readers ask at once
            task = asyncio.ensure_future(
                run_in_threadpool(self.story_rendered, story, version, kind)
            )
            self._rendering[key] = task
            task.add_done_callback(lambda _: self._rendering.pop(key, None))
        return await asyncio.shield(task)

    def _page_key(self, story: Story, version: int, kind: str) -> tuple[int, int, str, int, int]:
        """The current version's page shows the timeline, so it changes when a link is
        added (the links' generation); older versions never change."""
        links = (
            self._links.get_or_make("links", self.store.links_generation)
            if version == story.version
            else 0
        )
        return (story.id, version, kind, story.version, links)

    def story_rendered(self, story: Story, version: int, kind: str) -> Rendered:
        """The page of one version, rendered once ('html' or 'json')."""
        key = self._page_key(story, version, kind)

        def make() -> Rendered:
            data = self.story_data(story, version)
            if version == story.version:
                data["timeline"] = self.store.timeline(story.id)
            written = from_iso(data["written"])
            etag = f'"s{story.id}v{version}-{kind}-{self.tag}-t{key[4]}"'
            if kind == "json":
                body = json.dumps(
                    api_safe(data), ensure_ascii=False, separators=(",", ":")
                ).encode()
                return rendered(body, JSON, written, etag)
            latest = version == story.version
            body = self.html(
                "story.html",
                story=data,
                latest=latest,
                current_version=story.version,
                page_lang=data["language"],
            )
            return rendered(body, HTML, written, etag)

        return self.versions.get_or_make(key, make)

    # -- admin ------------------------------------------------------------------

    def admin_required(self) -> bool:
        local = self.settings.host in ("127.0.0.1", "localhost", "::1")
        return bool(self.settings.admin_token) or not local


SEARCHES = 4  # searches at once in one process (search_concurrency 0)


def search_places(settings: Settings, store: Store) -> int:
    """Searches one process runs at once: ``search_concurrency``, or when 0, 4 (at most
    the PostgreSQL connection pool, ``database_pool``). Measured at 300,000 articles, 50
    connections, 2 cores: on SQLite (sqlite3 runs SQL outside the GIL) 2 and 4 both kept
    the cores busy; on PostgreSQL on the same machine 4 at once answered 419-429 req/s
    (p99 142-154 ms) where 8 answered 342-388 (p99 181-220): more searches than cores
    at once cost the database CPU in contention (3.0 ms per search instead of 3.5-4.0)."""
    if settings.search_concurrency:
        return settings.search_concurrency
    return SEARCHES if store.path is not None else min(SEARCHES, store.pool)


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web
