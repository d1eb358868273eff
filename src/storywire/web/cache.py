"""Response caches: story versions never change once written, so their rendered
bytes are kept per (story, version) and revalidated with ETag / Last-Modified;
listings are reused for ``page_cache_seconds``."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

T = TypeVar("T")


GZIP_MIN_BYTES = 1400  # smaller bodies fit one packet anyway


@dataclass(frozen=True)
class Rendered:
    """A rendered body with its validators (and its gzip form, made once on demand)."""

    body: bytes
    media_type: str
    etag: str
    last_modified: datetime | None = None
    _gz: list[bytes] = field(default_factory=list, compare=False, repr=False)

    def gzipped(self) -> bytes:
        if not self._gz:
            self._gz.append(gzip.compress(self.body, compresslevel=6, mtime=0))
        return self._gz[0]


def rendered(
    body: bytes, media_type: str, last_modified: datetime | None = None, etag: str | None = None
) -> Rendered:
    tag = etag or '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return Rendered(body, media_type, tag, last_modified)


class LRU(Generic[T]):
    """A small least-recently-used map (one per process). Pages are rendered in the
    thread pool (``story_rendered`` from ``story_async``, sync routes), so the map is
    guarded by a lock; ``make`` runs outside it, and two threads missing one key at
    once may both render it (the same bytes; the later one is kept)."""

    def __init__(self, size: int = 2048):
        self.size, self.items = size, OrderedDict[Hashable, T]()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> T | None:
        with self._lock:
            return self.items.get(key)

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self._lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class TTLCache(Generic[T]):
    """Values reused for ``seconds`` (0 disables). Sync routes call ``get_or_make`` from
    the thread pool, so storing is guarded by a lock (``make`` runs outside it)."""

    def __init__(self, seconds: float, size: int = 512):
        self.seconds, self.size = seconds, size
        self.items: dict[Hashable, tuple[float, T]] = {}
        # Keys being computed by get_async, and the computation others await.
        self.flights: dict[Hashable, asyncio.Future[T]] = {}
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        now = time.monotonic()
        hit = self.items.get(key)
        if hit and now - hit[0] < self.seconds:
            return hit[1]
        value = make()
        self._store(key, now, value)
        return value

    def _store(self, key: Hashable, when: float, value: T) -> None:
        if self.seconds > 0:
            with self._lock:
                if len(self.items) >= self.size:
                    self.items.clear()
                self.items[key] = (when, value)

    async def get_async(self, key: Hashable, make: Callable[[], T]) -> T:
        """As ``get_or_make``, computing in the thread pool so the event loop keeps
        answering. One computation per key at a time (single flight): while it runs,
        others get the stale value, or, when there is none yet, await the same result;
        50 readers arriving at a cold home page start one computation, not 50 (at
        300,000 articles each took a second and wrk timed out)."""
        hit = self.items.get(key)
        flight = self.flights.get(key)
        if hit and (time.monotonic() - hit[0] < self.seconds or flight is not None):
            return hit[1]
        if flight is None:
            flight = asyncio.ensure_future(self._compute(key, make))
            self.flights[key] = flight
            flight.add_done_callback(lambda f: self._landed(key, f))
        # shield: one reader going away does not cancel the others' computation.
        return await asyncio.shield(flight)

    def _landed(self, key: Hashable, flight: asyncio.Future[T]) -> None:
        self.flights.pop(key, None)
        if not flight.cancelled():
            flight.exception()  # retrieved: no "never retrieved" warning if all left

    async def _compute(self, key: Hashable, make: Callable[[], T]) -> T:
        value = await run_in_threadpool(make)
        self._store(key, time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self.items.clear()


def respond(
    request: Request, page: Rendered, *, cache_control: str = "no-cache", status: int = 200
) -> Response:
    """The body, or 304 when the client's ETag / Last-Modified still match."""
    compress = len(page.body) >= GZIP_MIN_BYTES and accepts_gzip(
        request.headers.get("accept-encoding", "")
    )
    etag = page.etag[:-1] + '-gz"' if compress else page.etag  # one tag per encoding
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if page.last_modified is not None:
        headers["Last-Modified"] = format_datetime(page.last_modified, usegmt=True)
    if status == 200 and _not_modified(request, page, etag):
        return Response(status_code=304, headers=headers)
    if compress:
        headers["Content-Encoding"] = "gzip"
        return Response(
            page.gzipped(), status_code=status, media_type=page.media_type, headers=headers
        )
    return Response(page.body, status_code=status, media_type=page.media_type, headers=headers)


def accepts_gzip(header: str) -> bool:
    """Whether Accept-Encoding allows gzip: its own entry (or ``*``) with q > 0 (RFC 9110)."""
    found: dict[str, float] = {}
    for part in header.split(","):
        name, *params = part.split(";")
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        found[name.strip().lower()] = q
    q = found.get("gzip", found.get("x-gzip", found.get("*", 0.0)))
    return q > 0


def _not_modified(request: Request, page: Rendered, etag: str) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and page.last_modified is not None:
        try:
            return page.last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
