"""Outlet pages and the Blindspot listing, each with its JSON twin.

Blindspot: written stories with at least 5 outlets of known lean of which 80% or more
are on one side (left, or right; lean left and lean right fold into their side);
newest first.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query
from starlette.requests import Request
from starlette.responses import Response

from ..present import listing_item
from ..store.outlets import BLINDSPOT_MIN_OUTLETS, BLINDSPOT_SHARE
from .cache import Rendered, rendered, respond
from .context import JSON, NotFound, Web, web_of

Id = Annotated[int, Path(ge=1, description="Numeric id")]
Page = Annotated[int, Query(ge=1, le=1000)]
PER_PAGE = 30


def _dumps(data: Any) -> bytes:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def blindspot_data(web: Web, page: int) -> dict[str, Any]:
    found = web.store.blindspot(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    more, found = len(found) > PER_PAGE, found[:PER_PAGE]
    cover = web.store.coverage([x.story.id for x, _ in found])
    return {
        "rule": {"min_known_outlets": BLINDSPOT_MIN_OUTLETS, "share_one_side": BLINDSPOT_SHARE},
        "stories": [listing_item(x, cover.get(x.story.id)) | {"side": side} for x, side in found],
        "page": page,
        "next_page": page + 1 if more else None,
    }


async def blindspot(request: Request, page: Page = 1) -> Response:
    """Stories covered mostly by one side (see module doc)."""
    web = web_of(request)

    def make() -> Rendered:
        data = blindspot_data(web, page)
        return web.page("blindspot.html", data=data, stories=data["stories"], page=page)

    return respond(request, await web.ttl.get_async(("blindspot", page), make))


async def api_blindspot(request: Request, page: Page = 1) -> Response:
    """Stories with >= 5 outlets of known lean, >= 80% of them on one side; newest first."""
    web = web_of(request)

    def make() -> Rendered:
        return rendered(_dumps(blindspot_data(web, page)), JSON)

    return respond(request, await web.ttl.get_async(("api-blindspot", page), make))


def outlet_data(web: Web, outlet_id: int) -> dict[str, Any]:
    outlet = web.store.get_outlet(outlet_id)
    if outlet is None:
        raise NotFound(f"outlet {outlet_id}")
    stories = web.store.outlet_stories(outlet_id, limit=20)
    cover = web.store.coverage([x.story.id for x in stories])
    outlet["stories"] = [listing_item(x, cover.get(x.story.id)) for x in stories]
    return outlet


async def outlet(request: Request, outlet_id: Id) -> Response:
    web = web_of(request)

    def make() -> Rendered:
        data = outlet_data(web, outlet_id)
        return web.page("outlet.html", outlet=data, stories=data["stories"])

    return respond(request, await web.ttl.get_async(("outlet", outlet_id), make))


async def api_outlet(request: Request, outlet_id: Id) -> Response:
    """An outlet: lean, country, owner, typology, where each came from, recent stories."""
    web = web_of(request)

    def make() -> Rendered:
        return rendered(_dumps(outlet_data(web, outlet_id)), JSON)

    return respond(request, await web.ttl.get_async(("api-outlet", outlet_id), make))


def outlets(request: Request) -> Response:
    web = web_of(request)
    return respond(request, web.page("outlets.html", outlets=web.store.list_outlets()))


def api_outlets(request: Request) -> dict[str, Any]:
    """Every stored outlet with its facts and article count."""
    return {"outlets": web_of(request).store.list_outlets()}
