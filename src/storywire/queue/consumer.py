"""``storywire cluster``: the one clustering and writing consumer.

It takes pending articles (stored by workers, not yet clustered) in queue order, puts
each into a story through the same pipeline and engine as ``storywire run`` and removes
it from the queue in the transaction that stores and assigns it, then writes the stories
that changed. Clustering is one ordered stream (each article is compared with the stories
before it), so exactly one consumer may run: it holds an exclusive lock for its whole life
(PostgreSQL: an advisory lock on a connection of its own; SQLite: ``flock`` on a file
beside the database). A second consumer waits for the lock and clusters nothing.

Database failures (PostgreSQL restarting) are logged and waited out: the consumer drops
its connections and in-memory state, reconnects, takes the lock again and rebuilds its
open stories from the store.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..settings import Settings
from ..store import Store, open_store

if TYPE_CHECKING:
    from ..pipeline import Pipeline

log = logging.getLogger(__name__)

LOCK_KEY = zlib.crc32(b"storywire cluster consumer")  # the advisory lock's key
BATCH = 200  # pending articles clustered per transaction
WRITE_EVERY = 5.0  # seconds of clustering between two writes of the changed stories
WAITING = "another cluster consumer holds the lock; waiting"


class ConsumerLock:
    """The cluster consumer's exclusive lock on one database."""

    def __init__(self, store: Store):
        self.store = store
        self._conn: Any = None  # psycopg connection holding the advisory lock
        self._file: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        if self.store.path is not None:
            path = Path(f"{self.store.path}.cluster.lock")
            fh = path.open("ab")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                return False
            self._file = fh
            return True
        import psycopg

        url = self.store.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        if not (row and row[0]):
            conn.close()
            return False
        self._conn = conn
        return True

    def held(self) -> bool:
        """Still held: SQLite's file lock always is; PostgreSQL's lasts as long as its
        connection (a server restart ends it)."""
        if self._file is not None:
            return True
        if self._conn is None:
            return False
        try:
            self._conn.execute("SELECT 1")
            return True
        except Exception:
            self.release()
            return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


class ClusterConsumer:
    """Clusters pending articles until ``stop`` is set (see the module's docstring)."""

    def __init__(
        self,
        settings: Settings,
        stop: threading.Event,
        *,
        idle: float = 1.0,
        retry: float = 2.0,
        on_batch: Callable[[int], None] | None = None,
    ):
        self.settings = settings
        self.stop = stop
        self.idle = idle
        self.retry = retry
        self.on_batch = on_batch
        self.clustered = 0  # articles clustered by this consumer
        self.written = 0  # story versions written

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with self._session() as (store, lock):
                    if lock is None:
                        return  # stopped while waiting
                    self._consume(store, lock)
            except Exception as exc:
                log.warning(
                    "cluster: %s: %s; reconnecting in %g s", type(exc).__name__, exc, self.retry
                )
                self.stop.wait(self.retry)

    @contextlib.contextmanager
    def _session(self) -> Iterator[tuple[Store, ConsumerLock | None]]:
        store = open_store(self.settings)
        lock = ConsumerLock(store)
        try:
            store.migrate()
            said = False
            while not lock.try_acquire():
                if not said:
                    log.warning(WAITING)
                    said = True
                if self.stop.wait(self.idle):
                    yield store, None
                    return
            log.info("cluster consumer: lock taken on %s", store.where)
            yield store, lock
        finally:
            lock.release()
            store.close()

    def _consume(self, store: Store, lock: ConsumerLock) -> None:
        from ..pipeline import Pipeline

        pipeline = Pipeline(store, self.settings)
        pipeline.prime()
        last_write = time.monotonic()
        while not self.stop.is_set():
            if not lock.held():
                raise RuntimeError("the consumer lock was lost (database restarted?)")
            done = self.step(store, pipeline)
            due = time.monotonic() - last_write >= WRITE_EVERY
            if done == 0 or due:
                self._write(store, pipeline)
                last_write = time.monotonic()
            if done == 0:
                self.stop.wait(self.idle)

    def step(self, store: Store, pipeline: Pipeline) -> int:
        """Cluster one batch of pending articles in one transaction; return how many
        were taken off the queue."""
        from threadpoolctl import threadpool_limits

        items = store.pending(BATCH)
        if not items:
            return 0
        with threadpool_limits(1, user_api="blas"):
            counts = pipeline.engine.counts([p.article for p in items])
            with pipeline._transaction():  # rolled back whole, engine state rebuilt
                for item, c in zip(items, counts, strict=True):
                    if pipeline.add_article(item.article, item.source_info, counts=c):
                        self.clustered += 1
                store.remove_pending([p.id for p in items])
        if self.on_batch:
            self.on_batch(len(items))
        return len(items)

    def _write(self, store: Store, pipeline: Pipeline) -> None:
        pipeline.dirty.update(store.unwritten_stories())
        if pipeline.dirty:
            written = pipeline.write_dirty()
            self.written += written
            log.info(
                "cluster: %d articles clustered so far; %d stories written", self.clustered, written
            )


def run_consumer(settings: Settings, stop: threading.Event) -> ClusterConsumer:
    consumer = ClusterConsumer(settings, stop)
    consumer.run()
    return consumer
