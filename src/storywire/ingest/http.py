"""Async HTTP fetching with the limits a long-running poller needs.

Every response is bounded: connect/read timeouts, a total deadline, a maximum
body size counted on the decoded bytes (so a gzip bomb stops early), and a
redirect limit. Requests to one host are limited so publishers are not hammered.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from ..errors import FetchError
from ..settings import Settings

MAX_REDIRECTS = 5


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


class Fetcher:
    """Shared async client; use as ``async with Fetcher(settings) as f``."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        timeout = httpx.Timeout(
            settings.read_timeout, connect=settings.connect_timeout, pool=None
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": settings.user_agent},
            limits=httpx.Limits(max_connections=settings.fetch_concurrency),
            transport=transport,
        )
        self._overall = asyncio.Semaphore(settings.fetch_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.deadline = settings.connect_timeout + 2 * settings.read_timeout

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return self._hosts[host]

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"refused: {url!r} is not an http(s) URL")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._overall, self._host_limit(url):
            try:
                return await asyncio.wait_for(self._get(url, headers), self.deadline)
            except TimeoutError as exc:
                raise FetchError(f"gave up after the {self.deadline:.0f} s deadline") from exc
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects") from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({exc.__class__.__name__})") from exc
            except httpx.ConnectError as exc:
                raise FetchError(_connect_message(url, exc)) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{exc.__class__.__name__}: {exc or 'connection failed'}") from exc

    async def _get(self, url: str, headers: dict[str, str]) -> Response:
        async with self._client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 304:
                return Response(str(resp.url), 304, b"", dict(resp.headers))
            if resp.status_code >= 400:
                raise FetchError(
                    f"HTTP {resp.status_code} {resp.reason_phrase}".strip(),
                    status=resp.status_code,
                    retry_after=retry_after_seconds(resp.headers.get("retry-after")),
                )
            limit = self.settings.max_body_bytes
            declared = resp.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(f"body of {declared} bytes is over the {limit} byte limit")
            chunks, size = [], 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"body is over the {limit} byte limit")
                chunks.append(chunk)
            return Response(str(resp.url), resp.status_code, b"".join(chunks), dict(resp.headers))
