"""Feeds and the outlets (sources) they belong to: adding, listing, polling state."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from ..models import Feed, FeedInfo
from ..outlets import FIELDS, domain_of, initial_values, merge
from ..timeutil import from_iso, to_iso, utcnow
from . import rows
from .db import MAX_ID, Database

_FEED_SQL = (
    "SELECT f.id, f.url, f.title, f.kind, f.category, f.html_url, f.etag, f.last_modified,"
    " f.next_check_at, f.last_checked_at, f.last_status, f.last_error, f.error_count,"
    " f.poll_interval, s.name AS outlet, s.country, s.language, s.lean, s.owner, s.typology,"
    " (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS article_count"
    " FROM feeds f LEFT JOIN sources s ON s.id = f.source_id"
)


class FeedQueries(Database):
    # -- sources ----------------------------------------------------------------

    def source_id(self, conn: Connection, name: str, origin: str = "feed", **info: str) -> int:
        """The id of the outlet named ``name``. A new one starts from the shipped outlet
        data (matched by name, then domain) with ``info`` from ``origin`` over it."""
        name = name.strip() or "Unknown outlet"
        cache = self._source_ids
        if name in cache:
            return cache[name]
        v = initial_values(name, info, origin)
        v["kind"] = info.get("kind") or "news"
        columns = [
            "domain",
            "domains",
            "country",
            "language",
            "kind",
            "owner",
            "typology",
            "lean",
            "origins",
        ]
        # ON CONFLICT: another process may add the same outlet at the same moment.
        self._fast(
            conn,
            f"INSERT INTO sources (name, {', '.join(columns)}) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT (name) DO NOTHING",
            (name, *(v[c] for c in columns)),
        )
        row = self._fast(conn, "SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        cache[name] = int(row[0])
        return cache[name]

    def update_outlet(
        self, conn: Connection, outlet_id: int, fields: Mapping[str, str], origin: str
    ) -> None:
        """Offer ``fields`` from ``origin``; each changes unless a higher origin set it."""
        row = conn.execute(
            text(
                "SELECT country, language, owner, typology, lean, origins FROM sources WHERE id=:i"
            ),
            {"i": outlet_id},
        ).first()
        if row is None:
            return
        m = row._mapping
        values, origins = merge(
            {k: m[k] for k in FIELDS}, json.loads(m["origins"] or "{}"), fields, origin
        )
        conn.execute(
            text(
                "UPDATE sources SET country=:country, language=:language, owner=:owner,"
                " typology=:typology, lean=:lean, origins=:origins WHERE id=:id"
            ),
            {**values, "origins": json.dumps(origins, sort_keys=True), "id": outlet_id},
        )

    def list_sources(self) -> list[dict[str, Any]]:
        sql = (
            "SELECT s.id, s.name, s.domain, s.country, s.language, s.kind,"
            " (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS article_count,"
            " (SELECT count(*) FROM feeds f WHERE f.source_id = s.id) AS feed_count"
            " FROM sources s ORDER BY s.name"
        )
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]

    # -- feeds ------------------------------------------------------------------

    def add_feeds(self, feeds: Iterable[FeedInfo]) -> int:
        """Add feeds in one transaction (all or none); return how many were new."""
        added = 0
        now = to_iso(utcnow())
        with self._tx() as conn:
            for f in feeds:
                if conn.execute(text("SELECT 1 FROM feeds WHERE url=:u"), {"u": f.url}).first():
                    continue
                facts = {"country": f.country, "language": f.language, "lean": f.lean}
                facts.update(owner=f.owner, typology=f.typology)
                name, domain = f.outlet or f.title or f.url, domain_of(f.html_url or f.url)
                source = self.source_id(conn, name, "opml", kind=f.kind, domain=domain, **facts)
                self.update_outlet(conn, source, facts, "opml")  # a feed list overrides
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
        """Stop polling the feed at ``url`` (its articles stay, no longer linked to it)."""
        with self._tx() as conn:
            return conn.execute(text("DELETE FROM feeds WHERE url=:u"), {"u": url}).rowcount > 0

    def remove_feed_id(self, feed_id: int) -> bool:
        """Stop polling a feed by id (its articles stay, no longer linked to it)."""
        if not 0 < feed_id <= MAX_ID:
            return False
        with self._tx() as conn:
            return conn.execute(text("DELETE FROM feeds WHERE id=:i"), {"i": feed_id}).rowcount > 0

    def list_feeds(self) -> list[Feed]:
        with self._tx() as conn:
            return [rows.feed(r._mapping) for r in conn.execute(text(_FEED_SQL + " ORDER BY f.id"))]

    def due_feeds(self, now: datetime, *, unclaimed: bool = False) -> list[Feed]:
        """Feeds due at ``now``; ``unclaimed``: only those no worker holds (claim_feed)."""
        sql = _FEED_SQL + " WHERE (f.next_check_at IS NULL OR f.next_check_at <= :now)"
        if unclaimed:
            sql += " AND (f.claimed_until IS NULL OR f.claimed_until <= :now)"
        with self._tx() as conn:
            # NULLs (never polled) first on both databases.
            found = conn.execute(
                text(sql + " ORDER BY f.next_check_at IS NOT NULL, f.next_check_at, f.id"),
                {"now": to_iso(now)},
            )
            return [rows.feed(r._mapping) for r in found]

    def claim_feed(self, feed_id: int, token: str, until: datetime, now: datetime) -> bool:
        """Take the lease on a feed until ``until`` for ``token`` (one conditional UPDATE:
        of two schedulers or workers asking at once, one wins). True when ``token`` holds
        it now: the feed was free, its lease had run out, or ``token`` held it already
        (a redelivered task renews its own lease)."""
        with self._tx() as conn:
            changed = conn.execute(
                text(
                    "UPDATE feeds SET claimed_by=:token, claimed_until=:until WHERE id=:id"
                    " AND (claimed_until IS NULL OR claimed_until <= :now OR claimed_by=:token)"
                ),
                {"token": token, "until": to_iso(until), "now": to_iso(now), "id": feed_id},
            ).rowcount
        return bool(changed)

    def release_feed(self, feed_id: int, token: str) -> None:
        """End ``token``'s lease on a feed (nothing when another holds it)."""
        with self._tx() as conn:
            conn.execute(
                text(
                    "UPDATE feeds SET claimed_by=NULL, claimed_until=NULL"
                    " WHERE id=:id AND claimed_by=:token"
                ),
                {"id": feed_id, "token": token},
            )

    def get_feed(self, feed_id: int) -> Feed | None:
        if not 0 < feed_id <= MAX_ID:
            return None
        with self._tx() as conn:
            row = conn.execute(text(_FEED_SQL + " WHERE f.id=:i"), {"i": feed_id}).first()
        return rows.feed(row._mapping) if row else None

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
            params.update(etag=etag, lm=last_modified, interval=interval)
        with self._tx() as conn:
            conn.execute(text(sql), params)

    def seconds_until_next_check(self, now: datetime, default: float) -> float:
        with self._tx() as conn:
            value = conn.execute(text("SELECT min(next_check_at) FROM feeds")).scalar_one()
        if not value:
            return default
        return max(0.0, (from_iso(value) - now).total_seconds())
