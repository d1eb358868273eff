"""The database under the store: engine, transactions, errors, and each dialect's SQL.

One :class:`Database` per process or thread pool, on SQLite (a file, WAL mode, so the
web server reads while the poller writes) or PostgreSQL (psycopg 3), chosen by the URL.
Every query module runs its SQL through :meth:`Database._tx` (SQLAlchemy Core text);
the per-article statements of a poll go through :meth:`Database._fast` instead, straight
to the driver in the same transaction: sqlite3 caches their prepared statements and
psycopg prepares them on the server after a few uses, skipping SQLAlchemy's per-call
compile and result layers (~3x cheaper per call).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError

from ..errors import StoreError

# Both databases keep 64-bit signed integer ids: no larger id can name a row.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Dialect:
    """The few SQL expressions that differ between SQLite and PostgreSQL."""

    name: str
    # Hours from timestamp expression {b} to {a} (ISO-8601 text columns or parameters).
    hours_between: str
    # The larger of two numbers (scalar max).
    greatest: str
    # The text of the first highlight of a story version ``v`` (its Story's first
    # sentence when it has no highlight).
    top_highlight: str
    # The length of a JSON array held in a text column {col}.
    json_length: str


SQLITE = Dialect(
    name="sqlite",
    hours_between="((julianday({a}) - julianday({b})) * 24.0)",
    greatest="max",
    top_highlight=(
        "coalesce(json_extract(v.highlights, '$[0].text'), json_extract(v.body, '$[0].text'), '')"
    ),
    json_length="json_array_length({col})",
)
POSTGRESQL = Dialect(
    name="postgresql",
    hours_between=(
        "(extract(epoch FROM (CAST({a} AS timestamptz) - CAST({b} AS timestamptz))) / 3600.0)"
    ),
    greatest="greatest",
    top_highlight=(
        "coalesce(CAST(v.highlights AS json) -> 0 ->> 'text',"
        " CAST(v.body AS json) -> 0 ->> 'text', '')"
    ),
    json_length="json_array_length(CAST({col} AS json))",
)


def database_url(target: Path | str) -> str:
    """A SQLAlchemy URL for a SQLite file path or any database URL.

    ``postgresql://`` and ``postgres://`` mean psycopg 3 (``postgresql+psycopg://``).
    """
    value = str(target)
    if "://" not in value:
        return f"sqlite:///{value}"
    scheme, rest = value.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return value


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # The wait first: switching a new file to WAL takes a lock another process may hold.
    cur.execute("PRAGMA busy_timeout=10000")
    # A new file's switch to WAL needs an exclusive lock; while another connection is in
    # a write transaction (a migration in another thread or process) SQLite answers
    # "database is locked" at once, without the busy wait: retry for as long.
    deadline = time.monotonic() + 10.0
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


IDLE_PING = 1.0  # seconds a pooled PostgreSQL connection may idle before it is checked


def _mark_used(_dbapi_conn: Any, record: Any) -> None:
    record.info["used"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """Check a connection that sat idle in the pool before handing it out; a broken one
    (the server restarted) is replaced instead of failing the caller's transaction.
    Busy connections are not checked: no round trip on the hot path."""
    if time.monotonic() - record.info.get("used", 0.0) < IDLE_PING:
        return
    try:
        dbapi_conn.execute("SELECT 1")
        dbapi_conn.rollback()
    except Exception as exc:
        raise DisconnectionError(str(exc)) from exc


WINDOW_MERGE_EVERY = 2000  # rows written into a search window between two tidyings
# PostgreSQL: the rows that fell out of each search window (sizes as in 0009).
_PG_TRIM = {
    "articles_recent": "DELETE FROM articles_recent"
    " WHERE id <= (SELECT max(id) FROM articles) - 20000",
    "stories_recent": "DELETE FROM stories_recent"
    " WHERE story_id <= (SELECT max(id) FROM stories) - 10000",
}
POOL = 8  # PostgreSQL connections per process at most (setting database_pool)


def make_engine(url: str, pool: int = POOL) -> Engine:
    """An engine for ``url`` with the store's connection settings; ``pool``: PostgreSQL
    connections at most."""
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        # No pre-ping on every checkout: it costs a round trip per transaction (measured:
        # the per-article path does several). Only a connection idle for IDLE_PING
        # seconds is checked, so one broken by a server restart is replaced (a web
        # request after a restart answers). At most ``pool`` connections, no overflow:
        # the web server answers from 40 threads, and with up to 30 busy connections
        # (10 + 20 overflow) a 2-core PostgreSQL spent 8 ms of CPU per search where 8
        # connections spend 4.6 (the rest was contention); threads beyond wait.
        # Last in, first out: the busiest few connections serve the next request, and
        # their backends' caches stay warm. First in, first out (SQLAlchemy's default)
        # rotated 4 searches at once over all 8 once other routes had opened them, at
        # 3.8-4.4 ms of database CPU per search where LIFO took 3.2-3.9 (300,000-article
        # store, home/story/API list measured first, as bench.scale does).
        engine = create_engine(url, pool_size=pool, max_overflow=0, pool_use_lifo=True)
        event.listen(engine, "checkout", _ping_if_idle)
        event.listen(engine, "checkin", _mark_used)
        return engine
    raise StoreError(f"unsupported database URL {make_url(url).render_as_string()}")


def is_database_error(exc: BaseException) -> bool:
    """Raised by a driver, SQLAlchemy or Alembic (psycopg's errors come straight from the
    driver on the hot path)."""
    if isinstance(exc, SQLAlchemyError | sqlite3.Error):
        return True
    return type(exc).__module__.split(".")[0] in ("psycopg", "alembic")


def _end_autocommit(conn: Connection, raw: Any) -> None:
    """Back to transactions before ``conn`` returns to the pool; a connection that cannot
    (broken mid-statement) is dropped from the pool instead."""
    try:
        raw.autocommit = False
    except Exception:
        conn.invalidate()


class Database:
    """Engine, transactions and error mapping shared by every query module."""

    def __init__(self, target: Path | str, *, pool: int = POOL):
        self.url = database_url(target)
        parsed = make_url(self.url)
        self.path: Path | None = None
        if parsed.get_backend_name() == "sqlite":
            self.path = Path(parsed.database or "")
            if self.path.parent and not self.path.parent.exists():
                raise StoreError(f"database folder {self.path.parent} does not exist")
        # Where the database is, for messages (never the password).
        self.where = str(self.path) if self.path else parsed.render_as_string(hide_password=True)
        self.pool = pool  # PostgreSQL connections at most
        self.engine = make_engine(self.url, pool)
        self.dialect = SQLITE if self.path is not None else POSTGRESQL
        self._local = threading.local()  # .batch: this thread's open batch() transaction
        self._fast_sql: dict[str, str] = {}
        self._source_ids: dict[str, int] = {}  # outlet name -> id (outlets are never removed)
        # SQLite: rows written into each search window since its segments were merged.
        self.window_merge_every = WINDOW_MERGE_EVERY
        self._window_writes: dict[str, int] = {}

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """A transaction: this thread's batch() when one is open, else a new one."""
        batch: Connection | None = getattr(self._local, "batch", None)
        try:
            if batch is not None:
                yield batch
            else:
                with self.engine.begin() as conn:
                    yield conn
        except Exception as exc:
            if is_database_error(exc):
                raise self.error(exc) from exc
            raise

    def error(self, exc: BaseException) -> StoreError:
        """A database failure as a StoreError naming the database."""
        return StoreError(f"database {self.where}: {getattr(exc, 'orig', None) or exc}")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run this thread's store calls inside the block in ONE transaction: committed at
        the end, rolled back whole if the block raises. Other threads are not affected
        (they get transactions of their own). Nested blocks join the outer one."""
        if getattr(self._local, "batch", None) is not None:
            yield
            return
        with self._tx() as conn:
            self._local.batch = conn
            try:
                yield
            finally:
                self._local.batch = None

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Run this thread's store calls inside the block on ONE connection, each
        statement on its own (PostgreSQL autocommit: no BEGIN and COMMIT round trips;
        SQLite runs a read without a transaction anyway). For reads only: a write in
        the block would be committed at once. Inside a batch() it joins the batch."""
        if getattr(self._local, "batch", None) is not None:
            yield
            return
        try:
            with self.engine.connect() as conn:
                raw: Any = conn.connection.driver_connection
                if self.path is None:
                    raw.autocommit = True
                self._local.batch = conn
                try:
                    yield
                finally:
                    self._local.batch = None
                    if self.path is None:
                        _end_autocommit(conn, raw)
        except Exception as exc:
            if is_database_error(exc):
                raise self.error(exc) from exc
            raise

    def _wrote_window(self, conn: Connection, window: str) -> None:
        """Count a row written into search window ``window`` (``articles_recent``,
        ``stories_recent``); every ``window_merge_every`` rows (per process) tidy it.

        SQLite: merge its FTS5 segments into one. Each write adds a segment and each row
        leaving the window a delete marker, merged only in part as they come: at 30,000
        imported articles a search read 3,940 pages of the article window's index, 2,256
        merged, and cost 2.7 ms of CPU instead of 1.9 (at 300,000: 4.3 instead of 2.1).
        A merge of a 20,000-row window takes ~0.4 s.

        PostgreSQL: drop every row that fell out of it. The triggers trim only the 1,000
        ids just past the window (0011_bounded_trim), so stories skipped by a jump of
        the newest story id (an import creates its stories, then writes them) stayed:
        99,157 stories in the 10,000-story window of a 300,000-article store."""
        if not self.window_merge_every:
            return
        count = self._window_writes.get(window, 0) + 1
        if count >= self.window_merge_every:
            count = 0
            self._tidy_window(conn, window)
        self._window_writes[window] = count

    def _tidy_window(self, conn: Connection, window: str) -> None:
        """SQLite: merge ``window``'s FTS5 segments; PostgreSQL: drop its rows past it."""
        if self.path is not None:
            conn.exec_driver_sql(f"INSERT INTO {window} ({window}) VALUES ('optimize')")
        else:
            conn.exec_driver_sql(_PG_TRIM[window])

    def tidy_windows(self) -> None:
        """Tidy both search windows after a bulk write (`storywire import`), so the first
        searches after it do not pay for it.

        SQLite: merge each window's FTS5 segments into one (the last <2,000 rows an
        import wrote are otherwise left in segments of their own).

        PostgreSQL: drop the rows past the windows, then ``VACUUM (ANALYZE)`` them. An
        import turns both windows over (30,000 articles replace the 20,000-row article
        window; its stories are written at the end and replace the story window): a
        search then reads the dead rows' index entries and heap tuples until autovacuum
        comes (up to a minute later, and then during the searches). On the 300,000-article
        store a window with every row dead cost ~0.8 ms of database CPU per search
        (3.4 -> 4.0-4.3 ms)."""
        windows = ("articles_recent", "stories_recent")
        try:
            with self.engine.begin() as conn:
                for window in windows:
                    self._tidy_window(conn, window)
            if self.path is None:  # VACUUM runs outside a transaction block
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(windows)}")
        except Exception as exc:
            if is_database_error(exc):
                raise self.error(exc) from exc
            raise
        self._window_writes.clear()

    def _fast(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one hot-path statement (``?`` placeholders) on the driver connection under
        ``conn``, in its transaction; return the driver's cursor."""
        raw = conn.connection.driver_connection
        assert raw is not None
        if self.path is not None:
            return raw.execute(sql, params)
        converted = self._fast_sql.get(sql)
        if converted is None:
            converted = self._fast_sql[sql] = sql.replace("?", "%s")
        return raw.execute(converted, params)

    def _fast_row(self, conn: Connection, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
        """The first row of a hot-path query (``?`` placeholders) as a dict, or None."""
        cur = self._fast(conn, sql, params)
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None

    def _rows_in(self, sql: str, values: Sequence[Any], chunk: int = 500) -> list[Any]:
        """The rows of ``sql`` with its ``{marks}`` bound to ``values``, ``chunk`` values
        per statement (one statement holds a bounded number of parameters)."""
        found: list[Any] = []
        with self._tx() as conn:
            for i in range(0, len(values), chunk):
                part = values[i : i + chunk]
                marks = ",".join(f":v{j}" for j in range(len(part)))
                params = {f"v{j}": v for j, v in enumerate(part)}
                found += conn.execute(text(sql.format(marks=marks)), params).all()
        return found

    def close(self) -> None:
        self.engine.dispose()
