"""A local HTTP "news site" serving real captured articles on 127.0.0.1.

Used by end-to-end tests and ingest benchmarks so that the fetch -> parse ->
extract pipeline runs against realistic feeds and article pages without
touching the network.

A `Site` is a routing table. Feeds and article pages embed absolute URLs, but
the port is only known once the server is bound, so most routes are *lazy*:
rendered per request from the server's base URL. This also keeps the 10,000
page AllSides site cheap - only the parsed records stay in memory.
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import html
import json
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

__all__ = [
    "ArticleInfo",
    "Entry",
    "Hook",
    "NewsServer",
    "Raw",
    "Request",
    "Site",
    "allsides_site",
    "article_html",
    "basil_site",
    "ok",
]

HTML_TYPE = "text/html; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
OPML_TYPE = "text/x-opml; charset=utf-8"


# --------------------------------------------------------------------------- site


class Entry(NamedTuple):
    """One HTTP response: what a path serves."""

    status: int
    headers: dict[str, str]
    body: bytes


class Request(NamedTuple):
    """A request as seen by the server. Header names are lower-cased."""

    method: str
    path: str  # includes the query string, as sent
    headers: dict[str, str]


@dataclass(frozen=True)
class Raw:
    """A response written by hand on the socket, for faults HTTP libraries cannot fake:
    status 0 closes the connection without any response;
    ``reset_after`` sends that many body bytes then resets the connection (RST);
    ``drip_delay`` sends the body one ``drip_size`` chunk at a time with that pause
    (stopping after ``drip_limit`` seconds or when the client goes away)."""

    status: int
    headers: dict[str, str]
    body: bytes
    reset_after: int | None = None
    drip_delay: float = 0.0
    drip_size: int = 1
    drip_limit: float = 10.0


# A hook sees every request first; returning None falls through to the routes.
# Use it for slow responses, errors, redirects etc. in tests.
Hook = Callable[[Request, str], "Entry | Raw | None"]
# A lazy route renders its entry from the server's base URL.
Render = Callable[[str], Entry]


@dataclass(frozen=True)
class ArticleInfo:
    """What a fixture page contains, so tests can compare against extraction."""

    path: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime | None
    author: str
    site_name: str
    source: str
    kind: str = "news"  # "news" or "opinion"
    event: str | None = None  # BASIL triplet uuid
    guid: str = ""


@dataclass
class Site:
    static: dict[str, Entry] = field(default_factory=dict)
    lazy: dict[str, Render] = field(default_factory=dict)
    hooks: list[Hook] = field(default_factory=list)
    # Metadata for tests; filled by the dataset builders.
    events: dict[str, list[str]] = field(default_factory=dict)
    feed_paths: list[str] = field(default_factory=list)
    opinion_paths: list[str] = field(default_factory=list)
    articles: dict[str, ArticleInfo] = field(default_factory=dict)

    def add(
        self,
        path: str,
        body: bytes | str,
        content_type: str = HTML_TYPE,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.static[path] = Entry(status, {"Content-Type": content_type, **(headers or {})}, data)

    def add_lazy(self, path: str, render: Render) -> None:
        self.lazy[path] = render

    def add_hook(self, hook: Hook) -> None:
        self.hooks.append(hook)

    def resolve(self, request: Request, base_url: str) -> Entry | Raw | None:
        for hook in self.hooks:
            entry = hook(request, base_url)
            if entry is not None:
                return entry
        # Exact match first so a test can register a URL with a query string.
        for path in (request.path, request.path.split("?", 1)[0]):
            if path in self.static:
                return self.static[path]
            if path in self.lazy:
                return self.lazy[path](base_url)
        return None


def ok(body: str, content_type: str) -> Entry:
    """A 200 with a content-derived ETag, so conditional GETs can be exercised."""
    data = body.encode("utf-8")
    etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
    return Entry(200, {"Content-Type": content_type, "ETag": etag}, data)


# ------------------------------------------------------------------------- server


def _etag_matches(if_none_match: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive matters for ingest benchmarks; the timeout stops idle
    # connections from pinning handler threads forever.
    protocol_version = "HTTP/1.1"
    timeout = 30
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs
    # add ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests run many requests; stderr noise hides real failures

    def _respond(self, send_body: bool) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Request(self.command, self.path, headers)
        self.server.owner._record(request)
        entry = self.server.owner.site.resolve(request, self.server.owner.base_url)
        if isinstance(entry, Raw):
            self._raw(entry)
            return
        if entry is None:
            entry = Entry(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not found\n")
        etag = entry.headers.get("ETag")
        if etag and entry.status == 200 and _etag_matches(headers.get("if-none-match", ""), etag):
            entry = Entry(304, {"ETag": etag}, b"")
        self.send_response(entry.status)
        for name, value in entry.headers.items():
            self.send_header(name, value)
        if entry.status != 304:  # a 304 never has a body, so no length either
            self.send_header("Content-Length", str(len(entry.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(entry.body)

    def _raw(self, raw: Raw) -> None:
        head = [
            f"HTTP/1.1 {raw.status} X",
            f"Content-Length: {len(raw.body)}",
            "Connection: close",
            *(f"{k}: {v}" for k, v in raw.headers.items()),
        ]
        self.close_connection = True
        if raw.status == 0:  # hang up without a word, like a server closing an idle connection
            return
        try:
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            if raw.reset_after is not None:
                self.wfile.write(raw.body[: raw.reset_after])
                self.wfile.flush()
                # SO_LINGER with a zero timeout turns close() into a TCP reset.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                return
            stop = time.monotonic() + raw.drip_limit
            for i in range(0, len(raw.body), raw.drip_size):
                if time.monotonic() > stop:
                    break
                self.wfile.write(raw.body[i : i + raw.drip_size])
                self.wfile.flush()
                time.sleep(raw.drip_delay)
        except OSError:
            pass  # the client gave up: that is the point of the fault


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # never block interpreter exit on a stuck client
    owner: NewsServer
    quiet = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (a HEAD-like probe, a body limit) is not a
        # server error: printing its traceback would land in a CLI test's captured output.
        if not self.quiet and not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class NewsServer:
    """Serves a Site on 127.0.0.1:<free port> from a daemon thread.

    ``quiet``: do not print the traceback of a request that failed, e.g. a client that
    closed a keep-alive connection (under benchmark load that is not news).
    """

    def __init__(self, site: Site, *, quiet: bool = False) -> None:
        self.site = site
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._httpd.quiet = quiet
        host, port = self._httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            # shutdown() waits up to one poll interval; the 0.5 s default slows tests.
            kwargs={"poll_interval": 0.05},
            name=f"newsserver:{port}",
            daemon=True,
        )
        self._thread.start()
        self._closed = False

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    @property
    def requests(self) -> list[Request]:
        """A snapshot of the requests received so far."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> NewsServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- HTML

_NAV = (("/", "Home"), ("/politics/", "Politics"), ("/world/", "World"), ("/opinion/", "Opinion"))


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _json_ld(data: dict[str, object]) -> str:
    # html.escape would corrupt JSON (entities are not decoded inside <script>);
    # \u-escaping <, > and & keeps it valid JSON and unable to close the tag.
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def article_html(
    title: str,
    paragraphs: Sequence[str],
    published: datetime | None,
    author: str,
    site_name: str,
    url: str,
    kind: str = "news",
    related: Sequence[tuple[str, str]] = (),
) -> str:
    """A news article page with the usual metadata and boilerplate around it.

    `kind="opinion"` marks the page the way real sites do: JSON-LD
    OpinionNewsArticle, article:section Opinion (og:type stays "article").
    `related` is (href, title) pairs for the sidebar.
    """
    opinion = kind == "opinion"
    description = paragraphs[0][:200] if paragraphs else title
    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "OpinionNewsArticle" if opinion else "NewsArticle",
        "headline": title,
        "author": {"@type": "Person", "name": author},
        "publisher": {"@type": "Organization", "name": site_name},
        "mainEntityOfPage": url,
    }
    meta = [
        f'<meta name="description" content="{_e(description)}">',
        f'<meta property="og:title" content="{_e(title)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{_e(site_name)}">',
        f'<meta property="og:url" content="{_e(url)}">',
        f'<meta name="author" content="{_e(author)}">',
        f'<meta property="article:section" content="{"Opinion" if opinion else "Politics"}">',
    ]
    time_html = ""
    if published is not None:
        iso = published.isoformat()
        ld["datePublished"] = iso
        meta.append(f'<meta property="article:published_time" content="{_e(iso)}">')
        shown = published.strftime("%B %d, %Y").replace(" 0", " ")
        time_html = f'<time datetime="{_e(iso)}">{_e(shown)}</time>'
    nav = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in _NAV)
    body = "\n".join(f"<p>{_e(p)}</p>" for p in paragraphs)
    aside = "".join(f'<li><a href="{_e(h)}">{_e(t)}</a></li>' for h, t in related)
    label = '<p class="kicker">Opinion</p>\n' if opinion else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{_e(title)} | {_e(site_name)}</title>
<link rel="canonical" href="{_e(url)}">
{chr(10).join(meta)}
<script type="application/ld+json">{_json_ld(ld)}</script>
</head>
<body>
<header class="site-header"><a class="logo" href="/">{_e(site_name)}</a>
<nav><ul>{nav}</ul></nav></header>
<main>
<article class="{"opinion" if opinion else "story"}">
{label}<h1>{_e(title)}</h1>
<p class="byline">By {_e(author)}</p>
{time_html}
<div class="article-body">
{body}
</div>
</article>
<aside class="sidebar"><h2>More from {_e(site_name)}</h2><ul>{aside}</ul></aside>
</main>
<footer class="site-footer">
<p>Sign up for our newsletter to get the day's top stories in your inbox.</p>
<p>&copy; {published.year if published else 2024} {_e(site_name)}. All rights reserved.</p>
<p><a href="/privacy">Privacy Policy</a> | <a href="/terms">Terms of Use</a></p>
</footer>
</body>
</html>
"""


def _article_entry(info: ArticleInfo, related: Sequence[tuple[str, str]]) -> Render:
    def render(base_url: str) -> Entry:
        page = article_html(
            info.title,
            info.paragraphs,
            info.published,
            info.author,
            info.site_name,
            base_url + info.path,
            kind=info.kind,
            related=related,
        )
        return ok(page, HTML_TYPE)

    return render


# -------------------------------------------------------------------- RSS / OPML


def _rss(title: str, base_url: str, items: Iterable[ArticleInfo]) -> str:
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = base_url + "/"
    ET.SubElement(channel, "description").text = f"Latest stories from {title}"
    ET.SubElement(channel, "language").text = "en-us"
    # Newest first, undated items last - the order real feeds use.
    ordered = sorted(items, key=lambda a: a.published or datetime.min.replace(tzinfo=UTC))
    for info in reversed(ordered):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = info.title
        ET.SubElement(item, "link").text = base_url + info.path
        ET.SubElement(item, "guid", isPermaLink="false").text = info.guid
        if info.published is not None:
            ET.SubElement(item, "pubDate").text = format_datetime(info.published, usegmt=True)
        ET.SubElement(item, "description").text = info.paragraphs[0] if info.paragraphs else ""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode")


def _opml(title: str, base_url: str, feeds: Sequence[tuple[str, str]]) -> str:
    opml = ET.Element("opml", version="2.0")
    ET.SubElement(ET.SubElement(opml, "head"), "title").text = title
    body = ET.SubElement(opml, "body")
    for path, name in feeds:
        ET.SubElement(
            body, "outline", type="rss", text=name, title=name,
            xmlUrl=base_url + path, htmlUrl=base_url + "/",
        )  # fmt: skip
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, encoding="unicode")


def _add_feeds(site: Site, title: str, feeds: dict[str, tuple[str, list[ArticleInfo]]]) -> None:
    """Register feed routes (path -> (feed title, items)) plus /opml.xml."""
    for path, (name, items) in feeds.items():
        site.add_lazy(path, lambda base, n=name, i=items: ok(_rss(n, base, i), RSS_TYPE))
        site.feed_paths.append(path)
    listing = [(path, name) for path, (name, _) in feeds.items()]
    site.add_lazy("/opml.xml", lambda base: ok(_opml(title, base, listing), OPML_TYPE))


def _add_articles(
    site: Site, groups: Iterable[list[ArticleInfo]], templates: Sequence[Any] = ()
) -> None:
    """Register article pages; each links to a few neighbours in its group. With
    ``templates`` (realpages.Template), article n is put into real page n mod len."""
    n = 0
    for group in groups:
        for i, info in enumerate(group):
            related = [(a.path, a.title) for a in (group[i + 1 :] + group[:i])[:4]]
            site.articles[info.path] = info
            if templates:
                site.add_lazy(info.path, _real_entry(info, templates[n % len(templates)]))
            else:
                site.add_lazy(info.path, _article_entry(info, related))
            n += 1


def _real_entry(info: ArticleInfo, template: Any) -> Render:
    def render(base_url: str) -> Entry:
        return ok(template.render(info.title, info.paragraphs), HTML_TYPE)

    return render


def _squash(text: str) -> str:
    # Sentences carry stray spaces; extractors collapse them, so do it here
    # to keep fixture text directly comparable with extracted text.
    return " ".join(text.split())


def _slug(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80].rstrip("-") or "story"
    slug, n = base, 2
    while slug in taken:  # same-day headline collisions get a numeric suffix
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


# -------------------------------------------------------------------------- BASIL

BASIL_OUTLETS = {"fox": "Fox News", "nyt": "The New York Times", "hpo": "HuffPost"}
# Distinct publish minutes per outlet, so feeds interleave deterministically.
_BASIL_MINUTES = {"fox": 0, "nyt": 7, "hpo": 14}
_OPINION_TAIL = 3  # paragraphs reused from the end of the article


def _basil_paragraphs(raw: object) -> tuple[str, ...]:
    # Released JSON holds a list of sentence lists; older dumps hold its repr.
    value = ast.literal_eval(raw) if isinstance(raw, str) else raw
    assert isinstance(value, list)
    joined = (" ".join(p) if isinstance(p, list) else str(p) for p in value)
    return tuple(_squash(p) for p in joined if p.strip())


def _load_basil(basil_dir: Path) -> dict[str, list[dict[str, object]]]:
    triplets: dict[str, list[dict[str, object]]] = {}
    for file in sorted((basil_dir / "articles").glob("*/*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        record["source"] = str(record["source"]).lower()
        triplets.setdefault(str(record["triplet-uuid"]), []).append(record)
    return triplets


def _basil_article(record: dict[str, object], kind: str, taken: dict[str, set[str]]) -> ArticleInfo:
    source, date = str(record["source"]), str(record["date"])
    day = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=UTC)
    published = day + timedelta(hours=12, minutes=_BASIL_MINUTES[source])
    paragraphs = _basil_paragraphs(record["body-paragraphs"])
    title, guid = _squash(str(record["title"])), str(record["uuid"])
    if kind == "opinion":
        title = "Opinion: " + str(record["main-event"])
        paragraphs = paragraphs[-_OPINION_TAIL:]
        published += timedelta(hours=3)
        guid += "-opinion"
        folder = f"/{source}/opinion"
    else:
        folder = f"/{source}/{date}"
    path = f"{folder}/{_slug(title, taken.setdefault(folder, set()))}.html"
    return ArticleInfo(
        path, title, paragraphs, published, "Staff", BASIL_OUTLETS[source], source,
        kind=kind, event=str(record["triplet-uuid"]), guid=guid,
    )  # fmt: skip


def basil_site(basil_dir: Path, events: int | None = None) -> Site:
    """Three outlet feeds (fox/nyt/hpo) covering the same BASIL events.

    `events` keeps the first N triplets by (earliest date, triplet uuid). The
    first event also gets one opinion piece per outlet.
    """
    triplets = _load_basil(Path(basil_dir))
    order = sorted(triplets, key=lambda t: (min(str(r["date"]) for r in triplets[t]), t))
    site = Site()
    by_outlet: dict[str, list[ArticleInfo]] = {s: [] for s in BASIL_OUTLETS}
    taken: dict[str, set[str]] = {}  # folder -> slugs already used there
    for index, triplet in enumerate(order[:events]):
        for record in sorted(triplets[triplet], key=lambda r: str(r["source"])):
            source = str(record["source"])
            info = _basil_article(record, "news", taken)
            by_outlet[source].append(info)
            site.events.setdefault(triplet, []).append(info.path)
            if index == 0:
                opinion = _basil_article(record, "opinion", taken)
                by_outlet[source].append(opinion)
                site.opinion_paths.append(opinion.path)
    _add_articles(site, by_outlet.values())
    feeds = {f"/feeds/{s}.xml": (BASIL_OUTLETS[s], items) for s, items in by_outlet.items()}
    _add_feeds(site, "BASIL outlets", feeds)
    return site


# ----------------------------------------------------------------------- AllSides


def _allsides_date(value: str) -> datetime | None:
    # Mostly ISO dates; a few m/d/yy; ~11% missing - real feeds omit dates too.
    for fmt in ("%Y-%m-%d", "%m/%d/%y"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC, hour=12)
        except ValueError:
            continue
    return None


def _allsides_article(record: dict[str, str]) -> ArticleInfo:
    blocks = re.split(r"\n\s*\n", record["content_original"])
    paragraphs = tuple(_squash(p) for p in blocks if p.strip())
    return ArticleInfo(
        path=f"/a/{record['ID']}.html",
        title=_squash(record["title"]),
        paragraphs=paragraphs,
        published=_allsides_date(record["date"] or ""),
        author=record["authors"] or "Staff",
        site_name=record["source"],
        source=record["source"],
        guid=record["ID"],
    )


def read_allsides(corpus_path: Path, limit: int, *, events: bool = False) -> list[ArticleInfo]:
    """The first ``limit`` AllSides records; ``events``: instead, records that share a day
    and a topic with another (AllSides pairs outlets' reports of one event), in groups of
    2-3 in corpus order, so many of them cluster together whatever order they arrive in
    (the first records of the corpus hold only a few same-event pairs)."""
    if corpus_path.is_dir():
        corpus_path = corpus_path / "articles.jsonl.gz"
    with gzip.open(corpus_path, "rt", encoding="utf-8") as lines:
        if not events:
            return [
                _allsides_article(json.loads(line))
                for line, _ in zip(lines, range(limit), strict=False)
            ]
        groups: dict[tuple[str, str], list[dict[str, str]]] = {}
        for line in lines:
            record = json.loads(line)
            if record["date"]:
                groups.setdefault((record["date"], record["topic"]), []).append(record)
    out: list[ArticleInfo] = []
    for group in groups.values():
        room = limit - len(out)
        if room <= 0:
            break
        take = group[: min(3, room)]
        if len(group) >= 2 and (len(take) >= 2 or room == 1):
            out += map(_allsides_article, take)
    return out


def _split(items: list[ArticleInfo], parts: int) -> list[list[ArticleInfo]]:
    """Contiguous, near-equal chunks (the first len % parts get one extra)."""
    size, extra = divmod(len(items), parts)
    chunks: list[list[ArticleInfo]] = []
    start = 0
    for n in range(parts):
        end = start + size + (n < extra)
        chunks.append(items[start:end])
        start = end
    return [c for c in chunks if c]


def allsides_site(
    corpus_path: Path,
    feeds: int = 200,
    articles: int = 10000,
    templates: Sequence[Any] = (),
    *,
    events: bool = False,
) -> Site:
    """Many feeds over the first `articles` AllSides records (`events`: records in groups
    of one event, `read_allsides`), pages rendered lazily.

    Records are ordered by source so that most feeds hold one or two outlets,
    then split into `feeds` equal chunks (fewer if there are fewer articles).
    Pages are minimal (~5 KB, `article_html`), or with `templates` (from
    `realpages.load_templates`) each article sits inside a real news page.
    """
    records = read_allsides(Path(corpus_path), articles, events=events)
    records.sort(key=lambda a: a.source)  # stable: keeps corpus order within a source
    groups = _split(records, max(feeds, 1))
    site = Site()
    _add_articles(site, groups, templates)
    feed_map: dict[str, tuple[str, list[ArticleInfo]]] = {}
    for n, group in enumerate(groups):
        sources = ", ".join(dict.fromkeys(a.source for a in group))
        feed_map[f"/feeds/{n}.xml"] = (f"Feed {n}: {sources}", group)
    _add_feeds(site, "AllSides corpus", feed_map)
    return site
