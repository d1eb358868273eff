"""Feed autodiscovery: from a site's address to the feeds it advertises.

``discover_feeds`` fetches the address with the project's ``Fetcher`` (so the SSRF
guard, size limits and deadline apply). When the address is itself a feed, that feed
is the answer. When it is an HTML page, the answer is every RSS, Atom or JSON Feed
that the page's ``<link rel="alternate">`` elements advertise (comment feeds left
out); a page that advertises none gets the common paths tried in order (``/feed``,
``/rss.xml``, ...), and the first that parses as a feed is the answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from ..errors import FetchError, ParseError
from ..models import FeedInfo
from ..settings import Settings
from ..text import plural
from .feeds import parse_feed
from .http import Fetcher, Response

__all__ = [
    "COMMON_PATHS",
    "Discovery",
    "FoundFeed",
    "discover_feeds",
    "feed_infos",
    "find_feeds",
    "unreachable",
]

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS",
    "application/xml": "RSS",
    "text/xml": "RSS",
}
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json", "/rss", "/feed/")
MAX_FEEDS = 10  # a page advertising more is listing every tag and author feed
_HEAD_LIMIT = 500_000  # <link> elements live in <head>: read no further


class Getter(Protocol):
    async def get(self, url: str) -> Response: ...


@dataclass(frozen=True)
class FoundFeed:
    url: str
    title: str = ""
    kind: str = ""  # RSS, Atom or JSON Feed


@dataclass(frozen=True)
class Discovery:
    """What an address led to. ``how``: 'feed' (it is one), 'advertised' (the page's
    links), 'path' (a common path) or 'none'."""

    address: str
    how: str
    feeds: tuple[FoundFeed, ...] = ()
    page_title: str = ""
    tried: tuple[str, ...] = ()

    def describe(self) -> str:
        """One sentence saying what was found, for the CLI and the web form."""
        if self.how == "feed":
            return f"{self.address} is a feed"
        if self.how == "none":
            tried = ", ".join(self.tried)
            return f"no feed found at {self.address}: its page advertises none ({tried} tried)"
        where = "the page advertises" if self.how == "advertised" else "found at a common path:"
        listed = "; ".join(
            f"{f.title or f.url} ({f.kind}, {f.url})" if f.title else f"{f.url} ({f.kind})"
            for f in self.feeds
        )
        return f"{self.address}: {where} {plural(len(self.feeds), 'feed')}: {listed}"


class _Links(HTMLParser):
    """``<link rel=alternate>`` feeds, ``<base href>`` and ``<title>`` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.base = ""
        self.title = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "link" and "alternate" in a.get("rel", "").lower().split():
            self.links.append(a)
        elif tag == "base" and a.get("href") and not self.base:
            self.base = a["href"]
        elif tag == "title":
            self._in_title = True
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 300:
            self.title += data


def _http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def advertised(html: str, page_url: str) -> tuple[list[FoundFeed], str]:
    """The feeds a page's ``<link rel="alternate">`` advertise, and the page title."""
    parser = _Links()
    parser.feed(html[:_HEAD_LIMIT])
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found: dict[str, FoundFeed] = {}
    for link in parser.links:
        kind = FEED_TYPES.get(link.get("type", "").split(";")[0].strip().lower())
        href, title = link.get("href", ""), " ".join(link.get("title", "").split())
        if not kind or not href:
            continue
        url = urljoin(base, href)
        if not _http_url(url) or "comments" in (title + " " + urlsplit(url).path).lower():
            continue
        found.setdefault(url, FoundFeed(url, title, kind))
    return list(found.values())[:MAX_FEEDS], " ".join(parser.title.split())


def _is_feed(resp: Response) -> bool:
    try:
        parse_feed(resp.body, resp.url, resp.headers)
    except ParseError:
        return False
    return True


def _feed_kind(body: bytes) -> str:
    head = body.lstrip()[:2000]
    if head.startswith(b"{"):
        return "JSON Feed"
    return "Atom" if b"<feed" in head else "RSS"


async def discover_feeds(fetcher: Getter, address: str) -> Discovery:
    """The feeds behind ``address`` (a feed or a site's page). Raises FetchError when
    the address itself cannot be fetched; a common path that fails is skipped."""
    resp = await fetcher.get(address)
    if _is_feed(resp):
        return Discovery(address, "feed", (FoundFeed(address, "", _feed_kind(resp.body)),))
    html = resp.body.decode("utf-8", "replace")
    feeds, title = advertised(html, resp.url)
    if feeds:
        return Discovery(address, "advertised", tuple(feeds), title)
    tried = []
    for path in COMMON_PATHS:
        url = urljoin(resp.url, path)
        tried.append(path)
        try:
            candidate = await fetcher.get(url)
        except FetchError:
            continue
        if _is_feed(candidate):
            found = FoundFeed(url, "", _feed_kind(candidate.body))
            return Discovery(address, "path", (found,), title, tuple(tried))
    return Discovery(address, "none", (), title, tuple(tried))


def feed_infos(found: Discovery, outlet: str, kind: str) -> list[FeedInfo]:
    """The feeds to subscribe to, one outlet for all (the site's)."""
    site = found.address if found.how != "feed" else ""
    return [
        FeedInfo(url=f.url, title=f.title, outlet=outlet, kind=kind, html_url=site)
        for f in found.feeds
    ]


def unreachable(exc: FetchError) -> bool:
    """True when the address gave no answer at all (offline, DNS, timeout): such an
    address may still be added as given. An HTTP error or a refusal (the SSRF guard,
    robots) is an answer, and adds nothing."""
    return exc.status is None and not str(exc).startswith("refused")


async def find_feeds(settings: Settings, address: str) -> Discovery:
    """``discover_feeds`` with a fresh Fetcher; the whole search shares one deadline
    (``fetch_deadline``), however many common paths it tries."""
    async with Fetcher(settings) as fetcher:
        try:
            return await asyncio.wait_for(discover_feeds(fetcher, address), settings.fetch_deadline)
        except TimeoutError as exc:
            raise FetchError(f"gave up after the {settings.fetch_deadline:g} s deadline") from exc
