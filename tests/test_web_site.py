"""What a site answers besides its pages, over real HTTP: HEAD on every GET route,
robots.txt, the favicon; and what shared pages carry (og tags, canonical, lang)."""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

import httpx
import pytest

from storywire import Store, load_settings
from storywire.web import create_app
from storywire.web.app import ROUTES

from tests.support.imagestore import HOSTILE_IMAGE, build_images
from tests.support.webfixture import build

ATOM = "{http://www.w3.org/2005/Atom}"


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


# -- pages people share: lead images, og tags, canonical, lang ---------------------------


@pytest.fixture(scope="module")
def image_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("images") / "storywire.db"
    return db, build_images(db, "https://img.example")


def _serve(live_server, db, **settings):
    store = Store(db)
    server = live_server(create_app(load_settings(db=db, page_cache_seconds=0, **settings), store))
    return store, httpx.Client(base_url=server.base_url, timeout=10)


def _head_tags(page: str) -> dict[str, str]:
    found = {}
    for m in re.finditer(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page):
        found[m.group(1)] = html.unescape(m.group(2))
    return found


def test_story_page_share_tags_and_lang(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db, base_url="https://news.example.org/")
    with client:
        page = client.get(f"/stories/{ids['de']}").text
        api = client.get(f"/api/v1/stories/{ids['de']}").json()
        home = client.get("/").text
    store.close()
    assert page.startswith('<!doctype html>\n<html lang="de">')
    assert '<html lang="en">' in home, "pages that are not one story's stay English"
    assert api["language"] == "de"
    tags = _head_tags(page)
    assert tags["og:title"] == api["title"]
    assert tags["og:description"] == api["top_highlight"] and tags["description"]
    assert tags["og:type"] == "article" and tags["og:site_name"] == "storywire"
    url = f"https://news.example.org/stories/{ids['de']}"
    assert tags["og:url"] == url and f'<link rel="canonical" href="{url}">' in page
    assert tags["og:image"] == "https://img.example/img/lead.png"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["article:published_time"] == api["published"]


def test_canonical_is_a_path_without_base_url(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db)
    with client:
        page = client.get(f"/stories/{ids['fr']}").text
    store.close()
    assert '<html lang="fr">' in page
    assert f'<link rel="canonical" href="/stories/{ids["fr"]}">' in page
    assert "og:url" not in page


def test_lead_images_lazy_on_cards_and_story_page(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db)
    with client:
        home = client.get("/").text
        page = client.get(f"/stories/{ids['de']}").text
        api = client.get("/api/v1/stories").json()["stories"]
    store.close()
    card = re.search(r'<img class="thumb" src="([^"]+)"[^>]*>', home)
    assert card and card.group(1) == "https://img.example/img/lead.png"
    assert 'loading="lazy"' in card.group(0) and 'alt=""' in card.group(0)
    lead = re.search(r'<figure class="lead">\s*<img src="([^"]+)"[^>]*>', page)
    assert lead and lead.group(1) == "https://img.example/img/lead.png"
    assert 'loading="lazy"' in lead.group(0) and 'referrerpolicy="no-referrer"' in lead.group(0)
    assert "Image: Tagesschau" in page
    assert {s["image"] for s in api} == {"https://img.example/img/lead.png", HOSTILE_IMAGE}


def test_hostile_image_urls_never_become_markup(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db)
    with client:
        pages = client.get(f"/stories/{ids['fr']}").text + client.get("/").text
    store.close()
    for tag in re.findall(r"<img[^>]*>", pages):
        attrs = re.findall(r'\s([a-z-]+)="', tag)
        assert "onerror" not in attrs, tag
    assert 'onerror="alert' not in pages
    assert "javascript:" not in pages
    assert "evil.example" not in pages, "an image URL with a quote is not shown at all"


def test_show_images_off(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db, show_images=False)
    with client:
        pages = client.get("/").text + client.get(f"/stories/{ids['de']}").text
    store.close()
    assert "<img" not in pages and "og:image" not in pages and "img.example" not in pages
    assert "summary_large_image" not in pages


def test_versions_page_has_the_story_language(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db)
    with client:
        page = client.get(f"/stories/{ids['de']}/versions").text
    store.close()
    assert page.startswith('<!doctype html>\n<html lang="de">')


def test_feeds_out_carry_the_lead_image_with_its_credit(image_db, live_server):
    db, ids = image_db
    store, client = _serve(live_server, db)
    with client:
        atom = client.get("/stories.atom").text
        items = client.get("/stories.json").json()["items"]
    store.close()
    [german] = [i for i in items if i["url"].endswith(f"/stories/{ids['de']}")]
    assert german["image"] == "https://img.example/img/lead.png"
    assert '<img src="https://img.example/img/lead.png"' in german["content_html"]
    assert "Image: Tagesschau [" in german["content_html"]
    contents = [c.text or "" for c in ElementTree.fromstring(atom).iter(f"{ATOM}content")]
    assert sum('<img src="https://img.example/img/lead.png"' in c for c in contents) == 1
    [french] = [i for i in items if i["url"].endswith(f"/stories/{ids['fr']}")]
    assert "image" not in french, "a hostile stored image URL is never handed out"
    assert "evil.example" not in atom + str(items)


def test_feeds_out_without_images_when_off(image_db, live_server):
    db, _ = image_db
    store, client = _serve(live_server, db, show_images=False)
    with client:
        body = client.get("/stories.atom").text + client.get("/stories.json").text
    store.close()
    assert "img.example" not in body and "&lt;img" not in body and '"image"' not in body
