"""Pending articles: stored by ``storywire worker`` processes, not yet clustered.

Workers on any host fetch and extract pages and put each new article here; the one
``storywire cluster`` consumer takes them in order (by id), clusters them into stories
and removes each in the transaction that stores and assigns it. A URL is unique here as
in ``articles``, and a URL already stored is not added again: a task that is redone (a
worker killed mid-task, a message delivered twice) adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import text

from ..models import Article, Kind
from ..timeutil import from_iso, to_iso, utcnow
from .timeline import TimelineQueries

_TIMES = ("published", "fetched_at")


@dataclass(frozen=True)
class Pending:
    """One pending article: its queue position, the article, its outlet's facts."""

    id: int
    article: Article
    source_info: dict[str, str] | None


def article_to_json(article: Article, source_info: dict[str, str] | None = None) -> str:
    data: dict[str, Any] = {}
    for f in fields(Article):
        value = getattr(article, f.name)
        if f.name in _TIMES and value is not None:
            value = value.isoformat()  # full precision (to_iso drops fractions)
        elif f.name == "kind":
            value = str(value)
        data[f.name] = value
    return json.dumps({"article": data, "source_info": source_info}, ensure_ascii=False)


def article_from_json(value: str) -> tuple[Article, dict[str, str] | None]:
    from datetime import datetime

    data = json.loads(value)
    raw = dict(data["article"])
    known = {f.name for f in fields(Article)}
    raw = {k: v for k, v in raw.items() if k in known}
    for name in _TIMES:
        if raw.get(name):
            raw[name] = datetime.fromisoformat(raw[name])
    raw["kind"] = Kind(raw.get("kind") or "news")
    return Article(**raw), data.get("source_info")


class PendingQueries(TimelineQueries):
    def add_pending(self, items: Iterable[tuple[Article, dict[str, str] | None]]) -> int:
        """Queue articles for the cluster consumer in one transaction, in the order given;
        return how many were new (a URL stored or already pending is skipped)."""
        added = 0
        now = to_iso(utcnow())
        with self._tx() as conn:
            for article, info in items:
                if self._fast(
                    conn, "SELECT 1 FROM articles WHERE url=?", (article.url,)
                ).fetchone():
                    continue
                row = self._fast(
                    conn,
                    "INSERT INTO pending_articles (url, feed_id, data, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING RETURNING id",
                    (article.url, article.feed_id, article_to_json(article, info), now),
                ).fetchone()
                added += row is not None
        return added

    def pending(self, limit: int = 500, after: int = 0) -> list[Pending]:
        """Pending articles in queue order (by id), those after id ``after``."""
        with self._tx() as conn:
            found = conn.execute(
                text(
                    "SELECT id, data FROM pending_articles WHERE id > :after"
                    " ORDER BY id LIMIT :limit"
                ),
                {"after": after, "limit": limit},
            ).all()
        return [Pending(int(r[0]), *article_from_json(r[1])) for r in found]

    def remove_pending(self, ids: Sequence[int]) -> None:
        """Take articles off the queue (inside the consumer's batch: in the transaction
        that stores and clusters them)."""
        with self._tx() as conn:
            for i in ids:
                self._fast(conn, "DELETE FROM pending_articles WHERE id=?", (i,))

    def pending_count(self) -> int:
        with self._tx() as conn:
            return int(conn.execute(text("SELECT count(*) FROM pending_articles")).scalar_one())

    def oldest_pending_age(self) -> float | None:
        """Seconds the oldest pending article has waited (health checks), or None."""
        with self._tx() as conn:
            value = conn.execute(text("SELECT min(created_at) FROM pending_articles")).scalar()
        return (utcnow() - from_iso(value)).total_seconds() if value else None
