"""Scale: the same store grown on SQLite and on PostgreSQL, side by side in one run.

    python -m bench.scale [--articles 3000] [--copies 10] [--seconds 5] [--connections 50]

Input: the newest ARTICLES AllSides articles ($STORYWIRE_DATA), imported with
`storywire import` in COPIES chunks, each chunk the same articles with dates shifted
past the previous chunk and URLs/ids altered (so a store of ARTICLES x COPIES).
Per database it prints the import rate of each chunk (flat when the store's size does
not slow the per-article path), the import process's peak memory, and, at the first and
the last size, requests/s and p50/p99 under wrk (50 connections) of the home page, story
pages, the API list and uncached search (a different query each request).
PostgreSQL: a throwaway server (tests/pgserver.py) unless --pg-url names one.
The SQLite run is the baseline in the same run: ratios are steadier than absolute
rates on a loaded machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bench.web_load import free_port, get_json, wrk
from tests.support.pgserver import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("corpus/allsides-article-bias/articles.jsonl.gz")
FIELDS = ["text=content_original", "outlet=source", "published=date", "id=ID"]
STORYWIRE = [sys.executable, "-m", "storywire", "--log-level", "WARNING"]
SEARCH_WORDS = [
    "trump",
    "senate",
    "court",
    "vote",
    "police",
    "storm",
    "china",
    "tax",
    "health",
    "border",
]


def base_articles(data: Path, n: int) -> tuple[list[dict], timedelta]:
    rows = []
    with gzip.open(data / CORPUS, "rt") as fh:
        for line in fh:
            row = json.loads(line)
            if len(row.get("date") or "") == 10 and row["date"][4] == "-":
                rows.append(row)
    rows.sort(key=lambda r: r["date"])
    rows = rows[-n:]  # the newest: the densest stretch of the corpus
    first, last = (datetime.fromisoformat(rows[i]["date"][:10]) for i in (0, -1))
    return rows, (last - first) + timedelta(days=30)


def write_copy(rows: list[dict], shift: timedelta, k: int, path: Path) -> None:
    with gzip.open(path, "wt") as fh:
        for row in rows:
            day = datetime.fromisoformat(row["date"][:10]) + shift * k
            copy = {**row, "date": day.strftime("%Y-%m-%d") + row["date"][10:]}
            copy["ID"] = f"{row['ID']}-{k}"
            if copy.get("url"):
                copy["url"] = f"{row['url']}?copy={k}"
            fh.write(json.dumps(copy) + "\n")


def target_args(target: str) -> tuple[list[str], dict[str, str]]:
    if "://" in target:
        return [], {**os.environ, "STORYWIRE_DATABASE_URL": target}
    return ["--db", target], {**os.environ, "STORYWIRE_DATABASE_URL": ""}


def import_chunk(target: str, path: Path) -> tuple[float, float]:
    """Seconds to import ``path``, and the peak memory (MiB) of any import so far."""
    args, env = target_args(target)
    cmd = [*STORYWIRE, *args, "import", str(path)]
    for field in FIELDS:
        cmd += ["--field", field]
    started = time.monotonic()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    took = time.monotonic() - started
    return took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def serve(target: str) -> tuple[subprocess.Popen, str]:
    args, env = target_args(target)
    port = free_port()
    proc = subprocess.Popen(
        [*STORYWIRE, *args, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            get_json(base + "/healthz")
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit("server did not start")


def web(target: str, seconds: float, connections: int) -> dict[str, dict[str, float]]:
    proc, base = serve(target)
    try:
        ids = [s["id"] for s in get_json(base + "/api/v1/stories?limit=200&range=all")["stories"]]
        # Uncached search: a different query for each request of the rotation.
        queries = [f"/api/v1/search?q={a}+{b}" for a in SEARCH_WORDS for b in SEARCH_WORDS]
        routes = {
            "home": ["/"],
            "story": [f"/stories/{i}" for i in ids],
            "api list": ["/api/v1/stories"],
            "search": queries,
        }
        out = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name, paths in routes.items():
                wrk(base, paths, min(2.0, seconds), connections, 1, Path(tmp))  # warm-up
                out[name] = wrk(base, paths, seconds, connections, 1, Path(tmp))
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_database(name: str, target: str, chunks: list[Path], n: int, args) -> None:
    print(f"\n== {name}: import {len(chunks)} x {n:,} articles", flush=True)
    results = {}
    for k, chunk in enumerate(chunks):
        took, peak = import_chunk(target, chunk)
        print(
            f"chunk {k + 1:3d}: store {n * (k + 1):8,} articles, {n / took:7.0f} articles/s,"
            f" import peak RSS so far {peak:6.0f} MiB",
            flush=True,
        )
        if k in (0, len(chunks) - 1):
            results[n * (k + 1)] = web(target, args.seconds, args.connections)
    print(f"\n{name}: {'articles':>9} {'route':9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for size, routes in results.items():
        for route, r in routes.items():
            errors = int(r["non2xx"] + r["timeouts"])
            flag = f"  ({errors} errors)" if errors else ""
            print(
                f"{name}: {size:9,} {route:9} {r['rps']:7.0f} {r['p50']:7.1f}"
                f" {r['p99']:7.1f}{flag}",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=3000, help="articles per chunk")
    ap.add_argument("--copies", type=int, default=10, help="chunks (store = articles x copies)")
    ap.add_argument("--seconds", type=float, default=5.0, help="wrk seconds per route")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--pg-url", default="", help="a PostgreSQL server to use (admin URL)")
    ap.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    ap.add_argument(
        "--ingest-pages",
        type=int,
        default=600,
        help="real pages for the ingest section (one-process SQLite vs 1 and 2 Celery"
        " workers on PostgreSQL, bench/scale_ingest.py); 0 skips it",
    )
    args = ap.parse_args()
    data = Path(os.environ.get("STORYWIRE_DATA", ROOT.parent / "shared" / "data"))
    if not (data / CORPUS).exists():
        sys.exit(f"{data / CORPUS} not found: set STORYWIRE_DATA")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    rows, shift = base_articles(data, args.articles)
    print(
        f"{len(rows):,} AllSides articles x {args.copies} copies; wrk {args.connections}"
        f" connections, {args.seconds:g} s per route; machine shared with other work"
    )
    with tempfile.TemporaryDirectory() as tmp:
        chunks = []
        for k in range(args.copies):
            chunks.append(Path(tmp) / f"chunk{k}.jsonl.gz")
            write_copy(rows, shift, k, chunks[-1])
        if args.only != "postgresql":
            run_database("sqlite", str(Path(tmp) / "scale.db"), chunks, len(rows), args)
        if args.only != "sqlite":
            server = PostgresServer(args.pg_url or None)
            try:
                run_database("postgresql", server.create_database(), chunks, len(rows), args)
            finally:
                server.stop()

    if args.ingest_pages:
        from bench import scale_ingest  # its own section: workers beside the store's scale

        scale_ingest.run(data, args.ingest_pages, max(1, args.ingest_pages // 10))


if __name__ == "__main__":
    main()
