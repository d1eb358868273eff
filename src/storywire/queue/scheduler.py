"""``storywire scheduler``: every ``scheduler_tick`` seconds, enqueue the due feeds.

A due feed is leased (``Store.claim_feed``, a conditional UPDATE) before its task is
sent, so several schedulers never enqueue one feed twice, and a feed stays leased while
its task waits in the queue or runs. A task lost with the broker (Redis restarted without
persistence) leaves a lease that runs out after ``task_visibility_timeout``: the feed is
enqueued again then. The scheduler survives broker and database restarts (it logs, waits
a tick and tries again). It imports neither Celery's worker nor the clustering stack.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any

from ..settings import Settings
from ..store import Store, open_store
from ..timeutil import utcnow

log = logging.getLogger(__name__)


def enqueue_due(store: Store, app: Any, settings: Settings, now: datetime | None = None) -> int:
    """Lease and enqueue every due, unleased feed; return how many were enqueued."""
    from .app import POLL_FEED

    now = now or utcnow()
    lease = now + timedelta(seconds=settings.task_visibility_timeout)
    sent = 0
    for feed in store.due_feeds(now, unclaimed=True):
        token = uuid.uuid4().hex
        if not store.claim_feed(feed.id, token, lease, now):
            continue  # another scheduler took it
        try:
            app.send_task(POLL_FEED, args=[feed.id, token])
        except BaseException:
            store.release_feed(feed.id, token)  # due again at the next tick
            raise
        sent += 1
    return sent


def run_scheduler(settings: Settings, stop: threading.Event) -> None:
    """Enqueue due feeds every tick until ``stop`` is set."""
    from .app import make_app

    app = make_app(settings)
    store: Store | None = None
    failing = False
    while not stop.is_set():
        try:
            if store is None:
                store = open_store(settings)
                store.migrate()
            sent = enqueue_due(store, app, settings)
            if sent:
                log.info("enqueued %d due feeds", sent)
            if failing:
                log.info("scheduler: working again")
            failing = False
        except Exception as exc:  # broker or database down: try again next tick
            log.warning(
                "scheduler: %s: %s; retrying in %g s",
                type(exc).__name__,
                exc,
                settings.scheduler_tick,
            )
            failing = True
            if store is not None:
                store.close()
                store = None
        stop.wait(settings.scheduler_tick)
    if store is not None:
        store.close()
