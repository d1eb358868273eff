"""End to end: real feeds and pages on 127.0.0.1 -> pipeline -> SQLite -> web + API.

Three outlet feeds (Fox, NYT, HuffPost) are built from BASIL, where each real
event was covered by all three outlets, plus one opinion piece per outlet.
"""

import asyncio
import html
from collections import Counter

import httpx
import pytest

from storywire import Pipeline, Store, load_settings
from storywire.ingest.opml import parse_opml
from storywire.web import create_app

from tests.support.newsserver import NewsServer, basil_site

EVENTS = 12


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, data_dir):
    site = basil_site(data_dir / "clustering" / "basil", events=EVENTS)
    db = tmp_path_factory.mktemp("e2e") / "storywire.db"
    settings = load_settings(db=db)
    with NewsServer(site) as server:
        store = Store(db)
        store.migrate()
        opml = httpx.get(server.url("/opml.xml")).content
        assert store.add_feeds(parse_opml(opml)) == 3
        report = asyncio.run(Pipeline(store, settings).poll_once())
        second = asyncio.run(Pipeline(store, settings).poll_once())
    return site, store, settings, report, second


def test_every_feed_and_page_is_ingested(ingested):
    site, store, _, report, _ = ingested
    assert report.feed_errors == 0 and report.page_errors == 0
    assert report.articles == 3 * EVENTS + len(site.opinion_paths)
    assert store.article_count() == report.articles
    assert all(f.last_status == "ok" and f.last_error is None for f in store.list_feeds())


def test_second_poll_stores_nothing_new(ingested):
    *_, second = ingested
    # Feeds are not due again yet: nothing is fetched and nothing is rewritten.
    assert second.feeds == 0 and second.articles == 0 and second.stories_written == 0


def test_events_become_multi_outlet_stories(ingested):
    site, store, *_ = ingested
    by_url = {}
    for story, _title in store.list_stories(limit=1000):
        for a in store.story_articles(story.id):
            by_url[a.url] = story.id
    together = 0
    for paths in site.events.values():
        stories = Counter(by_url[p] for url, p in _urls(paths, by_url))
        if stories.most_common(1)[0][1] >= 2:
            together += 1
    assert together >= EVENTS * 3 // 4, f"only {together} of {EVENTS} events were grouped"
    multi = [s for s, _ in store.list_stories(limit=1000) if s.outlet_count >= 2]
    assert multi, "no story has several outlets"


def _urls(paths, by_url):
    for url in by_url:
        for p in paths:
            if url.endswith(p):
                yield url, url


def test_pages_have_every_part(ingested, live_server):
    _, store, settings, *_ = ingested
    server = live_server(create_app(settings, store))
    with httpx.Client(base_url=server.base_url) as client:
        listing = client.get("/api/v1/stories").json()["stories"]
        assert listing and {"id", "title", "published", "updated", "outlet_count"} <= set(
            listing[0]
        )
        assert listing[0]["outlet_count"] >= listing[-1]["outlet_count"]
        home = client.get("/")
        assert home.status_code == 200 and listing[0]["title"] in html.unescape(home.text)
        for item in listing:
            story = client.get(f"/api/v1/stories/{item['id']}").json()
            for part in (
                "title",
                "highlights",
                "body",
                "opinions",
                "sources",
                "published",
                "updated",
            ):
                assert part in story
            assert story["title"] and story["sources"]
            page = html.unescape(client.get(f"/stories/{item['id']}").text)
            for heading in ("Highlights", "Story", "Opinions", "Sources", "You've reached the end"):
                assert heading in page
            news_outlets = {
                g["outlet"]
                for g in story["sources"]
                if any(a["kind"] == "news" for a in g["articles"])
            }
            if len(news_outlets) >= 2:  # opinion pieces never feed the body
                assert len(story["highlights"]) >= 2 and story["body"]
                assert all(s["sources"] for s in story["body"] + story["highlights"])


def test_opinion_pieces_are_kept_apart(ingested):
    site, store, *_ = ingested
    opinion_urls = {
        a.url
        for s, _ in store.list_stories(limit=1000)
        for a in store.story_articles(s.id)
        if a.kind == "opinion"
    }
    assert len(opinion_urls) == len(site.opinion_paths)
    for story, _ in store.list_stories(limit=1000):
        version, _ = store.latest_version(story.id)
        cited = {i for s in version.body + version.highlights for i in s.sources}
        kinds = {a.id: a.kind for a in store.story_articles(story.id)}
        assert all(kinds[i] == "news" for i in cited)
        assert {o.article_id for o in version.opinions} == {
            i for i, k in kinds.items() if k != "news"
        }
