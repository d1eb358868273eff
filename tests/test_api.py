"""Every JSON API route over a real store and a real server, including bad input."""

from __future__ import annotations

import time

import httpx
import pytest

from storywire import Pipeline, Store, load_settings
from storywire.web import create_app
from storywire.web.app import ROUTES

from tests.support.live import LiveServer
from tests.support.webfixture import ARTICLES, LATE_QUAKE, build

INJECTIONS = [
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "NEAR(a b",
    "*",
    '"',
    "title:chile",
    "chile AND OR NOT",
    "\x00",
    "é😀",
    "a" * 500,
    "%' OR '%'='",
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    db = tmp_path_factory.mktemp("api") / "storywire.db"
    ids = build(db)
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
    yield server, store, ids
    server.close()
    store.close()


@pytest.fixture
def client(world):
    with httpx.Client(base_url=world[0].base_url, timeout=10) as c:
        yield c


@pytest.fixture
def ids(world):
    return world[2]


def bad(resp, status=400, word=""):
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"status", "reason"} and body["status"] == status
    assert word in body["reason"], body
    return body


def test_list_filters(client, ids):
    def listed(**params):
        return [s["id"] for s in client.get("/api/v1/stories", params=params).json()["stories"]]

    assert set(listed()) == {ids["quake"], ids["ecb"], ids["xss"]}, "merged story not listed"
    assert listed(topic="World") == [ids["quake"]]  # the Guardian article's section
    assert listed(language="en") == [ids["quake"]]
    assert listed(country="GB") == [ids["quake"], ids["ecb"]]  # Reuters' feed says GB
    assert listed(country="FR") == [] and listed(topic="Sport") == []
    assert listed(range="1d") == [ids["xss"]]
    assert set(listed(since="2025-03-06T00:00:00Z")) == {ids["ecb"], ids["xss"]}
    assert listed(until="2025-03-05") == [ids["quake"]]
    assert listed(since="2025-03-06", until="2025-03-07") == [ids["ecb"]]


def test_cursor_paging_walks_every_story_once(client):
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/stories", params=params).json()
        seen += [s["id"] for s in body["stories"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    everything = [s["id"] for s in client.get("/api/v1/stories").json()["stories"]]
    assert seen == everything and len(seen) == 3


@pytest.mark.parametrize(
    "query, word",
    [
        ("cursor=notbase64!!", "cursor"),
        ("cursor=eyJvIjoxfQ", "cursor"),
        ("cursor=" + "A" * 300, "cursor"),
        ("cursor=eyJvIjowLCJ0IjoiMDAwMS0wMS0wMVQwMDowMDowMFoifQ", "cursor"),  # year 1
        ("cursor=eyJvIjotMSwidCI6IjIwMjUtMDEtMDFUMDA6MDA6MDBaIn0", "cursor"),  # offset -1
        ("limit=1000000", "limit"),
        ("limit=-5", "limit"),
        ("since=yesterday", "since"),
        ("until=2025-13-45", "until"),
        ("since=99999-01-01", "since"),
        ("since=0001-01-01T00:00:00", "since"),
        ("range=week", "range"),
        ("page=0", "page"),
        ("topic=" + "x" * 300, "topic"),
    ],
)
def test_bad_list_parameters(client, query, word):
    bad(client.get(f"/api/v1/stories?{query}"), 400, word)


def test_story_with_citations_numbers_and_changes(client, ids):
    story = client.get(f"/api/v1/stories/{ids['quake']}").json()
    assert story["version"] == 2 and story["outlet_count"] == 4
    numbers = {a["id"]: a["n"] for g in story["sources"] for a in g["articles"]}
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    for s in story["highlights"] + story["body"]:
        assert s["refs"] == sorted(numbers[i] for i in set(s["sources"]))
    assert story["changes"]["new_outlets"] == ["The Guardian"]
    assert any("The Guardian" in line for line in story["what_changed"])


def test_versions(client, ids):
    listing = client.get(f"/api/v1/stories/{ids['quake']}/versions").json()
    assert [v["version"] for v in listing["versions"]] == [1, 2]
    first = client.get(listing["versions"][0]["url"])
    assert first.json()["version"] == 1 and first.json()["outlet_count"] == 3
    assert "immutable" in first.headers["cache-control"]
    bad(client.get(f"/api/v1/stories/{ids['quake']}/versions/3"), 404, "version 3")
    bad(client.get(f"/api/v1/stories/{ids['quake']}/versions/0"), 400, "version")
    bad(client.get("/api/v1/stories/424242/versions"), 404, "story 424242")


def test_merged_story_redirects_permanently(client, ids):
    for prefix in ("/stories", "/api/v1/stories"):
        resp = client.get(f"{prefix}/{ids['merged']}")
        assert resp.status_code == 301
        assert resp.headers["location"] == f"{prefix}/{ids['quake']}"
    assert client.get(f"/stories/{ids['merged']}", follow_redirects=True).status_code == 200


def test_story_revalidation_304(client, ids):
    for path in (f"/stories/{ids['ecb']}", f"/api/v1/stories/{ids['ecb']}"):
        first = client.get(path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_articles(client, ids):
    page1 = client.get("/api/v1/articles", params={"limit": 4}).json()
    assert len(page1["articles"]) == 4
    page2 = client.get(
        "/api/v1/articles", params={"limit": 4, "before": page1["next_before"]}
    ).json()
    got = [a["id"] for a in page1["articles"] + page2["articles"]]
    assert got == sorted(got, reverse=True) and len(set(got)) == len(got)
    one = client.get(f"/api/v1/articles/{got[0]}").json()
    assert one["text"] and one["story_url"] == f"/stories/{one['story_id']}"
    of_story = client.get("/api/v1/articles", params={"story_id": ids["ecb"]}).json()
    assert {a["outlet"] for a in of_story["articles"]} == {"Reuters", "Financial Times"}
    bad(client.get("/api/v1/articles/999999"), 404, "article 999999")
    bad(client.get("/api/v1/articles/99999999999999999999999"), 404, "not found")
    bad(client.get("/api/v1/articles/x"), 400, "article_id")
    bad(client.get("/api/v1/articles?before=abc"), 400, "before")
    bad(client.get("/api/v1/articles?limit=201"), 400, "limit")


def test_feeds_and_sources(client):
    feeds = client.get("/api/v1/feeds").json()["feeds"]
    assert [f["url"] for f in feeds] == ["https://reuters.example/feed.xml"]
    assert {"last_status", "last_error", "last_checked_at", "article_count"} <= set(feeds[0])
    sources = {s["name"]: s for s in client.get("/api/v1/sources").json()["sources"]}
    assert sources["Reuters"]["country"] == "GB" and sources["Reuters"]["article_count"] == 2


def test_search(client, ids):
    found = client.get("/api/v1/search", params={"q": "tsunami evacuation"}).json()
    assert [s["id"] for s in found["stories"]] == [ids["quake"]]
    assert {a["story_id"] for a in found["articles"]} == {ids["quake"]}
    prefix = client.get("/api/v1/search", params={"q": "Lagar", "type": "articles"}).json()
    assert "stories" not in prefix and len(prefix["articles"]) == 2  # "Lagarde" by prefix
    bad(client.get("/api/v1/search"), 400, "q")
    bad(client.get("/api/v1/search", params={"q": "x", "type": "people"}), 400, "type")
    bad(client.get("/api/v1/search", params={"q": "x" * 501}), 400, "q")


@pytest.mark.parametrize("q", INJECTIONS)
def test_search_injection_is_just_words(client, q, world):
    store = world[1]
    before = store.article_count()
    resp = client.get("/api/v1/search", params={"q": q})
    assert resp.status_code == (400 if len(q) > 500 else 200), resp.text
    page = client.get("/search", params={"q": q})
    assert page.status_code == 200 and "<script>alert(1)</script>" not in page.text
    assert store.article_count() == before


def test_injection_words_still_find_matches(client):
    hits = client.get("/api/v1/search", params={"q": "<script>alert(1)</script>"}).json()
    assert hits["stories"], "the words script/alert are searched as words"


def test_feeds_out_guid_stable_and_updated(client, ids):
    atom = client.get("/stories.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    guid = f"{client.base_url}/stories/{ids['quake']}"  # this instance's address
    assert atom.text.count(f"<id>{guid}</id>") == 1 and "&lt;script&gt;" in atom.text
    feed = client.get("/stories.json").json()
    entry = next(i for i in feed["items"] if i["id"] == guid)
    assert entry["date_modified"] > entry["date_published"]
    only = client.get("/stories.json", params={"topic": "World"}).json()["items"]
    assert [i["id"] for i in only] == [guid]
    searched = client.get("/stories.atom", params={"q": "deposit rate"}).text
    assert f"stories/{ids['ecb']}<" in searched and guid not in searched
    assert client.get("/stories.atom", params={"q": "\x00\x01bad"}).status_code == 200


def test_feed_entries_carry_the_page(client, ids):
    feed = client.get("/stories.json").json()
    assert feed["authors"][0]["name"].startswith("storywire at ")
    page = client.get(f"/api/v1/stories/{ids['quake']}").json()
    entry = next(i for i in feed["items"] if i["url"].endswith(f"/stories/{ids['quake']}"))
    html_ = entry["content_html"]
    for s in page["highlights"] + page["body"]:
        refs = ", ".join(str(r) for r in s["refs"])
        assert f"[{refs}]" in html_
    for group in page["sources"]:
        for a in group["articles"]:
            assert a["url"] in html_
    assert "<h3>Sources</h3>" in html_ and "<h3>Story</h3>" in html_
    atom = client.get("/stories.atom").text
    assert "<author><name>storywire at " in atom
    assert all(i["content_html"] and i["summary"] for i in feed["items"])  # never empty


def test_feeds_out_min_outlets(client, ids):
    every = client.get("/stories.json").json()["items"]
    many = client.get("/stories.json", params={"min_outlets": 3}).json()["items"]
    counts = {
        i["url"]: client.get(i["url"].replace("/stories/", "/api/v1/stories/")).json()
        for i in every
    }
    assert {i["id"] for i in many} == {
        i["id"] for i in every if counts[i["url"]]["outlet_count"] >= 3
    }
    assert 0 < len(many) < len(every)
    atom = client.get("/stories.atom", params={"min_outlets": 3}).text
    assert atom.count("<entry>") == len(many)
    assert client.get("/stories.atom", params={"min_outlets": -1}).status_code == 400


def test_openapi_lists_every_api_route(client):
    paths = set(client.get("/api/v1/openapi.json").json()["paths"])
    api = {p for p, _, _, _, kind in ROUTES if kind == "api"}
    assert api == paths


@pytest.mark.parametrize(
    "path, _h, methods, name, kind", ROUTES, ids=[f"{r[2][0]} {r[0]}" for r in ROUTES]
)
def test_every_route_answers_without_500(client, ids, path, _h, methods, name, kind):
    url = (
        path.replace("{story_id}", str(ids["quake"]))
        .replace("{version}", "1")
        .replace("{article_id}", "1")
        .replace("{feed_id}", "424242")
        .replace("{outlet_id}", "1")
    )
    if methods == ["GET"]:
        resp = client.get(url, params={"q": "chile"} if "search" in path else None)
        assert resp.status_code == 200, (url, resp.text[:300])
    else:  # a form posted without its fields or CSRF token: a 400 / 403, never a 500
        resp = client.post(url)
        assert resp.status_code in (400, 403), (url, resp.status_code)


def test_rewritten_story_keeps_its_feed_entry_id_and_updates_it(tmp_path, live_server):
    db = tmp_path / "sw.db"
    store = Store(db)
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=db))
    pipeline.import_articles(ARTICLES[:3])
    pipeline.write_dirty()
    server = live_server(create_app(load_settings(db=db, page_cache_seconds=0), store))
    try:

        def entry():
            items = httpx.get(server.base_url + "/stories.json").json()["items"]
            assert len(items) == 1
            atom = httpx.get(server.base_url + "/stories.atom").text
            assert atom.count("<entry>") == 1 and items[0]["id"] in atom
            return items[0]

        before = entry()
        etag = httpx.get(before["url"]).headers["etag"]
        time.sleep(1.1)  # versions are stamped to the second
        pipeline.import_articles([LATE_QUAKE])
        assert pipeline.write_dirty() == 1
        after = entry()
        assert after["id"] == before["id"] and after["url"] == before["url"]
        assert after["date_modified"] > before["date_modified"]
        assert after["content_html"] != before["content_html"]
        page = httpx.get(server.base_url + "/stories/1", headers={"If-None-Match": etag})
        assert page.status_code == 200 and page.headers["etag"] != etag, "new version, new page"
    finally:
        store.close()


def test_big_pages_are_gzipped_once_per_encoding(client, ids):
    path = f"/stories/{ids['quake']}"
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert gz.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert gz.text == plain.text and "Accept-Encoding" in gz.headers["vary"]
    assert gz.headers["etag"] != plain.headers["etag"]
    for resp, enc in ((gz, "gzip"), (plain, "identity")):
        again = client.get(
            path, headers={"Accept-Encoding": enc, "If-None-Match": resp.headers["etag"]}
        )
        assert again.status_code == 304
