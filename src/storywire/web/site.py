"""What every site answers besides its pages: /robots.txt, /favicon.ico, and HEAD
for every GET route (``HeadAsGet``)."""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DAY = "public, max-age=86400"
# Story pages, home pages and feeds are for everyone; feed management, search (an
# endless space of result pages) and the API are not for crawlers.
ROBOTS = """User-agent: *
Disallow: /feeds
Disallow: /login
Disallow: /search
Disallow: /api/
"""
_FAVICON = (resources.files("storywire") / "web/static/favicon.ico").read_bytes()


def robots_txt(request: Request) -> Response:
    return Response(ROBOTS, media_type="text/plain; charset=utf-8", headers={"Cache-Control": DAY})


def favicon(request: Request) -> Response:
    return Response(_FAVICON, media_type="image/x-icon", headers={"Cache-Control": DAY})


class HeadAsGet:
    """HEAD on every GET route (RFC 9110 9.3.2): the GET runs and its status and
    headers (Content-Length, ETag, ...) go out, its body does not."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
