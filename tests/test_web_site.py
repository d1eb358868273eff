"""What a site answers besides its pages, over real HTTP: HEAD on every GET route,
robots.txt, the favicon; and what shared pages carry (og tags, canonical, lang)."""

from __future__ import annotations

import httpx
import pytest

from storywire import Store, load_settings
from storywire.web import create_app
from storywire.web.app import ROUTES

from tests.support.webfixture import build


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("site") / "storywire.db"
    return db, build(db)


@pytest.fixture
def client(fixture_db, live_server):
    db, ids = fixture_db
    store = Store(db)
    server = live_server(create_app(load_settings(db=db, page_cache_seconds=0), store))
    with httpx.Client(base_url=server.base_url, timeout=10) as c:
        c.ids = ids  # type: ignore[attr-defined]
        yield c
    store.close()


def _get_paths(ids: dict[str, int]) -> list[str]:
    """One concrete URL for every GET route in the table."""
    values = {"story_id": str(ids["quake"]), "version": "1", "article_id": "1", "feed_id": "1"}
    values["outlet_id"] = "1"
    paths = []
    for path, _, methods, _, _ in ROUTES:
        if "GET" in methods:
            for key, value in values.items():
                path = path.replace("{" + key + "}", value)
            paths.append(path + ("?q=earthquake" if path.endswith("/search") else ""))
    return paths


def test_head_answers_every_get_route_like_get(client):
    paths = _get_paths(client.ids) + ["/static/style.css", "/static/favicon.svg"]
    assert len(paths) >= 20
    for path in paths:
        get = client.get(path)
        head = client.head(path)
        assert get.status_code == 200, path
        assert head.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        if "content-length" in get.headers and "content-encoding" not in get.headers:
            assert head.headers["content-length"] == get.headers["content-length"], path


def test_head_of_unknown_page_is_404_and_post_only_route_405(client):
    assert client.head("/stories/999999").status_code == 404
    assert client.head("/feeds/add").status_code == 405
    assert client.head("/nothing-here").status_code == 404


def test_robots_txt(client):
    resp = client.get("/robots.txt")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    lines = resp.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /feeds", "Disallow: /search", "Disallow: /api/"} <= set(lines)
    assert "Disallow: /" not in lines and "Disallow: /stories" not in resp.text


def test_favicon(client):
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.headers["content-type"] == "image/x-icon"
    assert resp.content[:4] == b"\x00\x00\x01\x00"  # ICO header: one image
    assert resp.content[22:30] == b"\x89PNG\r\n\x1a\n"
    page = client.get("/").text
    assert 'rel="icon" href="/favicon.ico"' in page
    assert 'href="/static/favicon.svg" type="image/svg+xml"' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
