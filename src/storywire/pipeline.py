"""The orchestrator: the only module that wires the stages to the store.

feeds ─► fetch ─► parse entries ─► fetch pages ─► extract ─► dedup ─► store
                                                                      │
import (JSONL) ───────────────────────────────────────────────────────┤
                                                                      ▼
                                     cluster (online) ─► write changed stories
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from .cluster.engine import EngineConfig, StoryEngine
from .cluster.features import Counts, term_counts
from .dedup import Signature, canonical_url
from .errors import ExtractError, FetchError, ParseError
from .ingest.feeds import parse_feed
from .ingest.http import Fetcher
from .ingest.schedule import error_wait, next_interval
from .models import Article, Entry, Feed, StoryVersion
from .settings import Settings
from .store import Store
from .text import headline, html_to_text
from .timeline import link_stories
from .timeutil import FUTURE_SLACK, utcnow
from .workers import Counter, Extractor
from .write import ExtractiveWriter, LLMWriter, decide, make_writer

if TYPE_CHECKING:
    from .progress import AddBar

log = logging.getLogger(__name__)
STORE_BATCH = 25  # a feed's articles are committed this many per transaction
IMPORT_BATCH = 200  # an import's articles per transaction


@dataclass
class CycleReport:
    feeds: int = 0
    feed_errors: int = 0
    not_modified: int = 0
    articles: int = 0
    duplicates: int = 0
    page_errors: int = 0
    from_summary: int = 0  # of ``articles``: stored from the feed's summary, page not extracted
    stories_written: int = 0
    errors: list[str] = field(default_factory=list)


class Pipeline:
    """Polls feeds, imports corpora and writes stories over one store.

    Collaborators are passed in (defaults in brackets): ``transport`` for HTTP [the
    network], ``engine`` the dedup + clustering engine [a StoryEngine over ``store`` from
    the settings], ``writer`` [the settings' writer], ``extractor`` a factory
    ``(processes, counter) -> Extractor`` called once per poll cycle [workers.Extractor],
    ``clock`` the current UTC time [utcnow]."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        engine: StoryEngine | None = None,
        writer: ExtractiveWriter | LLMWriter | None = None,
        extractor: Callable[[int, Counter | None], Extractor] = Extractor,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.store = store
        self.settings = settings
        self.transport = transport
        self._engine = engine  # built on first use: a worker's poll never clusters
        self.writer = writer or make_writer(settings)
        self.clock = clock
        self._new_extractor = extractor
        self._primed = False
        self._extractor = extractor(0, None)

    @property
    def engine(self) -> StoryEngine:
        if self._engine is None:
            self._engine = StoryEngine(self.store, EngineConfig.from_settings(self.settings))
        return self._engine

    @property
    def dirty(self) -> set[int]:
        """Stories whose articles changed and that are not written yet."""
        return self.engine.changed

    # -- clustering state -----------------------------------------------------------

    def prime(self) -> int:
        """Rebuild the engine's open stories from the store (after a restart)."""
        if self._primed:
            return 0
        self._primed = True
        self.dirty.update(self.store.stale_stories())  # e.g. a cycle cut short by Ctrl-C
        latest = self._latest()
        if latest is None:
            return 0
        recent = self.store.articles_since(latest - 2 * self.engine.window)
        self.engine.prime(recent, latest)
        return len(recent)

    # -- one article ------------------------------------------------------------------

    def add_article(
        self,
        article: Article,
        source_info: dict[str, str] | None = None,
        *,
        digest: str | None = None,
        sig: Signature | None = None,
        counts: Counts | None = None,
    ) -> bool:
        """Dedup, store and cluster one article (see ``StoryEngine.add``). False when its
        URL is already stored."""
        self.prime()
        placed = self.engine.add(article, source_info, digest=digest, sig=sig, counts=counts)
        return placed is not None

    def maintain(self) -> int:
        """Merge live stories that turned out to be one (the absorbed story keeps its row,
        status 'merged', merged_into set); return how many merges."""
        return len(self.engine.maintain())

    # -- writing ----------------------------------------------------------------------

    def write_dirty(self, progress: Callable[[int], None] | None = None) -> int:
        """Write every story whose articles changed meaningfully; return how many."""
        self.prime()
        self.engine.finish()
        written: list[int] = []
        for story_id in sorted(self.dirty):
            if self.write_story(story_id):
                written.append(story_id)
            if progress:
                progress(1)
        self.dirty.clear()
        link_stories(self.store, written)  # the timeline: stories continuing one another
        return len(written)

    def _latest(self) -> datetime | None:
        """The newest article time, never past the clock's sane window (a stored article
        dated 9999 must not retire every live story)."""
        latest = self.store.latest_published()
        return min(latest, self.clock() + FUTURE_SLACK) if latest else None

    def write_story(self, story_id: int) -> bool:
        """Write a new version when the story changed meaningfully (new outlets, new
        opinion pieces or new facts; see write/changes.py); False when nothing was written."""
        articles = self.store.story_articles(story_id)
        if not articles:
            return False
        previous = self.store.latest_version(story_id)
        last, last_ids = previous or (None, [])
        decided = decide(last, last_ids, articles, self.writer)
        if decided is None:
            return False
        draft, changes = decided
        version = StoryVersion(
            story_id=story_id,
            version=(previous[0].version + 1) if previous else 1,
            written_at=self.clock(),
            writer=draft.writer,
            title=draft.title,
            highlights=draft.highlights,
            body=draft.body,
            opinions=draft.opinions,
            changes=changes,
        )
        self.store.add_version(version, [a.id for a in articles])
        return True

    # -- polling ----------------------------------------------------------------------

    async def poll_once(
        self, now: datetime | None = None, *, write: bool = True, add_bar: AddBar | None = None
    ) -> CycleReport:
        """Poll every due feed once, store new articles, write changed stories.

        Feeds are polled concurrently; each feed's new articles are stored (in publication
        order) as soon as that feed's pages are fetched and extracted, so storing overlaps
        with the fetching and extraction of the other feeds. A feed's outcome (status, and
        for a success its new ETag) is recorded right after its articles are stored.
        ``add_bar`` (progress.py) gets a bar for the feeds and one for the stories written.
        """
        report = CycleReport()
        self.prime()  # at the first cycle: stories a crash left unwritten, open stories
        feeds = self.store.due_feeds(now or self.clock())
        feed_done = add_bar("feeds", len(feeds)) if add_bar else None
        self._extractor = self._new_extractor(self.settings.extract_processes, term_counts)
        done: asyncio.Queue[tuple[Feed, list[_Fetched], _Outcome]] = asyncio.Queue()
        try:
            async with (
                Fetcher(self.settings, transport=self.transport) as fetcher,
                asyncio.TaskGroup() as group,
            ):
                for feed in feeds:
                    group.create_task(self._poll_into(fetcher, feed, done))
                for _ in feeds:
                    feed, articles, outcome = await done.get()
                    await self._store_feed(feed, articles, outcome, report)
                    if feed_done:
                        feed_done(1)
        finally:
            self._extractor.close()
        # Also stories a failed write (disk full, a crash mid-cycle) left without a version.
        self.dirty.update(self.store.unwritten_stories())
        if write:  # write=False: ingest only (benchmarks)
            bar = add_bar("write stories", len(self.dirty)) if add_bar else None
            report.stories_written = self.write_dirty(bar)
        else:
            self.engine.finish()
        return report

    async def queue_feed(self, feed: Feed) -> CycleReport:
        """Poll one feed and queue its new articles (publication order) for the cluster
        consumer instead of clustering them: the task of ``storywire worker``. Pages are
        extracted in a thread (a worker scales by processes). Idempotent: an article
        already stored or queued is neither fetched nor queued again."""
        report = CycleReport()
        self._extractor = self._new_extractor(0, None)
        try:
            async with Fetcher(self.settings, transport=self.transport) as fetcher:
                fetched, outcome = await self._poll_feed(fetcher, feed)
        finally:
            self._extractor.close()
        report.feeds = 1
        info = _source_info(feed)
        fetched.sort(key=lambda f: f.article.published)
        report.articles = self.store.add_pending((f.article, info) for f in fetched)
        report.from_summary = sum(not f.from_page for f in fetched)
        # Only now that the articles are queued may the feed's new ETag be trusted.
        self._record(feed, outcome, report)
        return report

    async def _poll_into(
        self,
        fetcher: Fetcher,
        feed: Feed,
        done: asyncio.Queue[tuple[Feed, list[_Fetched], _Outcome]],
    ) -> None:
        try:
            articles, outcome = await self._poll_feed(fetcher, feed)
        except Exception as exc:  # a bug must not stop the other feeds of the cycle
            log.exception("feed %s %s: unexpected error", feed.id, feed.url)
            while isinstance(exc, ExceptionGroup) and exc.exceptions:  # from the page tasks
                exc = exc.exceptions[0]
            articles, outcome = [], _Outcome(error=f"internal error: {exc!r}")
        done.put_nowait((feed, articles, outcome))

    async def _store_feed(
        self, feed: Feed, fetched: list[_Fetched], outcome: _Outcome, report: CycleReport
    ) -> None:
        report.feeds += 1
        info = _source_info(feed)
        fetched = sorted(fetched, key=lambda f: f.article.published)
        for start in range(0, len(fetched), STORE_BATCH):
            with self._transaction():  # nothing awaits inside: a cancel cannot land mid-batch
                for f in fetched[start : start + STORE_BATCH]:
                    if self.add_article(
                        f.article, info, digest=f.digest, sig=f.sig, counts=f.counts
                    ):
                        report.articles += 1
                        report.from_summary += not f.from_page
            await asyncio.sleep(0)  # let the fetches of other feeds go on
        # Only now that the articles are stored may the feed's new ETag be trusted.
        self._record(feed, outcome, report)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One store transaction; if it fails, the in-memory dedup and clustering state
        (which may name rows just rolled back) is rebuilt from the store."""
        try:
            with self.store.batch():
                yield
        except BaseException:
            self._reset_state()
            raise

    def _reset_state(self) -> None:
        """Empty in-memory clustering and dedup state; prime() refills it from the store."""
        self.engine.reset()
        self._primed = False

    def _record(self, feed: Feed, outcome: _Outcome, report: CycleReport) -> None:
        now = self.clock()
        report.page_errors += outcome.page_errors
        if outcome.error:
            report.feed_errors += 1
            report.errors.append(f"{feed.url}: {outcome.error}")
            wait, failing = error_wait(
                feed.error_count + 1, outcome.retry_after, self.settings, outcome.status
            )
            error = outcome.error
            if failing:
                error = (
                    f"failing ({feed.error_count + 1} errors in a row), retried every "
                    f"{wait / 3600:g} h; last error: {outcome.error}"
                )
            self.store.record_feed_result(
                feed.id,
                status="failing" if failing else "error",
                error=error,
                next_check=now + timedelta(seconds=wait),
            )
            log.warning("feed %s %s: %s", feed.id, feed.url, error)
            return
        status = "not_modified" if outcome.not_modified else "ok"
        report.not_modified += outcome.not_modified
        interval = next_interval(
            outcome.published, feed.poll_interval, outcome.headers, outcome.ttl_body, self.settings
        )
        self.store.record_feed_result(
            feed.id,
            status=status,
            next_check=now + timedelta(seconds=interval),
            etag=outcome.etag,
            last_modified=outcome.last_modified,
            interval=None if outcome.not_modified else interval,
        )

    async def _poll_feed(self, fetcher: Fetcher, feed: Feed) -> tuple[list[_Fetched], _Outcome]:
        try:
            resp = await fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as exc:
            return [], _Outcome(error=str(exc), retry_after=exc.retry_after, status=exc.status)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        outcome = _Outcome(
            etag=headers.get("etag"), last_modified=headers.get("last-modified"), headers=headers
        )
        if resp.not_modified:  # costs no parsing
            outcome.not_modified = True
            return [], outcome
        try:
            entries = await asyncio.to_thread(parse_feed, resp.body, resp.url, headers)
        except ParseError as exc:
            return [], _Outcome(error=str(exc))
        outcome.ttl_body = resp.body[:20_000]
        outcome.published = [e.published for e in entries if e.published]
        entries = entries[: self.settings.max_entries_per_feed]
        known = self.store.known_urls(canonical_url(e.url) for e in entries)
        fresh = [e for e in entries if canonical_url(e.url) not in known]
        self._extractor.expect(len(fresh))
        # A TaskGroup, not gather: if one page fails unexpectedly, the others are
        # cancelled rather than left running past the cycle (and its closed client).
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self._fetch_article(fetcher, feed, e)) for e in fresh]
        pages = [t.result() for t in tasks]
        outcome.page_errors = sum(1 for p in pages if p is None)
        return [p for p in pages if p is not None], outcome

    async def _fetch_article(self, fetcher: Fetcher, feed: Feed, entry: Entry) -> _Fetched | None:
        url = canonical_url(entry.url)
        try:
            # A page is fetched only when it can soon be extracted: fetching is much faster
            # than extraction, and every page fetched ahead waits in memory (10,000 real
            # pages of ~110 KB would be over 1 GB).
            async with self._extractor.backlog:
                resp = await fetcher.get_page(entry.url)
                ctype = {k.lower(): v for k, v in resp.headers.items()}.get("content-type", "")
                ready = await self._extractor.prepare(
                    resp.body, resp.url, feed.kind, ctype, entry.title, url
                )
        except (FetchError, ExtractError) as exc:
            log.info("feed %s page %s: %s", feed.id, entry.url, exc)
            summary = html_to_text(entry.summary)
            if len(summary.split()) < 20:
                return None  # not stored: retried at the next poll
            return _Fetched(
                _article_from_entry(feed, entry, url, summary, self.clock()), from_page=False
            )
        page = ready.page
        title, text, derived = headline(entry.title or page.title, page.text)
        same = text == page.text  # else the worker's keys and counts are for another text
        return _Fetched(
            Article(
                url=url,
                title=title,
                text=text,
                published=entry.published or page.published or self.clock(),
                outlet=feed.outlet or page.site_name or urlsplit(url).hostname or "",
                kind=page.kind,
                author=entry.author or page.author,
                language=page.language or feed.language,
                section=page.section,
                summary=html_to_text(entry.summary),
                feed_id=feed.id,
                fetched_at=self.clock(),
                title_from_text=derived,
                image=page.image or entry.image,
            ),
            digest=ready.digest if same else None,
            sig=ready.sig if same else None,
            counts=ready.counts if same and title == (entry.title or page.title) else None,
        )

    async def run_forever(self, stop: threading.Event) -> None:
        """Poll and write until ``stop`` is set; finishes the current cycle first."""
        while not stop.is_set():
            cycle = asyncio.create_task(self.poll_once())
            while not cycle.done():
                await asyncio.wait({cycle}, timeout=0.5)
                if stop.is_set():
                    # Safe: stored rows are committed in small batches, and stories
                    # left unwritten are found again by prime() at the next start.
                    cycle.cancel()
                    return
            report = cycle.result()
            log.info(
                "cycle: %d feeds (%d errors, %d not modified), %d new articles, %d stories written",
                report.feeds,
                report.feed_errors,
                report.not_modified,
                report.articles,
                report.stories_written,
            )
            wait = self.store.seconds_until_next_check(self.clock(), self.settings.poll_interval)
            await asyncio.to_thread(stop.wait, max(1.0, wait))

    # -- import ----------------------------------------------------------------------

    def import_articles(
        self, articles: Iterable[Article], progress: Callable[[int], None] | None = None
    ) -> tuple[int, int]:
        """Store and cluster articles (publication order is best for clustering); return
        (new, known). The last maintenance pass runs in ``write_dirty``.

        IMPORT_BATCH articles per store transaction (one transaction per store call made
        PostgreSQL imports ~2x slower: a commit and its round trips per call); a failure
        rolls back the batch and rebuilds the in-memory state from the store."""
        self.prime()
        placed = self.engine.place(articles, progress, finish=False)
        new = known = 0
        while True:
            with self._transaction():
                done = list(islice(placed, IMPORT_BATCH))
            if not done:
                return new, known
            new += sum(p is not None for p in done)
            known += sum(p is None for p in done)


@dataclass
class _Outcome:
    error: str | None = None
    retry_after: float | None = None
    status: int | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    page_errors: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    ttl_body: bytes = b""
    published: list[datetime] = field(default_factory=list)


@dataclass
class _Fetched:
    """A new article of a feed, with its dedup keys when a worker computed them."""

    article: Article
    digest: str | None = None
    sig: Signature | None = None
    counts: Counts | None = None  # the clusterer's term counts, from the worker
    from_page: bool = True  # False: stored from the feed's summary


def _source_info(feed: Feed) -> dict[str, str]:
    kind = feed.kind if feed.kind in ("news", "wire", "opinion") else "news"
    return {
        "country": feed.country,
        "language": feed.language,
        "kind": kind,
        "domain": urlsplit(feed.html_url or feed.url).hostname or "",
    }


def _article_from_entry(feed: Feed, entry: Entry, url: str, summary: str, now: datetime) -> Article:
    from .extract import classify

    title, text, derived = headline(entry.title, summary)
    return Article(
        url=url,
        title=title,
        text=text,
        title_from_text=derived,
        published=entry.published or now,
        outlet=feed.outlet or urlsplit(url).hostname or "",
        kind=classify(url=url, title=title, feed_kind=feed.kind),
        author=entry.author,
        language=feed.language,
        summary=summary,
        feed_id=feed.id,
        fetched_at=now,
        image=entry.image,
    )
