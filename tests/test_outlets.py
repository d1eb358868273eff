"""Outlet knowledge, coverage, the Blindspot listing and outlet pages: real SQLite
files, a real server, the real CLI."""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import timedelta

import httpx
import pytest
from click.testing import CliRunner

from storywire import Store, load_settings
from storywire.cli import main
from storywire.ingest.opml import parse_opml, to_opml
from storywire.models import FeedInfo
from storywire.outlets import Knowledge, merge, normalize_lean, shipped, side
from storywire.store import migrate
from storywire.store.db import database_url
from storywire.web import create_app

from tests.support.live import LiveServer
from tests.support.outletfixture import OUTLETS, RATES, WILDFIRE, build_outlets
from tests.support.storedata import make_article as _article
from tests.support.storedata import make_story as _story


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    db = tmp_path_factory.mktemp("outlets") / "storywire.db"
    ids = build_outlets(db)
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client, store, ids
    server.close()
    store.close()


# -- knowledge -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "lean"),
    [
        ("Left", "left"),
        ("centre-left", "lean left"),
        ("Lean_Right", "lean right"),
        ("centre", "center"),
        ("-2", "left"),
        ("unknown", ""),
        ("state-owned", None),
    ],
)
def test_lean_words(raw, lean):
    assert normalize_lean(raw) == lean


def test_sides_fold_lean_left_and_right():
    assert [side(x) for x in ("left", "lean left", "center", "lean right", "right", "")] == [
        "left",
        "left",
        "center",
        "right",
        "right",
        "unknown",
    ]


def test_higher_origin_wins_and_lower_cannot_overwrite():
    values, origins = merge({}, {}, {"lean": "left", "country": "US"}, "allsides")
    values, origins = merge(values, origins, {"lean": "right"}, "kite")  # lower: ignored
    assert values["lean"] == "left" and origins["lean"] == "allsides"
    values, origins = merge(values, origins, {"lean": "center", "country": ""}, "opml")
    assert values == {"lean": "center", "country": "US"} and origins["lean"] == "opml"
    values, origins = merge(values, origins, {"lean": ""}, "user")  # the user may clear
    assert values["lean"] == "" and origins["lean"] == "user"


def test_shipped_data_matches_by_name_then_domain_and_parent_domain():
    known = shipped()
    bbc = known.find("BBC News")
    assert bbc is not None and bbc.values["country"] == "GB" and bbc.origins["country"] == "kite"
    assert known.find("Some Unknown Name", "https://www.bbc.co.uk/news/x") is bbc
    assert known.find("x", "feeds.bbci.co.uk") is bbc
    assert known.find("Nobody", "nobody.example") is None
    fox = known.find("Fox News")
    assert fox is not None and fox.values["lean"] == "right" and fox.origins["lean"] == "allsides"
    custom = Knowledge([{"name": "A", "domains": ["a.example"], "values": {"lean": "left"}}])
    assert custom.find("", "news.a.example") is not None


def test_shipped_data_carries_no_descriptions():
    data = json.loads(_shipped_text())
    for rec in data["outlets"]:
        assert set(rec) <= {"name", "aliases", "domains", "values", "origins"}
        assert set(rec["values"]) <= {"country", "language", "owner", "typology", "lean"}
        assert all(len(v) <= 60 for v in rec["values"].values()), rec


def _shipped_text() -> str:
    from importlib import resources

    return (resources.files("storywire") / "data" / "outlets.json").read_text(encoding="utf-8")


# -- store -----------------------------------------------------------------------------


def test_new_outlet_starts_from_shipped_facts_and_opml_overrides(tmp_path):
    store = Store(tmp_path / "s.db")
    store.migrate()
    opml = b"""<opml version="2.0"><body>
      <outline xmlUrl="https://feeds.bbci.co.uk/news/rss.xml" outlet="BBC News" lean="centre-left"
        owner="Licence fee payers"/>
      <outline xmlUrl="https://example.org/feed" outlet="Example Org" country="NZ"/>
    </body></opml>"""
    store.add_feeds(parse_opml(opml))
    by_name = {o["name"]: o for o in store.list_outlets()}
    bbc = by_name["BBC News"]
    assert (bbc["lean"], bbc["origins"]["lean"]) == ("lean left", "opml")
    assert (bbc["owner"], bbc["origins"]["owner"]) == ("Licence fee payers", "opml")
    assert (bbc["country"], bbc["origins"]["country"]) == ("GB", "kite")
    assert by_name["Example Org"]["country"] == "NZ" and by_name["Example Org"]["lean"] == "unknown"
    # A later feed list overrides the earlier; a user's value beats both.
    store.add_feeds([FeedInfo(url="https://feeds.bbci.co.uk/2", outlet="BBC News", lean="right")])
    assert store.find_outlet("BBC News")["lean"] == "right"
    assert store.set_outlet(bbc["id"], {"lean": "center"}, "user")
    store.add_feeds([FeedInfo(url="https://feeds.bbci.co.uk/3", outlet="BBC News", lean="left")])
    assert store.find_outlet("BBC News")["lean"] == "center"
    assert not store.set_outlet(10**6, {"lean": "left"})
    store.close()


def test_upgrade_gives_existing_outlets_the_shipped_facts(tmp_path):
    db = tmp_path / "old.db"
    migrate.upgrade(database_url(db), "0004_article_image")  # the schema before outlet facts
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO sources (name, domain) VALUES ('Fox News', 'www.foxnews.com')")
    store = Store(db)
    assert store.migrate()[0] == "0005_outlets"
    fox = store.find_outlet("Fox News")
    assert fox["lean"] == "right" and fox["origins"]["lean"] == "allsides"
    store.close()


# -- CLI -------------------------------------------------------------------------------


def test_import_maps_lean_country_topic_to_each_articles_outlet(tmp_path):
    lines = [
        {"id": "1", "src": "Red Paper", "b": "right", "c": "us", "t": "economy"},
        {"id": "2", "src": "Red Paper", "b": "right", "c": "US", "t": "economy"},
        {"id": "3", "src": "Red Paper", "b": "center", "c": "US", "t": "economy"},
        {"id": "4", "src": "Blue Paper", "b": "Lean Left", "c": "nowhere", "t": "world"},
    ]
    path = tmp_path / "in.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for n, rec in enumerate(lines):
            rec |= {"title": f"Headline number {n} about markets", "date": "2024-05-0" + str(n + 1)}
            fh.write(json.dumps(rec) + "\n")
    db = tmp_path / "s.db"
    args = ["--db", str(db), "import", str(path), "--field", "outlet=src", "--field", "lean=b"]
    args += ["--field", "country=c", "--field", "topic=t", "--field", "published=date"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    store = Store(db)
    red, blue = store.find_outlet("Red Paper"), store.find_outlet("Blue Paper")
    assert (red["lean"], red["country"], red["origins"]["lean"]) == ("right", "US", "import")
    assert blue["lean"] == "lean left" and blue["country"] == "", "a country that is no code"
    assert "economy" in store.facets()["topics"]
    store.close()
    out = CliRunner().invoke(main, ["--db", str(db), "outlets", "set", "Red Paper", "lean=left"])
    assert out.exit_code == 0, out.output
    shown = CliRunner().invoke(main, ["--db", str(db), "outlets", "show", "Red Paper"])
    assert "left  [from user]" in shown.output
    listed = CliRunner().invoke(main, ["--db", str(db), "outlets", "list"])
    assert "Blue Paper" in listed.output and "lean left" in listed.output
    bad = CliRunner().invoke(main, ["--db", str(db), "outlets", "set", "Red Paper", "lean=up"])
    assert bad.exit_code != 0 and "lean 'up'" in bad.output
    missing = CliRunner().invoke(main, ["--db", str(db), "outlets", "show", "Nobody"])
    assert missing.exit_code != 0 and "no outlet" in missing.output


# -- API -------------------------------------------------------------------------------


def test_coverage_on_listing_and_story(world):
    client, _, ids = world
    stories = {s["id"]: s for s in client.get("/api/v1/stories").json()["stories"]}
    fire = stories[ids["wildfire"]]["coverage"]
    assert fire == {
        "lean": {"left": 5, "center": 0, "right": 1, "unknown": 1},
        "countries": {"US": 4, "CA": 1, "GB": 1, "unknown": 1},
    }
    rates = stories[ids["rates"]]["coverage"]
    assert rates["lean"] == {"left": 3, "center": 0, "right": 3, "unknown": 0}
    story = client.get(f"/api/v1/stories/{ids['wildfire']}").json()
    assert story["coverage"] == fire and story["outlet_count"] == len(WILDFIRE)


def test_blindspot_lists_one_sided_stories_only(world):
    client, _, ids = world
    body = client.get("/api/v1/blindspot").json()
    assert body["rule"] == {"min_known_outlets": 5, "share_one_side": 0.8}
    assert [s["id"] for s in body["stories"]] == [ids["wildfire"]]
    assert body["stories"][0]["side"] == "left" and body["next_page"] is None
    assert client.get("/api/v1/blindspot", params={"page": 2}).json()["stories"] == []
    assert client.get("/api/v1/blindspot", params={"page": 0}).status_code == 400
    page = client.get("/blindspot")
    assert page.status_code == 200 and "Covered mostly by the left" in page.text


def test_blindspot_needs_five_outlets_of_known_lean(world):
    _, store, ids = world
    assert [x.story.id for x, _ in store.blindspot(min_known=7)] == []
    assert {x.story.id for x, _ in store.blindspot(share=0.5)} == {ids["wildfire"], ids["rates"]}


def test_outlet_api_and_page(world):
    client, _, ids = world
    body = client.get(f"/api/v1/outlets/{ids['Harbour Herald']}").json()
    assert (body["name"], body["lean"], body["side"], body["country"]) == (
        "Harbour Herald",
        "lean left",
        "left",
        "GB",
    )
    assert body["origins"] == {"lean": "import", "country": "import"}
    assert [s["id"] for s in body["stories"]] == [ids["wildfire"]]
    left = client.get(f"/api/v1/outlets/{ids['Left Ledger']}").json()
    assert [s["id"] for s in left["stories"]] == [ids["rates"], ids["wildfire"]], "newest first"
    assert client.get("/api/v1/outlets/999999").status_code == 404
    assert client.get("/api/v1/outlets/0").status_code == 400
    listed = client.get("/api/v1/outlets").json()["outlets"]
    assert {o["name"] for o in listed} == set(OUTLETS)
    html = client.get(f"/outlets/{ids['Plain Gazette']}")
    assert html.status_code == 200 and "unknown" in html.text and "Senate passes" in html.text
    assert client.get("/outlets/999999").status_code == 404
    assert client.get("/outlets").status_code == 200


def test_rates_story_outlets(world):
    client, _, ids = world
    story = client.get(f"/api/v1/stories/{ids['rates']}").json()
    assert {g["outlet"] for g in story["sources"]} == set(RATES)


# -- both databases ----------------------------------------------------------------------


def test_outlet_queries_on_sqlite_and_postgresql(store):
    leans = {"L1": "left", "L2": "lean left", "L3": "left", "L4": "left", "L5": "left"}
    leans |= {"R1": "right", "U1": ""}
    store.set_outlets_by_name({n: {"lean": v, "country": "US"} for n, v in leans.items()}, "import")
    one_sided = _story(store, [_article(i, outlet=n) for i, n in enumerate(leans)], "One side")
    balanced = _story(
        store, [_article(20 + i, outlet=n, hours=5) for i, n in enumerate(["L1", "R1"])], "Both"
    )
    cover = store.coverage([one_sided, balanced])
    assert cover[one_sided]["lean"] == {"left": 5, "center": 0, "right": 1, "unknown": 1}
    assert cover[one_sided]["countries"] == {"US": 7}
    assert cover[balanced]["lean"] == {"left": 1, "center": 0, "right": 1, "unknown": 0}
    found = store.blindspot()
    assert [(x.story.id, x.title, side) for x, side in found] == [(one_sided, "One side", "left")]
    assert found[0][0].top_highlight == "One side highlight"
    l1 = store.find_outlet("L1")
    assert [x.story.id for x in store.outlet_stories(l1["id"])] == [balanced, one_sided]
    assert store.outlet_ids(["L1", "nobody"]) == {"L1": l1["id"]}
    store.add_feeds([FeedInfo(url="https://l1.example/feed", outlet="L1", lean="center")])
    assert store.find_outlet("L1")["lean"] == "center", "a feed list overrides an import"
    assert store.coverage([balanced])[balanced]["lean"]["center"] == 1


# -- timeline ----------------------------------------------------------------------------


def test_timeline_links_a_saga_in_the_story_api(world):
    client, store, ids = world
    middle = client.get(f"/api/v1/stories/{ids['saga2']}").json()["timeline"]
    assert [t["id"] for t in middle["earlier"]] == [ids["wildfire"]]
    assert [t["id"] for t in middle["later"]] == [ids["saga3"]]
    assert middle["earlier"][0]["url"] == f"/stories/{ids['wildfire']}"
    assert middle["earlier"][0]["published"] == "2025-07-01T08:00:00Z"
    first = client.get(f"/api/v1/stories/{ids['wildfire']}").json()["timeline"]
    assert first["earlier"] == [] and [t["id"] for t in first["later"]] == [
        ids["saga2"],
        ids["saga3"],
    ]
    last = client.get(f"/api/v1/stories/{ids['saga3']}").json()["timeline"]
    assert [t["id"] for t in last["earlier"]] == [ids["wildfire"], ids["saga2"]]
    rates = client.get(f"/api/v1/stories/{ids['rates']}").json()["timeline"]
    assert rates == {"earlier": [], "later": []}, "another subject is not linked"
    old = client.get(f"/api/v1/stories/{ids['wildfire']}/versions/1").json()
    assert "timeline" in old


def test_upgrade_to_story_links_gives_existing_stories_their_timeline(tmp_path):
    db = tmp_path / "s.db"
    ids = build_outlets(db)
    with sqlite3.connect(db) as conn:  # back to the schema before story links
        conn.execute("DROP TABLE story_links")
        conn.execute("DROP TABLE pending_articles")  # and what later revisions added
        conn.execute("ALTER TABLE feeds DROP COLUMN claimed_by")
        conn.execute("ALTER TABLE feeds DROP COLUMN claimed_until")
        conn.execute("DROP INDEX articles_language")
        conn.execute("DROP INDEX articles_section")
        for name in ("articles_recent_insert", "articles_recent_update", "articles_recent_delete"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TRIGGER stories_recent_version")
        conn.execute("DROP TRIGGER stories_recent_inactive")
        for name in ("articles_recent_terms", "articles_recent", "stories_recent"):
            conn.execute(f"DROP TABLE {name}")
        conn.execute("UPDATE alembic_version SET version_num = '0005_outlets'")
    store = Store(db)
    applied = store.migrate()
    assert applied[:3] == ["0006_story_links", "0007_pending_articles", "0008_facet_indexes"]
    assert applied[-1] == store.newest_revision()
    chain = store.timeline(ids["saga2"])
    store.close()
    assert [t["id"] for t in chain["earlier"]] == [ids["wildfire"]]
    assert [t["id"] for t in chain["later"]] == [ids["saga3"]]


def test_timeline_rule_needs_alike_headlines_within_the_gap():
    from datetime import UTC, datetime, timedelta

    from storywire import timeline as tl

    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    a = tl.profile(1, t0, t0, ["Senate passes wildfire relief bill"])
    b = tl.profile(
        2, t0 + timedelta(days=5), t0 + timedelta(days=5), ["Wildfire relief bill money"]
    )
    far = tl.profile(3, t0 + timedelta(days=40), t0 + timedelta(days=40), ["Wildfire relief bill"])
    other = tl.profile(4, t0 + timedelta(days=2), t0 + timedelta(days=2), ["Fed raises rates"])
    assert tl.links(b, [a, far, other]) == [(1, 2, tl.links(b, [a])[0][2])]
    assert tl.links(a, [far, other]) == []
    assert tl.title_words("The Senate's bills passed: 2025 votes") == {
        "senate",
        "bill",
        "passed",
        "vote",
    }


def test_new_links_refresh_the_cached_story_page(tmp_path):
    from storywire import Article, Pipeline

    from tests.support.outletfixture import SAGA, START

    db = tmp_path / "s.db"
    store = Store(db)
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=db))
    first = SAGA[0]
    pipeline.import_articles(
        [
            Article(
                url="https://a.example/1",
                title=first[1],
                text=first[2],
                published=START,
                outlet="A",
            )
        ]
    )
    pipeline.write_dirty()
    server = LiveServer(create_app(load_settings(db=db, page_cache_seconds=0), store))
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            before = client.get("/api/v1/stories/1")
            assert before.json()["timeline"]["later"] == []
            later = SAGA[1]
            when = START + timedelta(days=10)
            pipeline.import_articles(
                [
                    Article(
                        url="https://a.example/2",
                        title=later[1],
                        text=later[2],
                        published=when,
                        outlet="A",
                    )
                ]
            )
            pipeline.write_dirty()
            after = client.get("/api/v1/stories/1")
            assert [t["id"] for t in after.json()["timeline"]["later"]] == [2]
            assert after.headers["etag"] != before.headers["etag"]
    finally:
        server.close()
        store.close()


def test_opml_export_carries_outlet_facts_to_the_next_install(tmp_path):
    first = Store(tmp_path / "a.db")
    first.migrate()
    first.add_feeds([FeedInfo(url="https://example.org/feed", outlet="Example Org", country="NZ")])
    outlet = first.find_outlet("Example Org")
    assert first.set_outlet(outlet["id"], {"lean": "lean right", "owner": "A Trust"}, "user")
    exported = to_opml(first.list_feeds())
    first.close()
    assert 'lean="lean right"' in exported and 'owner="A Trust"' in exported
    second = Store(tmp_path / "b.db")
    second.migrate()
    second.add_feeds(parse_opml(exported.encode()))
    moved = second.find_outlet("Example Org")
    second.close()
    assert (moved["lean"], moved["owner"], moved["country"]) == ("lean right", "A Trust", "NZ")
