"""Feed autodiscovery against a real site on 127.0.0.1 (tests/newsserver.py): the
command line and the discovery function; the web form is in test_browser.py."""

from __future__ import annotations

import asyncio

import pytest

from storywire import load_settings
from storywire.ingest.discover import advertised, find_feeds

from tests.support.clicorpus import feed_rows
from tests.support.discoversite import HOME, news_site
from tests.support.live import free_port
from tests.support.newsserver import NewsServer, Site


@pytest.fixture
def server():
    with NewsServer(news_site()) as srv:
        yield srv


def test_advertised_links_resolve_against_base_and_skip_comments():
    page = '<head><base href="https://cdn.example/sub/"><link rel="Alternate feed" '
    page += 'type="application/feed+json" href="f.json" title="J"></head>'
    feeds, _ = advertised(page + HOME, "https://site.example/")
    urls = [f.url for f in feeds]
    assert urls == [
        "https://cdn.example/sub/f.json",
        "https://cdn.example/rss/top.xml",
        "https://cdn.example/sub/world.atom",
    ]
    assert [f.kind for f in feeds] == ["JSON Feed", "RSS", "Atom"]


def test_cli_adds_the_feeds_a_home_page_advertises(cli, server):  # noqa: F811
    result = cli("feeds", "add", server.url("/"), "--outlet", "Daily Example")
    assert result.exit_code == 0, result.output
    assert "the page advertises 2 feeds" in result.stdout
    assert "Top stories (RSS" in result.stdout and "World (Atom" in result.stdout
    rows = feed_rows(cli.db)
    assert [(f.url, f.title, f.outlet) for f in rows] == [
        (server.url("/rss/top.xml"), "Top stories", "Daily Example"),
        (server.url("/world.atom"), "World", "Daily Example"),
    ]
    assert all(f.html_url == server.url("/") for f in rows)
    again = cli("feeds", "add", server.url("/"))
    assert again.stdout.count("already present") == 2


def test_cli_falls_back_to_common_paths(cli, server):  # noqa: F811
    result = cli("feeds", "add", server.url("/plain/"))
    assert result.exit_code == 0, result.output
    assert "found at a common path" in result.stdout
    assert [f.url for f in feed_rows(cli.db)] == [server.url("/atom.xml")]
    tried = [r.path for r in server.requests]
    assert tried == ["/plain/", "/feed", "/rss.xml", "/atom.xml"]


def test_cli_feed_url_is_added_as_is(cli, server):  # noqa: F811
    result = cli("feeds", "add", server.url("/world.atom"))
    assert result.exit_code == 0 and "is a feed" in result.stdout
    assert [f.url for f in feed_rows(cli.db)] == [server.url("/world.atom")]


def test_cli_page_without_feeds_adds_nothing(cli):  # noqa: F811
    site = Site()
    site.add("/", "<html><head><title>No feeds</title></head><body>x</body></html>")
    with NewsServer(site) as srv:
        result = cli("feeds", "add", srv.url("/"))
    assert result.exit_code == 1 and "no feed found" in result.stdout
    assert "nothing added" in result.stderr and "Traceback" not in result.output
    assert feed_rows(cli.db) == []


def test_discovery_goes_through_the_ssrf_guard(server):
    settings = load_settings(allow_private_addresses=False)
    with pytest.raises(Exception, match="(?i)private|loopback|refused"):
        asyncio.run(find_feeds(settings, server.url("/")))
    assert server.requests == []


def test_cli_http_error_adds_nothing_but_unreachable_is_added_as_given(cli, server):  # noqa: F811
    missing = cli("feeds", "add", server.url("/gone.xml"))
    assert missing.exit_code == 1 and "HTTP 404" in missing.stderr
    assert feed_rows(cli.db) == []
    offline = f"http://127.0.0.1:{free_port()}/rss.xml"  # nothing listens there
    result = cli("feeds", "add", offline)
    assert result.exit_code == 0 and "adding it as given" in result.stderr
    assert [f.url for f in feed_rows(cli.db)] == [offline]
