"""Hostile requests against the web app on its default install (127.0.0.1, no token):
forged forms (CSRF), DNS-rebinding Hosts, framing, dangerous values in the API,
dates past the calendar in query parameters, and Accept-Encoding q=0."""

from __future__ import annotations

import re

import httpx
import pytest

from storywire import Store, load_settings
from storywire.models import FeedInfo
from storywire.web import create_app

from tests.support.live import LiveServer
from tests.support.webfixture import build

HEADERS = {
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "storywire.db"
    build(path)
    return path


@pytest.fixture
def site(db):
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
    yield store, server.base_url
    server.close()
    store.close()


def form_token(client: httpx.Client, form: str) -> str:
    page = client.get("/feeds").text
    action = {"feeds_add": "/feeds/add", "feeds_import": "/feeds/import"}.get(form, "/remove")
    found = re.search(
        rf'action="[^"]*{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" '
        r'value="([0-9a-f]+)"',
        page,
    )
    assert found, "the form carries a CSRF token"
    return found.group(1)


def feed_urls(store: Store) -> list[str]:
    return [f.url for f in store.list_feeds()]


def test_curl_with_origin_null_cannot_add_a_feed(site):
    store, base = site
    before = feed_urls(store)
    resp = httpx.post(
        base + "/feeds/add", data={"url": "http://127.0.0.1:9/feed.xml"}, headers={"Origin": "null"}
    )
    assert resp.status_code == 403 and "Origin: null" in resp.text
    assert feed_urls(store) == before


def test_post_without_csrf_token_cannot_add_or_remove_feeds(site):
    store, base = site
    before = feed_urls(store)
    with httpx.Client(base_url=base) as client:
        client.get("/feeds")  # has the cookie, but sends no token
        add = client.post("/feeds/add", data={"url": "http://127.0.0.1:9/feed.xml"})
        assert add.status_code == 403 and "CSRF token" in add.text
        remove = client.post("/feeds/1/remove")
        assert remove.status_code == 403
        other_form = form_token(client, "x")
        wrong = client.post("/feeds/add", data={"url": "http://127.0.0.1:9/f", "csrf": other_form})
        assert wrong.status_code == 403, "a token is only good for its own form"
    no_cookie = httpx.post(base + "/feeds/add", data={"url": "http://e.com/a", "csrf": "0" * 32})
    assert no_cookie.status_code == 403 and "CSRF cookie" in no_cookie.text
    assert feed_urls(store) == before


def test_form_from_another_origin_or_referer_is_refused(site):
    store, base = site
    before = feed_urls(store)
    with httpx.Client(base_url=base) as client:
        token = form_token(client, "feeds_add")
        data = {"url": "http://127.0.0.1:9/feed.xml", "csrf": token}
        for headers in (
            {"Origin": "http://127.0.0.1:1"},  # same host, other port: another origin
            {"Origin": "https://evil.example"},
            {"Referer": "https://evil.example/page"},
        ):
            resp = client.post("/feeds/add", data=data, headers=headers)
            assert resp.status_code == 403 and "another site" in resp.text, headers
        assert feed_urls(store) == before
        ok = client.post("/feeds/add", data=data, headers={"Origin": base})
        assert ok.status_code == 200 and "Feed added" in ok.text
    assert "http://127.0.0.1:9/feed.xml" in feed_urls(store)
    store.remove_feed_id(store.list_feeds()[-1].id)


def test_dns_rebinding_host_is_refused(site):
    _, base = site
    port = base.rsplit(":", 1)[1]
    for host in (f"evil.example:{port}", "attacker.test", "127.0.0.1.evil.example", "[::1"):
        resp = httpx.get(base + "/feeds", headers={"Host": host})
        assert resp.status_code == 400 and "unknown Host" in resp.text, host
        assert set(resp.headers) >= HEADERS
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert httpx.get(base + "/", headers={"Host": host}).status_code == 200


def test_base_url_host_is_allowed_and_wildcard_without_base_url_allows_any(db):
    store = Store(db)
    named = LiveServer(create_app(load_settings(db=db, base_url="https://news.example"), store))
    anywhere = LiveServer(create_app(load_settings(db=db, host="0.0.0.0"), store))
    try:
        ok = httpx.get(named.base_url + "/", headers={"Host": "news.example"})
        assert ok.status_code == 200
        bad = httpx.get(named.base_url + "/", headers={"Host": "other.example"})
        assert bad.status_code == 400
        assert httpx.get(anywhere.base_url + "/", headers={"Host": "x.example"}).status_code == 200
    finally:
        named.close()
        anywhere.close()
        store.close()


def test_security_headers_on_every_response(site):
    _, base = site
    for path in (
        "/",
        "/feeds",
        "/api/v1/stories",
        "/api/v1/stories/999999",
        "/api/v1/stories?limit=0",
        "/static/style.css",
        "/stories.atom",
        "/nowhere",
    ):
        resp = httpx.get(base + path)
        assert set(resp.headers) >= HEADERS, path
        assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
        assert "script-src 'self';" in resp.headers["content-security-policy"]  # no inline
        assert resp.headers["x-frame-options"] == "DENY"
        assert resp.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/stories?since=9999-12-31T23:59:59-05:00",
        "/api/v1/stories?since=0001-01-01T00:00:00%2B01:00",
        "/api/v1/stories?until=9999-12-31T23:59:59-01:00",
        "/?until=9999-12-31T23:59:59-01:00",
        "/?since=9999-12-31T23:59:59-05:00",
    ],
)
def test_dates_past_the_calendar_in_queries_are_400_not_500(site, query):
    _, base = site
    resp = httpx.get(base + query)
    assert resp.status_code == 400 and "year out of range" in resp.text


def test_gzip_q0_gets_no_gzip(site):
    _, base = site
    for value, gz in (("gzip;q=0", False), ("gzip", True), ("*;q=0", False), ("br, *", True)):
        resp = httpx.get(base + "/api/v1/stories", headers={"Accept-Encoding": value})
        assert (resp.headers.get("content-encoding") == "gzip") is gz, value


def test_api_returns_no_dangerous_urls_or_markup(site):
    store, base = site
    seen_urls, seen_text = [], []

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key in ("url", "story_url"):
            seen_urls.append(value)
        elif isinstance(value, str) and key in ("title", "author", "summary", "text", "gist"):
            seen_text.append(value)

    listing = httpx.get(base + "/api/v1/stories").json()
    walk(listing)
    for s in listing["stories"]:
        walk(httpx.get(base + f"/api/v1/stories/{s['id']}").json())
    articles = httpx.get(base + "/api/v1/articles?limit=200").json()["articles"]
    walk(articles)
    for a in articles:
        walk(httpx.get(base + f"/api/v1/articles/{a['id']}").json())
    walk(httpx.get(base + "/api/v1/search?q=hackers+council").json())
    assert seen_urls and seen_text
    for url in seen_urls:
        assert url.startswith(("http://", "https://", "/")), url
    for text in seen_text:
        assert "<script" not in text.lower() and "<img" not in text.lower(), text
    nulls = [a for a in articles if a["url"] is None]
    assert len(nulls) == 2, "the two javascript: articles have url null"


def test_feeds_page_cannot_be_framed_and_forms_carry_tokens(site):
    store, base = site
    store.add_feeds([FeedInfo(url="https://a.example/feed", outlet="A")])
    resp = httpx.get(base + "/feeds")
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.text.count('name="csrf"') == 2 + len(store.list_feeds())
    assert "storywire_csrf=" in resp.headers["set-cookie"]
    assert "samesite=lax" in resp.headers["set-cookie"].lower()
