"""`storywire run` as a user runs it: a real process, real HTTP, Ctrl-C (SIGINT) to stop."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from storywire import Store
from storywire.models import FeedInfo

from tests.support.live import free_port
from tests.support.newsserver import NewsServer, basil_site


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("timed out waiting for the server")


def test_run_polls_serves_and_stops_cleanly_on_ctrl_c(tmp_path, data_dir):
    db, port = tmp_path / "run.db", free_port()
    dead_port = free_port()  # nothing listens here: a feed that always fails
    site = basil_site(data_dir / "clustering" / "basil", events=3)
    with NewsServer(site) as server:
        store = Store(db)
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url(p), outlet=p) for p in site.feed_paths[:2]])
        store.add_feeds([FeedInfo(url=f"http://127.0.0.1:{dead_port}/feed.xml", outlet="Dead")])
        store.close()
        env = {**os.environ, "STORYWIRE_DB": str(db), "STORYWIRE_DEFAULT_FEEDS": "false"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "storywire", "run", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(lambda: httpx.get(f"{base}/api/v1/stories").json()["stories"])
            assert httpx.get(f"{base}/").status_code == 200
            proc.send_signal(signal.SIGINT)
            output, _ = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, output
    assert "Traceback" not in output
    store = Store(db)
    try:
        assert store.article_count() >= 6
        feeds = {f.outlet: f for f in store.list_feeds()}
        assert feeds["Dead"].last_status == "error"
        assert "refused" in (feeds["Dead"].last_error or "")
        assert store.story_count() >= 1
    finally:
        store.close()


def test_feeds_list_shows_errors_plainly(tmp_path):
    db = tmp_path / "x.db"
    env = {**os.environ, "STORYWIRE_DB": str(db)}
    url = f"http://127.0.0.1:{free_port()}/rss"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "storywire", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert cli("feeds", "add", url).returncode == 0
    assert cli("poll").returncode == 0
    listing = cli("feeds", "list")
    assert listing.returncode == 0
    assert "error" in listing.stdout and "connection refused by 127.0.0.1" in listing.stdout
    assert "Traceback" not in listing.stdout + listing.stderr
