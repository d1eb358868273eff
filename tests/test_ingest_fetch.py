"""Fetcher guards: SSRF (after DNS, on every redirect), schemes, HTML-only pages, robots.txt,
and the adaptive poll schedule."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from storywire import Pipeline, Store, load_settings
from storywire.errors import FetchError
from storywire.ingest.guard import forbidden_reason
from storywire.ingest.http import Fetcher
from storywire.ingest.schedule import error_wait, next_interval, server_floor
from storywire.models import FeedInfo

from tests.support.faultsite import FaultSite
from tests.support.newsserver import RSS_TYPE, Entry, NewsServer


def guarded(**more):
    return load_settings(allow_private_addresses=False, **more)


def fetch(settings, url, transport=None, page=False):
    async def go():
        async with Fetcher(settings, transport=transport) as f:
            return await (f.get_page(url) if page else f.get(url))

    return asyncio.run(go())


@pytest.mark.parametrize(
    "address,reason",
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.5", "private"),
        ("fd12::1", "private"),
        ("169.254.169.254", "cloud-metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::ffff:127.0.0.1", "loopback"),
    ],
)
def test_forbidden_addresses(address, reason):
    assert reason in (forbidden_reason(ipaddress.ip_address(address)) or "")


def test_public_address_is_allowed():
    assert forbidden_reason(ipaddress.ip_address("93.184.216.34")) is None


def test_guard_refuses_loopback_after_dns_resolution():
    site = FaultSite()
    site.feed("/feed.xml", 1)
    with NewsServer(site) as server:
        with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
            fetch(guarded(), server.url("/feed.xml"))
        localhost = server.url("/feed.xml").replace("127.0.0.1", "localhost")
        with pytest.raises(FetchError, match="localhost resolves to .*a loopback address"):
            fetch(guarded(), localhost)
        assert server.requests == []  # refused before any connection
        assert (
            fetch(load_settings(allow_private_addresses=True), server.url("/feed.xml")).status
            == 200
        )


def test_guard_checks_every_redirect_hop():
    # A stand-in for a public server (literal public IP, so no DNS is needed) that
    # redirects to the cloud-metadata endpoint and to a file: URL.
    def handler(request: httpx.Request) -> httpx.Response:
        to = {
            "/meta": "http://169.254.169.254/latest/meta-data/",
            "/local": "http://localhost:8080/admin",
            "/file": "file:///etc/passwd",
        }
        return httpx.Response(302, headers={"Location": to[request.url.path]})

    transport = httpx.MockTransport(handler)
    with pytest.raises(FetchError, match="cloud-metadata"):
        fetch(guarded(), "http://93.184.216.34/meta", transport)
    with pytest.raises(FetchError, match="loopback"):
        fetch(guarded(), "http://93.184.216.34/local", transport)
    with pytest.raises(FetchError, match="not an http"):
        fetch(guarded(), "http://93.184.216.34/file", transport)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://x/", "javascript:alert(1)"]
)
def test_non_http_urls_are_refused(url):
    with pytest.raises(FetchError, match="not an http"):
        fetch(load_settings(), url)


def test_article_pages_must_be_html():
    site = FaultSite()
    site.add("/doc.pdf", b"%PDF-1.4", content_type="application/pdf")
    with NewsServer(site) as server:
        with pytest.raises(FetchError, match="not an HTML page"):
            fetch(load_settings(), server.url("/doc.pdf"), page=True)
        assert fetch(load_settings(), server.url("/doc.pdf")).status == 200  # feeds: any type


def test_robots_txt_is_honoured_for_article_pages(tmp_path):
    site = FaultSite()
    site.feed("/feed.xml", 2)
    site.add("/robots.txt", "User-agent: *\nDisallow: /news/story-2\n", content_type="text/plain")
    with NewsServer(site) as server:
        store = Store(tmp_path / "sw.db")
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url("/feed.xml"), outlet="Robots")])
        asyncio.run(Pipeline(store, load_settings(db=tmp_path / "sw.db")).poll_once())
        paths = [r.path for r in server.requests]
        store.close()
    assert "/news/story-1" in paths and "/news/story-2" not in paths
    assert paths.count("/robots.txt") == 1
    assert all(r.headers.get("user-agent", "").startswith("storywire/") for r in server.requests)


def test_adaptive_interval_follows_posting_frequency():
    s = load_settings()
    now = datetime(2025, 5, 1, tzinfo=UTC)
    hourly = [now - timedelta(hours=i) for i in range(10)]
    assert next_interval(hourly, None, {}, b"", s) == 1800  # half the gap
    every_minute = [now - timedelta(minutes=i) for i in range(10)]
    assert next_interval(every_minute, None, {}, b"", s) == s.min_poll_interval
    weekly = [now - timedelta(days=7 * i) for i in range(5)]
    assert next_interval(weekly, None, {}, b"", s) == s.max_poll_interval
    assert next_interval([], 4000, {}, b"", s) == 4000  # nothing dated: keep the interval


def test_server_hints_are_floors():
    s = load_settings()
    now = datetime(2025, 5, 1, tzinfo=UTC)
    busy = [now - timedelta(minutes=10 * i) for i in range(10)]
    assert server_floor({"cache-control": "public, max-age=7200"}) == 7200
    assert server_floor({}, b"<rss><channel><ttl>90</ttl>") == 5400
    assert next_interval(busy, None, {"cache-control": "max-age=7200"}, b"", s) == 7200
    assert next_interval(busy, None, {}, b"<ttl>60</ttl>", s) == 3600
    assert next_interval(busy, None, {"cache-control": "max-age=999999"}, b"", s) == 86400


def test_error_wait_backs_off_then_fails():
    s = load_settings(failing_after=5)
    waits = [error_wait(n, None, s) for n in range(1, 6)]
    assert [w for w, _ in waits[:4]] == [300, 600, 1200, 2400]
    assert waits[4] == (86400, True)
    assert error_wait(1, 5000, s) == (5000, False)  # Retry-After wins when longer
    assert error_wait(1, None, s, status=410) == (86400, True)


def test_max_age_sets_next_poll(tmp_path):
    site = FaultSite()
    site.feed("/feed.xml", 1)
    site.faults["/feed.xml"] = lambda req, base: Entry(
        200,
        {"Content-Type": RSS_TYPE, "Cache-Control": "max-age=10800"},
        site.lazy["/feed.xml"](base).body,
    )
    with NewsServer(site) as server:
        store = Store(tmp_path / "sw.db")
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url("/feed.xml"), outlet="Cached")])
        asyncio.run(Pipeline(store, load_settings(db=tmp_path / "sw.db")).poll_once())
        feed = store.list_feeds()[0]
        store.close()
    assert feed.poll_interval == 10800
    assert feed.next_check_at - feed.last_checked_at >= timedelta(seconds=10790)


def test_robots_txt_server_error_holds_pages_until_next_cycle(tmp_path, caplog):
    """RFC 9309: a robots.txt the server fails to give (5xx) means "do not crawl yet";
    a missing one (404) means no rules. No page is fetched from the origin (entries with
    a long summary are kept from the feed, as for any page failure), the log says why,
    and the next cycle, with robots.txt answering again, fetches pages."""
    from tests.support.newsserver import Entry as Answer

    site = FaultSite()
    site.feed("/feed.xml", 2)
    site.faults["/robots.txt"] = Answer(503, {"Content-Type": "text/plain"}, b"busy\n")
    with NewsServer(site) as server:
        store = Store(tmp_path / "sw.db")
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url("/feed.xml"), outlet="Robots")])
        pipeline = Pipeline(store, load_settings(db=tmp_path / "sw.db"))
        with caplog.at_level("INFO", logger="storywire"):
            asyncio.run(pipeline.poll_once())
        paths = [r.path for r in server.requests]
        assert not any(p.startswith("/news/") for p in paths)
        assert "robots.txt is unavailable (HTTP 503" in caplog.text
        del site.faults["/robots.txt"]  # now a plain 404: no rules
        new = site.article("/feed.xml")
        later = datetime.now(UTC) + timedelta(days=2)
        asyncio.run(Pipeline(store, load_settings(db=tmp_path / "sw.db")).poll_once(later))
        assert new.path in [r.path for r in server.requests]
        store.close()
