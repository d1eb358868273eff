"""Feed management behind the admin token, and `storywire export` / `serve --workers`."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from storywire import Store, load_settings
from storywire.cli import main
from storywire.web import create_app

from tests.support.live import LiveServer, free_port
from tests.support.webfixture import build


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("admin") / "storywire.db"
    build(path)
    return path


def csrf_of(page: str) -> str:
    """The CSRF token of the first form on ``page``."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def serve(db, **settings):
    store = Store(db)
    return store, LiveServer(create_app(load_settings(db=db, **settings), store))


def test_public_address_without_token_turns_feed_management_off(db):
    store, server = serve(db, host="0.0.0.0")
    try:
        for path in ("/feeds", "/feeds.opml", "/api/v1/feeds"):
            resp = httpx.get(server.base_url + path)
            assert resp.status_code == 403 and "admin_token" in resp.text, path
        resp = httpx.post(server.base_url + "/feeds/add", data={"url": "https://x.example/f"})
        assert resp.status_code == 403
        assert len(store.list_feeds()) == 1
        assert httpx.get(server.base_url + "/").status_code == 200  # reading stays open
    finally:
        server.close()
        store.close()


def test_token_unlocks_feed_management(db):
    store, server = serve(db, host="0.0.0.0", admin_token="s3cret")
    base = server.base_url
    try:
        locked = httpx.get(base + "/feeds")
        assert locked.status_code == 401 and 'name="token"' in locked.text
        assert (
            httpx.post(base + "/feeds/add", data={"url": "https://x.example/f"}).status_code == 401
        )
        no_csrf = httpx.post(base + "/login", data={"token": "s3cret"})
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
        api = httpx.get(base + "/api/v1/feeds", headers={"Authorization": "Bearer s3cret"})
        assert api.status_code == 200 and api.json()["feeds"]
        assert httpx.get(base + "/api/v1/feeds").json() == {
            "status": 401,
            "reason": "feed management needs the admin token",
        }
        with httpx.Client(base_url=base) as browser:
            login_token = csrf_of(browser.get("/login").text)
            wrong = browser.post("/login", data={"token": "wrong", "csrf": login_token})
            assert wrong.status_code == 401
            login = browser.post("/login", data={"token": "s3cret", "csrf": login_token})
            assert login.status_code == 303 and "httponly" in login.headers["set-cookie"].lower()
            page = browser.get("/feeds")
            assert page.status_code == 200
            token = csrf_of(page.text)
            other_site = browser.post(
                "/feeds/add",
                data={"url": "https://x.example/f", "csrf": token},
                headers={"Origin": "https://evil.example"},
            )
            assert other_site.status_code == 403
            bad_url = browser.post("/feeds/add", data={"url": "javascript:alert(1)", "csrf": token})
            assert (
                bad_url.status_code == 400 and "Not an http(s) feed or site address" in bad_url.text
            )
            added = browser.post("/feeds/add", data={"url": "https://x.example/f", "csrf": token})
            assert added.status_code == 200 and "Feed added without checking it" in added.text
            assert "https://x.example/f" in browser.get("/feeds.opml").text
        assert [f.url for f in store.list_feeds()][-1] == "https://x.example/f"
    finally:
        server.close()
        store.close()


def test_export_writes_a_static_site(db, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["--db", str(db), "export", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "1 home page, 3 story pages" in result.output
    home = (out / "index.html").read_text()
    assert 'action="/search"' not in home and 'href="/feeds"' not in home
    story_dirs = sorted(p.name for p in (out / "stories").iterdir())
    assert len(story_dirs) == 3
    for name in story_dirs:
        page = (out / "stories" / name / "index.html").read_text()
        assert f'href="/stories/{name}"' in home and "You've reached the end" in page
    assert (out / "static" / "style.css").exists() and (out / "404.html").exists()
    assert (out / "robots.txt").read_text().startswith("User-agent: *")
    assert (out / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert re.search(r"<id>http://[^<]+/stories/\d+</id>", (out / "stories.atom").read_text())
    again = CliRunner().invoke(main, ["--db", str(db), "export", str(out)])
    assert again.exit_code == 0, "exporting over an earlier export replaces it"


def test_export_into_a_file_is_a_clear_error(db, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = CliRunner().invoke(main, ["--db", str(db), "export", str(target)])
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_serve_with_two_workers(db):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "storywire",
            "--db",
            str(db),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Each worker process imports the app: over 30 s on a loaded 2-core machine.
        deadline = time.monotonic() + 120
        while True:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/api/v1/stories", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert resp.status_code == 200 and len(resp.json()["stories"]) == 3
    finally:
        proc.terminate()
        proc.wait(timeout=20)
