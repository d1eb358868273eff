"""``storywire export DIR``: the same pages as a static site (any static host serves it).

Pages are rendered by the app itself (in process), so they are the served pages,
minus what needs a server (search, filters, feed management): home pages as
``index.html`` and ``page/N/index.html``, every listed story as
``stories/ID/index.html``, the Atom and JSON feeds, the stylesheet, robots.txt and
the favicon.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import StorywireError
from ..settings import Settings
from ..store import Store
from .app import create_app

if TYPE_CHECKING:
    from ..progress import AddBar

_STORY_LINK = re.compile(r'href="/stories/(\d+)"')


@dataclass
class ExportReport:
    pages: int = 0
    stories: int = 0


def export_site(
    settings: Settings,
    store: Store,
    folder: Path,
    max_pages: int = 20,
    add_bar: AddBar | None = None,
) -> ExportReport:
    if folder.exists() and not folder.is_dir():
        raise StorywireError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    app = create_app(
        settings.model_copy(update={"page_cache_seconds": 0.0}), store, static_site=True
    )
    report = asyncio.run(_export(app, folder, max_pages, add_bar))
    static = resources.files("storywire") / "web/static"
    shutil.copytree(str(static), folder / "static", dirs_exist_ok=True)
    return report


async def _export(
    app: Any, folder: Path, max_pages: int, add_bar: AddBar | None = None
) -> ExportReport:
    report, story_ids = ExportReport(), []
    pages_done = add_bar("home pages", None) if add_bar else None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        for n in range(1, max_pages + 1):
            html = await _get(client, f"/?page={n}")
            _write(folder / ("index.html" if n == 1 else f"page/{n}/index.html"), html)
            report.pages += 1
            if pages_done:
                pages_done(1)
            story_ids += [int(i) for i in _STORY_LINK.findall(html.decode())]
            if b'rel="next"' not in html:
                break
        unique = list(dict.fromkeys(story_ids))
        story_done = add_bar("story pages", len(unique)) if add_bar else None
        for story_id in unique:
            page = await _get(client, f"/stories/{story_id}")
            _write(folder / f"stories/{story_id}/index.html", page)
            report.stories += 1
            if story_done:
                story_done(1)
        _write(folder / "stories.atom", await _get(client, "/stories.atom"))
        _write(folder / "stories.json", await _get(client, "/stories.json"))
        _write(folder / "404.html", (await client.get("/stories/0")).content)
        _write(folder / "robots.txt", await _get(client, "/robots.txt"))
        _write(folder / "favicon.ico", await _get(client, "/favicon.ico"))
    return report


async def _get(client: httpx.AsyncClient, path: str) -> bytes:
    resp = await client.get(path)
    if resp.status_code != 200:
        raise StorywireError(f"export: {path} answered {resp.status_code}")
    return resp.content


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(body)
    tmp.replace(path)
