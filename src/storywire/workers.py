"""Per-page CPU work of a poll cycle, run off the event loop (a thread or worker processes).

Everything about a fetched page that needs no shared state is computed here, next to the
extraction: the page itself, the content hash and the MinHash signature of its text, and
(when the pipeline passes a ``counter``) the clusterer's raw term counts. The main process
then only looks these up (dedup), clusters and stores. This module does not import the
clusterer: the counting function is handed in by the pipeline's wiring.

Worker processes end with the main process (``lifeline.die_with``: ``kill -9`` of
``poll`` or ``run`` leaves no fork server, resource tracker or worker behind), and a
page gets ``timeout`` seconds (``lifeline.time_limit``): past it the page is an
extraction error; a worker stuck in C code is ended and the pool replaced. Closing the
pool does not wait for a page in progress.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from .dedup import Signature, dedup_keys
from .errors import ExtractError
from .extract import Page, extract_page
from .lifeline import PageTimeout, die_with, time_limit

# With the automatic setting (extract_processes = -1), a cycle starts worker processes
# only once it has more pages than this to extract: a few pages are cheaper in a thread.
AUTO_POOL_PAGES = 20
# Pages are sent to worker processes in chunks of up to CHUNK (or what arrived within
# CHUNK_WAIT seconds): each submit to a ProcessPoolExecutor wakes its manager and feeder
# threads, which then contend with the event loop for the GIL (measured: ~3 ms of
# event-loop time per submit with 2 busy workers).
CHUNK = 8
CHUNK_WAIT = 0.02
# Pages fetched or being fetched but not yet extracted, at most (``Extractor.backlog``):
# enough to keep the workers fed, few enough that memory does not grow with the cycle.
BACKLOG = 64
# Seconds one page may take in a worker process (trafilatura takes ~0.1 s on a news page).
PAGE_TIMEOUT = 60.0

# body, url, feed kind, Content-Type, entry title, the URL the article is stored under
# (its path words are features of the clusterer)
Job = tuple[bytes, str, str, str, str, str]
# (title, text, stored URL) -> the clusterer's raw term counts; a module-level function
# (picklable).
Counter = Callable[[str, str, str], Any]


@dataclass(frozen=True)
class Prepared:
    """An extracted page with its dedup keys and, when a counter was given, its term
    counts (all computed from ``title or page.title`` and the page text)."""

    page: Page
    digest: str
    sig: Signature | None
    counts: Any = None


def prepare_page(
    body: bytes,
    url: str,
    kind: str,
    ctype: str,
    title: str,
    doc_url: str = "",
    num_perm: int = 64,
    counter: Counter | None = None,
) -> Prepared:
    """Extract a page and compute its dedup keys (and term counts with ``counter``);
    raises ExtractError like extract_page."""
    page = extract_page(body, url, kind, ctype)
    title = title or page.title
    digest, sig = dedup_keys(title, page.text, num_perm)
    return Prepared(
        page,
        digest,
        sig,
        counter(title, page.text, doc_url or url) if counter is not None else None,
    )


def prepare_pages(
    jobs: list[Job], counter: Counter | None = None, timeout: float = 0.0
) -> list[Prepared | str]:
    """``prepare_page`` for each job; an ExtractError becomes its message (plain data).
    ``timeout``: seconds per page (0: none; worker processes only)."""
    out: list[Prepared | str] = []
    for job in jobs:
        try:
            with time_limit(timeout):
                out.append(prepare_page(*job, counter=counter))
        except ExtractError as exc:
            out.append(str(exc) or "extraction failed")
        except PageTimeout:
            out.append(f"extraction timed out after {timeout:g} s")
    return out


# One page at a time per process in threads: trafilatura parses with lxml parsers held in
# its module globals, not safe from two threads at once (adbar/trafilatura#840, #925:
# glibc aborts). Seen here: a `storywire worker` (two tasks in threads, each extracting
# in a thread) died with "malloc_consolidate(): unaligned fastbin chunk detected". The
# GIL runs extraction one thread at a time anyway; worker processes are single-threaded.
_EXTRACTING = threading.Lock()


def _prepare_alone(*args: Any, **kwargs: Any) -> Prepared:
    with _EXTRACTING:
        return prepare_page(*args, **kwargs)


def auto_processes() -> int:
    return min(2, os.cpu_count() or 1)


class Extractor:
    """Runs ``prepare_page`` in a thread, or in worker processes (forkserver: safe beside
    the server's threads) started lazily, for one poll cycle. ``close()`` stops them.

    ``processes``: 0 a thread; n > 0 that many processes; -1 ``auto_processes()`` once
    more than AUTO_POOL_PAGES pages were announced with ``expect()``, a thread before.
    ``counter``: computes each page's term counts for the clusterer next to the extraction.
    ``timeout``: seconds per page in a worker process.
    """

    def __init__(
        self, processes: int, counter: Counter | None = None, timeout: float = PAGE_TIMEOUT
    ):
        self.processes = processes
        self.counter = counter
        self.timeout = timeout
        self._running = 0  # chunks handed to the pool and not finished
        self.backlog = asyncio.Semaphore(BACKLOG)  # held from page fetch to extraction
        self._expected = 0
        self._pool: Executor | None = None
        self._pending: list[tuple[Job, asyncio.Future[Prepared]]] = []
        self._timer: asyncio.TimerHandle | None = None

    def expect(self, pages: int) -> None:
        self._expected += pages

    def _executor(self) -> Executor | None:
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self._stop_pool()  # a worker died (a stuck page ended): a new pool
        if self._pool is None:
            n = self.processes
            if n < 0 and self._expected > AUTO_POOL_PAGES:
                n = auto_processes()
            if n > 0:
                context = multiprocessing.get_context("forkserver")
                # The fork server imports the worker code once per process lifetime, so a
                # cycle's new workers start with it loaded (else ~2 s of CPU each, every
                # cycle). Only takes effect before the fork server has started.
                preload = ["storywire.workers"]
                if self.counter is not None:
                    preload.append(self.counter.__module__)
                context.set_forkserver_preload(preload)
                self._pool = ProcessPoolExecutor(
                    n, mp_context=context, initializer=die_with, initargs=(os.getpid(),)
                )
        return self._pool

    async def prepare(
        self, body: bytes, url: str, kind: str, ctype: str, title: str, doc_url: str = ""
    ) -> Prepared:
        pool = self._executor()
        if pool is None:
            return await asyncio.to_thread(
                _prepare_alone, body, url, kind, ctype, title, doc_url, counter=self.counter
            )
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Prepared] = loop.create_future()
        self._pending.append(((body, url, kind, ctype, title, doc_url), future))
        if len(self._pending) >= CHUNK:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(CHUNK_WAIT, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        chunk, self._pending = self._pending, []
        chunk = [(job, fut) for job, fut in chunk if not fut.done()]  # e.g. cancelled
        pool = self._executor()
        if not chunk or pool is None:
            return
        loop = asyncio.get_running_loop()
        jobs = [job for job, _ in chunk]
        try:
            done = loop.run_in_executor(pool, prepare_pages, jobs, self.counter, self.timeout)
        except Exception as exc:  # e.g. a broken pool: every waiter must hear of it
            for _, fut in chunk:
                fut.set_exception(_plain(exc))
            return
        self._running += 1
        done.add_done_callback(lambda d: self._settle(d, [fut for _, fut in chunk]))

    def _settle(
        self, done: asyncio.Future[list[Prepared | str]], futures: list[asyncio.Future[Prepared]]
    ) -> None:
        self._running -= 1
        _settle(done, futures)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for _, fut in self._pending:
            fut.cancel()
        self._pending = []
        self._stop_pool()

    def _stop_pool(self) -> None:
        """Stop the workers; one still inside a page is killed, not waited for."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        busy = self._running > 0 or getattr(pool, "_broken", False)
        if busy:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=not busy, cancel_futures=True)
        self._running = 0


def _settle(
    done: asyncio.Future[list[Prepared | str]], futures: list[asyncio.Future[Prepared]]
) -> None:
    """Hand each page of a finished chunk to its waiter."""
    error = None if done.cancelled() else done.exception()
    for i, fut in enumerate(futures):
        if fut.done():
            continue
        if done.cancelled():
            fut.cancel()
        elif error is not None:
            fut.set_exception(_plain(error))
        else:
            result = done.result()[i]
            if isinstance(result, str):
                fut.set_exception(ExtractError(result))
            else:
                fut.set_result(result)


def _plain(error: BaseException) -> BaseException:
    """A worker that died (killed after a timeout, or by the system) is an extraction
    error of its pages, not a bug: they are retried at the next poll."""
    if isinstance(error, BrokenProcessPool):
        return ExtractError("extraction worker ended (a page ran past its time limit?)")
    return error
