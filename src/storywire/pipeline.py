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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from .cluster import Doc, OnlineClusterer
from .cluster.runner import MERGE_COSINE, MERGE_EVERY
from .dedup import canonical_url, content_hash
from .errors import ExtractError, FetchError, ParseError
from .extract import extract_page
from .ingest.feeds import parse_feed
from .ingest.http import Fetcher
from .models import Article, Entry, Feed, StoryVersion
from .settings import Settings
from .store import Store
from .textutil import html_to_text
from .timeutil import utcnow
from .write import ExtractiveWriter

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=24)


@dataclass
class CycleReport:
    feeds: int = 0
    feed_errors: int = 0
    not_modified: int = 0
    articles: int = 0
    duplicates: int = 0
    page_errors: int = 0
    stories_written: int = 0
    errors: list[str] = field(default_factory=list)


class Pipeline:
    def __init__(self, store: Store, settings: Settings,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.store = store
        self.settings = settings
        self.transport = transport
        self.clusterer = OnlineClusterer(
            window=timedelta(hours=settings.cluster_window_hours),
            threshold=settings.cluster_threshold,
        )
        self._since_maintenance = 0
        self.writer = ExtractiveWriter(words=settings.story_words)
        self.dirty: set[int] = set()
        self._primed = False

    # -- clustering state -----------------------------------------------------------

    def prime(self) -> int:
        """Rebuild the clusterer's open stories from the store (after a restart)."""
        if self._primed:
            return 0
        self._primed = True
        self.dirty.update(self.store.stale_stories())  # e.g. a cycle cut short by Ctrl-C
        latest = self.store.latest_published()
        if latest is None:
            return 0
        recent = self.store.articles_since(latest - 2 * self.clusterer.window)
        for a in recent:
            if a.duplicate_of is None and a.story_id is not None:
                self.clusterer.add(_doc(a), a.story_id, learn=True)
        return len(recent)

    # -- one article ------------------------------------------------------------------

    def add_article(self, article: Article, source_info: dict[str, str] | None = None) -> bool:
        """Dedup, store and cluster one article. False when its URL is already stored."""
        self.prime()
        digest = content_hash(article.title, article.text)
        original = self.store.find_by_hash(digest)
        article_id = self.store.add_article(
            article, content_hash=digest, duplicate_of=original, source_info=source_info
        )
        if article_id is None:
            return False
        if original is not None:
            story_id = self.store.story_of(original)
        else:
            doc = _doc(article)
            story_id = self.clusterer.assign(doc)
            if story_id is None:
                story_id = self.store.create_story(article.published)
            self.clusterer.add(doc, story_id)
            self._since_maintenance += 1
            if self._since_maintenance >= MERGE_EVERY:
                self.maintain()
        if story_id is not None:
            self.store.assign_story(article_id, story_id)
            self.dirty.add(story_id)
        return True

    def maintain(self) -> int:
        """Merge live stories that turned out to be one (the absorbed story keeps its row,
        status 'merged', merged_into set); return how many merges."""
        self._since_maintenance = 0
        merges = self.clusterer.merge_candidates(MERGE_COSINE)
        for absorbed, into in merges:
            self.store.merge_stories(absorbed, into)
            self.dirty.discard(absorbed)
            self.dirty.add(into)
            log.info("merged story %d into %d", absorbed, into)
        return len(merges)

    # -- writing ----------------------------------------------------------------------

    def write_dirty(self, progress: Callable[[int], None] | None = None) -> int:
        """Write every story whose articles changed meaningfully; return how many."""
        self.maintain()
        written = 0
        for story_id in sorted(self.dirty):
            written += self.write_story(story_id)
            if progress:
                progress(1)
        self.dirty.clear()
        self.clusterer.forget_before(self._horizon())
        return written

    def _horizon(self) -> datetime:
        latest = self.store.latest_published() or utcnow()
        return latest - 2 * self.clusterer.window

    def write_story(self, story_id: int) -> bool:
        articles = self.store.story_articles(story_id)
        if not articles:
            return False
        previous = self.store.latest_version(story_id)
        old_ids = set(previous[1]) if previous else set()
        new = [a for a in articles if a.id not in old_ids]
        old_outlets = {a.outlet for a in articles if a.id in old_ids}
        meaningful = any(a.duplicate_of is None or a.outlet not in old_outlets for a in new)
        if previous and not meaningful:
            return False
        draft = self.writer.write(articles)
        old_body = {s.text for s in previous[0].body} if previous else set()
        version = StoryVersion(
            story_id=story_id,
            version=(previous[0].version + 1) if previous else 1,
            written_at=utcnow(),
            writer=self.writer.name,
            title=draft.title,
            highlights=draft.highlights,
            body=draft.body,
            opinions=draft.opinions,
            changes={
                "new_articles": [a.id for a in new] if previous else [],
                "new_outlets": sorted({a.outlet for a in new} - old_outlets) if previous else [],
                "new_sentences": [s.text for s in draft.body if s.text not in old_body]
                if previous else [],
            },
        )
        self.store.add_version(version, [a.id for a in articles])
        return True

    # -- polling ----------------------------------------------------------------------

    async def poll_once(self, now: datetime | None = None) -> CycleReport:
        """Poll every due feed once, store new articles, write changed stories."""
        report = CycleReport()
        feeds = self.store.due_feeds(now or utcnow())
        async with Fetcher(self.settings, transport=self.transport) as fetcher:
            results = await asyncio.gather(*(self._poll_and_record(fetcher, f, report)
                                             for f in feeds))
        arrived = [(a, feed) for feed, (articles, _) in zip(feeds, results, strict=True)
                   for a in articles]
        # Cluster in publication order across feeds, as if each article arrived when published.
        for article, feed in sorted(arrived, key=lambda pair: pair[0].published):
            if self.add_article(article, _source_info(feed)):
                report.articles += 1
        # Only now that the articles are stored may the feed's new ETag be trusted.
        for feed, (_, outcome) in zip(feeds, results, strict=True):
            if outcome is not None:
                self._record(feed, outcome, report)
        report.stories_written = self.write_dirty()
        return report

    async def _poll_and_record(self, fetcher: Fetcher, feed: Feed,
                               report: CycleReport) -> tuple[list[Article], _Outcome | None]:
        """Poll one feed; a failure is recorded at once (so `feeds list` is live), a success
        is returned to be recorded after its articles are stored."""
        articles, outcome = await self._poll_feed(fetcher, feed)
        report.feeds += 1
        if outcome.error or outcome.not_modified:
            self._record(feed, outcome, report)
            return articles, None
        return articles, outcome

    def _record(self, feed: Feed, outcome: _Outcome, report: CycleReport) -> None:
        now = utcnow()
        report.page_errors += outcome.page_errors
        if outcome.error:
            report.feed_errors += 1
            report.errors.append(f"{feed.url}: {outcome.error}")
            backoff = min(
                timedelta(seconds=self.settings.poll_interval * 2 ** min(feed.error_count, 10)),
                MAX_BACKOFF,
            )
            wait = max(backoff, timedelta(seconds=outcome.retry_after or 0))
            self.store.record_feed_result(feed.id, status="error", error=outcome.error,
                                          next_check=now + wait)
            log.warning("feed %s %s: %s", feed.id, feed.url, outcome.error)
            return
        status = "not_modified" if outcome.not_modified else "ok"
        report.not_modified += outcome.not_modified
        self.store.record_feed_result(
            feed.id, status=status, next_check=now + timedelta(seconds=self.settings.poll_interval),
            etag=outcome.etag, last_modified=outcome.last_modified,
        )

    async def _poll_feed(self, fetcher: Fetcher, feed: Feed) -> tuple[list[Article], _Outcome]:
        try:
            resp = await fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        except FetchError as exc:
            return [], _Outcome(error=str(exc), retry_after=exc.retry_after)
        headers = {k.lower(): v for k, v in resp.headers.items()}
        outcome = _Outcome(etag=headers.get("etag"), last_modified=headers.get("last-modified"))
        if resp.not_modified:
            outcome.not_modified = True
            return [], outcome
        try:
            entries = parse_feed(resp.body, resp.url, headers)
        except ParseError as exc:
            return [], _Outcome(error=str(exc))
        entries = entries[: self.settings.max_entries_per_feed]
        known = self.store.known_urls(canonical_url(e.url) for e in entries)
        fresh = [e for e in entries if canonical_url(e.url) not in known]
        pages = await asyncio.gather(*(self._fetch_article(fetcher, feed, e) for e in fresh))
        outcome.page_errors = sum(1 for p in pages if p is None)
        return [p for p in pages if p is not None], outcome

    async def _fetch_article(self, fetcher: Fetcher, feed: Feed, entry: Entry) -> Article | None:
        url = canonical_url(entry.url)
        try:
            resp = await fetcher.get(entry.url)
            page = await asyncio.to_thread(extract_page, resp.body, resp.url, feed.kind)
        except (FetchError, ExtractError) as exc:
            log.info("feed %s page %s: %s", feed.id, entry.url, exc)
            summary = html_to_text(entry.summary)
            if len(summary.split()) < 20:
                return None  # not stored: retried at the next poll
            return _article_from_entry(feed, entry, url, summary)
        return Article(
            url=url, title=entry.title or page.title, text=page.text,
            published=entry.published or page.published or utcnow(),
            outlet=feed.outlet or page.site_name or urlsplit(url).hostname or "",
            kind=page.kind, author=entry.author or page.author,
            language=page.language or feed.language, section=page.section,
            summary=html_to_text(entry.summary), feed_id=feed.id, fetched_at=utcnow(),
        )

    async def run_forever(self, stop: threading.Event) -> None:
        """Poll and write until ``stop`` is set; finishes the current cycle first."""
        while not stop.is_set():
            cycle = asyncio.create_task(self.poll_once())
            while not cycle.done():
                await asyncio.wait({cycle}, timeout=0.5)
                if stop.is_set():
                    # Safe: stored rows are committed article by article, and stories
                    # left unwritten are found again by prime() at the next start.
                    cycle.cancel()
                    return
            report = cycle.result()
            log.info(
                "cycle: %d feeds (%d errors, %d not modified), %d new articles, "
                "%d stories written", report.feeds, report.feed_errors, report.not_modified,
                report.articles, report.stories_written,
            )
            wait = self.store.seconds_until_next_check(utcnow(), self.settings.poll_interval)
            await asyncio.to_thread(stop.wait, max(1.0, wait))

    # -- import ----------------------------------------------------------------------

    def import_articles(self, articles: Iterable[Article],
                        progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Store articles (publication order is best for clustering); return (new, known)."""
        new = known = 0
        for article in articles:
            if self.add_article(article):
                new += 1
            else:
                known += 1
            if progress:
                progress(1)
        return new, known


@dataclass
class _Outcome:
    error: str | None = None
    retry_after: float | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    page_errors: int = 0


def _doc(article: Article) -> Doc:
    return Doc(title=article.title, text=article.text, published=article.published,
               language=article.language, outlet=article.outlet)


def _source_info(feed: Feed) -> dict[str, str]:
    kind = feed.kind if feed.kind in ("news", "wire", "opinion") else "news"
    return {"country": feed.country, "language": feed.language, "kind": kind,
            "domain": urlsplit(feed.html_url or feed.url).hostname or ""}


def _article_from_entry(feed: Feed, entry: Entry, url: str, summary: str) -> Article:
    from .extract import classify

    return Article(
        url=url, title=entry.title, text=summary, published=entry.published or utcnow(),
        outlet=feed.outlet or urlsplit(url).hostname or "",
        kind=classify(url=url, title=entry.title, feed_kind=feed.kind),
        author=entry.author, language=feed.language, summary=summary, feed_id=feed.id,
        fetched_at=utcnow(),
    )
