"""Ingest throughput: fetch + extract + store from a local news site, beside extraction alone.

    python -m bench.ingest_speed [--pages N] [--feeds F] [--workers W]
                                 [--template real|minimal|both] [--minimal-pages M]

A server process on 127.0.0.1 serves F feeds over N article pages built from the
AllSides corpus (tests/support/newsserver.py, ``allsides_site``). This process then runs one
poll cycle of the real pipeline over those feeds into a fresh SQLite file: feed fetch +
parse, page fetch (robots.txt included), extraction in W worker processes (with the
content hash, MinHash signature and clustering term counts), dedup, storing (SQLite +
FTS5) and clustering. Story writing is not part of ingest and is skipped.

The baseline, in the same run, is the extraction alone on the same page bytes (already
fetched, same W worker processes, chunks of 8 pages): what the machine can extract.
Target: full path >= 80% of that rate, peak memory < 1 GiB.

Two page regimes (``--template``; the default ``both`` runs real, then minimal):

- **real** (the one that matters): each corpus article is placed into one of the 180
  usable real news pages of ``extraction/article-extraction-benchmark`` (round-robin;
  tests/support/realpages.py): the real page's head, navigation, scripts, sidebars and footer
  stay, its own article text is removed, and its title/h1/description metadata are the
  corpus article's. Pages are 20-400 KB (the median is printed) and extraction costs
  what it costs on real sites. The token F1 of the extracted text against the corpus
  text is printed, to show that the extractor finds the corpus text.
- **minimal**: the corpus article in a ~5 KB page (``newsserver.article_html``).
  Extraction is then ~6x cheaper per page than on real pages, so the fixed per-article
  cost of the main process (HTTP, SQLite, clustering) weighs far more; this regime
  shows that overhead plainly. It runs on ``--minimal-pages`` pages (default: the same
  as ``--pages``) to keep the whole bench short when asked.

CPU per article is read from getrusage, /proc and per-thread clocks, so it does not
depend on the machine's load, unlike the rates (on a shared machine the baseline and
the cycle run minutes apart under different load, and the measured ratio swings by
+-20 points). The ratio is therefore also printed from CPU alone: extraction CPU per
page / (main + workers + news server CPU per article), what the full path reaches when
both are CPU-bound on the same cores. Of the CPU: the main process is split into
clustering (assign, add, merges), dedup + store (hash and LSH lookups, SQLite with the
FTS5 trigger) and the rest (HTTP client, feed parsing, event loop, hand-off to the
workers). Peak memory: this process during the cycle (VmHWM, reset before each regime)
and the largest of the pipeline's own extraction workers; with ``both``, each regime
runs in a fresh process, so neither inherits the other's memory.

Every request goes to one host (127.0.0.1), so the per-host limit is raised to the
overall limit (--concurrency, default 16 as in the settings) here; a real instance
spreads feeds over many hosts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx

from storywire import Pipeline, Settings, Store, load_settings
from storywire.cluster import EngineConfig, OnlineClusterer, StoryEngine
from storywire.errors import ExtractError
from storywire.extract import extract_page
from storywire.models import FeedInfo
from storywire.workers import Extractor

from tests.support.newsserver import allsides_site  # the test fixture site, for the truth

ROOT = Path(__file__).resolve().parent.parent  # the news server runs as a module from here
_TOKEN = re.compile(r"\w+", re.UNICODE)


def _extract(args: tuple[str, int, int, str, str]) -> str:
    path, offset, size, url, ctype = args
    with open(path, "rb") as f:  # pages wait in a file (10k real pages are ~1 GB)
        f.seek(offset)
        body = f.read(size)
    try:  # the same call the pipeline makes (feed kind "news", the page's Content-Type)
        return extract_page(body, url, "news", ctype).text
    except ExtractError:
        return ""


def _peak_rss_of(pids: list[int]) -> float:
    """The largest VmHWM (peak resident set) of these processes, in MiB."""
    peak = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def extraction_only(
    jobs: list[tuple[str, int, int, str, str]], workers: int
) -> tuple[float, float, float, list[str]]:
    """Extraction alone: already-fetched bytes, ``workers`` processes kept busy (chunks of
    8 pages per task, so the rate has no per-page dispatch overhead): the ceiling.
    Returns (pages/s, CPU s per page, peak worker MiB, texts)."""
    before = _children_cpu()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_extract, jobs[:workers]))  # start the workers before timing
        start = time.perf_counter()
        texts = list(pool.map(_extract, jobs, chunksize=8))
        rate = len(jobs) / (time.perf_counter() - start)
        peak = _peak_rss_of(list(pool._processes))  # type: ignore[attr-defined]
    # CPU of the workers (reaped at shutdown), the warm-up pages included: per page.
    return rate, (_children_cpu() - before) / (len(jobs) + workers), peak, texts


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    """Main-thread CPU spent in parts of the pipeline (thread_time: other threads' CPU,
    e.g. feed parsing in a thread, is not counted here)."""

    def __init__(self) -> None:
        self.spent: Counter[str] = Counter()

    @contextlib.contextmanager
    def part(self, name: str) -> Iterator[None]:
        t = time.thread_time()
        try:
            yield
        finally:
            self.spent[name] += time.thread_time() - t


def timed_engine(store: Store, settings: Settings, clock: _Clock) -> StoryEngine:
    """The pipeline's story engine with its CPU counted: all of ``add`` (dedup, store,
    cluster) as "add_article", the clusterer's own calls as "cluster"."""

    class Clusterer(OnlineClusterer):
        def assign(self, *a, **k):
            with clock.part("cluster"):
                return super().assign(*a, **k)

        def add(self, *a, **k):
            with clock.part("cluster"):
                return super().add(*a, **k)

        def merge_similar(self, *a, **k):
            with clock.part("cluster"):
                return super().merge_similar(*a, **k)

        def forget_before(self, *a, **k):
            with clock.part("cluster"):
                return super().forget_before(*a, **k)

    class Engine(StoryEngine):
        def add(self, *a, **k):
            with clock.part("add_article"):
                return super().add(*a, **k)

    config = EngineConfig.from_settings(settings)
    clusterer = Clusterer(
        window=config.window, threshold=config.threshold, max_span=config.max_span
    )
    return Engine(store, config, clusterer=clusterer)


def recording_extractor(seen: dict[int, float]) -> type[Extractor]:
    """An Extractor that notes its workers' CPU (pid -> s) and peak memory (-pid -> MiB)
    as the cycle's pool closes."""

    class Recording(Extractor):
        def close(self) -> None:
            pool = self._pool
            for pid in list(getattr(pool, "_processes", None) or {}):
                seen[pid] = _cpu_of(pid)
                seen[-pid] = _peak_rss_of([pid])
            # The fork server (started in this cycle) imported the worker code once.
            from multiprocessing import forkserver

            server = getattr(forkserver._forkserver, "_forkserver_pid", None)
            if server:
                seen[server] = _cpu_of(server)
            super().close()

    return Recording


def full_path(
    db: Path, base: str, feeds: int, pages: int, workers: int, concurrency: int, server_pid: int
) -> dict[str, float]:
    store = Store(db)
    store.migrate()
    store.add_feeds(
        [FeedInfo(url=f"{base}/feeds/{n}.xml", outlet=f"Feed {n}") for n in range(feeds)]
    )
    settings = load_settings(
        db=db,
        extract_processes=workers,
        fetch_concurrency=concurrency,
        per_host_concurrency=concurrency,
        allow_private_addresses=True,
        max_entries_per_feed=-(-pages // feeds) + 1,
    )
    clock = _Clock()
    workers_seen: dict[int, float] = {}  # pid -> CPU s, read as the cycle's pool closes
    pipeline = Pipeline(
        store,
        settings,
        engine=timed_engine(store, settings, clock),
        extractor=recording_extractor(workers_seen),
    )
    pipeline.prime()
    errors = _ErrorCounter()
    logging.getLogger("storywire").addHandler(errors)
    logging.getLogger("storywire").setLevel(logging.INFO)
    start, cpu, server_cpu = time.perf_counter(), time.process_time(), _cpu_of(server_pid)
    try:
        report = asyncio.run(pipeline.poll_once(write=False))  # story writing is not ingest
    finally:
        logging.getLogger("storywire").removeHandler(errors)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    server_cpu = _cpu_of(server_pid) - server_cpu
    stored = store.article_count()
    store.close()
    for message, count in errors.counts.most_common(5):
        print(f"  {count} x {message}")
    # Only articles extracted from their page count: a summary fallback skipped the work.
    extracted = report.articles - report.from_summary
    n = max(stored, 1)
    cluster = clock.spent["cluster"]
    return {
        "rate": extracted / total,
        "stored": stored,
        "fallbacks": report.from_summary,
        "errors": report.page_errors + report.feed_errors,
        "seconds": total,
        "main": cpu / n,
        "cluster": cluster / n,
        "store": (clock.spent["add_article"] - cluster) / n,
        "rest": (cpu - clock.spent["add_article"]) / n,
        "server": server_cpu / n,
        "workers": sum(v for k, v in workers_seen.items() if k > 0) / n,
        "worker_peak": max([v for k, v in workers_seen.items() if k < 0], default=0.0),
    }


class _ErrorCounter(logging.Handler):
    """Counts the page and feed errors the pipeline logs, by message."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.name.startswith("storywire.pipeline") and ": " in message:
            self.counts[re.sub(r"\d+", "N", message.rsplit(": ", 1)[1])[:90]] += 1


def _f1(pred: str, truth: str) -> float:
    p, t = Counter(_TOKEN.findall(pred.casefold())), Counter(_TOKEN.findall(truth.casefold()))
    shared = sum((p & t).values())
    return 2 * shared / (sum(p.values()) + sum(t.values())) if shared else 0.0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # Linux: "5" resets this process's VmHWM
        Path("/proc/self/clear_refs").write_text("5")


def regime(template: str, pages: int, args: argparse.Namespace, data: Path) -> dict[str, float]:
    corpus = data / "corpus" / "allsides-article-bias"
    command = [sys.executable, "-m", "tests.support.serve_allsides", str(corpus)]
    command += [str(args.feeds), str(pages)]
    if template == "real":
        command.append(str(data / "extraction" / "article-extraction-benchmark"))
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base, feeds, templates = server.stdout.readline().split()
        nfeeds = int(feeds)
        print(
            f"[{template}] {nfeeds} feeds, {pages} article pages on {base}"
            + (f" ({templates} real page templates)" if template == "real" else ""),
            flush=True,
        )
        _reset_peak()
        with tempfile.TemporaryDirectory() as tmp:
            out = full_path(
                Path(tmp) / "sw.db", base, nfeeds, pages, args.workers, args.concurrency, server.pid
            )
            out["peak_main"] = _peak_rss_of([os.getpid()])
            urls = _page_urls(Path(tmp) / "sw.db")
            jobs, sizes = [], []
            bodies = Path(tmp) / "pages.bin"
            with httpx.Client() as client, bodies.open("wb") as f:
                for path in urls:
                    resp = client.get(base + path)
                    jobs.append(
                        (
                            str(bodies),
                            f.tell(),
                            len(resp.content),
                            base + path,
                            resp.headers.get("content-type", ""),
                        )
                    )
                    sizes.append(len(resp.content))
                    f.write(resp.content)
            rate, cpu, peak, texts = extraction_only(jobs, args.workers)
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=30)
    truth = allsides_site(corpus, feeds=args.feeds, articles=pages).articles
    f1 = [_f1(text, "\n".join(truth[p].paragraphs)) for p, text in zip(urls, texts, strict=True)]
    out.update(
        base_rate=rate,
        extract_cpu=cpu,
        baseline_peak=peak,
        kb=statistics.median(sizes) / 1024,
        f1_mean=statistics.mean(f1),
        f1_median=statistics.median(f1),
        f1_low=sum(x < 0.8 for x in f1) / len(f1),
    )
    return out


def report(results: dict[str, dict[str, float]]) -> None:
    names = list(results)
    rows: list[tuple[str, str, str]] = [
        ("page size, median (KB)", "kb", "{:.1f}"),
        ("extraction only (articles/s; same pages, same workers)", "base_rate", "{:.1f}"),
        ("fetch + extract + store, one poll cycle (articles/s)", "rate", "{:.1f}"),
        ("full path / extraction only (target >= 80%)", "ratio", "{:.0%}"),
        ("  same from CPU per article (load-independent)", "cpu_ratio", "{:.0%}"),
        ("CPU per article, main process (ms)", "main", "{:.2f}"),
        ("  clustering (assign, add, merges)", "cluster", "{:.2f}"),
        ("  dedup + store (SQLite, FTS5)", "store", "{:.2f}"),
        ("  rest: HTTP, feed parsing, event loop", "rest", "{:.2f}"),
        ("CPU per article, pipeline's workers + fork server", "workers", "{:.2f}"),
        ("CPU per article, the news server (not storywire)", "server", "{:.2f}"),
        ("CPU per page, extraction alone (ms)", "extract_cpu", "{:.2f}"),
        ("extracted vs corpus text, token F1 mean", "f1_mean", "{:.3f}"),
        ("  median / share of pages under 0.8", "f1_median", "{:.3f}"),
        ("stored articles (from feed summaries)", "stored", "{:.0f}"),
        ("page/feed errors", "errors", "{:.0f}"),
        ("peak memory, main process (MiB)", "peak_main", "{:.0f}"),
        ("peak memory, largest pipeline worker (MiB)", "worker_peak", "{:.0f}"),
        ("peak memory, largest baseline worker (MiB)", "baseline_peak", "{:.0f}"),
    ]
    print(f"\n{'':56}" + "".join(f"{n + ' pages':>16}" for n in names))
    for label, key, fmt in rows:
        cells = []
        for n in names:
            r = results[n]
            ms = (
                1000
                if key in ("main", "cluster", "store", "rest", "workers", "server", "extract_cpu")
                else 1
            )
            if key == "ratio":
                value = r["rate"] / r["base_rate"]
            elif key == "cpu_ratio":  # extraction CPU / all CPU the full path needs
                value = r["extract_cpu"] / (r["main"] + r["workers"] + r["server"])
            else:
                value = r[key] * ms
            cell = fmt.format(value)
            if key == "f1_median":
                cell += f" / {r['f1_low']:.0%}"
            if key == "stored":
                cell += f" ({r['fallbacks']:.0f})"
            cells.append(f"{cell:>16}")
        print(f"{label:<56}" + "".join(cells))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="extraction worker processes (the pipeline's automatic setting)",
    )
    ap.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="requests in flight (fetch_concurrency; its default is 16)",
    )
    ap.add_argument(
        "--template",
        choices=("real", "minimal", "both"),
        default="both",
        help="page regime: real news pages (default first), minimal, or both",
    )
    ap.add_argument(
        "--minimal-pages",
        type=int,
        default=None,
        help="pages of the minimal regime (default: --pages)",
    )
    ap.add_argument("--json", help=argparse.SUPPRESS)  # one regime's results, for "both"
    args = ap.parse_args()
    data = os.environ.get("STORYWIRE_DATA")
    if not data:
        print("set STORYWIRE_DATA to the shared data folder", file=sys.stderr)
        return 2
    if not args.json:
        print(
            f"{args.workers} extraction workers; {args.concurrency} requests in flight; "
            f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}"
        )
    results = {}
    began = time.perf_counter()
    for template in ("real", "minimal"):
        if args.template not in (template, "both"):
            continue
        pages = args.pages if template == "real" else (args.minimal_pages or args.pages)
        if args.template == "both":  # each regime in a fresh process: its own peak memory
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "result.json"
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.ingest_speed",
                        "--template",
                        template,
                        "--pages",
                        str(pages),
                        "--feeds",
                        str(args.feeds),
                        "--workers",
                        str(args.workers),
                        "--concurrency",
                        str(args.concurrency),
                        "--json",
                        str(out),
                    ],
                    check=True,
                    cwd=ROOT,
                )
                results[template] = json.loads(out.read_text())
        else:
            results[template] = regime(template, pages, args, Path(data))
    if args.json:
        Path(args.json).write_text(json.dumps(results[args.template]))
        return 0
    report(results)
    print(
        f"load average at the end {os.getloadavg()[0]:.1f} (rates depend on it; "
        f"CPU per article does not); the bench took {(time.perf_counter() - began) / 60:.1f}"
        " min"
    )
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
