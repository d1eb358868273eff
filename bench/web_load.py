"""Web load: requests/s and p50/p99 latency per route under wrk, on 127.0.0.1.

    python -m bench.web_load [--duration 10] [--connections 50] [--workers 2] [--quick]

Store: the AllSides corpus (>= 30,000 articles) imported with `storywire import`
into bench/out/allsides.db on first use (several minutes; later runs reuse the
file). A server (`storywire serve --workers N`) answers wrk (Debian's `wrk`,
`apt-get install -y wrk`) for a fixed time per route; story routes rotate through
the 300 top stories so the cache is not one page. Baseline in the same run: the
stylesheet served by the same server (the framework's floor on this machine now).
Targets (issue 5): story pages >= 1,500 req/s with p99 < 100 ms at 50 connections;
home and API list >= half that.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CORPUS = Path("corpus/allsides-article-bias/articles.jsonl.gz")
FIELDS = ["text=content_original", "outlet=source", "published=date", "id=ID"]
STORYWIRE = [sys.executable, "-m", "storywire"]
MIN_ARTICLES = 30_000
PIN: list[str] = []  # e.g. ["taskset", "-c", "1"] with --wrk-cpu 1


def build_store(db: Path, data: Path) -> None:
    if db.exists():
        return
    OUT.mkdir(parents=True, exist_ok=True)
    partial = db.with_suffix(".building.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    args = [
        *STORYWIRE,
        "--db",
        str(partial),
        "--log-level",
        "WARNING",
        "import",
        str(data / CORPUS),
    ]
    for field in FIELDS:
        args += ["--field", field]
    print(f"building {db} (one-off, several minutes) ...", flush=True)
    started = time.monotonic()
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if done.returncode not in (0, 3):  # 3: some corpus lines had no date (skipped)
        sys.exit(f"import failed ({done.returncode}): {done.stdout[-500:]}")
    print(done.stdout.strip().splitlines()[-1], f"({time.monotonic() - started:.0f} s)")
    partial.rename(db)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.load(resp)


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            *STORYWIRE,
            "--db",
            str(db),
            "--log-level",
            "WARNING",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120  # the first start backfills the search index
    while time.monotonic() < deadline:
        try:
            get_json(f"http://127.0.0.1:{port}/healthz")
            return proc
        except OSError:
            if proc.poll() is not None:
                sys.exit("server exited at start")
            time.sleep(0.3)
    proc.kill()
    sys.exit("server did not start in 120 s")


LUA = """
paths = {%s}
i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def wrk(
    url: str, paths: list[str], seconds: float, connections: int, threads: int, tmp: Path
) -> dict[str, float]:
    script = tmp / "paths.lua"
    script.write_text(LUA % ",".join(json.dumps(p) for p in paths))
    cmd = [
        *PIN,
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    if set(lat) != {"50", "99"}:
        sys.exit(f"could not read wrk's latency distribution:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", out)
    return {
        "rps": rps,
        "p50": _ms(lat["50"]),
        "p99": _ms(lat["99"]),
        "non2xx": int(bad.group(1)) if bad else 0,
        "timeouts": int(errors.group(1)) if errors else 0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=OUT / "allsides.db")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per route")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--quick", action="store_true", help="4 s per route")
    ap.add_argument("--wrk-cpu", default="", help="pin wrk to these CPUs (taskset list)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    data = Path(os.environ.get("STORYWIRE_DATA", ROOT.parent / "shared" / "data"))
    build_store(args.db, data)
    seconds = 4.0 if args.quick else args.duration
    if args.wrk_cpu:
        PIN[:] = ["taskset", "-c", args.wrk_cpu]
    port = free_port()
    server = start_server(args.db, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        run(base, args, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(base: str, args: argparse.Namespace, seconds: float) -> None:
    health = get_json(base + "/healthz")
    print(
        f"store: {health['articles']:,} articles, {health['stories']:,} stories; "
        f"{args.workers} server workers, wrk {args.connections} connections, "
        f"{seconds:g} s per route, 2-core machine shared with other work"
    )
    if health["articles"] < MIN_ARTICLES:
        print(f"warning: fewer than {MIN_ARTICLES:,} articles in {args.db}")
    ids = [s["id"] for s in get_json(base + "/api/v1/stories?limit=200&range=all")["stories"]]
    more = get_json(base + "/api/v1/stories?limit=100&page=3&range=all")["stories"]
    ids += [s["id"] for s in more]
    routes = [
        ("baseline: /static/style.css", ["/static/style.css"], None),
        ("story page /stories/{id}", [f"/stories/{i}" for i in ids], 1500.0),
        ("API story /api/v1/stories/{id}", [f"/api/v1/stories/{i}" for i in ids], 1500.0),
        ("home /", ["/"], 750.0),
        ("API list /api/v1/stories", ["/api/v1/stories"], 750.0),
    ]
    print(
        "(each route is preceded by the baseline, so 'base/s' shows the machine's state "
        "at that moment)"
    )
    print(
        f"\n{'route':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'base/s':>7} {'base p99':>8}  target"
    )
    baseline = routes[0][1]
    with tempfile.TemporaryDirectory() as tmp:
        for name, paths, target in routes:
            # warm-up: long enough for both workers to render every story once
            wrk(
                base,
                paths,
                seconds if len(paths) > 1 else 2.0,
                args.connections,
                args.threads,
                Path(tmp),
            )
            b = wrk(base, baseline, seconds / 2, args.connections, args.threads, Path(tmp))
            r = wrk(base, paths, seconds, args.connections, args.threads, Path(tmp))
            verdict = ""
            if target:
                ok = r["rps"] >= target and r["p99"] < 100
                verdict = f">= {target:,.0f}/s, p99 < 100 ms: {'met' if ok else 'NOT met'}"
            errors = int(r["non2xx"] + r["timeouts"])
            print(
                f"{name:34} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {errors:7d} "
                f"{b['rps']:7.0f} {b['p99']:8.1f}  {verdict}",
                flush=True,
            )


if __name__ == "__main__":
    main()
