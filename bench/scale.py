"""Scale: the same store grown on SQLite and on PostgreSQL, side by side in one run.

    python -m bench.scale [--articles 300000] [--chunk 30000] [--import-all]
                          [--seconds 5] [--connections 50] [--only sqlite|postgresql]
                          [--workers N] [--keep DIR]
    python -m bench.scale --measure STORE [--measure STORE] [--routes search,story]
                          [--workers N] [--seconds 10]

--keep DIR keeps what the run built: the SQLite store as DIR/scale.db and the
PostgreSQL server running (its URL and stop command printed). --measure STORE (a
SQLite file or a postgresql:// database URL; repeatable) only measures the web routes
of stores already built, at their size: the 300k measurement again in minutes instead
of the whole run. --workers N: `storywire serve --workers N` (N processes; the CPU
figures are the sum over them).

Input: the newest CHUNK AllSides articles ($STORYWIRE_DATA) with a date not in the
future, as ARTICLES / CHUNK copies, each copy the same articles with dates shifted by the
corpus' span (+30 days) per copy, ids and URLs altered and a copy mark appended to the
text (so no copy is an exact duplicate of another: a duplicate skips clustering). The
copies are in time order, the last one on the corpus' own dates.

Per database:
  1. the first copy imported with `storywire import` (an empty store): articles/s and
     the import process's peak RSS;
  2. the web routes at that size: requests/s, p50 and p99 under wrk (CONNECTIONS
     connections, `storywire serve --workers WORKERS`) of the home page, story pages, the API
     list and uncached search (a different query for each request of a rotation of 400);
  3. the middle copies: by default written straight into the tables (the first copy's
     rows with shifted dates and ids, remapped story versions; the search triggers fill
     the indexes), which takes minutes instead of hours on a small machine; with
     --import-all each one is imported like the first;
  4. the last copy imported with `storywire import` into the store of ARTICLES - CHUNK:
     its articles/s against the first copy's is the flatness of the per-article path;
  5. the web routes again at ARTICLES.
PostgreSQL: a throwaway server (tests/support/pgserver.py, fsync off, shared_buffers
512 MB) unless --pg-url names one. The SQLite run is the baseline in the same run:
ratios are steadier than absolute rates on a loaded machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
    "house",
    "iran",
    "economy",
    "fire",
    "school",
    "war",
    "climate",
    "judge",
    "oil",
    "gun",
]
PG_OPTIONS = "-c shared_buffers=512MB -c work_mem=16MB"


# -- input ---------------------------------------------------------------------------------


EARLIEST = datetime(1991, 1, 1)  # storywire refuses dates before 1990
GAP = timedelta(days=30)  # between one copy's last date and the next copy's first


@dataclass(frozen=True)
class Timing:
    """Where copy ``k`` of ``copies`` lies in time: the corpus' dates, squeezed by
    ``factor`` when the copies would not otherwise fit between 1991 and yesterday, moved
    so the last copy ends yesterday and each earlier one a ``shift`` before."""

    first: datetime  # the corpus' first date
    factor: float
    shift: timedelta
    last_start: datetime  # where the last copy's first date goes
    copies: int

    def date(self, day: datetime, k: int) -> datetime:
        start = self.last_start - self.shift * (self.copies - 1 - k)
        return start + (day - self.first) * self.factor


def base_articles(data: Path, n: int) -> list[dict]:
    """The newest ``n`` dated corpus lines (none in the future), oldest first."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    rows = []
    with gzip.open(data / CORPUS, "rt") as fh:
        for line in fh:
            row = json.loads(line)
            date = row.get("date") or ""
            if len(date) == 10 and date[4] == "-" and date <= today:
                rows.append(row)
    rows.sort(key=lambda r: r["date"])
    return rows[-n:]  # the newest: the densest stretch of the corpus


def timing(rows: list[dict], copies: int) -> Timing:
    first, last = (datetime.fromisoformat(rows[i]["date"][:10]) for i in (0, -1))
    span = last - first + timedelta(days=1)
    yesterday = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    room = yesterday - EARLIEST - GAP * (copies - 1)
    factor = min(1.0, room / (span * copies))
    return Timing(first, factor, span * factor + GAP, yesterday - span * factor, copies)


def copy_mark(k: int) -> str:
    """Appended to an article's text in copy ``k`` (> 0): a new content hash."""
    return f" [copy {k}]" if k else ""


def write_copy(rows: list[dict], when: Timing, k: int, path: Path) -> None:
    """Copy ``k`` as a corpus file."""
    with gzip.open(path, "wt") as fh:
        for row in rows:
            day = when.date(datetime.fromisoformat(row["date"][:10]), k)
            copy = {**row, "date": day.strftime("%Y-%m-%dT%H:%M:%SZ")}
            copy["ID"] = f"{row['ID']}-{k}"
            copy["content_original"] = (row.get("content_original") or "") + copy_mark(k)
            if copy.get("url"):
                copy["url"] = f"{row['url']}?copy={k}"
            fh.write(json.dumps(copy) + "\n")


# -- importing and growing -----------------------------------------------------------------


def target_args(target: str) -> tuple[list[str], dict[str, str]]:
    if "://" in target:
        return [], {**os.environ, "STORYWIRE_DATABASE_URL": target}
    return ["--db", target], {**os.environ, "STORYWIRE_DATABASE_URL": ""}


def import_chunk(target: str, path: Path, db_pid: int | None = None) -> tuple[float, float, float]:
    """Seconds to import ``path`` with `storywire import`, its peak memory (MiB, see
    ``tree_rss_kib``) and the CPU seconds it used (user + system), with ``db_pid`` the
    database server's too: CPU per article is the flatness figure that holds on a loaded
    machine."""
    args, env = target_args(target)
    db_before = tree_cpu_seconds(db_pid) if db_pid else 0.0
    cmd = [*STORYWIRE, *args, "import", str(path)]
    for field in FIELDS:
        cmd += ["--field", field]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    peak = 0
    while True:  # wait4, not poll(): poll reaps the child and its rusage with it
        done, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if done:
            break
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(0.5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):  # 3: some lines were skipped
        sys.exit(f"import of {path} failed ({proc.returncode})")
    cpu = usage.ru_utime + usage.ru_stime
    if db_pid:
        cpu += tree_cpu_seconds(db_pid) - db_before
    return time.monotonic() - started, peak / 1024, cpu


def _proc_stats() -> dict[int, list[str]]:
    """Every live process's /proc/PID/stat fields after the command name, by pid."""
    stats: dict[int, list[str]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            continue
    return stats


def _descendants(pid: int, stats: dict[int, list[str]]) -> set[int]:
    """``pid`` and its live descendants (``stats`` from _proc_stats)."""
    tree, grown = {pid}, True
    while grown:
        found = {p for p, fields in stats.items() if int(fields[1]) in tree} - tree
        tree |= found
        grown = bool(found)
    return tree


def tree_rss_kib(pid: int) -> int:
    """Resident KiB now of a process and its live descendants, or the process's own
    high-water mark (VmHWM) when larger; sampled while the import runs. Not wait4's
    ru_maxrss: Linux carries that across fork + exec, so it reported this bench
    process's own size once it held the copies (1,435 MiB for an 877 MiB import)."""
    total = own_peak = 0
    for p in _descendants(pid, _proc_stats()):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
            elif line.startswith("VmHWM:") and p == pid:
                own_peak = int(line.split()[1])
    return max(total, own_peak)


def _shift_iso(value: str | None, delta: timedelta) -> str | None:
    if not value:
        return value
    moved = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") + delta
    return moved.strftime("%Y-%m-%dT%H:%M:%SZ")


def _remap_version(row: dict[str, Any], a_off: int, s_off: int, k: int) -> dict[str, Any]:
    def sentences(raw: str) -> str:
        return json.dumps(
            [{**s, "sources": [i + a_off for i in s["sources"]]} for s in json.loads(raw)]
        )

    opinions = [
        {
            **o,
            "article_id": o["article_id"] + a_off,
            "url": o["url"].replace("?copy=0", f"?copy={k}"),
        }
        for o in json.loads(row["opinions"])
    ]
    changes = json.loads(row["changes"])
    for key in ("new_articles", "new_opinions"):
        changes[key] = [i + a_off for i in changes.get(key, [])]
    return {
        **row,
        "story_id": row["story_id"] + s_off,
        "highlights": sentences(row["highlights"]),
        "body": sentences(row["body"]),
        "opinions": json.dumps(opinions),
        "changes": json.dumps(changes),
        "article_ids": json.dumps([i + a_off for i in json.loads(row["article_ids"])]),
    }


def first_ids(target: str) -> tuple[int, int]:
    """The largest article and story ids of the store (the first copy's)."""
    from sqlalchemy import text

    from storywire.store import Store

    store = Store(target)
    try:
        with store.engine.connect() as conn:
            a = conn.execute(text("SELECT max(id) FROM articles")).scalar_one()
            s = conn.execute(text("SELECT max(id) FROM stories")).scalar_one()
        return int(a), int(s)
    finally:
        store.close()


def grow(target: str, copies: range, shift: timedelta, base: tuple[int, int]) -> float:
    """Write copies of the store's rows (the first copy's) straight into its tables, one
    transaction per copy: copy ``k`` moved ``k`` shifts later, ids offset, URLs, ids and
    texts altered as ``write_copy`` does, story versions pointing at the copied articles.
    The search indexes are filled by their triggers. Returns seconds taken."""
    from sqlalchemy import text

    from storywire.dedup import content_hash
    from storywire.store import Store

    started = time.monotonic()
    store = Store(target)
    try:
        with store.engine.connect() as conn:
            pg = conn.dialect.name == "postgresql"

            def rows(sql: str) -> list[dict[str, Any]]:
                return [dict(r._mapping) for r in conn.execute(text(sql))]

            a_step, s_step = base
            articles = rows(f"SELECT * FROM articles WHERE id <= {a_step} ORDER BY id")
            stories = rows(f"SELECT * FROM stories WHERE id <= {s_step} ORDER BY id")
            versions = rows(
                f"SELECT * FROM story_versions WHERE story_id <= {s_step}"
                " ORDER BY story_id, version"
            )
            links = rows(f"SELECT earlier, later, score FROM story_links WHERE later <= {s_step}")
            conn.rollback()
            for a in articles:
                a.pop("search", None)  # PostgreSQL's generated tsvector
            for k in copies:
                a_off, s_off, delta = a_step * k, s_step * k, shift * k
                new_articles = []
                for a in articles:
                    body = a["text"] + copy_mark(k)
                    url = a["url"]
                    new_articles.append(
                        {
                            **a,
                            "id": a["id"] + a_off,
                            "url": url.replace("?copy=0", f"?copy={k}")
                            if "?copy=0" in url
                            else f"{url}#copy{k}",
                            "external_id": a["external_id"].removesuffix("-0") + f"-{k}",
                            "published_at": _shift_iso(a["published_at"], delta),
                            "text": body,
                            "content_hash": content_hash(a["title"], body),
                            "duplicate_of": a["duplicate_of"] and a["duplicate_of"] + a_off,
                            "story_id": a["story_id"] and a["story_id"] + s_off,
                        }
                    )
                new_stories = [
                    {
                        **s,
                        "id": s["id"] + s_off,
                        "first_published": _shift_iso(s["first_published"], delta),
                        "last_published": _shift_iso(s["last_published"], delta),
                        "merged_into": None,  # set once every story of the copy exists
                    }
                    for s in stories
                ]
                merged = [
                    {"id": s["id"] + s_off, "m": s["merged_into"] + s_off}
                    for s in stories
                    if s["merged_into"]
                ]
                _insert(conn, "stories", new_stories)
                if merged:
                    conn.execute(text("UPDATE stories SET merged_into = :m WHERE id = :id"), merged)
                _insert(conn, "articles", new_articles)
                _insert(
                    conn, "story_versions", [_remap_version(v, a_off, s_off, k) for v in versions]
                )
                moved = [
                    {
                        "earlier": x["earlier"] + s_off,
                        "later": x["later"] + s_off,
                        "score": x["score"],
                    }
                    for x in links
                ]
                _insert(conn, "story_links", moved)
                conn.commit()
            if pg:  # identity columns: continue after the copied ids
                for table in ("articles", "stories", "story_links"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                            f" (SELECT coalesce(max(id), 1) FROM {table}))"
                        )
                    )
            conn.execute(text("ANALYZE"))
            conn.commit()
    finally:
        store.close()
    return time.monotonic() - started


def _insert(conn: Any, table: str, items: list[dict[str, Any]]) -> None:
    from sqlalchemy import text

    if not items:
        return
    columns = list(items[0])
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"
    )
    for i in range(0, len(items), 2000):
        conn.execute(text(sql), items[i : i + 2000])


# -- the web ---------------------------------------------------------------------------------


def serve(target: str, workers: int = 1) -> tuple[subprocess.Popen, str]:
    args, env = target_args(target)
    port = free_port()
    proc = subprocess.Popen(
        [*STORYWIRE, *args, "serve", "--port", str(port), "--workers", str(workers)],
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process (and its waited-for children) used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and its live descendants, each with its exited children
    (PostgreSQL: the postmaster, its finished and its running backends; `serve
    --workers N`: the parent and its worker processes)."""
    stats = _proc_stats()
    tick = os.sysconf("SC_CLK_TCK")
    total = cpu_seconds(pid)
    for p in _descendants(pid, stats) - {pid}:
        total += sum(int(x) for x in stats[p][11:15]) / tick
    return total


def postmaster_pid(server: PostgresServer) -> int | None:
    if server.folder is None:
        return None
    return int((server.folder / "data" / "postmaster.pid").read_text().split()[0])


def web(
    target: str,
    seconds: float,
    connections: int,
    routes: list[str] | None = None,
    db_pid: int | None = None,
    workers: int = 1,
) -> dict[str, dict[str, float]]:
    """Per route: wrk's req/s, p50, p99 and errors, the server's CPU ms per answered
    request (user + system of the `serve` process and its ``workers`` worker processes:
    steadier than req/s on a loaded machine), with ``db_pid`` the database server's too
    (PostgreSQL), and the load average at the end."""
    proc, base = serve(target, workers)
    try:
        # The last 30 days' top stories (range=all ranks every story of the store: at
        # 300,000 articles it took longer than the 30 s timeout on a loaded machine).
        ids = [s["id"] for s in get_json(base + "/api/v1/stories?limit=200&range=30d")["stories"]]
        # Uncached search: a different query for each request of the rotation (400).
        queries = [f"/api/v1/search?q={a}+{b}" for a in SEARCH_WORDS for b in SEARCH_WORDS]
        paths = {
            "home": ["/"],
            "story": [f"/stories/{i}" for i in ids],
            "api list": ["/api/v1/stories"],
            "search": queries,
        }
        out = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name in routes or list(paths):
                wrk(base, paths[name], min(2.0, seconds), connections, 1, Path(tmp))  # warm-up
                cpu = tree_cpu_seconds(proc.pid)
                db = tree_cpu_seconds(db_pid) if db_pid else 0.0
                out[name] = wrk(base, paths[name], seconds, connections, 1, Path(tmp))
                done = max(1.0, out[name]["rps"] * seconds)
                out[name]["cpu_ms"] = (tree_cpu_seconds(proc.pid) - cpu) * 1000 / done
                if db_pid:
                    out[name]["db_cpu_ms"] = (tree_cpu_seconds(db_pid) - db) * 1000 / done
                out[name]["load"] = os.getloadavg()[0]
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- one database ----------------------------------------------------------------------------


def run_database(
    name: str,
    target: str,
    chunks: list[Path],
    n: int,
    shift: timedelta,
    args,
    db_pid: int | None = None,
) -> dict[str, Any]:
    copies = len(chunks)
    print(f"\n== {name}: {copies} copies x {n:,} articles", flush=True)
    out: dict[str, Any] = {"rates": {}, "rss": {}, "cpu": {}, "web": {}}

    def do_import(k: int) -> None:
        took, rss, cpu = import_chunk(target, chunks[k], db_pid)
        out["rates"][k] = n / took
        out["rss"][k] = rss
        out["cpu"][k] = cpu * 1000 / n
        print(
            f"{name}: copy {k + 1:3d} imported: store {n * (k + 1):8,} articles,"
            f" {n / took:6.0f} articles/s ({took:.0f} s), {cpu * 1000 / n:.2f} ms CPU per"
            f" article, import peak RSS {rss:5.0f} MiB, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )

    def do_web(size: int) -> None:
        out["web"][size] = web(
            target, args.seconds, args.connections, db_pid=db_pid, workers=args.workers
        )
        print_web(name, size, out["web"][size])

    do_import(0)
    base = first_ids(target)
    sizes = sorted({min(args.web_at, n * copies), n * copies})
    k = 1  # the next copy; the store holds n * k articles
    while k < copies:
        if n * k >= sizes[0] and sizes[0] not in out["web"]:
            do_web(sizes[0])
        if k == copies - 1 or args.import_all:
            do_import(k)
            k += 1
            continue
        stop = copies - 1 if n * k >= sizes[0] else min(copies - 1, max(k + 1, sizes[0] // n))
        took = grow(target, range(k, stop), shift, base)
        print(
            f"{name}: copies {k + 1}..{stop} written into the tables in {took:.0f} s:"
            f" store {n * stop:,} articles",
            flush=True,
        )
        k = stop
    for size in sizes:
        if size not in out["web"]:
            do_web(size)
    return out


def table(results: dict[str, dict[str, Any]], n: int, copies: int) -> None:
    """The side-by-side summary."""
    names = list(results)
    sizes = sorted({size for r in results.values() for size in r["web"]})
    print("\n" + f"{'':38}" + "".join(f"{x:>30}" for x in names))
    first, last = 0, copies - 1

    def row(label: str, cell) -> None:
        print(f"{label:38}" + "".join(f"{cell(results[x]):>30}" for x in names))

    row(f"import copy 1 (store 0 -> {n:,}), art/s", lambda r: f"{r['rates'][first]:.0f}")
    if copies > 1:
        row(
            f"import copy {copies} (-> {n * copies:,}), art/s",
            lambda r: f"{r['rates'][last]:.0f} ({r['rates'][last] / r['rates'][first]:.0%})",
        )
    row(
        f"import copy 1, CPU ms/article{' (+DB)' if 'postgresql' in names else ''}",
        lambda r: f"{r['cpu'][first]:.2f}",
    )
    if copies > 1:
        row(
            f"import copy {copies}, CPU ms/article",
            lambda r: f"{r['cpu'][last]:.2f} ({r['cpu'][last] / r['cpu'][first]:.0%})",
        )
    row("import peak RSS, MiB", lambda r: f"{max(r['rss'].values()):.0f}")
    for route in ("home", "story", "api list", "search"):
        for size in sizes:
            row(
                f"{route} at {size:,}: req/s (p50/p99 ms) CPU",
                lambda r, s=size, rt=route: (
                    f"{r['web'][s][rt]['rps']:.0f} ({r['web'][s][rt]['p50']:.0f}/"
                    f"{r['web'][s][rt]['p99']:.0f}) {r['web'][s][rt]['cpu_ms']:.1f}ms"
                ),
            )


def measure(args: argparse.Namespace) -> None:
    """The web routes of stores already built (``--measure``), at their size."""
    from sqlalchemy import text

    from storywire.store import Store

    routes = [r.strip() for r in args.routes.split(",") if r.strip()] or None
    print(
        f"wrk {args.connections} connections, {args.seconds:g} s per route,"
        f" {args.workers} serve process(es); {os.cpu_count()} cores,"
        f" load average {os.getloadavg()[0]:.1f} at the start"
    )
    for target in args.measure:
        store = Store(target)
        try:
            store.migrate()
            with store.engine.connect() as conn:
                size = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
                db_pid = None
                if store.path is None:  # the postmaster: its backends' CPU
                    folder = conn.execute(text("SHOW data_directory")).scalar_one()
                    pid_file = Path(folder) / "postmaster.pid"
                    db_pid = int(pid_file.read_text().split()[0]) if pid_file.exists() else None
        finally:
            store.close()
        name = "sqlite" if store.path is not None else "postgresql"
        result = web(target, args.seconds, args.connections, routes, db_pid, args.workers)
        print_web(name, size, result)


def print_web(name: str, size: int, result: dict[str, dict[str, float]]) -> None:
    """One line per route of a ``web`` measurement."""
    for route, r in result.items():
        print(
            f"{name}: {size:8,} articles {route:9} {r['rps']:7.0f} req/s"
            f"  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
            f"  server CPU {r['cpu_ms']:5.2f} ms/req"
            + (f" + database {r['db_cpu_ms']:5.2f}" if "db_cpu_ms" in r else "")
            + f"  errors {r['non2xx'] + r['timeouts']:.0f}  load {r['load']:.1f}",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=300_000, help="store size at the end")
    ap.add_argument("--chunk", type=int, default=30_000, help="articles per copy (<= 33,000)")
    ap.add_argument(
        "--import-all", action="store_true", help="import every copy (hours), not just two"
    )
    ap.add_argument(
        "--web-at", type=int, default=30_000, help="store size of the first web measurement"
    )
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
    ap.add_argument(
        "--workers", type=int, default=1, help="`storywire serve --workers N` processes"
    )
    ap.add_argument("--keep", type=Path, help="keep the stores built (see the module doc)")
    ap.add_argument(
        "--measure",
        action="append",
        default=[],
        metavar="STORE",
        help="only measure the web routes of this built store (SQLite file or URL)",
    )
    ap.add_argument(
        "--routes", default="", help="with --measure: routes, comma-separated (default all)"
    )
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    if args.measure:
        measure(args)
        return
    data = Path(os.environ.get("STORYWIRE_DATA", ROOT.parent / "shared" / "data"))
    if not (data / CORPUS).exists():
        sys.exit(f"{data / CORPUS} not found: set STORYWIRE_DATA")
    chunk = min(args.chunk, args.articles)
    rows = base_articles(data, chunk)
    copies = max(1, round(args.articles / len(rows)))
    when = timing(rows, copies)
    shift = when.shift
    print(
        f"{len(rows):,} AllSides articles x {copies} copies = {len(rows) * copies:,};"
        f" wrk {args.connections} connections, {args.seconds:g} s per route;"
        f" copies {shift.days} days apart, dates x {when.factor:.2f};"
        f" {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start"
    )
    started = time.monotonic()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        chunks = []
        for k in range(copies):
            if k in (0, copies - 1) or args.import_all:
                chunks.append(Path(tmp) / f"copy{k}.jsonl.gz")
                write_copy(rows, when, k, chunks[-1])
            else:
                chunks.append(Path(tmp) / "unused")
        if args.only != "postgresql":
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
            db = str((args.keep or Path(tmp)) / "scale.db")
            results["sqlite"] = run_database("sqlite", db, chunks, len(rows), shift, args)
        if args.only != "sqlite":
            server = PostgresServer(args.pg_url or None, options=PG_OPTIONS)
            try:
                url = server.create_database()
                results["postgresql"] = run_database(
                    "postgresql", url, chunks, len(rows), shift, args, postmaster_pid(server)
                )
            finally:
                if args.keep and server.folder is not None:
                    print(
                        f"kept: PostgreSQL store {url} (server folder {server.folder};"
                        f" stop: runuser -u postgres -- pg_ctl -D {server.folder}/data stop)"
                    )
                elif not args.keep:
                    server.stop()
        if args.keep and args.only != "postgresql":
            print(f"kept: SQLite store {args.keep / 'scale.db'}")
    table(results, len(rows), copies)
    print(f"\n{time.monotonic() - started:.0f} s in all; load average now {os.getloadavg()[0]:.1f}")

    if args.ingest_pages:
        from bench import scale_ingest  # its own section: workers beside the store's scale

        scale_ingest.run(data, args.ingest_pages, max(1, args.ingest_pages // 10))


if __name__ == "__main__":
    main()
