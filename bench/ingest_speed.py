"""Ingest throughput: fetch + extract + store from a local news site, beside extraction alone.

    python bench/ingest_speed.py [--pages N] [--feeds F] [--workers W]

A server process on 127.0.0.1 serves F feeds over N article pages built from the
AllSides corpus (tests/newsserver.py, `allsides_site`). This process then runs
one poll cycle of the real pipeline over those feeds into a fresh SQLite file:
feed fetch + parse, page fetch (robots.txt included), extraction in W worker
processes, dedup, storing and clustering. Story writing is timed apart.

The baseline, in the same run, is the extraction alone on the same page bytes
(already fetched, same W worker processes): what the machine can extract. The
target is full path >= 80% of that rate. Peak memory is the maximum resident set
of this process and, separately, of the largest extraction worker.

Every request goes to one host (127.0.0.1), so the per-host limit is raised to the
overall limit (--concurrency, default 16 as in the settings) here; a real instance
spreads feeds over many hosts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from storywire import Pipeline, Store, load_settings
from storywire.errors import ExtractError
from storywire.extract import extract_page
from storywire.models import FeedInfo

TESTS = Path(__file__).resolve().parent.parent / "tests"
SERVER = f"""
import sys, time
sys.path.insert(0, {str(TESTS)!r})
import newsserver
from newsserver import NewsServer, allsides_site
newsserver._Server.handle_error = lambda *a: None  # clients closing keep-alive: not news
site = allsides_site(sys.argv[1], feeds=int(sys.argv[2]), articles=int(sys.argv[3]))
with NewsServer(site) as server:
    print(server.base_url, len(site.feed_paths), flush=True)
    sys.stdin.read()
"""


def _extract(args: tuple[bytes, str, str]) -> int:
    try:  # the same call the pipeline makes (feed kind "news", the page's Content-Type)
        return len(extract_page(args[0], args[1], "news", args[2]).text)
    except ExtractError:
        return 0


def extraction_only(pages: list[tuple[bytes, str, str]], workers: int) -> tuple[float, float]:
    """Extraction alone: already-fetched bytes, ``workers`` processes kept busy (chunks of
    8 pages per task, so the rate has no per-page dispatch overhead): the ceiling."""
    before = _children_cpu()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_extract, pages[:workers]))  # start the workers before timing
        start = time.perf_counter()
        list(pool.map(_extract, pages, chunksize=8))
        rate = len(pages) / (time.perf_counter() - start)
    # CPU of the workers (reaped at shutdown), the warm-up pages included: per page.
    return rate, (_children_cpu() - before) / (len(pages) + workers)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def full_path(db: Path, base: str, feeds: int, pages: int, workers: int, concurrency: int,
              server_pid: int) -> tuple[float, float, int, int, int]:
    store = Store(db)
    store.migrate()
    store.add_feeds([FeedInfo(url=f"{base}/feeds/{n}.xml", outlet=f"Feed {n}")
                     for n in range(feeds)])
    settings = load_settings(db=db, extract_processes=workers,
                             fetch_concurrency=concurrency, per_host_concurrency=concurrency,
                             allow_private_addresses=True,
                             max_entries_per_feed=-(-pages // feeds) + 1)
    pipeline = Pipeline(store, settings)
    pipeline.prime()
    writing = writing_cpu = 0.0
    write_dirty = pipeline.write_dirty

    def timed_write(*a, **k):  # story writing is not part of ingest: timed apart
        nonlocal writing, writing_cpu
        t, c = time.perf_counter(), time.process_time()
        result = write_dirty(*a, **k)
        writing, writing_cpu = time.perf_counter() - t, time.process_time() - c
        return result

    pipeline.write_dirty = timed_write  # type: ignore[method-assign]
    errors = _ErrorCounter()
    logging.getLogger("storywire").addHandler(errors)
    logging.getLogger("storywire").setLevel(logging.INFO)
    start, cpu, server_cpu = time.perf_counter(), time.process_time(), _cpu_of(server_pid)
    report = asyncio.run(pipeline.poll_once())
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu - writing_cpu
    server_cpu = _cpu_of(server_pid) - server_cpu
    stored = store.article_count()
    store.close()
    for message, count in errors.counts.most_common(5):
        print(f"  {count} x {message}")
    # Only articles extracted from their page count: a summary fallback skipped the work.
    fallbacks = getattr(report, "from_summary", 0)  # (absent before this counter existed)
    extracted = report.articles - fallbacks
    print(f"CPU per stored article during the cycle: this process {1000 * cpu / stored:.1f}"
          f" ms (fetch, parse, dedup, cluster, store), the news server"
          f" {1000 * server_cpu / stored:.1f} ms")
    return (extracted / (total - writing), writing, stored, fallbacks,
            report.page_errors + report.feed_errors)


class _ErrorCounter(logging.Handler):
    """Counts the page and feed errors the pipeline logs, by message."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name.startswith("storywire.pipeline") and ": " in message:
            self.counts[re.sub(r"\d+", "N", message.rsplit(": ", 1)[1])[:90]] += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                    help="extraction worker processes (the pipeline's automatic setting)")
    ap.add_argument("--concurrency", type=int, default=16,
                    help="requests in flight (fetch_concurrency; its default is 16)")
    args = ap.parse_args()
    data = os.environ.get("STORYWIRE_DATA")
    if not data:
        print("set STORYWIRE_DATA to the shared data folder", file=sys.stderr)
        return 2
    corpus = Path(data) / "corpus" / "allsides-article-bias"
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(corpus), str(args.feeds),
                               str(args.pages)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None
        base, feeds = server.stdout.readline().split()
        nfeeds = int(feeds)
        print(f"{nfeeds} feeds, {args.pages} article pages on {base}; "
              f"{args.workers} extraction workers; {args.concurrency} requests in flight; "
              f"{os.cpu_count()} cores\n")
        with tempfile.TemporaryDirectory() as tmp:
            rate, writing, stored, fallbacks, errors = full_path(
                Path(tmp) / "sw.db", base, nfeeds, args.pages, args.workers, args.concurrency,
                server.pid)
            peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            urls = _page_urls(Path(tmp) / "sw.db")
        with httpx.Client() as client:
            pages = []
            for path in urls:
                resp = client.get(base + path)
                pages.append((resp.content, base + path, resp.headers.get("content-type", "")))
        base_rate, extract_cpu = extraction_only(pages, args.workers)
        print(f"CPU per page of extraction alone: {1000 * extract_cpu:.1f} ms")
        # The pipeline's workers are forkserver children, not ours; the baseline pool's
        # workers (same pages, same code) are, and have been waited for by now.
        peak_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    print(f"{'path':<44} {'articles/s':>10}")
    print(f"{'extraction only (same pages, same workers)':<44} {base_rate:10.1f}")
    print(f"{'fetch + extract + store (one poll cycle)':<44} {rate:10.1f}")
    print(f"\nfull path / extraction only: {rate / base_rate:.0%} (target >= 80%)")
    print(f"stored {stored} articles ({fallbacks} from feed summaries, not counted in the "
          f"rate), {errors} page/feed errors;\nstory writing after the cycle took "
          f"{writing:.1f} s (not counted)")
    print(f"peak memory: main process {peak_main:.0f} MiB (during the cycle), largest "
          f"extraction worker {peak_worker:.0f} MiB (target < 1024 MiB)")
    return 0


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _page_urls(db: Path) -> list[str]:
    import sqlite3
    from urllib.parse import urlsplit

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url FROM articles ORDER BY id").fetchall()
    return [urlsplit(r[0]).path for r in rows]


if __name__ == "__main__":
    sys.exit(main())
