"""Fault injection against a real HTTP server on 127.0.0.1.

Each case: a cycle stores two healthy feeds; then one feed ("bad") misbehaves in a
given way while the other gets a new article. The bad feed must get the right status
and a clear message, the good feed's new article must still be stored in the same
cycle, and nothing stored before may change.
"""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from storywire import Pipeline, Store, load_settings
from storywire.models import Feed, FeedInfo

from tests.support.faultsite import FaultSite
from tests.support.newsserver import HTML_TYPE, RSS_TYPE, Entry, NewsServer, Raw, article_html
from tests.support.stores import article_rows

FAST = {
    "connect_timeout": 1.0,
    "read_timeout": 0.5,
    "fetch_deadline": 1.5,
    "max_body_bytes": 2_000_000,
    "max_entries_per_feed": 5,
}
LATER = datetime.now(UTC) + timedelta(days=3)


@dataclass
class Outcome:
    site: FaultSite
    server: NewsServer
    store: Store
    before: list[tuple[object, ...]]
    bad_before: Feed
    report: object

    @property
    def bad(self) -> Feed:
        return _feed(self.store, "Bad")

    @property
    def good(self) -> Feed:
        return _feed(self.store, "Good")

    def page_requests(self, prefix: str) -> int:
        return sum(1 for r in self.server.requests if r.path.startswith(prefix))


def _feed(store: Store, outlet: str) -> Feed:
    return next(f for f in store.list_feeds() if f.outlet == outlet)


def _rss(items: list[tuple[str, str]], encoding: str = "utf-8", declared: str = "utf-8") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link>"
        f"<pubDate>{format_datetime(datetime(2025, 5, 2, tzinfo=UTC))}</pubDate>"
        "</item>"
        for t, link in items
    )
    doc = (
        f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel>'
        f"<title>Bad</title>{body}</channel></rss>"
    )
    return doc.encode(encoding)


@pytest.fixture
def cycle(tmp_path):
    opened: list[tuple[NewsServer, Store]] = []

    def run(fault: object, prepare=None, **overrides) -> Outcome:
        site = FaultSite()
        site.feed("/good.xml", 2)
        site.feed("/bad.xml", 1)
        server = NewsServer(site)
        store = Store(tmp_path / "sw.db")
        opened.append((server, store))
        store.migrate()
        store.add_feeds(
            [
                FeedInfo(url=server.url("/good.xml"), outlet="Good"),
                FeedInfo(url=server.url("/bad.xml"), outlet="Bad"),
            ]
        )
        settings = load_settings(db=tmp_path / "sw.db", **{**FAST, **overrides})
        first = asyncio.run(Pipeline(store, settings).poll_once())
        assert (first.articles, first.feed_errors) == (3, 0), first.errors
        before, bad_before = article_rows(store), _feed(store, "Bad")
        site.article("/good.xml")
        if prepare:
            prepare(site)
        site.faults["/bad.xml"] = fault
        server.clear_requests()
        report = asyncio.run(Pipeline(store, settings).poll_once(now=LATER))
        return Outcome(site, server, store, before, bad_before, report)

    yield run
    for server, store in opened:
        store.close()
        server.close()


def _check_isolated(o: Outcome, new_articles: int = 1, bad_failed: bool = True) -> None:
    """The good feed was ingested; nothing stored before changed (nor, when the bad feed
    failed, its conditional-GET validators)."""
    assert o.good.last_status == "ok"
    assert o.store.article_count() == 3 + new_articles
    assert article_rows(o.store)[: len(o.before)] == o.before
    if bad_failed:
        assert (o.bad.etag, o.bad.last_modified) == (o.bad_before.etag, o.bad_before.last_modified)


def _redirect(status: int, to: str) -> Entry:
    return Entry(status, {"Location": to}, b"")


GZIP_BOMB = gzip.compress(b"<rss>" + b" " * 40_000_000, compresslevel=9)
BIG_ITEMS = _rss([(f"Bulk item {i}", f"/bulk/{i}") for i in range(5000)])
ERRORS = {
    "404": (Entry(404, {}, b"gone"), "error", "HTTP 404 Not Found"),
    "410": (Entry(410, {}, b"gone"), "failing", "HTTP 410 Gone"),
    "500": (Entry(500, {}, b"oops"), "error", "HTTP 500 Internal Server Error"),
    "429": (Entry(429, {"Retry-After": "7200"}, b""), "error", "HTTP 429 Too Many Requests"),
    "reset": (
        Raw(200, {"Content-Type": RSS_TYPE}, _rss([("x", "/x")] * 50), reset_after=300),
        "error",
        "connection lost mid-response",
    ),
    "slow drip": (
        Raw(200, {"Content-Type": RSS_TYPE}, b"<rss>" + b" " * 5000, drip_delay=0.1, drip_limit=4),
        "error",
        "1.5 s deadline",
    ),
    "too big": (
        Entry(200, {"Content-Type": RSS_TYPE}, b"<rss>" + b" " * 3_000_000),
        "error",
        "over the 2000000 byte limit",
    ),
    "gzip bomb": (
        Entry(200, {"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"}, GZIP_BOMB),
        "error",
        "limit (after decompression)",
    ),
    "html": (
        Entry(
            200,
            {"Content-Type": HTML_TYPE},
            article_html(
                "A page", ["Not a feed at all."] * 3, None, "x", "y", "http://h/"
            ).encode(),
        ),
        "error",
        "not a feed: the document is an HTML page",
    ),
    "malformed xml": (
        Entry(200, {"Content-Type": RSS_TYPE}, b"<rss><channel><<<>>>&&& x"),
        "error",
        "not a feed: malformed XML at line",
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_feed_fault_is_reported_and_isolated(cycle, name):
    fault, status, message = ERRORS[name]
    # The drip sends a byte every 0.1 s: a generous read timeout makes sure that only
    # the total deadline can stop it, even on a loaded machine.
    o = cycle(fault, **({"read_timeout": 1.4} if name == "slow drip" else {}))
    assert o.bad.last_status == status
    assert message in (o.bad.last_error or "")
    assert o.bad.error_count == 1
    assert o.report.feed_errors == 1
    _check_isolated(o)


def test_429_retry_after_is_honoured(cycle):
    o = cycle(Entry(429, {"Retry-After": "7200"}, b""))
    wait = o.bad.next_check_at - o.bad.last_checked_at
    assert timedelta(seconds=7190) <= wait <= timedelta(seconds=7300)


def test_errors_back_off_exponentially(cycle):
    o = cycle(Entry(500, {}, b""), min_poll_interval=60)
    settings = load_settings(**FAST, min_poll_interval=60)
    waits = []
    for _ in range(3):
        f = o.bad
        waits.append((f.next_check_at - f.last_checked_at).total_seconds())
        asyncio.run(Pipeline(o.store, settings).poll_once(now=LATER + timedelta(days=9)))
    assert [round(w / 60) for w in waits] == [1, 2, 4]


def test_redirect_chain_is_followed(cycle):
    def prepare(site):
        site.faults["/r1"] = _redirect(302, "/r2")
        site.faults["/r2"] = _redirect(307, "/moved.xml")
        site.faults["/moved.xml"] = lambda req, base: site.lazy["/bad.xml"](base)
        site.article("/bad.xml")

    o = cycle(_redirect(301, "/r1"), prepare)
    assert o.bad.last_status == "ok", o.bad.last_error
    _check_isolated(o, new_articles=2, bad_failed=False)


def test_redirect_loop_is_detected(cycle):
    def prepare(site):
        site.faults["/loop"] = _redirect(302, "/bad.xml")

    o = cycle(_redirect(301, "/loop"), prepare)
    assert o.bad.last_status == "error"
    assert "redirect loop" in (o.bad.last_error or "")
    _check_isolated(o)


def test_too_many_redirects(cycle):
    def prepare(site):
        for i in range(10):
            site.faults[f"/hop{i}"] = _redirect(302, f"/hop{i + 1}")

    o = cycle(_redirect(302, "/hop0"), prepare, max_redirects=3)
    assert "more than 3 redirects" in (o.bad.last_error or "")
    _check_isolated(o)


def test_wrong_declared_charset_still_reads_right(cycle):
    link = {}

    def prepare(site):
        link["path"] = site.article("/bad.xml").path

    # Latin-1 bytes declared as UTF-8 in both the HTTP header and the XML declaration.
    o = cycle(
        lambda req, base: Entry(
            200,
            {"Content-Type": "application/rss+xml; charset=utf-8"},
            _rss([("Café crème à Genève", base + link["path"])], encoding="latin-1"),
        ),
        prepare,
    )
    assert o.bad.last_status == "ok", o.bad.last_error
    _check_isolated(o, new_articles=2, bad_failed=False)
    titles = {r[5] for r in article_rows(o.store)}
    assert "Café crème à Genève" in titles


def test_feed_with_5000_items(cycle):
    o = cycle(Entry(200, {"Content-Type": RSS_TYPE}, BIG_ITEMS))
    assert o.bad.last_status == "ok", o.bad.last_error
    # Only the newest max_entries_per_feed entries' pages are fetched.
    assert o.page_requests("/bulk/") == 5
    _check_isolated(o, bad_failed=False)


def test_not_modified_costs_nothing(cycle):
    o = cycle(None)  # the server answers If-None-Match with 304 by itself
    assert o.bad.last_status == "not_modified"
    assert o.report.not_modified == 1
    bad_requests = [r for r in o.server.requests if r.path == "/bad.xml"]
    assert bad_requests and bad_requests[0].headers.get("if-none-match")
    assert o.page_requests("/news/story-3") == 0
    _check_isolated(o)


def test_feed_failing_many_times_is_marked_failing_and_listed(cycle, tmp_path):
    from click.testing import CliRunner

    from storywire.cli import main

    o = cycle(Entry(500, {}, b""), failing_after=3)
    settings = load_settings(db=tmp_path / "sw.db", **FAST, failing_after=3)
    for day in (10, 20):
        asyncio.run(Pipeline(o.store, settings).poll_once(now=LATER + timedelta(days=day)))
    bad = o.bad
    assert bad.last_status == "failing" and bad.error_count == 3
    wait = bad.next_check_at - bad.last_checked_at
    assert wait >= timedelta(hours=23)  # polled rarely: once a day
    listing = CliRunner().invoke(main, ["--db", str(tmp_path / "sw.db"), "feeds", "list"])
    assert listing.exit_code == 0
    assert "failing (3 errors in a row), retried every 24 h; last error: HTTP 500" in listing.output
    # One success brings it back to normal.
    o.site.faults.pop("/bad.xml")
    asyncio.run(Pipeline(o.store, settings).poll_once(now=LATER + timedelta(days=30)))
    assert (o.bad.last_status, o.bad.error_count) == ("not_modified", 0)


def test_hang_up_without_response_is_retried_once(cycle):
    calls = []

    def flaky(req, base):
        calls.append(req.path)
        return Raw(0, {}, b"") if len(calls) == 1 else None  # then the normal feed

    o = cycle(flaky)
    assert len(calls) == 2
    assert o.bad.last_status == "not_modified"
    _check_isolated(o)


def test_hang_up_every_time_is_an_error(cycle):
    o = cycle(Raw(0, {}, b""))
    assert o.bad.last_status == "error"
    assert "connection lost mid-response" in (o.bad.last_error or "")
    _check_isolated(o)
