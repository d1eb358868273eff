"""End to end beyond one machine, on 127.0.0.1: the local news server with 100 feeds of
real pages (outlets' reports of the same events); `storywire scheduler`, two `storywire
worker`, `storywire cluster` and `storywire serve` as real processes on PostgreSQL and
Redis. One worker is killed with SIGKILL in the middle of the cycle (a replacement starts,
as systemd would), Redis is restarted once (every queued task is lost) and PostgreSQL is
restarted once. At the end every article the feeds offered is stored exactly once and
belongs to exactly one story, every multi-article story has a written version, the API
answers, and a second `storywire cluster` started beside the first clusters nothing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from storywire import Store
from storywire.dedup import canonical_url
from storywire.models import FeedInfo
from storywire.queue.consumer import WAITING

from tests.support.live import free_port
from tests.support.newsserver import NewsServer, allsides_site
from tests.support.pgserver import PostgresServer
from tests.support.realpages import load_templates
from tests.support.redisserver import RedisServer, redis_or_skip

FEEDS = 100
ARTICLES = 300  # 3 real pages per feed: the whole run stays near a minute on a quiet machine
MULTI = 5  # multi-article stories at least (see the assertion)
LEASE = 12  # seconds: task visibility timeout and feed lease (lost tasks come back after it)


class Fleet:
    """The storywire processes of the test, each in its own session, logs in files."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env = folder, env
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "storywire", *args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def alive(self) -> list[str]:
        return [n for n, p in self.procs.items() if p.poll() is None]

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


def counts(url: str) -> dict[str, int]:
    """Articles stored and pending, stories without a version (a fresh connection: the
    server may have restarted)."""
    store = Store(url)
    try:
        with store.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM articles),"
                    " (SELECT count(*) FROM pending_articles),"
                    " (SELECT count(*) FROM feeds WHERE last_status = 'new')"
                )
            ).one()
        return {"articles": row[0], "pending": row[1], "unpolled": row[2]}
    except Exception:
        return {"articles": -1, "pending": -1, "unpolled": -1}
    finally:
        store.close()


def in_flight(log: str) -> set[str]:
    """Tasks a worker's log shows received and not finished."""
    received = set(re.findall(r"Task storywire\.poll_feed\[([0-9a-f-]+)\] received", log))
    ended = set(
        re.findall(
            r"Task storywire\.poll_feed\[([0-9a-f-]+)\] (?:succeeded|failed|raised|retry)", log
        )
    )
    return received - ended


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.data
def test_workers_on_celery_lose_nothing(tmp_path, data_dir):
    redis_or_skip()
    templates = load_templates(data_dir / "extraction" / "article-extraction-benchmark")
    site = allsides_site(
        data_dir / "corpus" / "allsides-article-bias",
        feeds=FEEDS,
        articles=ARTICLES,
        templates=templates,
        events=True,  # outlets' reports of the same events: many stories join articles
    )
    started = time.monotonic()
    pg = PostgresServer()  # its own server: this test restarts it
    redis = RedisServer()
    fleet: Fleet | None = None
    try:
        with NewsServer(site, quiet=True) as news:
            url = pg.create_database()
            store = Store(url)
            store.migrate()
            store.add_feeds(
                [FeedInfo(url=news.url(p), outlet=f"Feed {p}") for p in site.feed_paths]
            )
            store.close()
            offered = {canonical_url(news.url(p)) for p in site.articles}
            assert len(site.feed_paths) == FEEDS and len(offered) == ARTICLES
            port = free_port()
            env = {
                **os.environ,
                "STORYWIRE_DATABASE_URL": url,
                "STORYWIRE_BROKER_URL": redis.url,
                "STORYWIRE_TASK_VISIBILITY_TIMEOUT": str(LEASE),
                "STORYWIRE_SCHEDULER_TICK": "1",
                "STORYWIRE_RESPECT_ROBOTS": "false",
                "STORYWIRE_DEFAULT_FEEDS": "false",
                "STORYWIRE_ALLOW_PRIVATE_ADDRESSES": "true",
                "STORYWIRE_LOG_LEVEL": "INFO",
            }
            fleet = Fleet(tmp_path, env)
            fleet.start("cluster", "cluster")
            fleet.start("serve", "serve", "--port", str(port))
            fleet.start("worker-1", "worker", "--concurrency", "2", "--hostname", "w1@test")
            fleet.start("worker-2", "worker", "--concurrency", "2", "--hostname", "w2@test")
            fleet.start("scheduler", "scheduler")

            # Mid-cycle: some articles in, worker 1 in the middle of a task.
            wait_for(
                lambda: (
                    counts(url)["articles"] + counts(url)["pending"] >= ARTICLES // 5
                    and in_flight(fleet.log("worker-1"))
                ),
                240,
                "the first fifth of the articles with worker 1 busy",
            )
            os.killpg(fleet.procs["worker-1"].pid, signal.SIGKILL)
            fleet.procs["worker-1"].wait(10)
            interrupted = in_flight(fleet.log("worker-1"))
            assert interrupted, "worker 1 was killed between tasks"
            killed_at = counts(url)
            fleet.start("worker-3", "worker", "--concurrency", "2", "--hostname", "w3@test")

            redis.restart()  # every queued task is lost: the feed leases bring them back
            wait_for(
                lambda: counts(url)["articles"] >= min(ARTICLES // 2, killed_at["articles"] + 30),
                240,
                "more articles after the Redis restart",
            )
            pg.restart()
            restarted_pg = time.monotonic()

            def finished() -> bool:
                c = counts(url)
                return c["articles"] == ARTICLES and c["pending"] == 0 and c["unpolled"] == 0

            wait_for(finished, 300, f"every article stored and clustered; now {counts(url)}")
            survivors = {"cluster", "serve", "worker-2", "worker-3", "scheduler"}
            assert survivors <= set(fleet.alive()), {n: fleet.log(n)[-3000:] for n in survivors}

            # Stories are written a moment after the last article is clustered.
            store = Store(url)

            def written() -> bool:
                with store.engine.connect() as conn:
                    return not conn.execute(
                        text(
                            "SELECT count(*) FROM stories WHERE status = 'active'"
                            " AND article_count > 1 AND version = 0"
                        )
                    ).scalar()

            wait_for(written, 120, "every multi-article story written")
            with store.engine.connect() as conn:
                stored = [r[0] for r in conn.execute(text("SELECT url FROM articles"))]
                orphans = conn.execute(
                    text(
                        "SELECT count(*) FROM articles a LEFT JOIN stories s ON s.id = a.story_id"
                        " WHERE s.id IS NULL OR s.status <> 'active'"
                    )
                ).scalar()
                multi = conn.execute(
                    text("SELECT count(*) FROM stories WHERE article_count > 1")
                ).scalar()
            # Every offered article stored exactly once, each in exactly one live story.
            assert len(stored) == len(set(stored)) == ARTICLES
            assert set(stored) == offered
            assert orphans == 0
            # The 300 records are 2-3 reports per event: 9-15 multi-article stories here
            # (55 from `storywire import` of the records' own texts); the first 300
            # records of the corpus made 2-3, so "> 0" rested on a couple of joins.
            assert multi >= MULTI

            # The API answers (after the PostgreSQL restart too).
            api = httpx.get(f"http://127.0.0.1:{port}/api/v1/stories?limit=50", timeout=30)
            assert api.status_code == 200, api.text[:500]
            listed = api.json()["stories"]
            assert listed
            one = httpx.get(f"http://127.0.0.1:{port}/api/v1/stories/{listed[0]['id']}", timeout=30)
            assert one.status_code == 200

            # A second consumer beside the first waits and clusters nothing.
            second = fleet.start("cluster-2", "cluster")
            wait_for(lambda: WAITING in fleet.log("cluster-2"), 60, "the second consumer waiting")
            time.sleep(2)
            assert second.poll() is None
            assert "lock taken" not in fleet.log("cluster-2")
            assert "clustered" not in fleet.log("cluster-2")
            store.close()

            elapsed = time.monotonic() - started
            (tmp_path / "timing.txt").write_text(
                f"total {elapsed:.1f} s; after the PostgreSQL restart "
                f"{time.monotonic() - restarted_pg:.1f} s\n"
            )
            print(
                f"\ndistributed e2e: {elapsed:.1f} s for {FEEDS} feeds, {ARTICLES} articles;"
                f" {len(interrupted)} task(s) interrupted by the SIGKILL, redone;"
                f" {multi} multi-article stories"
            )
            assert (
                "Connection to broker lost" in fleet.log("worker-2")
                or "redis" in fleet.log("worker-2").lower()
            )
    finally:
        if fleet is not None:
            fleet.stop_all()
            for name in fleet.procs:
                print(f"---- {name} (last lines)\n" + "\n".join(fleet.log(name).splitlines()[-15:]))
        redis.close()
        pg.stop()
