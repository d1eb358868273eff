"""Ingest throughput on the real-pages regime: the one-process SQLite path against
Celery workers on PostgreSQL (the ``bench/scale.py`` section on workers).

    python -m bench.scale_ingest [--pages 600] [--feeds 60]

A local news site (tests/support/newsserver.py, ``allsides_site`` with real page
templates, as ``bench/ingest_speed.py`` and the end-to-end test use) serves FEEDS feeds
over PAGES AllSides articles inside real news pages. Each mode starts from an empty
database and ends when every page is stored *and clustered*:

- **SQLite, one process**: one ``storywire poll`` (fetch, extract in its own worker
  processes, store, cluster, write), timed from outside;
- **PostgreSQL + Celery, W workers**: ``storywire scheduler`` + W ``storywire worker``
  processes (threads pool, 4 polls each) + ``storywire cluster`` over a throwaway
  PostgreSQL and Redis, timed from the scheduler's start until nothing is pending.

Rates on a shared machine move with its load: the table says what the load was.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from storywire import Store
from storywire.models import FeedInfo

from tests.support.newsserver import NewsServer, allsides_site
from tests.support.pgserver import PostgresServer
from tests.support.realpages import load_templates
from tests.support.redisserver import RedisServer

BASE_ENV = {
    "STORYWIRE_RESPECT_ROBOTS": "false",
    "STORYWIRE_DEFAULT_FEEDS": "false",
    "STORYWIRE_ALLOW_PRIVATE_ADDRESSES": "true",
    "STORYWIRE_PER_HOST_CONCURRENCY": "16",  # every feed is on 127.0.0.1 here
    "STORYWIRE_LOG_LEVEL": "WARNING",
}


def _feeds(target: str, news: NewsServer, paths: list[str]) -> None:
    store = Store(target)
    store.migrate()
    store.add_feeds([FeedInfo(url=news.url(p), outlet=f"Feed {p}") for p in paths])
    store.close()


def _done(target: str) -> tuple[int, int]:
    store = Store(target)
    try:
        with store.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT (SELECT count(*) FROM articles WHERE story_id IS NOT NULL),"
                    " (SELECT count(*) FROM pending_articles)"
                )
            ).one()
        return int(row[0]), int(row[1])
    finally:
        store.close()


def one_process(news: NewsServer, paths: list[str], folder: Path) -> tuple[float, int]:
    db = folder / "ingest.db"
    _feeds(str(db), news, paths)
    env = {**os.environ, **BASE_ENV, "STORYWIRE_DB": str(db)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "storywire", "poll"], env=env, check=True, capture_output=True
    )
    took = time.perf_counter() - start
    return took, _done(str(db))[0]


def celery(news: NewsServer, paths: list[str], workers: int, pages: int) -> tuple[float, int]:
    pg, redis = PostgresServer(), RedisServer()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        url = pg.create_database()
        _feeds(url, news, paths)
        env = {
            **os.environ,
            **BASE_ENV,
            "STORYWIRE_DATABASE_URL": url,
            "STORYWIRE_BROKER_URL": redis.url,
            "STORYWIRE_SCHEDULER_TICK": "0.5",
        }

        def start(*args: str) -> None:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "storywire", *args],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )

        start("cluster")
        for n in range(workers):
            start("worker", "--concurrency", "4", "--hostname", f"bench{n}@local")
        time.sleep(8)  # let them import and connect: startup is not ingest
        began = time.perf_counter()
        start("scheduler")
        clustered = 0
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            clustered, pending = _done(url)
            if clustered >= pages and pending == 0:
                break
            time.sleep(0.25)
        return time.perf_counter() - began, clustered
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        redis.close()
        pg.stop()


def run(data: Path, pages: int, feeds: int) -> None:
    """Print the ingest table (called by bench/scale.py too)."""
    templates = load_templates(data / "extraction" / "article-extraction-benchmark")
    site = allsides_site(
        data / "corpus" / "allsides-article-bias", feeds=feeds, articles=pages, templates=templates
    )
    pages = len(site.articles)
    print(f"\n== ingest, real pages: {pages:,} pages in {len(site.feed_paths)} feeds", flush=True)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = []
    with NewsServer(site, quiet=True) as news, tempfile.TemporaryDirectory() as folder:
        took, n = one_process(news, site.feed_paths, Path(folder))
        rows.append(("SQLite, one process (storywire poll)", took, n))
        print(f"  {rows[-1][0]}: {n / took:.1f} articles/s", flush=True)
        for workers in (1, 2):
            took, n = celery(news, site.feed_paths, workers, pages)
            rows.append((f"PostgreSQL + Celery, {workers} worker(s) + cluster", took, n))
            print(f"  {rows[-1][0]}: {n / took:.1f} articles/s", flush=True)
    print("\n| path | seconds | articles clustered | articles/s |")
    print("|---|---|---|---|")
    for name, took, n in rows:
        print(f"| {name} | {took:.1f} | {n:,} | {n / took:.1f} |")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=600)
    ap.add_argument("--feeds", type=int, default=60)
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    data = Path(os.environ.get("STORYWIRE_DATA", root.parent / "shared" / "data"))
    run(data, args.pages, args.feeds)


if __name__ == "__main__":
    main()
