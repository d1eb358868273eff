"""Tests for the local news-site fixture (tests/newsserver.py)."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.newsserver import Entry, NewsServer, Site, basil_site


@pytest.fixture
def tiny() -> Iterator[NewsServer]:
    site = Site()
    site.add("/hello.html", "<p>hello</p>")
    site.add("/feed.xml", b"<rss/>", content_type="application/rss+xml", headers={"ETag": '"v1"'})
    with NewsServer(site) as server:
        yield server


def _status(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> int:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:  # 304 and 404 arrive as errors
        err.close()
        return err.code


def test_serves_static_entries_and_404(tiny: NewsServer) -> None:
    assert tiny.base_url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(tiny.url("/hello.html"), timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert response.read() == b"<p>hello</p>"
    assert _status(tiny.url("/missing")) == 404
    assert _status(tiny.url("/hello.html"), method="HEAD") == 200
    assert [(r.method, r.path) for r in tiny.requests] == [
        ("GET", "/hello.html"),
        ("GET", "/missing"),
        ("HEAD", "/hello.html"),
    ]


def test_if_none_match_returns_304(tiny: NewsServer) -> None:
    assert _status(tiny.url("/feed.xml"), {"If-None-Match": '"v1"'}) == 304
    assert _status(tiny.url("/feed.xml"), {"If-None-Match": 'W/"v1", "x"'}) == 304
    assert _status(tiny.url("/feed.xml"), {"If-None-Match": '"v0"'}) == 200
    assert tiny.requests[0].headers["if-none-match"] == '"v1"'


def test_hooks_run_before_routes(tiny: NewsServer) -> None:
    tiny.site.add_hook(
        lambda req, base: Entry(503, {}, b"busy") if req.path == "/hello.html" else None
    )
    assert _status(tiny.url("/hello.html")) == 503
    assert _status(tiny.url("/feed.xml")) == 200


def _data_dir() -> Path:
    root = os.environ.get("STORYWIRE_DATA")
    if not root:
        pytest.skip("STORYWIRE_DATA not set: point it at the shared data dir (../shared/data)")
    path = Path(root) / "clustering" / "basil"
    if not path.is_dir():
        pytest.skip(f"BASIL dataset not found at {path}")
    return path


@pytest.mark.data
def test_basil_site_feeds_pages_and_extraction() -> None:
    import feedparser
    import httpx
    import trafilatura

    site = basil_site(_data_dir(), events=3)
    assert len(site.events) == 3
    assert all(len(paths) == 3 for paths in site.events.values())
    assert len(site.opinion_paths) == 3
    with NewsServer(site) as server, httpx.Client(timeout=10) as client:
        links: list[str] = []
        for path in site.feed_paths:
            response = client.get(server.url(path))
            assert response.status_code == 200
            feed = feedparser.parse(response.content)
            assert not feed.bozo, feed.get("bozo_exception")
            assert len(feed.entries) == 4  # three events + one opinion piece
            links += [entry.link for entry in feed.entries]
            again = client.get(
                server.url(path), headers={"If-None-Match": response.headers["ETag"]}
            )
            assert again.status_code == 304
        assert len(links) == 12
        for link in links:
            assert link.startswith(server.base_url + "/")
            assert client.get(link).status_code == 200

        first = site.events[next(iter(site.events))][0]
        text = trafilatura.extract(client.get(server.url(first)).text) or ""
        assert site.articles[first].paragraphs[0] in text
        assert "Sign up for our newsletter" not in text
