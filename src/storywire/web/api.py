"""The JSON API under /api/v1/: every page's twin. Errors are {status, reason}."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, Path, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..models import Feed, StoredArticle
from ..present import found_story
from ..store.listing import Listed
from ..timeutil import to_iso
from .admin import require_admin
from .cache import Rendered, rendered, respond
from .context import JSON, Listing, NotFound, Web, web_of
from .pages import story_response
from .params import MAX_LIMIT, listing_params
from .plain import api_safe

Id = Annotated[int, Path(ge=1, description="Numeric id")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


async def stories(request: Request, q: Annotated[Listing, Depends(listing_params)]) -> Response:
    """Ranked stories (score documented in docs/api.md), filtered, cursor-paged."""
    web = web_of(request)

    def make() -> Rendered:
        return rendered(_dumps(api_safe(web.listing(q))), JSON)

    return respond(request, await web.ttl.get_async(("api", str(request.url.query)), make))


async def story(request: Request, story_id: Id) -> Response:
    """One story: title, highlights, body with citations, opinions, sources, changes."""
    return await story_response(request, story_id, None, "json", "/api/v1/stories")


def story_versions(request: Request, story_id: Id) -> dict[str, Any]:
    web = web_of(request)
    head = web.head(story_id)
    versions = web.store.story_versions(story_id)
    return api_safe(
        {
            "story_id": story_id,
            "status": head.status,
            "merged_into": head.merged_into,
            "versions": [
                {
                    "version": v.version,
                    "written": to_iso(v.written_at),
                    "writer": v.writer,
                    "title": v.title,
                    "changes": v.changes.to_json(),
                    "url": f"/api/v1/stories/{story_id}/versions/{v.version}",
                }
                for v in versions
            ],
        }
    )


async def story_version(request: Request, story_id: Id, version: Id) -> Response:
    return await story_response(request, story_id, version, "json", "/api/v1/stories")


def article_json(a: StoredArticle, *, text: bool = False) -> dict[str, Any]:
    data = {
        "id": a.id,
        "url": a.url,
        "title": a.title,
        "outlet": a.outlet,
        "author": a.author,
        "published": to_iso(a.published),
        "language": a.language,
        "section": a.section,
        "kind": str(a.kind),
        "summary": a.summary,
        "story_id": a.story_id,
        "duplicate_of": a.duplicate_of,
        "story_url": f"/stories/{a.story_id}" if a.story_id else None,
    }
    if text:
        data["text"] = a.text
    return data


def articles(
    request: Request,
    limit: Limit = 30,
    before: Annotated[
        int | None, Query(ge=1, description="Cursor: the last id of the previous page")
    ] = None,
    outlet: Annotated[str, Query(max_length=200)] = "",
    story_id: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """Stored articles, newest first, keyset-paged with ``before``."""
    found = web_of(request).store.list_articles(
        before_id=before, limit=limit, outlet=outlet, story_id=story_id
    )
    return {
        "articles": [api_safe(article_json(a)) for a in found],
        "next_before": found[-1].id if len(found) == limit else None,
    }


def article(request: Request, article_id: Id) -> dict[str, Any]:
    found = web_of(request).store.get_article(article_id)
    if found is None:
        raise NotFound(f"article {article_id}")
    return api_safe(article_json(found, text=True))


def feed_json(f: Feed) -> dict[str, Any]:
    data = asdict(f)
    for key in ("next_check_at", "last_checked_at"):
        data[key] = to_iso(data[key]) if data[key] else None
    return data


def feeds(request: Request) -> dict[str, Any]:
    """Feeds with status, last fetch, last error and article counts (admin)."""
    require_admin(request)
    return {"feeds": [api_safe(feed_json(f)) for f in web_of(request).store.list_feeds()]}


def sources(request: Request) -> dict[str, Any]:
    return {"sources": web_of(request).store.list_sources()}


async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500, description="Words to find")],
    type: Annotated[Literal["all", "stories", "articles"], Query()] = "all",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    """Full-text search over stories (current versions) and articles."""
    web = web_of(request)
    # async: a request waits for the gate on the event loop, and only the admitted ones
    # take a pool thread for the store work (see web/gate.py).
    async with web.search_gate:
        stories, articles = await run_in_threadpool(
            _search, web, q, type in ("all", "stories"), type in ("all", "articles"), limit, offset
        )
    out: dict[str, Any] = {"query": q}
    if stories is not None:
        out["stories"] = [found_story(x) for x in stories]
    if articles is not None:
        out["articles"] = [article_json(a) for a in articles]
    # Bytes, not a dict: FastAPI's jsonable_encoder walked every value of the 40
    # results (a third of a search request's CPU). orjson: a tenth of json's time, the
    # same bytes here (strings, ints, None; no floats, whose spelling could differ).
    return Response(orjson.dumps(api_safe(out)), media_type=JSON)


def _search(
    web: Web, q: str, stories: bool, articles: bool, limit: int, offset: int
) -> tuple[list[Listed] | None, list[StoredArticle] | None]:
    """The stories and articles found (None: not asked for), on one connection, no
    transaction (reads only). In a pool thread, holding a place of the search gate."""
    with web.store.reading():
        return web.store.search(
            q,
            stories=(limit, offset) if stories else None,
            articles=(limit, offset) if articles else None,
        )


def health(request: Request) -> dict[str, Any]:
    store = web_of(request).store
    age = store.oldest_pending_age()
    return {
        "status": "ok",
        "articles": store.article_count(),
        "stories": store.story_count(),
        # Articles workers stored that `storywire cluster` has not clustered yet, and the
        # seconds the oldest has waited: growing, the consumer is down or behind.
        "pending": store.pending_count(),
        "pending_oldest_seconds": None if age is None else round(age),
    }


def _dumps(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
