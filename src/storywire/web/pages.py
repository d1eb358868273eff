"""HTML pages for readers: home, story, story versions, search."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..models import StoredArticle
from ..present import found_story, story_language, story_summary
from ..store.listing import Listed
from .cache import Rendered, respond
from .context import RANGES, Listing, NotFound, Web, web_of
from .params import listing_params

IMMUTABLE = "public, max-age=31536000, immutable"


def _page_url(request: Request, page: int) -> str:
    if web_of(request).static_site:
        return "/" if page == 1 else f"/page/{page}/"
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "cursor")]
    return "/?" + urlencode([*query, ("page", str(page))])


async def home(request: Request, q: Annotated[Listing, Depends(listing_params)]) -> Response:
    web = web_of(request)
    page_no = q.offset // q.limit + 1

    def make() -> Rendered:
        data = web.listing(q)
        return web.page(
            "home.html",
            data=data,
            stories=data["stories"],
            q=q,
            page=page_no,
            facets=web.facets(),
            ranges=list(RANGES),
            prev_url=_page_url(request, page_no - 1) if page_no > 1 else None,
            next_url=_page_url(request, page_no + 1) if data["next_cursor"] else None,
        )

    return respond(request, await web.ttl.get_async(("home", str(request.url.query)), make))


async def story_response(
    request: Request, story_id: int, version: int | None, kind: str, prefix: str
) -> Response:
    web = web_of(request)
    story = web.head(story_id, cached=True)
    if story.status == "merged" and story.merged_into:
        tail = f"/versions/{version}" if version else ""
        return RedirectResponse(f"{prefix}/{story.merged_into}{tail}", status_code=301)
    if version is not None and not 0 < version <= story.version:
        raise NotFound(f"version {version} of story {story_id}")
    page = await web.story_async(story, version or story.version, kind)
    return respond(request, page, cache_control=IMMUTABLE if version else "no-cache")


async def story(request: Request, story_id: int) -> Response:
    # async: the hot path is one primary-key lookup and a cached page, cheaper on the
    # event loop than a hop through the thread pool (a render goes to the pool).
    return await story_response(request, story_id, None, "html", "/stories")


async def story_version(request: Request, story_id: int, version: int) -> Response:
    return await story_response(request, story_id, version, "html", "/stories")


def story_versions(request: Request, story_id: int) -> Response:
    web = web_of(request)
    head = web.head(story_id)
    if head.status == "merged" and head.merged_into:
        return RedirectResponse(f"/stories/{head.merged_into}/versions", status_code=301)
    versions = web.store.story_versions(story_id)
    page = web.page(
        "versions.html",
        story=story_summary(head, versions[-1].title),
        versions=versions,
        page_lang=story_language(web.store.story_articles(story_id)),
    )
    return respond(request, page)


async def search(
    request: Request,
    q: Annotated[str, Query(max_length=500, description="Words to find")] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    web = web_of(request)
    per = 20
    stories: list[Listed] = []
    articles: list[StoredArticle] = []
    if q:
        # As /api/v1/search: wait for the gate on the event loop (see web/gate.py).
        async with web.search_gate:
            stories, articles = await run_in_threadpool(_search, web, q, page, per)
    more = len(articles) == per or len(stories) == 10
    page_data = await run_in_threadpool(
        web.page,
        "search.html",
        q=q,
        page=page,
        articles=articles,
        stories=[found_story(x) for x in stories],
        next_url=("/search?" + urlencode({"q": q, "page": page + 1})) if more else None,
        prev_url=("/search?" + urlencode({"q": q, "page": page - 1})) if page > 1 else None,
    )
    return respond(request, page_data)


def _search(web: Web, q: str, page: int, per: int) -> tuple[list[Listed], list[StoredArticle]]:
    """A page's stories (10) and articles (``per``), in a pool thread holding a place of
    the search gate."""
    with web.store.reading():
        stories, articles = web.store.search(
            q, stories=(10, (page - 1) * 10), articles=(per, (page - 1) * per)
        )
    assert stories is not None and articles is not None
    return stories, articles
