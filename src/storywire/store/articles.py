"""Articles: storing them (the per-article hot path) and reading them back."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import text

from ..models import Article, StoredArticle
from ..outlets import domain_of
from ..timeutil import from_iso, to_iso, utcnow
from . import rows
from .db import MAX_ID
from .feeds import FeedQueries

_INSERT_ARTICLE = (
    "INSERT INTO articles (url, external_id, feed_id, source_id, title, author,"
    " published_at, fetched_at, language, section, kind, summary, text,"
    " content_hash, duplicate_of, image) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (url) DO NOTHING RETURNING id"
)


class ArticleQueries(FeedQueries):
    # -- the hot path: one poll stores many articles in one batch() ---------------

    def add_article(
        self,
        article: Article,
        *,
        content_hash: str,
        duplicate_of: int | None = None,
        source_info: dict[str, str] | None = None,
    ) -> int | None:
        """Insert an article; return its id, or None when its URL is already stored
        (by this process or any other: the URL is unique, so a redone task adds nothing)."""
        with self._tx() as conn:
            if self._fast(conn, "SELECT 1 FROM articles WHERE url=?", (article.url,)).fetchone():
                return None
            info = source_info or {"domain": domain_of(article.url)}
            source = self.source_id(conn, article.outlet, **info)
            row = self._fast(
                conn,
                _INSERT_ARTICLE,
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
                    article.image,
                ),
            ).fetchone()
            if row:
                self._wrote_window(conn, "articles_recent")
        return int(row[0]) if row else None

    def find_by_hash(self, content_hash: str) -> int | None:
        """The first stored original (not a duplicate) with this content hash."""
        with self._tx() as conn:
            row = self._fast(
                conn,
                "SELECT id FROM articles WHERE content_hash=? AND duplicate_of IS NULL"
                " ORDER BY id LIMIT 1",
                (content_hash,),
            ).fetchone()
        return int(row[0]) if row else None

    def story_of(self, article_id: int) -> int | None:
        with self._tx() as conn:
            row = self._fast(
                conn, "SELECT story_id FROM articles WHERE id=?", (article_id,)
            ).fetchone()
        return row[0] if row else None

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        # Stored, or waiting for the cluster consumer (sql.format fills both {marks}).
        found = self._rows_in(
            "SELECT url FROM articles WHERE url IN ({marks})"
            " UNION SELECT url FROM pending_articles WHERE url IN ({marks})",
            list(urls),
        )
        return {r[0] for r in found}

    # -- reading ------------------------------------------------------------------

    def _articles(self, where: str, params: dict[str, Any], order: str) -> list[StoredArticle]:
        sql = rows.ARTICLE_SELECT + (f" WHERE {where}" if where else "") + f" ORDER BY {order}"
        with self._tx() as conn:
            return [rows.article(r._mapping) for r in conn.execute(text(sql), params)]

    def story_articles(self, story_id: int) -> list[StoredArticle]:
        return self._articles("a.story_id=:s", {"s": story_id}, "a.published_at, a.id")

    def articles_since(self, since: datetime) -> list[StoredArticle]:
        """Articles published since ``since`` that belong to a story, oldest first."""
        return self._articles(
            "a.published_at >= :t AND a.story_id IS NOT NULL",
            {"t": to_iso(since)},
            "a.published_at, a.id",
        )

    def articles_by_ids(self, ids: Iterable[int]) -> list[StoredArticle]:
        wanted = sorted({int(i) for i in ids if 0 < int(i) <= MAX_ID})
        found: list[StoredArticle] = []
        for i in range(0, len(wanted), 500):
            marks = ",".join(str(x) for x in wanted[i : i + 500])
            found.extend(self._articles(f"a.id IN ({marks})", {}, "a.id"))
        return sorted(found, key=lambda a: (a.published, a.id))

    def get_article(self, article_id: int) -> StoredArticle | None:
        found = self.articles_by_ids([article_id])
        return found[0] if found else None

    def list_articles(
        self,
        *,
        before_id: int | None = None,
        limit: int = 30,
        outlet: str = "",
        story_id: int | None = None,
    ) -> list[StoredArticle]:
        """Newest stored first (by id), keyset-paged with ``before_id``."""
        where: list[str] = []
        params: dict[str, Any] = {"limit": limit}
        if before_id is not None:
            where.append("a.id < :before")
            params["before"] = min(before_id, MAX_ID)
        if outlet:
            where.append("s.name = :outlet")
            params["outlet"] = outlet
        if story_id is not None:
            where.append("a.story_id = :story")
            params["story"] = min(story_id, MAX_ID)
        return self._articles(" AND ".join(where), params, "a.id DESC LIMIT :limit")

    def latest_published(self) -> datetime | None:
        with self._tx() as conn:
            value = conn.execute(text("SELECT max(published_at) FROM articles")).scalar_one()
        return from_iso(value) if value else None

    def article_count(self) -> int:
        with self._tx() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
