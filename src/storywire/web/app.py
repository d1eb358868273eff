"""The web app: HTML pages and their JSON twins, all routes in one table."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from ..present import story_page, story_summary
from ..settings import Settings
from ..store import Store
from .filters import install_filters

PAGE_SIZE = 30


class NotFound(HTTPException):
    def __init__(self, what: str):
        super().__init__(404, f"{what} not found")


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    store = store or Store(settings.db)
    store.migrate()
    app = FastAPI(title="storywire", version="1", openapi_url="/api/v1/openapi.json",
                  docs_url="/api/v1/docs", redoc_url=None)
    templates = Jinja2Templates(directory=str(resources.files("storywire") / "web/templates"))
    install_filters(templates.env)
    app.state.store = store

    def home(request: Request, page: int = Query(1, ge=1, le=10_000)) -> HTMLResponse:
        stories = _list(store, page)
        return templates.TemplateResponse(
            request, "home.html", {"stories": stories, "page": page, "page_size": PAGE_SIZE}
        )

    def story_html(request: Request, story_id: int) -> HTMLResponse:
        data = story_page(store, story_id)
        if data is None:
            raise NotFound(f"story {story_id}")
        return templates.TemplateResponse(request, "story.html", {"story": data})

    def api_stories(page: int = Query(1, ge=1, le=10_000),
                    limit: int = Query(PAGE_SIZE, ge=1, le=200)) -> dict[str, Any]:
        return {"stories": _list(store, page, limit), "page": page}

    def api_story(story_id: int) -> dict[str, Any]:
        data = story_page(store, story_id)
        if data is None:
            raise NotFound(f"story {story_id}")
        return data

    def health() -> dict[str, Any]:
        return {"status": "ok", "articles": store.article_count(), "stories": store.story_count()}

    routes: list[tuple[str, Callable[..., Any], str, bool]] = [  # path, handler, name, HTML?
        ("/", home, "home", True),
        ("/stories/{story_id}", story_html, "story", True),
        ("/api/v1/stories", api_stories, "api_stories", False),
        ("/api/v1/stories/{story_id}", api_story, "api_story", False),
        ("/healthz", health, "health", False),
    ]
    for path, handler, name, is_html in routes:
        app.add_api_route(path, handler, name=name, methods=["GET"],
                          response_class=HTMLResponse if is_html else JSONResponse,
                          include_in_schema=not is_html)
    app.mount("/static", StaticFiles(directory=str(resources.files("storywire") / "web/static")),
              name="static")
    _install_errors(app, templates)
    return app


def _list(store: Store, page: int, limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
    rows = store.list_stories(limit=limit, offset=(page - 1) * limit)
    return [story_summary(s, title) for s, title in rows]


def _install_errors(app: FastAPI, templates: Jinja2Templates) -> None:
    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if wants_json(request):
            return JSONResponse({"status": exc.status_code, "reason": exc.detail},
                                status_code=exc.status_code)
        return templates.TemplateResponse(
            request, "error.html", {"status": exc.status_code, "reason": exc.detail},
            status_code=exc.status_code,
        )

    async def bad_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
            for e in exc.errors()
        )
        return await http_error(request, HTTPException(400, reason))

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
