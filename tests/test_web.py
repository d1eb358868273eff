"""The web pages and JSON API over a real store, served by a real uvicorn server."""

import html
from html.parser import HTMLParser

import httpx
import pytest

from storywire import Pipeline, Store, load_settings
from storywire.web import create_app

from tests.support.webfixture import ARTICLES, XSS

STORY_KEYS = {
    "id",
    "title",
    "published",
    "updated",
    "written",
    "outlet_count",
    "article_count",
    "version",
    "url",
    "top_highlight",
    "score",
    "coverage",
    "image",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    db = tmp_path_factory.mktemp("web") / "storywire.db"
    store = Store(db)
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=db))
    assert pipeline.import_articles(ARTICLES + XSS) == (len(ARTICLES) + len(XSS), 0)
    assert pipeline.write_dirty() == 3
    yield store
    store.close()


@pytest.fixture
def client(store, live_server):
    server = live_server(create_app(load_settings(db=store.path), store))
    with httpx.Client(base_url=server.base_url, timeout=10) as c:
        yield c


def test_story_list_shape_and_order(client):
    body = client.get("/api/v1/stories").json()
    assert body["page"] == 1
    stories = body["stories"]
    # Ranked by the documented score relative to the newest article (Mar 8, 12:00):
    # (outlets + 0.5 * articles in the last 6 h) / (1 + age in hours / 12).
    # The hack story (2 outlets, 2 new articles, age 0) = 3.0; the ECB story (2 outlets,
    # 46 h old) = 0.41; the earthquake (3 outlets, 100 h old) = 0.32.
    assert [s["outlet_count"] for s in stories] == [2, 2, 3]
    assert [s["score"] for s in stories] == [3.0, 0.4138, 0.3214]
    assert "earthquake" in stories[2]["title"].lower() and "rate" in stories[1]["title"].lower()
    assert body["range"] == "all", "2, 7, 30 days hold fewer than a page: the window widens"
    for s in stories:
        assert set(s) == STORY_KEYS and s["url"] == f"/stories/{s['id']}" and s["title"]
        assert s["version"] == 1 and s["top_highlight"]
        assert set(s["coverage"]["lean"]) == {"left", "center", "right", "unknown"}
        assert sum(s["coverage"]["lean"].values()) == s["outlet_count"]
        assert sum(s["coverage"]["countries"].values()) == s["outlet_count"]
    page2 = client.get("/api/v1/stories", params={"limit": 1, "page": 2}).json()["stories"]
    assert [s["id"] for s in page2] == [stories[1]["id"]]
    assert client.get("/api/v1/stories", params={"page": 10}).json()["stories"] == []


@pytest.mark.parametrize(
    "query, param",
    [
        ("limit=0", "limit"),
        ("limit=100000", "limit"),
        ("limit=x", "limit"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("page=0", "page"),
    ],
)
def test_bad_list_parameters_are_400_json(client, query, param):
    resp = client.get(f"/api/v1/stories?{query}")
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"status", "reason"} and body["status"] == 400
    assert param in body["reason"], body


@pytest.mark.parametrize(
    "path, status, reason",
    [
        ("/api/v1/stories/999999", 404, "story 999999 not found"),
        ("/api/v1/stories/abc", 400, "story_id"),
        ("/api/v1/no-such-thing", 404, "Not Found"),
        ("/api/v1/stories/99999999999999999999", 404, "not found"),
    ],
)
def test_api_errors_are_json(client, path, status, reason):
    resp = client.get(path)
    assert resp.status_code == status
    assert resp.json()["status"] == status and reason in resp.json()["reason"]


def test_unknown_story_page_is_404_html(client):
    resp = client.get("/stories/999999")
    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "<h1>404</h1>" in resp.text and "story 999999 not found" in resp.text


def test_story_api_and_page(client, store):
    listing = client.get("/api/v1/stories").json()["stories"]
    quake = next(s for s in listing if "earthquake" in s["title"].lower())
    top = client.get(f"/api/v1/stories/{quake['id']}").json()
    assert {"highlights", "body", "opinions", "sources", "writer", "changes"} <= set(top)
    assert [g["outlet"] for g in top["sources"]] == ["Reuters", "Associated Press", "BBC News"]
    ids = {a["id"] for g in top["sources"] for a in g["articles"]}
    assert all(set(s["sources"]) <= ids for s in top["body"] + top["highlights"])
    page = html.unescape(client.get(quake["url"]).text)
    positions = [
        page.index(h)
        for h in ("Highlights", "Story", "Opinions", "Sources", "You've reached the end")
    ]
    assert positions == sorted(positions)
    assert top["title"] in page


def test_openapi_and_health(client, store):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert {"/api/v1/stories", "/api/v1/stories/{story_id}", "/healthz"} <= set(paths)
    assert client.get("/healthz").json() == {
        "status": "ok",
        "articles": store.article_count(),
        "stories": 3,
        "pending": 0,
        "pending_oldest_seconds": None,
    }
    assert store.article_count() == len(ARTICLES) + len(XSS)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_story_page_escapes_feed_content(client, store):
    xss_id = next(
        s.id
        for s, _ in store.list_stories()
        if any(a.url == "javascript:alert(1)" for a in store.story_articles(s.id))
    )
    story = client.get(f"/api/v1/stories/{xss_id}").json()
    assert story["opinions"] and story["body"], "the XSS story lost its opinion or body"
    text = client.get(f"/stories/{xss_id}").text + client.get("/").text
    # The hostile strings are shown, as text ...
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    # ... and never become markup or links.
    assert "<script>alert" not in text and "<img src=x" not in text
    parser = _Tags()
    parser.feed(text)
    assert not any(a.startswith("on") for _, attrs in parser.tags for a in attrs)
    assert not [t for t, _ in parser.tags if t == "img"]
    scripts = [attrs for t, attrs in parser.tags if t == "script"]
    assert scripts and all(a == {"src": "/static/localtime.js", "defer": None} for a in scripts)
    assert "".join(parser.scripts).strip() == "", "no inline script"
    hrefs = [attrs.get("href") or "" for _, attrs in parser.tags]
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    assert 'href="javascript:' not in text.lower()
