"""SQLite store (SQLAlchemy Core over text SQL kept portable to PostgreSQL).

One ``Store`` per process or thread; SQLite runs in WAL mode so that the web
server reads while the poller writes.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from ..models import (
    Article,
    Feed,
    FeedInfo,
    StoredArticle,
    Story,
    StoryVersion,
)
from ..timeutil import from_iso, to_iso, utcnow
from .migrations import MIGRATIONS
from .reader import ReaderQueries, version_from_row
from .reader import _article as _article_from

log = logging.getLogger(__name__)
MAX_ID = 2**63 - 1
# A story's time span and counts, recomputed from its articles (:s is the story id).
_REFRESH_STORY = (
    "UPDATE stories SET"
    " first_published=(SELECT min(published_at) FROM articles WHERE story_id=:s),"
    " last_published=(SELECT max(published_at) FROM articles WHERE story_id=:s),"
    " article_count=(SELECT count(*) FROM articles WHERE story_id=:s),"
    " outlet_count=(SELECT count(DISTINCT source_id) FROM articles WHERE story_id=:s)"
    " WHERE id=:s"
)


def _raw(conn: Connection) -> Any:
    """The sqlite3 connection under ``conn``, in the same transaction: the per-article
    statements of a poll run on it directly (sqlite3 caches their prepared statements),
    skipping SQLAlchemy's per-call compile and result layers (~3x cheaper per call)."""
    return conn.connection.driver_connection


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _opt_time(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


class Store(ReaderQueries):
    def __init__(self, path: Path | str):
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"database folder {self.path.parent} does not exist")
        self.engine = create_engine(f"sqlite:///{self.path}")
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._source_ids: dict[str, int] = {}
        self._local = threading.local()  # .batch: this thread's open batch() transaction

    # -- plumbing ---------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        batch: Connection | None = getattr(self._local, "batch", None)
        try:
            if batch is not None:  # inside batch(): part of its transaction
                yield batch
            else:
                with self.engine.begin() as conn:
                    yield conn
        except (SQLAlchemyError, sqlite3.Error) as exc:
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"database {self.path}: {reason}") from exc

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

    def migrate(self) -> list[str]:
        """Apply pending migrations; return the names applied."""
        applied: list[str] = []
        with self._tx() as conn:
            conn.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
            )
            done = {r[0] for r in conn.execute(text("SELECT name FROM schema_migrations"))}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self._tx() as conn:
                for statement in _statements(sql):
                    conn.exec_driver_sql(statement)
                conn.execute(
                    text("INSERT INTO schema_migrations VALUES (:n, :t)"),
                    {"n": name, "t": to_iso(utcnow())},
                )
            log.info("applied migration %s", name)
            applied.append(name)
        return applied

    def migrations(self) -> list[str]:
        with self._tx() as conn:
            return [r[0] for r in conn.execute(text("SELECT name FROM schema_migrations"))]

    def close(self) -> None:
        self.engine.dispose()

    # -- sources ----------------------------------------------------------------

    def source_id(self, conn: Connection, name: str, **info: str) -> int:
        name = name.strip() or "Unknown outlet"
        if name in self._source_ids:
            return self._source_ids[name]
        row = conn.execute(text("SELECT id FROM sources WHERE name = :n"), {"n": name}).first()
        if row is None:
            values = {k: info.get(k, "") or "" for k in ("domain", "country", "language")}
            values["kind"] = info.get("kind") or "news"
            row = conn.execute(
                text(
                    "INSERT INTO sources (name, domain, country, language, kind) "
                    "VALUES (:n, :domain, :country, :language, :kind) RETURNING id"
                ),
                {"n": name, **values},
            ).first()
        assert row is not None
        self._source_ids[name] = row[0]
        return int(row[0])

    # -- feeds ------------------------------------------------------------------

    def add_feeds(self, feeds: Iterable[FeedInfo]) -> int:
        """Add feeds in one transaction (all or none); return how many were new."""
        added = 0
        now = to_iso(utcnow())
        with self._tx() as conn:
            for f in feeds:
                if conn.execute(text("SELECT 1 FROM feeds WHERE url=:u"), {"u": f.url}).first():
                    continue
                source = self.source_id(
                    conn,
                    f.outlet or f.title or f.url,
                    country=f.country,
                    language=f.language,
                    kind=f.kind,
                )
                conn.execute(
                    text(
                        "INSERT INTO feeds (url, title, source_id, kind, category, html_url,"
                        " created_at) VALUES (:url, :title, :source, :kind, :category,"
                        " :html_url, :now)"
                    ),
                    {
                        "url": f.url,
                        "title": f.title,
                        "source": source,
                        "kind": f.kind,
                        "category": f.category,
                        "html_url": f.html_url,
                        "now": now,
                    },
                )
                added += 1
        return added

    def remove_feed(self, url: str) -> bool:
        with self._tx() as conn:
            return conn.execute(text("DELETE FROM feeds WHERE url=:u"), {"u": url}).rowcount > 0

    _FEED_SQL = (
        "SELECT f.*, s.name AS outlet, s.country, s.language,"
        " (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS article_count"
        " FROM feeds f LEFT JOIN sources s ON s.id = f.source_id"
    )

    def _feed(self, row: Any) -> Feed:
        m = row._mapping
        return Feed(
            id=m["id"],
            url=m["url"],
            title=m["title"],
            outlet=m["outlet"] or "",
            country=m["country"] or "",
            language=m["language"] or "",
            kind=m["kind"],
            category=m["category"],
            html_url=m["html_url"],
            etag=m["etag"],
            last_modified=m["last_modified"],
            next_check_at=_opt_time(m["next_check_at"]),
            last_checked_at=_opt_time(m["last_checked_at"]),
            last_status=m["last_status"],
            last_error=m["last_error"],
            error_count=m["error_count"],
            article_count=m["article_count"],
            poll_interval=m["poll_interval"],
        )

    def list_feeds(self) -> list[Feed]:
        with self._tx() as conn:
            return [self._feed(r) for r in conn.execute(text(self._FEED_SQL + " ORDER BY f.id"))]

    def due_feeds(self, now: datetime) -> list[Feed]:
        sql = self._FEED_SQL + " WHERE f.next_check_at IS NULL OR f.next_check_at <= :now"
        with self._tx() as conn:
            rows = conn.execute(text(sql + " ORDER BY f.next_check_at"), {"now": to_iso(now)})
            return [self._feed(r) for r in rows]

    def record_feed_result(
        self,
        feed_id: int,
        *,
        status: str,
        next_check: datetime,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        interval: float | None = None,
    ) -> None:
        """Store the outcome of one poll. Errors (status error or failing) keep the old
        ETag/Last-Modified and interval, and count one more error in a row."""
        params = {
            "id": feed_id,
            "status": status,
            "next": to_iso(next_check),
            "now": to_iso(utcnow()),
            "error": error,
            "interval": interval,
        }
        if status in ("error", "failing"):
            sql = (
                "UPDATE feeds SET last_status=:status, last_error=:error, next_check_at=:next,"
                " last_checked_at=:now, error_count=error_count+1 WHERE id=:id"
            )
        else:
            sql = (
                "UPDATE feeds SET last_status=:status, last_error=NULL, next_check_at=:next,"
                " last_checked_at=:now, error_count=0, etag=coalesce(:etag, etag),"
                " last_modified=coalesce(:lm, last_modified),"
                " poll_interval=coalesce(:interval, poll_interval) WHERE id=:id"
            )
            params.update(etag=etag, lm=last_modified)
        with self._tx() as conn:
            conn.execute(text(sql), params)

    def seconds_until_next_check(self, now: datetime, default: float) -> float:
        with self._tx() as conn:
            value = conn.execute(text("SELECT min(next_check_at) FROM feeds")).scalar_one()
        if not value:
            return default
        return max(0.0, (from_iso(value) - now).total_seconds())

    # -- articles ---------------------------------------------------------------

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        urls = list(urls)
        found: set[str] = set()
        with self._tx() as conn:
            for i in range(0, len(urls), 500):
                chunk = urls[i : i + 500]
                marks = ",".join(f":u{j}" for j in range(len(chunk)))
                rows = conn.execute(
                    text(f"SELECT url FROM articles WHERE url IN ({marks})"),
                    {f"u{j}": u for j, u in enumerate(chunk)},
                )
                found.update(r[0] for r in rows)
        return found

    def find_by_hash(self, content_hash: str) -> int | None:
        with self._tx() as conn:
            row = (
                _raw(conn)
                .execute(
                    "SELECT id FROM articles WHERE content_hash=? AND duplicate_of IS NULL"
                    " ORDER BY id LIMIT 1",
                    (content_hash,),
                )
                .fetchone()
            )
        return int(row[0]) if row else None

    def add_article(
        self,
        article: Article,
        *,
        content_hash: str,
        duplicate_of: int | None = None,
        source_info: dict[str, str] | None = None,
    ) -> int | None:
        """Insert an article; return its id, or None when its URL is already stored."""
        with self._tx() as conn:
            raw = _raw(conn)
            if raw.execute("SELECT 1 FROM articles WHERE url=?", (article.url,)).fetchone():
                return None
            source = self.source_id(conn, article.outlet, **(source_info or {}))
            cur = raw.execute(
                "INSERT INTO articles (url, external_id, feed_id, source_id, title, author,"
                " published_at, fetched_at, language, section, kind, summary, text,"
                " content_hash, duplicate_of) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.url,
                    article.external_id,
                    article.feed_id,
                    source,
                    article.title,
                    article.author,
                    to_iso(article.published),
                    to_iso(article.fetched_at or utcnow()),
                    article.language,
                    article.section,
                    str(article.kind),
                    article.summary,
                    article.text,
                    content_hash,
                    duplicate_of,
                ),
            )
        return int(cur.lastrowid)

    _ARTICLE_SQL = (
        "SELECT a.*, s.name AS outlet FROM articles a JOIN sources s ON s.id = a.source_id"
    )

    @staticmethod
    def _article(row: Any) -> StoredArticle:
        return _article_from(row._mapping)

    def story_articles(self, story_id: int) -> list[StoredArticle]:
        with self._tx() as conn:
            rows = conn.execute(
                text(self._ARTICLE_SQL + " WHERE a.story_id=:s ORDER BY a.published_at, a.id"),
                {"s": story_id},
            )
            return [self._article(r) for r in rows]

    def articles_since(self, since: datetime) -> list[StoredArticle]:
        """Articles published since ``since`` that belong to a story, oldest first."""
        with self._tx() as conn:
            rows = conn.execute(
                text(
                    self._ARTICLE_SQL + " WHERE a.published_at >= :t AND a.story_id IS NOT NULL"
                    " ORDER BY a.published_at, a.id"
                ),
                {"t": to_iso(since)},
            )
            return [self._article(r) for r in rows]

    def latest_published(self) -> datetime | None:
        with self._tx() as conn:
            value = conn.execute(text("SELECT max(published_at) FROM articles")).scalar_one()
        return from_iso(value) if value else None

    def story_of(self, article_id: int) -> int | None:
        with self._tx() as conn:
            row = (
                _raw(conn)
                .execute("SELECT story_id FROM articles WHERE id=?", (article_id,))
                .fetchone()
            )
        return row[0] if row else None

    def article_count(self) -> int:
        with self._tx() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())

    # -- stories ----------------------------------------------------------------

    def create_story(self, published: datetime) -> int:
        now, pub = to_iso(utcnow()), to_iso(published)
        with self._tx() as conn:
            cur = _raw(conn).execute(
                "INSERT INTO stories (first_published, last_published, created_at,"
                " updated_at) VALUES (?, ?, ?, ?)",
                (pub, pub, now, now),
            )
        return int(cur.lastrowid)

    def assign_story(self, article_id: int, story_id: int) -> None:
        """Put an article in a story and refresh the story's counts and time span."""
        with self._tx() as conn:
            raw = _raw(conn)
            raw.execute("UPDATE articles SET story_id=? WHERE id=?", (story_id, article_id))
            raw.execute(_REFRESH_STORY, {"s": story_id})

    def merge_stories(self, absorbed: int, into: int) -> None:
        """Move every article of story ``absorbed`` into story ``into``; the absorbed story
        is kept with status 'merged' and merged_into set (so its URL can redirect), and
        stories merged into it earlier now point at ``into``."""
        if absorbed == into:
            return
        with self._tx() as conn:
            conn.execute(
                text("UPDATE articles SET story_id=:i WHERE story_id=:a"),
                {"i": into, "a": absorbed},
            )
            conn.execute(
                text("UPDATE stories SET merged_into=:i WHERE merged_into=:a"),
                {"i": into, "a": absorbed},
            )
            conn.execute(
                text(
                    "UPDATE stories SET status='merged', merged_into=:i, article_count=0,"
                    " outlet_count=0, updated_at=:n WHERE id=:a"
                ),
                {"i": into, "a": absorbed, "n": to_iso(utcnow())},
            )
            conn.execute(
                text(_REFRESH_STORY),
                {"s": into},
            )

    @staticmethod
    def _story(row: Any) -> Story:
        m = row._mapping
        return Story(
            id=m["id"],
            first_published=from_iso(m["first_published"]),
            last_published=from_iso(m["last_published"]),
            updated_at=from_iso(m["updated_at"]),
            status=m["status"],
            article_count=m["article_count"],
            outlet_count=m["outlet_count"],
            version=m["version"],
            merged_into=m["merged_into"],
        )

    def stale_stories(self) -> list[int]:
        """Stories whose current version does not cover all their articles."""
        sql = (
            "SELECT s.id FROM stories s LEFT JOIN story_versions v ON v.story_id = s.id"
            " AND v.version = s.version WHERE s.status = 'active' AND s.article_count > 0"
            " AND (v.story_id IS NULL OR json_array_length(v.article_ids) < s.article_count)"
        )
        with self._tx() as conn:
            return [r[0] for r in conn.execute(text(sql))]

    def get_story(self, story_id: int) -> Story | None:
        if not 0 < story_id <= MAX_ID:  # SQLite integers are 64-bit: no such row exists
            return None
        with self._tx() as conn:
            row = conn.execute(text("SELECT * FROM stories WHERE id=:s"), {"s": story_id}).first()
        return self._story(row) if row else None

    def list_stories(self, *, limit: int = 50, offset: int = 0) -> list[tuple[Story, str]]:
        """Written stories, most outlets then most recent first, with their current title."""
        sql = (
            "SELECT s.*, v.title AS title FROM stories s JOIN story_versions v"
            " ON v.story_id = s.id AND v.version = s.version WHERE s.status = 'active'"
            " ORDER BY s.outlet_count DESC, s.last_published DESC, s.id DESC"
            " LIMIT :limit OFFSET :offset"
        )
        with self._tx() as conn:
            rows = conn.execute(text(sql), {"limit": limit, "offset": offset})
            return [(self._story(r), r._mapping["title"]) for r in rows]

    def story_count(self) -> int:
        with self._tx() as conn:
            return int(
                conn.execute(text("SELECT count(*) FROM stories WHERE version > 0")).scalar_one()
            )

    # -- story versions ---------------------------------------------------------

    def add_version(self, version: StoryVersion, article_ids: Iterable[int]) -> None:
        with self._tx() as conn:
            conn.execute(
                text(
                    "INSERT INTO story_versions (story_id, version, written_at, writer, title,"
                    " highlights, body, opinions, changes, article_ids) VALUES (:s, :v, :w,"
                    " :writer, :title, :hl, :body, :op, :changes, :ids)"
                ),
                {
                    "s": version.story_id,
                    "v": version.version,
                    "w": to_iso(version.written_at),
                    "writer": version.writer,
                    "title": version.title,
                    "hl": json.dumps([asdict(s) for s in version.highlights]),
                    "body": json.dumps([asdict(s) for s in version.body]),
                    "op": json.dumps([asdict(o) for o in version.opinions]),
                    "changes": json.dumps(version.changes.to_json()),
                    "ids": json.dumps(sorted(article_ids)),
                },
            )
            conn.execute(
                text("UPDATE stories SET version=:v, updated_at=:w WHERE id=:s"),
                {"v": version.version, "w": to_iso(version.written_at), "s": version.story_id},
            )

    def latest_version(self, story_id: int) -> tuple[StoryVersion, list[int]] | None:
        with self._tx() as conn:
            row = conn.execute(
                text(
                    "SELECT v.* FROM story_versions v JOIN stories s ON s.id = v.story_id"
                    " AND s.version = v.version WHERE v.story_id=:s"
                ),
                {"s": story_id},
            ).first()
        if row is None:
            return None
        m = row._mapping
        version = version_from_row(m)
        return version, json.loads(m["article_ids"])


def _statements(sql: str) -> Iterator[str]:
    """Split a migration into statements; a trigger's BEGIN ... END stays whole."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()
