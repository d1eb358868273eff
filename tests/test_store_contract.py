"""The store API gives the same answers on SQLite and PostgreSQL (every test runs on both)."""

from datetime import timedelta

import pytest

from storywire import StoreError
from storywire.models import FeedInfo, Kind
from storywire.store import StoryFilter

from tests.support.storedata import T0
from tests.support.storedata import make_article as _article
from tests.support.storedata import make_story as _story
from tests.support.storedata import make_version as _version


def test_articles_are_stored_once_and_read_back(store):
    first = _article(1, author="Ann", language="en", section="world", kind=Kind.OPINION)
    aid = store.add_article(first, content_hash="h1", source_info={"country": "us"})
    assert aid is not None
    assert store.add_article(first, content_hash="h1") is None  # same URL: nothing added
    dup = store.add_article(_article(2), content_hash="h1", duplicate_of=aid)
    assert store.find_by_hash("h1") == aid and store.find_by_hash("nope") is None
    assert store.known_urls([first.url, "https://news.example/none"]) == {first.url}
    got = store.get_article(aid)
    assert got is not None
    assert (got.url, got.author, got.language, got.section, got.kind, got.outlet) == (
        first.url,
        "Ann",
        "en",
        "world",
        Kind.OPINION,
        "Daily",
    )
    assert got.published == T0 and got.story_id is None
    assert [a.id for a in store.articles_by_ids([dup, aid, 0, 2**70])] == [aid, dup]
    assert store.get_article(2**70) is None
    assert store.article_count() == 2 and store.latest_published() == T0
    assert [a.id for a in store.list_articles(limit=1)] == [dup]
    assert [a.id for a in store.list_articles(before_id=dup)] == [aid]
    assert [a.id for a in store.list_articles(outlet="Nobody")] == []
    assert store.list_sources()[0]["country"] == "us"


def test_stories_versions_and_merges(store):
    a, b = _article(1, outlet="A"), _article(2, outlet="B", hours=2)
    story = _story(store, [a, b], "Bridge closes")
    s = store.get_story(story)
    assert s is not None
    assert (s.article_count, s.outlet_count, s.version) == (2, 2, 1)
    assert (s.first_published, s.last_published) == (T0, T0 + timedelta(hours=2))
    assert store.get_story(2**63) is None and store.get_story(-1) is None
    version, ids = store.latest_version(story) or (None, [])
    assert version == _version(story, 1, "Bridge closes", ids=tuple(ids))
    assert store.story_version(story, 1) == (version, ids)
    assert store.story_version(story, 2) is None and store.story_version(story, 2**64) is None
    assert store.stale_stories() == []
    late = store.add_article(_article(3, outlet="C", hours=3), content_hash="h3")
    store.assign_story(late, story)
    assert store.stale_stories() == [story] and store.story_of(late) == story
    store.add_version(_version(story, 2, "Bridge reopens", ids=(*ids, late)), [*ids, late])
    assert [v.title for v in store.story_versions(story)] == ["Bridge closes", "Bridge reopens"]
    assert store.list_stories() == [(store.get_story(story), "Bridge reopens")]
    assert store.story_count() == 1
    assert [a.url for a in store.articles_since(T0 + timedelta(hours=1))] == [
        "https://news.example/2",
        "https://news.example/3",
    ]


def test_ranking_filters_coverage_and_facets(store):
    big = _story(
        store,
        [_article(n, outlet=f"O{n}", hours=n, section="world") for n in range(4)],
        "Summit",
    )
    old = _story(store, [_article(10, outlet="X", hours=-100, language="fr")], "Old news")
    store.add_feeds([FeedInfo(url="https://x.example/rss", outlet="X", category="sport")])
    ref = store.reference_time()
    assert ref == T0 + timedelta(hours=3)
    ranked = store.ranked_stories(StoryFilter(), ref=ref)
    assert [r.story.id for r in ranked] == [big, old]
    assert ranked[0].title == "Summit" and ranked[0].top_highlight == "Summit highlight"
    # (4 outlets + 0.5 * 4 growing) / (1 + 0 / 12) and 1 / (1 + 103 / 12)
    assert ranked[0].score == pytest.approx(6.0) and ranked[0].growth == 4
    assert ranked[1].score == pytest.approx(1 / (1 + 103 / 12))
    assert [r.story.id for r in store.ranked_stories(StoryFilter(topic="world"), ref=ref)] == [big]
    assert store.count_stories(StoryFilter(language="fr")) == 1
    assert store.count_stories(StoryFilter(since=T0)) == 1
    assert store.count_stories(StoryFilter(until=T0 - timedelta(hours=50))) == 1
    assert [r.story.id for r in store.recent_stories(StoryFilter())] == [old, big]
    assert store.coverage([big]) == {
        big: {
            "lean": {"left": 0, "center": 0, "right": 0, "unknown": 4},
            "countries": {"unknown": 4},
        }
    }
    assert store.facets() == {"topics": ["sport", "world"], "languages": ["fr"], "countries": []}


def test_search_finds_words_prefixes_and_accents(store):
    store.add_article(
        _article(1, title="Café owners protest", text="Zürich city council"), content_hash="1"
    )
    store.add_article(
        _article(2, title="Protest protest protest", text="protest again"), content_hash="2"
    )
    store.add_article(_article(3, title="Weather", author="Ann Zebra"), content_hash="3")
    assert [a.id for a in store.search_articles("cafe")] == [1]
    assert [a.id for a in store.search_articles("ZURICH")] == [1]
    assert [a.id for a in store.search_articles("zebra")] == [3]  # the author
    assert [a.id for a in store.search_articles("prot")] == [2, 1]  # prefix; most matches first
    assert [a.id for a in store.search_articles("protest council")] == [1]
    for hostile in ('"', "'); DROP TABLE articles; --", "a & b | !c:*", "NEAR(", "   "):
        assert isinstance(store.search_articles(hostile), list)
    assert store.article_count() == 3
    story = _story(store, [_article(4)], "Election results", body="Turnout was high")
    assert [s.story.id for s in store.search_stories("turnout")] == [story]
    assert [s.story.id for s in store.search_stories("election res")] == [story]
    store.add_version(_version(story, 2, "Recount ordered"), [4])
    assert store.search_stories("turnout") == []  # only the current version is indexed
    assert [s.title for s in store.search_stories("recount")] == ["Recount ordered"]


def test_search_ranks_the_newest_matches_only(store, monkeypatch):
    from storywire.store import search

    store.add_article(_article(1, title="Flood flood flood", text="flood"), content_hash="1")
    for n in (2, 3, 4):
        store.add_article(_article(n, title="Flood warning"), content_hash=str(n))
    assert [a.id for a in store.search_articles("flood")] == [1, 4, 3, 2]  # all ranked
    stories = [_story(store, [_article(10 + n)], f"Flood {n}") for n in range(3)]
    monkeypatch.setattr(search, "RANKED", 2)
    # The best match (1) is older than the two newest matches: only those are ranked.
    assert [a.id for a in store.search_articles("flood", limit=2)] == [4, 3]
    # A page past them ranks as many as it needs: the same order as without the bound.
    assert [a.id for a in store.search_articles("flood", limit=2, offset=2)] == [3, 2]
    assert [s.story.id for s in store.search_stories("flood", limit=2)] == stories[:0:-1]
    assert store.search_stories("flood", limit=1, offset=2)[0].story.id == stories[0]


def test_feeds_polling_order_and_removal(store):
    infos = [FeedInfo(url=f"https://f{n}.example/rss", outlet=f"F{n}") for n in range(3)]
    assert store.add_feeds(infos) == 3 and store.add_feeds(infos[:1]) == 0
    first, second, third = store.list_feeds()
    store.record_feed_result(second.id, status="ok", next_check=T0 + timedelta(hours=1))
    store.record_feed_result(third.id, status="ok", next_check=T0, interval=600.0)
    due = store.due_feeds(T0 + timedelta(hours=2))
    assert [f.id for f in due] == [first.id, third.id, second.id]  # never polled first
    assert store.seconds_until_next_check(T0, 5.0) == 0.0
    assert store.list_feeds()[2].poll_interval == 600.0
    assert store.remove_feed(first.url) and not store.remove_feed(first.url)
    assert store.remove_feed_id(second.id) and not store.remove_feed_id(2**70)
    assert [f.url for f in store.list_feeds()] == [third.url]


def test_batch_commits_together_and_rolls_back_whole(store):
    with store.batch():
        store.add_article(_article(1), content_hash="1")
        store.add_article(_article(2), content_hash="2")
    with pytest.raises(RuntimeError), store.batch():
        store.add_article(_article(3, title="Zyxwvut quokka"), content_hash="3")
        raise RuntimeError("roll back")
    assert store.article_count() == 2 and store.search_articles("zyxwvut") == []
    with pytest.raises(StoreError):  # a refused row is a StoreError on both databases
        store.add_feeds([FeedInfo(url=None, outlet="B")])  # type: ignore[arg-type]


def test_lead_images_stored_and_chosen(store):
    story = _story(
        store,
        [
            _article(1, hours=0),
            _article(2, hours=1, kind=Kind.OPINION, image="https://img.example/op.jpg"),
            _article(3, hours=2, image="https://img.example/news.jpg"),
        ],
        "Pictured",
    )
    plain = _story(store, [_article(4, hours=3)], "No picture")
    assert [a.image for a in store.story_articles(story)] == [
        "",
        "https://img.example/op.jpg",
        "https://img.example/news.jpg",
    ]
    # the first news article with an image wins over an earlier opinion piece's
    assert store.lead_images([story, plain]) == {story: "https://img.example/news.jpg"}
    assert store.lead_images([]) == {}


def test_search_window_then_the_full_index(store):
    """The window (compact documents of the newest articles) is ranked first; matches it
    cannot hold (past an article's lead, or older than the window) follow from the full
    index, newest first, the last word completed from the window's words."""
    from importlib import import_module

    from sqlalchemy import text

    window = import_module("storywire.store.schema.versions.0009_search_window")

    deep = "Harbour news. " + "More words here. " * 50 + "A quokka sighting downtown."
    store.add_article(_article(1, title="Harbour report", text=deep), content_hash="1")
    store.add_article(_article(2, title="Quokka census"), content_hash="2")
    store.add_article(_article(3, title="Quokka quokka quokka"), content_hash="3")
    assert [a.id for a in store.search_articles("quokka")] == [3, 2, 1]
    assert [a.id for a in store.search_articles("quok")] == [3, 2, 1]  # completed: quokka
    assert [a.id for a in store.search_articles("sighting")] == [1]  # past the lead
    assert [a.id for a in store.search_articles("quokka", limit=1, offset=2)] == [1]
    assert [a.id for a in store.search_articles("quokka", limit=2, offset=1)] == [2, 1]
    assert store.search_articles("quokka", with_text=False)[0].text == ""

    # An article numbered a window past article 2 pushes 2 (and 1) out of the window.
    def add(article_id: int, title: str) -> None:
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO articles (id, url, source_id, title, published_at, fetched_at,"
                    " content_hash) SELECT :id, url || :mark, source_id, :title, published_at,"
                    " fetched_at, :mark FROM articles WHERE id = 3"
                ),
                {"id": article_id, "title": title, "mark": f"#{article_id}"},
            )

    add(2 + window.ARTICLES, "Wombat")
    key = "rowid" if store.dialect.name == "sqlite" else "id"
    with store.engine.begin() as conn:
        left = conn.execute(text(f"SELECT {key} FROM articles_recent ORDER BY {key}")).all()
    assert [r[0] for r in left] == [3, 2 + window.ARTICLES]
    assert [a.id for a in store.search_articles("quokka")] == [3, 2, 1]  # 2 and 1: older
    assert [a.id for a in store.search_articles("wombat")] == [2 + window.ARTICLES]
    # Older matches far below the newest: found newest first.
    add(10, "Platypus seen")
    add(3 * 16384, "Platypus again")
    add(5 * 16384, "Echidna")
    assert [a.id for a in store.search_articles("platypus")] == [3 * 16384, 10]
    assert [a.id for a in store.search_articles("platyp", limit=1, offset=1)] == [10]


def test_search_older_matches_of_the_word_itself_come_first(store):
    """Of the matches older than the window, those holding the last word itself come
    before those holding only a word it begins, each part newest first."""
    from importlib import import_module

    from sqlalchemy import text

    window = import_module("storywire.store.schema.versions.0009_search_window")
    store.add_article(_article(1, title="Quokka census"), content_hash="1")
    store.add_article(_article(2, title="Quokkas seen"), content_hash="2")
    store.add_article(_article(3, title="Quokka again"), content_hash="3")
    with store.engine.begin() as conn:  # pushes 1, 2 and 3 out of the window
        conn.execute(
            text(
                "INSERT INTO articles (id, url, source_id, title, published_at, fetched_at,"
                " content_hash) SELECT :id, url || '#w', source_id, 'Wombat', published_at,"
                " fetched_at, 'w' FROM articles WHERE id = 3"
            ),
            {"id": 3 + window.ARTICLES},
        )
    assert [a.id for a in store.search_articles("quokka")] == [3, 1, 2]
    assert [a.id for a in store.search_articles("quokka", limit=1, offset=2)] == [2]
    assert [a.id for a in store.search_articles("census quokka")] == [1]
    assert [a.id for a in store.search_articles("quok")] == [3, 2, 1]  # no word "quok"


def test_search_leaves_out_merged_stories(store):
    """A story merged into another is not found, neither from the window nor from the
    full index (read too: the window holds fewer matches than the page)."""
    kept = _story(store, [_article(1, outlet="A")], "Bridge closes")
    gone = _story(store, [_article(2, outlet="B", hours=1)], "Bridge reopens")
    assert [s.story.id for s in store.search_stories("bridge")] == [gone, kept]
    store.merge_stories(gone, kept)
    assert [s.story.id for s in store.search_stories("bridge")] == [kept]
    assert [s.story.id for s in store.search_stories("reopens")] == []
    assert [s.story.id for s in store.search_stories("bridg", offset=1)] == []


def test_story_window_holds_active_stories_only(store):
    """A merged story leaves the story window, and a version written for it later does
    not bring it back: the window's reads do not filter on the story's status (0018)."""
    from sqlalchemy import text

    kept = _story(store, [_article(1, outlet="A")], "Bridge closes")
    gone = _story(store, [_article(2, outlet="B", hours=1)], "Bridge reopens")
    key = "rowid" if store.dialect.name == "sqlite" else "story_id"

    def window() -> list[int]:
        with store.engine.begin() as conn:
            got = conn.execute(text(f"SELECT {key} FROM stories_recent ORDER BY {key}"))
            return list(got.scalars())

    assert window() == [kept, gone]
    store.merge_stories(gone, kept)
    assert window() == [kept]
    aid = store.story_articles(kept)[0].id
    store.add_version(_version(gone, 2, "Bridge reopens again", ids=(aid,)), [aid])
    assert window() == [kept]
    assert [s.story.id for s in store.search_stories("reopens")] == []


def test_story_window_drops_stories_skipped_by_a_jump_of_the_newest_id(store):
    """The window holds the stories numbered within STORIES of the newest, even when the
    newest id jumps past more than the triggers' trim span (PostgreSQL trims the rest
    every ``window_merge_every`` rows written)."""
    from importlib import import_module

    from sqlalchemy import text

    window = import_module("storywire.store.schema.versions.0009_search_window")
    store.window_merge_every = 1
    old = _story(store, [_article(1, outlet="A")], "Bridge closes")
    far = old + window.STORIES + 5000
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stories (id, first_published, last_published, created_at,"
                " updated_at) SELECT :id, first_published, last_published, created_at,"
                " updated_at FROM stories WHERE id = :old"
            ),
            {"id": far, "old": old},
        )
    aid = store.story_articles(old)[0].id
    store.add_version(_version(far, 1, "Bridge reopens", ids=(aid,)), [aid])
    key = "rowid" if store.dialect.name == "sqlite" else "story_id"
    with store.engine.begin() as conn:
        held = conn.execute(text(f"SELECT {key} FROM stories_recent ORDER BY {key}")).all()
    assert [r[0] for r in held] == [far]
    assert [s.story.id for s in store.search_stories("bridge")] == [far, old]  # old: full index


def test_search_indexes_have_no_pending_list(store):
    """A new row's words go straight into the search indexes and the row is found at
    once; on PostgreSQL the GIN indexes have no pending list that every search reads
    through (SQLite's FTS5 has none to turn off)."""
    from sqlalchemy import text

    if store.dialect.name == "postgresql":
        with store.engine.begin() as conn:
            options = dict(
                conn.execute(
                    text(
                        "SELECT relname, reloptions FROM pg_class WHERE relname IN"
                        " ('articles_recent_doc', 'stories_recent_doc',"
                        " 'articles_fts_doc', 'stories_fts_doc')"
                    )
                ).all()
            )
        for index in (
            "articles_recent_doc",
            "stories_recent_doc",
            "articles_fts_doc",
            "stories_fts_doc",
        ):
            assert options[index] == ["fastupdate=off"], index
    store.add_article(_article(1, title="Numbat survey"), content_hash="1")
    story = _story(store, [_article(2, title="Bilby return")], "Bilby return")
    assert [a.id for a in store.search_articles("numbat")] == [1]
    assert [s.story.id for s in store.search_stories("bilby")] == [story]


def test_long_listings_rank_recent_stories_first_with_the_same_answer(store):
    """`range=all` ranks the last 30 days first and widens only while a story before the
    cut could still be on the page: the same page as ranking every story."""
    recent = [
        _story(store, [_article(n, outlet="R", hours=-h)], f"Recent {n}")
        for n, h in ((1, 0), (2, 5), (3, 20))
    ]
    mid = _story(store, [_article(10 + n, outlet=f"M{n}", hours=-24 * 60) for n in range(6)], "Mid")
    old = _story(
        store, [_article(100 + n, outlet=f"O{n}", hours=-24 * 400) for n in range(50)], "Old"
    )
    ancient = _story(store, [_article(500, outlet="A", hours=-24 * 1000)], "Ancient")
    ref = store.reference_time()
    # 1/(1+h/12) for the recent ones; 50 outlets 400 days ago (0.062) beat 6 outlets 60
    # days ago (0.050): the page of 4 needs the widest window, the page of 6 every story.
    every = [*recent, old, mid, ancient]
    assert [r.story.id for r in store.ranked_stories(StoryFilter(), ref=ref, limit=10)] == every
    for limit in range(1, 7):
        for offset in range(0, 7 - limit):
            page = store.ranked_stories(StoryFilter(), ref=ref, limit=limit, offset=offset)
            assert [r.story.id for r in page] == every[offset : offset + limit]
            whole = store._ranked(StoryFilter(), ref=ref, limit=limit, offset=offset)
            assert [(r.story.id, r.score) for r in page] == [(r.story.id, r.score) for r in whole]
    # A filter's own short range is ranked as it is.
    since = ref - timedelta(days=7)
    short = store.ranked_stories(StoryFilter(since=since), ref=ref)
    assert [r.story.id for r in short] == recent


def test_postgresql_connections_per_process_are_bounded(database):
    """`database_pool` bounds a process's PostgreSQL connections (no overflow): more busy
    connections than the database's cores cost it CPU in contention."""
    from storywire import load_settings
    from storywire.store import open_store

    url = database if "://" in database else ""
    store = open_store(load_settings(None, database_url=url, db=database, database_pool=3))
    try:
        if store.path is None:
            assert store.engine.pool.size() == 3  # type: ignore[attr-defined]
            assert store.engine.pool._max_overflow == 0  # type: ignore[attr-defined]
        store.migrate()
        assert store.article_count() == 0
    finally:
        store.close()


def test_postgresql_searches_run_on_generic_plans_and_reset_the_mode(store):
    """Search statements run on PostgreSQL's generic plan (no planning per search: a
    connection's own cost estimates kept it on custom plans), both searches of a request
    in one round trip, and the connection's plan_cache_mode is left as it was, also
    after a failed search. SQLite: the same answers through the one call."""
    words = ["closes", "reopens", "repairs", "tolls", "crowds", "votes", "costs"]
    ids = [
        _story(store, [_article(i, title=f"Bridge {w}", hours=i)], f"Bridge {w}")
        for i, w in enumerate(words, 1)
    ]
    for word in words:
        with store.reading():
            stories, articles = store.search(f"bridge {word}", stories=(5, 0), articles=(5, 0))
        assert stories is not None and [s.story.id for s in stories] == [ids[words.index(word)]]
        assert articles is not None and len(articles) == 1
    page = store.search("bridge", stories=(2, 1))
    assert page == (store.search_stories("bridge", limit=2, offset=1), None)
    if store.dialect.name != "postgresql":
        return
    import psycopg

    from storywire.errors import StoreError

    with store.reading():
        raw = store._local.batch.connection.driver_connection
        plans = raw.execute(
            "SELECT sum(generic_plans), sum(custom_plans) FROM pg_prepared_statements"
            " WHERE statement LIKE 'WITH w AS%'"
        ).fetchone()
        assert plans[0] >= 4 and plans[1] == 0, plans
        assert raw.execute("SHOW plan_cache_mode").fetchone()[0] == "auto"
        # A search that fails (its window locked away) takes its SET with it.
        raw.execute("SET plan_cache_mode = force_custom_plan")
        raw.execute("SET lock_timeout = '20ms'")
        with psycopg.connect(store.url.replace("+psycopg", "")) as other:
            other.execute("LOCK TABLE stories_recent IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(StoreError, match="lock timeout"):
                store.search("bridge closes", stories=(5, 0), articles=(5, 0))
        assert raw.execute("SHOW plan_cache_mode").fetchone()[0] == "force_custom_plan"
        raw.execute("RESET lock_timeout")
        raw.execute("RESET plan_cache_mode")
