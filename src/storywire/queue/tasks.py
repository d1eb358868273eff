"""The worker's one task: poll a feed and queue its new articles for the cluster consumer.

Safe to run twice and to run after a killed run: the feed is leased in the store with a
conditional UPDATE (``Store.claim_feed``), so two tasks never poll one feed at once, and an
article already stored or pending is skipped (``Store.add_pending``), so a redone task adds
no duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import timedelta

from celery import shared_task

from ..errors import StoreError
from ..store import Store, open_store
from ..timeutil import utcnow
from .app import POLL_FEED, current_settings

log = logging.getLogger(__name__)

_store: Store | None = None
_store_lock = threading.Lock()


def worker_store() -> Store:
    """One store per worker process (thread-safe; tasks of the threads pool share it)."""
    global _store
    with _store_lock:
        if _store is None:
            _store = open_store(current_settings())
        return _store


@shared_task(
    name=POLL_FEED,
    autoretry_for=(StoreError,),  # the database restarting: try again in a moment
    retry_backoff=2,
    retry_backoff_max=30,
    max_retries=10,
)
def poll_feed(feed_id: int, token: str) -> dict[str, int] | str:
    """Poll feed ``feed_id`` under the lease ``token`` (taken by the scheduler; renewed
    here). Returns what was queued, or why nothing was done."""
    from ..pipeline import Pipeline

    settings = current_settings()
    store = worker_store()
    now = utcnow()
    lease = timedelta(seconds=settings.task_visibility_timeout)
    if not store.claim_feed(feed_id, token, now + lease, now):
        log.info("feed %s: leased by another poll; skipped", feed_id)
        return "claimed elsewhere"
    try:
        feed = store.get_feed(feed_id)
        if feed is None:
            return "no such feed"
        try:
            report = asyncio.run(Pipeline(store, settings).queue_feed(feed))
        except ExceptionGroup as group:  # from the page tasks: a database failure is retried
            failed: BaseException | None = group.subgroup(StoreError)
            while isinstance(failed, ExceptionGroup):
                failed = failed.exceptions[0]
            if failed is None:
                raise
            raise failed from group
    finally:
        try:
            store.release_feed(feed_id, token)
        except StoreError as exc:  # the lease runs out on its own
            log.warning("feed %s: could not release its lease: %s", feed_id, exc)
    log.info(
        "feed %s: %d new articles queued (%d page errors)",
        feed_id,
        report.articles,
        report.page_errors,
    )
    return {"articles": report.articles, "page_errors": report.page_errors}
