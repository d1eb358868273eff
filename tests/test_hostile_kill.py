"""`kill -9` of `storywire poll` at several moments of a cycle (and of `run`): no
storywire process is left behind (fork server, resource tracker, extraction workers
end with their parent), the database is intact, and after the next cycle every story
with articles has a version."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storywire import Store
from storywire.models import FeedInfo

from tests.support.faultsite import FaultSite
from tests.support.live import free_port
from tests.support.newsserver import NewsServer

FEEDS, PER_FEED = 4, 12


def session_processes(sid: int) -> list[str]:
    """Command lines of the live (not zombie) processes of session ``sid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":  # fields[3]: session id
            found.append(f"{entry.name} {cmd[:150]}")
    return found


def children_of(pid: int) -> int:
    try:
        return len(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return 0


def start_poll(env: dict[str, str], *command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "storywire", *(command or ("poll",))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own session: every descendant can be found after
    )


def wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def polled_site(tmp_path):
    site = FaultSite()
    for n in range(FEEDS):
        site.feed(f"/feed-{n}.xml", PER_FEED)
    with NewsServer(site) as server:
        db = tmp_path / "sw.db"
        store = Store(db)
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url(p), outlet=p) for p in site.feed_paths])
        store.close()
        env = {
            **os.environ,
            "STORYWIRE_DB": str(db),
            "STORYWIRE_EXTRACT_PROCESSES": "2",  # the fork server and workers every time
            "STORYWIRE_RESPECT_ROBOTS": "false",
            "STORYWIRE_DEFAULT_FEEDS": "false",
        }
        yield db, env, site


# Helpers end within a second on a quiet machine; a fork server still importing its
# preload modules on a loaded one notices only after the imports (seen: over 10 s).
GONE_WITHIN = 60

# Moments: workers just started; a little later (fetching / extracting); later still
# (storing and writing, on a fast machine after the cycle).
MOMENTS = [("workers started", 0.0), ("0.7 s later", 0.7), ("2 s later", 2.0)]


@pytest.mark.parametrize("moment, delay", MOMENTS, ids=[m for m, _ in MOMENTS])
def test_kill_9_of_poll_leaves_no_process_and_a_sound_database(polled_site, moment, delay):
    db, env, site = polled_site
    proc = start_poll(env)
    try:
        assert wait_until(lambda: children_of(proc.pid) > 0 or proc.poll() is not None, 60)
        time.sleep(delay)
        left_running = session_processes(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(left_running) > 1 or proc.returncode == 0, "killed with its helpers running"
    gone = wait_until(lambda: not session_processes(proc.pid), GONE_WITHIN)
    assert gone, f"left behind after kill -9 ({moment}): {session_processes(proc.pid)}"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    again = subprocess.run(
        [sys.executable, "-m", "storywire", "poll"], env=env, capture_output=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        unwritten = conn.execute(
            "SELECT count(*) FROM stories WHERE status='active' AND article_count > 0"
            " AND version = 0"
        ).fetchone()[0]
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    assert unwritten == 0
    assert articles == FEEDS * PER_FEED, "the next cycle fetched what the killed one missed"


def test_kill_9_of_run_leaves_no_process(polled_site):
    db, env, _ = polled_site
    proc = start_poll(env, "run", "--port", str(free_port()))
    try:
        assert wait_until(lambda: len(session_processes(proc.pid)) > 2, 90), "no workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    gone = wait_until(lambda: not session_processes(proc.pid), GONE_WITHIN)
    assert gone, f"left behind after kill -9 of run: {session_processes(proc.pid)}"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
