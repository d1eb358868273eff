"""Query parameters shared by the HTML pages and the JSON API (FastAPI dependencies).

Bad values become 400 responses with a reason (see ``app._install_errors``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import Query
from starlette.exceptions import HTTPException

from .context import RANGES, Listing, decode_cursor

MAX_LIMIT = 200
if TYPE_CHECKING:
    RangeName = str
else:  # FastAPI checks the value and lists the choices in the OpenAPI schema
    RangeName = Literal[("", *RANGES)]


def _utc(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    try:  # 9999-12-31T23:59:59-05:00 is past the last day datetime can hold in UTC
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not 1900 <= utc.year <= 9998:
        raise HTTPException(400, f"{name}: year out of range (1900-9998)")
    return utc


async def listing_params(
    topic: Annotated[str, Query(max_length=200, description="Topic, section or category")] = "",
    language: Annotated[str, Query(max_length=20, description="Article language, e.g. en")] = "",
    country: Annotated[str, Query(max_length=20, description="Outlet country, e.g. US")] = "",
    range: Annotated[
        RangeName | None,
        Query(
            description="Time range before the newest article (default: 2d, widened to 7d, "
            "30d, all while it holds fewer than one page of stories)"
        ),
    ] = None,
    since: Annotated[datetime | None, Query(description="Newest article at or after (ISO)")] = None,
    until: Annotated[datetime | None, Query(description="First article at or before (ISO)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 30,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> Listing:
    offset, ref = (page - 1) * limit, None
    if cursor:
        offset, ref = decode_cursor(cursor)
    return Listing(
        topic=topic.strip(),
        language=language.strip().lower(),
        country=country.strip().upper(),
        range=range or None,
        since=_utc(since, "since"),
        until=_utc(until, "until"),
        offset=offset,
        limit=limit,
        ref=ref,
    )
