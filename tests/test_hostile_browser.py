"""Cross-site attacks in a real browser (Chromium via Playwright), on the default install
(127.0.0.1, no admin token): a page served from a second local port, and a sandboxed
iframe in it (whose requests carry ``Origin: null``), try to add, remove and import
feeds and to frame /feeds. None of it works; the same forms work from the site itself.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storywire import Store, load_settings
from storywire.web import create_app

from tests.support.live import LiveServer
from tests.support.webfixture import build

OPML = (
    '<?xml version="1.0"?><opml version="2.0"><body>'
    '<outline type="rss" text="Evil" xmlUrl="https://evil.example/imported" /></body></opml>'
)


def attacks(target: str) -> dict[str, str]:
    """Pages of the hostile site, each trying one thing against ``target``."""
    add_form = (
        f'<form id="f" method="post" action="{target}/feeds/add">'
        '<input name="url" value="https://evil.example/added"></form>'
        "<script>document.getElementById('f').submit()</script>"
    )
    sandboxed = add_form.replace('"', "&quot;")
    return {
        "/add": add_form,
        "/remove": f'<form id="f" method="post" action="{target}/feeds/1/remove"></form>'
        "<script>document.getElementById('f').submit()</script>",
        "/sandboxed-add": f'<iframe sandbox="allow-forms allow-scripts" srcdoc="{sandboxed}">'
        "</iframe>",
        "/import": "<script>const fd = new FormData();"
        f"fd.append('opml', new Blob([{OPML!r}], {{type: 'text/xml'}}), 'f.opml');"
        f"fetch('{target}/feeds/import', {{method: 'POST', body: fd, mode: 'no-cors',"
        " credentials: 'include'}).then(() => document.title = 'sent',"
        " () => document.title = 'sent');</script>",
        "/frame": f'<iframe id="x" src="{target}/feeds" width="800" height="600"></iframe>',
    }


class Recorder:
    """The app, noting (method, path, status, Origin) of every request it answers."""

    def __init__(self, app):
        self.app, self.seen = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        origin = dict(scope["headers"]).get(b"origin", b"").decode()

        async def noting(message):
            if message["type"] == "http.response.start":
                self.seen.append((scope["method"], scope["path"], message["status"], origin))
            await send(message)

        await self.app(scope, receive, noting)


class HostileSite:
    """A second local origin (another port on 127.0.0.1) serving the attack pages."""

    def __init__(self, pages: dict[str, str]):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = ("<!doctype html><html><body>" + pages.get(self.path, "")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    db = tmp_path_factory.mktemp("csrf-browser") / "storywire.db"
    build(db)
    store = Store(db)
    app = Recorder(create_app(load_settings(db=db, page_cache_seconds=0), store))
    server = LiveServer(app)
    hostile = HostileSite(attacks(server.base_url))
    yield store, server.base_url, hostile.base_url, app.seen
    hostile.close()
    server.close()
    store.close()


@pytest.fixture
def context(browser):  # noqa: F811
    ctx = browser.new_context()
    yield ctx
    ctx.close()


def urls(store: Store) -> list[str]:
    return [f.url for f in store.list_feeds()]


@pytest.mark.parametrize("attack", ["/add", "/remove", "/sandboxed-add", "/import"])
def test_another_origin_cannot_change_feeds(context, target, attack):
    store, site, hostile, seen = target
    before = urls(store)
    page = context.new_page()
    page.goto(site + "/feeds")  # the user has the admin open: its cookie is set
    del seen[:]
    page.goto(hostile + attack)
    for _ in range(50):
        if any(method == "POST" for method, *_ in seen):
            break
        page.wait_for_timeout(100)
    posts = [(path, status, origin) for method, path, status, origin in seen if method == "POST"]
    assert posts, "the attack reached the server"
    assert all(status == 403 for _, status, _ in posts), posts
    want = "null" if attack == "/sandboxed-add" else hostile
    assert all(origin == want for *_, origin in posts), posts
    assert urls(store) == before


def test_another_origin_cannot_frame_the_feeds_page(context, target):
    store, site, hostile, _ = target
    page = context.new_page()
    page.goto(hostile + "/frame")
    page.wait_for_timeout(1500)
    framed = [f for f in page.frames if f is not page.main_frame]
    assert framed
    for frame in framed:  # blocked: an error page in the frame, never the feeds list
        assert frame.url != site + "/feeds" or "Add a feed" not in frame.content()


def test_the_site_itself_can_still_add_and_remove(context, target):
    store, site, _, _ = target
    page = context.new_page()
    page.goto(site + "/feeds")
    page.get_by_label("Feed address").fill("https://own.example/feed.xml")
    page.get_by_role("button", name="Add feed").click()
    assert page.locator("p.note").inner_text().startswith("Feed added")
    page.locator("tr", has_text="https://own.example/feed.xml").get_by_role(
        "button", name="Remove"
    ).click()
    assert page.locator("p.note").inner_text() == "Feed removed (its articles stay)."
