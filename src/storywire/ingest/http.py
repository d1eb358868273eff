"""Async HTTP fetching with the limits a long-running poller needs.

Every response is bounded: connect/read timeouts, a total deadline covering all
redirect hops, a maximum body size counted on the decoded bytes (so a gzip bomb
stops early), and a redirect limit with loop detection. Redirects are followed
by hand so that each hop passes the SSRF guard (``guard.py``). Requests are
limited overall and per host, and article pages honour robots.txt.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import FetchError
from ..settings import Settings
from .guard import Robots, check_host, check_scheme
from .transport import ADDRESSES, LeanTransport

_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _connect_message(url: str, exc: BaseException) -> str:
    """A plain sentence for a failed connection, from the OS error underneath httpx's."""
    host = urlsplit(url).hostname or url
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return f"cannot resolve host {host} (no network, or the name does not exist)"
        if isinstance(cause, ConnectionRefusedError):
            return f"connection refused by {host}"
        if isinstance(cause, OSError) and cause.strerror:
            return f"cannot connect to {host}: {cause.strerror}"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "Name or service not known" in text or "name resolution" in text:
        return f"cannot resolve host {host} (no network, or the name does not exist)"
    return f"cannot connect to {host}: {text or exc.__class__.__name__}"


def _proxies() -> bool:
    """Whether proxy variables are set (httpx's own transport handles proxies)."""
    found = urllib.request.getproxies()
    return any(found.get(k) for k in ("http", "https", "all"))


class _StaleConnection(Exception):
    """The server closed a kept-alive connection before answering (retried once)."""


def _origin(url: str) -> str:
    p = urlsplit(url)
    return f"{p.scheme}://{p.netloc}".lower()


class Fetcher:
    """Shared async client; use as ``async with Fetcher(settings) as f``."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout, pool=None)
        if transport is None and not _proxies():
            # httpx's own transport costs ~10x more CPU per request (see transport.py).
            transport = LeanTransport(max_keepalive=settings.fetch_concurrency)
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
            # Keep every connection alive (httpx keeps 20 by default): with more requests
            # in flight than that, each extra one would open a new connection.
            limits=httpx.Limits(
                max_connections=settings.fetch_concurrency,
                max_keepalive_connections=settings.fetch_concurrency,
            ),
            transport=transport,
        )
        self._overall = asyncio.Semaphore(settings.fetch_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, asyncio.Task[Robots]] = {}
        self.deadline = settings.fetch_deadline

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc.lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._hosts[host]

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        html_only: bool = False,
    ) -> Response:
        """GET with every limit; ``html_only`` refuses non-HTML bodies (article pages)."""
        check_scheme(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # The deadline starts once a slot is free: waiting for our own limits is not the
        # server's slowness. Redirect hops share the slot of the first host.
        async with self._overall, self._host_limit(url):
            try:
                return await asyncio.wait_for(self._follow(url, headers, html_only), self.deadline)
            except TimeoutError as exc:
                raise FetchError(f"gave up after the {self.deadline:g} s deadline") from exc

    async def get_page(self, url: str) -> Response:
        """An article page: http(s), HTML only, allowed by the site's robots.txt."""
        check_scheme(url)
        if self.settings.respect_robots:
            robots = await self._robots_for(url)
            if robots.unavailable:
                raise FetchError(
                    f"not fetched: the site's robots.txt is unavailable "
                    f"({robots.unavailable}); tried again next cycle"
                )
            if not robots.allowed(self.settings.user_agent, url):
                raise FetchError("refused: robots.txt disallows this page")
        return await self.get(url, html_only=True)

    async def _robots_for(self, url: str) -> Robots:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = asyncio.ensure_future(self._load_robots(origin))
        return await asyncio.shield(self._robots[origin])

    async def _load_robots(self, origin: str) -> Robots:
        try:
            resp = await self.get(origin + "/robots.txt")
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return Robots(None)  # no robots.txt: no rules
            return Robots(None, unavailable=str(exc))  # server trouble: wait (RFC 9309)
        return Robots(resp.body.decode("utf-8", "replace"))

    async def _follow(self, url: str, headers: dict[str, str], html_only: bool) -> Response:
        seen = {url}
        for _ in range(self.settings.max_redirects + 1):
            check_scheme(url)
            pinned: dict[str, list[str]] = {}
            if not self.settings.allow_private_addresses:
                pinned[ADDRESSES] = await check_host(url)
            try:
                resp, location = await self._one(url, headers, html_only, pinned)
            except _StaleConnection:
                # A kept-alive connection the server had closed: one fresh try.
                resp, location = await self._one(url, headers, html_only, pinned, retry=False)
            if resp is not None:
                return resp
            assert location is not None
            url = location
            if url in seen:
                raise FetchError(f"redirect loop at {url}")
            seen.add(url)
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    async def _one(
        self,
        url: str,
        headers: dict[str, str],
        html_only: bool,
        pinned: dict[str, list[str]],
        retry: bool = True,
    ) -> tuple[Response | None, str | None]:
        try:
            async with self._client.stream("GET", url, headers=headers, extensions=pinned) as resp:
                if resp.status_code in _REDIRECTS and resp.headers.get("location"):
                    return None, urljoin(url, resp.headers["location"].strip())
                return await self._read(url, resp, html_only), None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({exc.__class__.__name__})") from exc
        except httpx.ConnectError as exc:
            raise FetchError(_connect_message(url, exc)) from exc
        except httpx.RemoteProtocolError as exc:
            if retry and "without sending" in str(exc):
                raise _StaleConnection from exc
            raise FetchError(f"connection lost mid-response ({exc.__class__.__name__})") from exc
        except httpx.ReadError as exc:
            raise FetchError(f"connection lost mid-response ({exc.__class__.__name__})") from exc
        except httpx.DecodingError as exc:
            raise FetchError(f"cannot decode the compressed body: {exc}") from exc
        except httpx.HTTPError as exc:
            name = exc.__class__.__name__
            raise FetchError(f"connection failed ({name}: {exc or 'no detail'})") from exc

    async def _read(self, url: str, resp: httpx.Response, html_only: bool) -> Response:
        if resp.status_code == 304:
            return Response(url, 304, b"", dict(resp.headers))
        if resp.status_code >= 400 or resp.status_code in _REDIRECTS:
            raise FetchError(
                f"HTTP {resp.status_code} {resp.reason_phrase}".strip(),
                status=resp.status_code,
                retry_after=retry_after_seconds(resp.headers.get("retry-after")),
            )
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        if html_only and ctype and ctype not in _HTML_TYPES:
            raise FetchError(f"refused: not an HTML page (Content-Type {ctype})")
        limit = self.settings.max_body_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"body of {declared} bytes is over the {limit} byte limit")
        chunks, size = [], 0
        if resp.is_stream_consumed:  # built in memory (httpx.MockTransport): decoded already
            decoder, stream = BodyDecoder(""), _once(resp.content)
        else:
            decoder, stream = (
                BodyDecoder(resp.headers.get("content-encoding", "")),
                resp.aiter_raw(),
            )
        async for raw in stream:
            chunk = decoder.decode(raw)  # decoded here: a gzip bomb stops at the limit
            size += len(chunk)
            if size > limit:
                raise FetchError(f"body is over the {limit} byte limit (after decompression)")
            chunks.append(chunk)
        chunks.append(decoder.finish())
        return Response(url, resp.status_code, b"".join(chunks), dict(resp.headers))


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class BodyDecoder:
    """Content-Encoding gzip / deflate / identity, decoded as it arrives. Unlike httpx's
    decoders it notices a stream that stops early: a truncated gzip body is an error,
    not a short feed recorded "ok"."""

    def __init__(self, encoding: str):
        names = [e.strip().lower() for e in encoding.split(",") if e.strip()]
        names = [n for n in names if n != "identity"]
        for name in names:
            if name not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"unsupported Content-Encoding {name!r}")
        self.names = names[::-1]  # the last encoding applied is undone first
        self.zs = [self._new(n) for n in self.names]
        self.first = [True] * len(self.zs)

    @staticmethod
    def _new(name: str) -> Any:
        return zlib.decompressobj(zlib.MAX_WBITS | 16 if "gzip" in name else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> bytes:
        for i, z in enumerate(self.zs):
            try:
                out = z.decompress(data)
            except zlib.error as exc:
                if not (self.first[i] and self.names[i] == "deflate"):
                    raise FetchError(f"cannot decode the compressed body: {exc}") from exc
                self.zs[i] = z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
                out = z.decompress(data)
            self.first[i] = False
            data = out
        return data

    def finish(self) -> bytes:
        data = b""
        for i, z in enumerate(self.zs):
            data = z.decompress(data) + z.flush() if data else z.flush()
            if not z.eof and not (self.first[i] and i == 0):  # an empty body is no stream
                raise FetchError("compressed body ends early (truncated)")
        return data
