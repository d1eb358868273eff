"""Feed management: list, add, remove, OPML import/export.

Open without a token only while the server listens on loopback and no
``admin_token`` is set; otherwise the token is needed (cookie set by the login
form, or ``Authorization: Bearer TOKEN``). Every form carries a CSRF token and the
Host / Origin checks of ``security`` apply to every request.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import File, Form, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..errors import FetchError, ParseError
from ..ingest.discover import feed_infos, find_feeds, unreachable
from ..ingest.opml import MAX_OPML_BYTES, parse_opml, to_opml
from ..models import FeedInfo
from ..text import plural
from .context import HTML, web_of
from .security import CSRF_FIELD, check_form, form_tokens

COOKIE = "storywire_admin"
NOTES = {
    "added": "Feed added.",
    "exists": "That feed is already in the list.",
    "removed": "Feed removed (its articles stay).",
    "gone": "No such feed.",
    "imported": "OPML imported.",
    "login": "Signed in.",
}


class NeedLogin(HTTPException):
    def __init__(self, reason: str):
        super().__init__(401, reason)


def require_admin(request: Request) -> None:
    web = web_of(request)
    if not web.admin_required():
        return
    token = web.settings.admin_token
    if not token:
        raise HTTPException(
            403,
            "feed management is off: the server listens on "
            f"{web.settings.host}; set admin_token to enable it",
        )
    given = request.cookies.get(COOKIE) or ""
    auth = request.headers.get("authorization", "")
    bearer = auth.lower().startswith("bearer ")
    if bearer:
        given = auth[7:].strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise NeedLogin("feed management needs the admin token")
    if bearer:  # not sent by browsers on their own: no CSRF token needed
        request.scope.setdefault("state", {})["bearer_ok"] = True


CsrfField = Annotated[str, Form(alias=CSRF_FIELD, max_length=100)]


def _page(request: Request, *, note: str = "", error: str = "", status: int = 200) -> Response:
    web = web_of(request)
    body = web.html(
        "feeds.html",
        feeds=web.store.list_feeds(),
        note=note,
        error=error,
        csrf=form_tokens(request),
    )
    return Response(
        body, status_code=status, media_type=HTML, headers={"Cache-Control": "no-store"}
    )


def _done(note: str, **extra: int) -> RedirectResponse:
    return RedirectResponse("/feeds?" + urlencode({"note": note, **extra}), status_code=303)


def feeds_page(request: Request, note: str = "", n: int = 0, of: int = 0) -> Response:
    require_admin(request)
    text = NOTES.get(note, "")
    if note == "imported":
        text = f"OPML imported: {plural(of, 'feed')}, {n} new."
    elif note in ("advertised", "path"):
        where = (
            f"The page advertises {plural(of, 'feed')}"
            if note == "advertised"
            else "The page advertises no feed; one was found at a common path"
        )
        text = f"{where}: {n} new, listed below."
    return _page(request, note=text)


async def feeds_add(
    request: Request,
    url: Annotated[str, Form(max_length=2000)],
    outlet: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=20)] = "news",
    csrf: CsrfField = "",
) -> Response:
    """Add a feed, or the feeds that a site's page advertises (see ingest/discover.py)."""
    require_admin(request)
    check_form(request, "feeds_add", csrf)
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _page(request, error=f"Not an http(s) feed or site address: {url}", status=400)
    if kind not in ("news", "wire", "opinion"):
        return _page(request, error="Kind must be news, wire or opinion.", status=400)
    web = web_of(request)
    outlet = outlet.strip() or parts.hostname
    try:
        found = await find_feeds(web.settings, url)
    except FetchError as exc:
        if not unreachable(exc):
            return _page(request, error=f"Nothing added: {url}: {exc}.", status=400)
        added = await run_in_threadpool(
            web.store.add_feeds, [FeedInfo(url, outlet=outlet, kind=kind)]
        )
        note = "Feed added" if added else "That feed is already in the list"
        return _page(request, note=f"{note} without checking it ({exc}); it will be polled.")
    if not found.feeds:
        reason = found.describe()
        return _page(request, error=reason[:1].upper() + reason[1:] + ".", status=400)
    added = await run_in_threadpool(web.store.add_feeds, feed_infos(found, outlet, kind))
    if found.how == "feed":
        return _done("added" if added else "exists")
    return _done(found.how, n=added, of=len(found.feeds))


def feeds_remove(request: Request, feed_id: int, csrf: CsrfField = "") -> Response:
    require_admin(request)
    check_form(request, "feeds_remove", csrf)
    return _done("removed" if web_of(request).store.remove_feed_id(feed_id) else "gone")


async def feeds_import(
    request: Request, opml: Annotated[UploadFile, File()], csrf: CsrfField = ""
) -> Response:
    require_admin(request)
    check_form(request, "feeds_import", csrf)
    data = await opml.read(MAX_OPML_BYTES + 1)
    if len(data) > MAX_OPML_BYTES:
        return _page(request, error="OPML file too large (5 MB at most).", status=400)
    try:
        infos = parse_opml(data, name=opml.filename or "upload")
    except ParseError as exc:
        return _page(request, error=f"Nothing imported: {exc}", status=400)
    infos = [i for i in infos if urlsplit(i.url).scheme in ("http", "https")]
    added = web_of(request).store.add_feeds(infos)
    return _done("imported", n=added, of=len(infos))


def feeds_export(request: Request) -> Response:
    require_admin(request)
    body = to_opml(web_of(request).store.list_feeds())
    return Response(
        body,
        media_type="text/x-opml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="storywire-feeds.opml"'},
    )


def login_page(request: Request) -> Response:
    body = web_of(request).html("login.html", error="", csrf=form_tokens(request))
    return Response(body, media_type=HTML, headers={"Cache-Control": "no-store"})


def login(
    request: Request, token: Annotated[str, Form(max_length=500)], csrf: CsrfField = ""
) -> Response:
    check_form(request, "login", csrf)
    web = web_of(request)
    expected = web.settings.admin_token or ""
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        body = web.html("login.html", error="Wrong token.", csrf=form_tokens(request))
        return Response(body, status_code=401, media_type=HTML)
    response = _done("login")
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response
