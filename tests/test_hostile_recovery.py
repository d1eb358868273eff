"""Recovery after crashes and failed writes: stories left without a version are written
at the next start and after every cycle (not only when a new article arrives)."""

from __future__ import annotations

import asyncio

from storywire import Pipeline, Store, load_settings

from tests.support.webfixture import ARTICLES


def unwritten(store: Store) -> list[int]:
    return store.unwritten_stories()


def test_stories_left_unwritten_by_a_crash_are_written_at_the_next_cycle(tmp_path):
    db = tmp_path / "sw.db"
    store = Store(db)
    store.migrate()
    crashed = Pipeline(store, load_settings(db=db))
    crashed.import_articles(ARTICLES)  # stored and clustered; the process dies before writing
    left = unwritten(store)
    assert left, "the crash left stories without a version"
    restarted = Pipeline(store, load_settings(db=db))
    report = asyncio.run(restarted.poll_once())  # no feed, no new article
    assert report.articles == 0 and report.stories_written == len(left)
    assert unwritten(store) == []
    store.close()


def test_stories_whose_write_failed_are_written_after_the_next_cycle(tmp_path):
    db = tmp_path / "sw.db"
    store = Store(db)
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=db))
    asyncio.run(pipeline.poll_once())  # the running process has primed already
    pipeline.import_articles(ARTICLES)
    pipeline.dirty.clear()  # what a write that failed (disk full) leaves behind
    assert unwritten(store)
    asyncio.run(pipeline.poll_once())
    assert unwritten(store) == []
    store.close()
