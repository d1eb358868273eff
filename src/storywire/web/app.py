"""The web app: HTML pages and their JSON twins, all routes in one table."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from ..settings import Settings
from ..store import Store, open_store
from . import admin, api, feedsout, outlets, pages, site
from .context import HTML, NotFound, Web
from .security import SecurityMiddleware, form_tokens

__all__ = ["ROUTES", "NotFound", "create_app"]

# path, handler, methods, name, kind ("html": page, hidden from the API schema;
# "api": JSON under /api/v1/; "feed": Atom / JSON Feed; "admin": feed management;
# "file": robots.txt, favicon). Every GET route answers HEAD too (site.HeadAsGet).
ROUTES: list[tuple[str, Callable[..., Any], list[str], str, str]] = [
    ("/", pages.home, ["GET"], "home", "html"),
    ("/stories/{story_id}", pages.story, ["GET"], "story", "html"),
    ("/stories/{story_id}/versions", pages.story_versions, ["GET"], "story_versions", "html"),
    (
        "/stories/{story_id}/versions/{version}",
        pages.story_version,
        ["GET"],
        "story_version",
        "html",
    ),
    ("/search", pages.search, ["GET"], "search", "html"),
    ("/blindspot", outlets.blindspot, ["GET"], "blindspot", "html"),
    ("/outlets", outlets.outlets, ["GET"], "outlets", "html"),
    ("/outlets/{outlet_id}", outlets.outlet, ["GET"], "outlet", "html"),
    ("/feeds", admin.feeds_page, ["GET"], "feeds", "admin"),
    ("/feeds/add", admin.feeds_add, ["POST"], "feeds_add", "admin"),
    ("/feeds/{feed_id}/remove", admin.feeds_remove, ["POST"], "feeds_remove", "admin"),
    ("/feeds/import", admin.feeds_import, ["POST"], "feeds_import", "admin"),
    ("/feeds.opml", admin.feeds_export, ["GET"], "feeds_export", "admin"),
    ("/login", admin.login_page, ["GET"], "login_page", "admin"),
    ("/login", admin.login, ["POST"], "login", "admin"),
    ("/stories.atom", feedsout.atom, ["GET"], "atom", "feed"),
    ("/stories.json", feedsout.json_feed, ["GET"], "json_feed", "feed"),
    ("/api/v1/stories", api.stories, ["GET"], "api_stories", "api"),
    ("/api/v1/stories/{story_id}", api.story, ["GET"], "api_story", "api"),
    (
        "/api/v1/stories/{story_id}/versions",
        api.story_versions,
        ["GET"],
        "api_story_versions",
        "api",
    ),
    (
        "/api/v1/stories/{story_id}/versions/{version}",
        api.story_version,
        ["GET"],
        "api_story_version",
        "api",
    ),
    ("/api/v1/articles", api.articles, ["GET"], "api_articles", "api"),
    ("/api/v1/articles/{article_id}", api.article, ["GET"], "api_article", "api"),
    ("/api/v1/feeds", api.feeds, ["GET"], "api_feeds", "api"),
    ("/api/v1/sources", api.sources, ["GET"], "api_sources", "api"),
    ("/api/v1/search", api.search, ["GET"], "api_search", "api"),
    ("/api/v1/blindspot", outlets.api_blindspot, ["GET"], "api_blindspot", "api"),
    ("/api/v1/outlets", outlets.api_outlets, ["GET"], "api_outlets", "api"),
    ("/api/v1/outlets/{outlet_id}", outlets.api_outlet, ["GET"], "api_outlet", "api"),
    ("/healthz", api.health, ["GET"], "health", "api"),
    ("/robots.txt", site.robots_txt, ["GET"], "robots_txt", "file"),
    ("/favicon.ico", site.favicon, ["GET"], "favicon", "file"),
]


class _App(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, so that even the server-error response carries the security headers.
        return SecurityMiddleware(super().build_middleware_stack(), self.state.web.settings)


def create_app(
    settings: Settings, store: Store | None = None, *, static_site: bool = False
) -> FastAPI:
    store = store or open_store(settings)
    store.migrate()
    app = _App(
        title="storywire",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="Stories, articles, feeds, sources and search as JSON. "
        "Errors are {status, reason}.",
    )
    app.state.web = Web(settings, store, static_site=static_site)
    app.state.store = store
    for path, handler, methods, name, kind in ROUTES:
        app.add_api_route(
            path,
            handler,
            name=name,
            methods=methods,
            response_class=HTMLResponse if kind in ("html", "admin") else JSONResponse,
            include_in_schema=kind == "api",
            responses={400: {"description": "Bad parameter"}, 404: {"description": "Unknown id"}}
            if kind == "api"
            else None,
        )
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("storywire") / "web/static")),
        name="static",
    )
    _install_errors(app)
    app.add_middleware(site.HeadAsGet)
    return app


def _install_errors(app: FastAPI) -> None:
    web: Web = app.state.web

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if wants_json(request):
            return JSONResponse(
                {"status": exc.status_code, "reason": exc.detail},
                status_code=exc.status_code,
                headers=exc.headers,
            )
        template = "login.html" if isinstance(exc, admin.NeedLogin) else "error.html"
        body = web.html(
            template,
            status=exc.status_code,
            reason=exc.detail,
            error="",
            csrf=form_tokens(request),
        )
        return Response(body, status_code=exc.status_code, media_type=HTML)

    async def bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
            for e in exc.errors()
        )
        return await http_error(request, HTTPException(400, reason))

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
