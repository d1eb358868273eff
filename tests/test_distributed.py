"""The store side of the distributed path (workers, scheduler, one cluster consumer), on
SQLite and PostgreSQL: pending articles, feed leases, the consumer and its lock."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text

from storywire import Store, load_settings
from storywire.ingest.corpus import to_article
from storywire.models import Article, FeedInfo
from storywire.pipeline import Pipeline
from storywire.queue.cli import wait_for_store
from storywire.queue.consumer import WAITING, ClusterConsumer
from storywire.queue.scheduler import enqueue_due
from storywire.store.pending import article_from_json, article_to_json
from storywire.timeutil import utcnow

from tests.support.enginecorpus import fixture_records
from tests.support.pgserver import PostgresServer


def fixture_articles() -> list[Article]:
    articles = [to_article(r, {}, i) for i, r in enumerate(fixture_records(), 1)]
    return sorted(articles, key=lambda a: a.published)  # type: ignore[union-attr]


def settings_for(database: str, **more: object):
    return load_settings(None, database_url=_url(database), **more)


def _url(database: str) -> str:
    return database if "://" in database else f"sqlite:///{database}"


def test_article_round_trips_through_the_queue_format():
    a = replace(fixture_articles()[0], feed_id=3, image="https://x.example/i.jpg")
    back, info = article_from_json(article_to_json(a, {"country": "TW"}))
    assert back == a
    assert info == {"country": "TW"}


def test_pending_is_idempotent_and_ordered(store: Store):
    articles = fixture_articles()
    assert store.add_pending((a, None) for a in articles) == len(articles)
    # A redone task queues the same articles again: nothing is added.
    assert store.add_pending((a, None) for a in articles) == 0
    assert store.pending_count() == len(articles)
    queued = store.pending()
    assert [p.article.url for p in queued] == [a.url for a in articles]
    assert [p.id for p in queued] == sorted(p.id for p in queued)
    assert store.known_urls([articles[0].url, "https://nowhere.example/x"]) == {articles[0].url}
    store.remove_pending([queued[0].id])
    assert store.pending_count() == len(articles) - 1
    assert [p.id for p in store.pending(after=queued[1].id)] == [p.id for p in queued[2:]]


def test_stored_article_is_not_queued_again(store: Store):
    a = fixture_articles()[0]
    assert store.add_article(a, content_hash="h") is not None
    assert store.add_pending([(a, None)]) == 0
    assert store.pending_count() == 0


def _one_feed(store: Store) -> int:
    store.add_feeds([FeedInfo(url="https://feeds.example/rss", outlet="Example")])
    return store.list_feeds()[0].id


def test_feed_lease_is_exclusive(store: Store):
    feed = _one_feed(store)
    now = utcnow()
    later = now + timedelta(minutes=10)
    # Many claimants at once: exactly one wins.
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda t: store.claim_feed(feed, f"t{t}", later, now), range(16)))
    assert sum(won) == 1
    winner = f"t{won.index(True)}"
    assert store.claim_feed(feed, winner, later, now)  # the holder renews its own lease
    assert not store.claim_feed(feed, "other", later, now)
    assert store.due_feeds(now, unclaimed=True) == []
    assert [f.id for f in store.due_feeds(now)] == [feed]
    # A lease that ran out is free for anyone (the holder died).
    assert store.claim_feed(feed, "other", later, later)
    store.release_feed(feed, winner)  # not the holder any more: nothing happens
    assert not store.claim_feed(feed, "third", later + timedelta(seconds=1), now)
    store.release_feed(feed, "other")
    assert store.claim_feed(feed, "third", later, now)


class _Sent:
    def __init__(self) -> None:
        self.tasks: list[tuple[str, list[object]]] = []

    def send_task(self, name: str, args: list[object]) -> None:
        self.tasks.append((name, args))


def test_two_schedulers_enqueue_a_feed_once(store: Store, database: str):
    _one_feed(store)
    settings = settings_for(database)
    other = Store(database)
    try:
        a, b = _Sent(), _Sent()
        assert enqueue_due(store, a, settings) + enqueue_due(other, b, settings) == 1
        assert len(a.tasks + b.tasks) == 1
        # Still leased at the next tick: not enqueued again.
        assert enqueue_due(store, a, settings) == 0
    finally:
        other.close()


def _consume_all(database: str, *, timeout: float = 60) -> ClusterConsumer:
    stop = threading.Event()
    consumer = ClusterConsumer(settings_for(database), stop, idle=0.05)
    thread = threading.Thread(target=consumer.run)
    thread.start()
    probe = Store(database)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if probe.pending_count() == 0 and not probe.unwritten_stories() and consumer.written:
                break
            time.sleep(0.05)
    finally:
        probe.close()
        stop.set()
        thread.join(30)
    return consumer


def _partition(store: Store) -> set[frozenset[str]]:
    with store.engine.connect() as conn:
        found = conn.execute(
            text("SELECT url, story_id FROM articles WHERE story_id IS NOT NULL")
        ).all()
    groups: dict[int, set[str]] = {}
    for url, story in found:
        groups.setdefault(story, set()).add(url)
    return {frozenset(g) for g in groups.values()}


def test_consumer_clusters_pending_in_order_like_the_in_process_path(
    store: Store, database: str, tmp_path
):
    articles = fixture_articles()
    store.add_pending((a, None) for a in articles)
    consumer = _consume_all(database)
    assert consumer.clustered == len(articles)
    assert store.pending_count() == 0
    assert store.article_count() == len(articles)
    # Every article in exactly one story; every story with a written version.
    with store.engine.connect() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM articles WHERE story_id IS NULL")).scalar() == 0
        )
    assert not store.unwritten_stories()
    # The same stories as `storywire run` / `import` in one process.
    reference = Store(tmp_path / "reference.db")
    reference.migrate()
    try:
        pipeline = Pipeline(reference, settings_for(str(tmp_path / "reference.db")))
        pipeline.import_articles(articles)
        pipeline.write_dirty()
        assert _partition(store) == _partition(reference)
    finally:
        reference.close()


def test_a_second_consumer_waits_and_clusters_nothing(store: Store, database: str, caplog):
    caplog.set_level(logging.INFO, logger="storywire.queue.consumer")
    settings = settings_for(database)
    stop_first, stop_second = threading.Event(), threading.Event()
    first = ClusterConsumer(settings, stop_first, idle=0.05)
    second = ClusterConsumer(settings, stop_second, idle=0.05)
    t1 = threading.Thread(target=first.run)
    t1.start()
    try:
        deadline = time.monotonic() + 30
        while "lock taken" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "lock taken" in caplog.text
        t2 = threading.Thread(target=second.run)
        t2.start()
        while WAITING not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert WAITING in caplog.text
        store.add_pending((a, None) for a in fixture_articles())
        while store.pending_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.pending_count() == 0
        assert first.clustered == len(fixture_articles())
        assert second.clustered == 0
        # The first stops: the second takes over the lock.
        stop_first.set()
        t1.join(30)
        while caplog.text.count("lock taken") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert caplog.text.count("lock taken") == 2
    finally:
        stop_first.set()
        stop_second.set()
        t1.join(30)
        if "t2" in locals():
            t2.join(30)


def test_worker_start_up_waits_for_a_restarting_database(caplog):
    """`storywire worker` started while PostgreSQL is down (restarting) waits for it
    instead of exiting; a stop while waiting ends the wait."""
    pg = PostgresServer()  # its own server: this test stops it
    try:
        settings = load_settings(None, database_url=pg.create_database())
        pg.halt()
        outcome: list[bool] = []
        with caplog.at_level(logging.WARNING, logger="storywire.queue.cli"):
            waiting = threading.Thread(
                target=lambda: outcome.append(
                    wait_for_store(settings, threading.Event(), retry=0.2)
                )
            )
            waiting.start()
            deadline = time.monotonic() + 30
            while "retrying" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "retrying" in caplog.text
            assert waiting.is_alive()
            pg.resume()
            waiting.join(60)
        assert outcome == [True]
        store = Store(settings.database_url)
        assert store.revision() == store.newest_revision()  # migrated once it came back
        store.close()

        pg.halt()
        stop = threading.Event()
        stop.set()
        assert wait_for_store(settings, stop) is False
    finally:
        pg.stop()
