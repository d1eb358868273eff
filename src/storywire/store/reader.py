"""Read-side queries for the web pages, API, feeds out and export: ranked listings,
filters, story versions, full-text search (FTS5, migration ``0003_search``), facets.

Mixed into :class:`storywire.store.Store`; every method opens its own short
read transaction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from ..models import Changes, Kind, Opinion, Sentence, StoredArticle, Story, StoryVersion
from ..timeutil import from_iso, to_iso, utcnow

MAX_ID = 2**63 - 1
# Ranking (docs/architecture.md, "Home ranking"):
#   score = (outlets + GROWTH_WEIGHT * articles in the last GROWTH_HOURS) / (1 + age / HALF_LIFE)
# where age is hours between the story's newest article and the reference time.
HALF_LIFE_HOURS = 12.0
GROWTH_HOURS = 6.0
GROWTH_WEIGHT = 0.5
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class StoryFilter:
    """What a story listing is narrowed to; empty strings and None mean 'any'."""

    topic: str = ""
    language: str = ""
    country: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Listed:
    """A story as listed: its row, current title and first highlight, and its score."""

    story: Story
    title: str
    top_highlight: str
    score: float = 0.0
    growth: int = 0


def fts_query(query: str) -> str:
    """User text to a safe FTS5 query: words ANDed, the last as a prefix; '' for none.

    Every word is double-quoted, so FTS5 operators, quotes and SQL in the input are
    plain words; nothing the user types can be a syntax error.
    """
    words = _WORD.findall(query)[:20]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def story_from_row(m: Any) -> Story:
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


def version_from_row(m: Any) -> StoryVersion:
    return StoryVersion(
        story_id=m["story_id"],
        version=m["version"],
        written_at=from_iso(m["written_at"]),
        writer=m["writer"],
        title=m["title"],
        highlights=tuple(_sentence(s) for s in json.loads(m["highlights"])),
        body=tuple(_sentence(s) for s in json.loads(m["body"])),
        opinions=tuple(_opinion(o) for o in json.loads(m["opinions"])),
        changes=Changes.from_json(json.loads(m["changes"])),
    )


def _sentence(data: dict[str, Any]) -> Sentence:
    return Sentence(text=data["text"], sources=tuple(data["sources"]))


def _opinion(data: dict[str, Any]) -> Opinion:
    return Opinion(**{**data, "kind": Kind(data["kind"])})


def _article(m: Any) -> StoredArticle:
    return StoredArticle(
        id=m["id"],
        url=m["url"],
        title=m["title"],
        text=m["text"],
        published=from_iso(m["published_at"]),
        outlet=m["outlet"],
        kind=Kind(m["kind"]),
        author=m["author"],
        language=m["language"],
        section=m["section"],
        summary=m["summary"],
        external_id=m["external_id"],
        feed_id=m["feed_id"],
        fetched_at=from_iso(m["fetched_at"]),
        story_id=m["story_id"],
        duplicate_of=m["duplicate_of"],
        content_hash=m["content_hash"],
    )


def _filter_sql(f: StoryFilter) -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    if f.topic:
        where.append(
            "EXISTS (SELECT 1 FROM articles a LEFT JOIN feeds fd ON fd.id = a.feed_id"
            " WHERE a.story_id = s.id AND (a.section = :topic OR fd.category = :topic))"
        )
        params["topic"] = f.topic
    if f.language:
        where.append(
            "EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id AND a.language = :language)"
        )
        params["language"] = f.language
    if f.country:
        where.append(
            "EXISTS (SELECT 1 FROM articles a JOIN sources so ON so.id = a.source_id"
            " WHERE a.story_id = s.id AND so.country = :country)"
        )
        params["country"] = f.country
    if f.since:
        where.append("s.last_published >= :since")
        params["since"] = to_iso(f.since)
    if f.until:
        where.append("s.first_published <= :until")
        params["until"] = to_iso(f.until)
    return "".join(f" AND {w}" for w in where), params


_LISTED = (
    "SELECT s.*, v.title AS title, coalesce(json_extract(v.highlights, '$[0].text'), '')"
    " AS top_highlight FROM stories s JOIN story_versions v"
    " ON v.story_id = s.id AND v.version = s.version WHERE s.status = 'active'"
)


class ReaderQueries:
    def _tx(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    # -- listings ---------------------------------------------------------------

    def reference_time(self) -> datetime:
        """'Now' for listings: the newest article's time, never later than the clock.

        Imported corpora are years old; measuring "the last days" from their newest
        article keeps them listable.
        """
        now = utcnow()
        with self._tx() as conn:
            value = conn.execute(
                text("SELECT max(published_at) FROM articles WHERE published_at <= :now"),
                {"now": to_iso(now)},
            ).scalar_one()
        return from_iso(value) if value else now

    def ranked_stories(
        self, f: StoryFilter, *, ref: datetime, limit: int = 30, offset: int = 0
    ) -> list[Listed]:
        """Written active stories matching ``f``, best score first (see module doc)."""
        where, params = _filter_sql(f)
        sql = (
            "SELECT * FROM (SELECT q.*, (q.outlet_count + :gw * q.growth) / (1.0 + max(0.0,"
            " (julianday(:ref) - julianday(q.last_published)) * 24.0) / :half) AS score FROM ("
            "SELECT s.*, v.title AS title,"
            " coalesce(json_extract(v.highlights, '$[0].text'), '') AS top_highlight,"
            " (SELECT count(*) FROM articles g WHERE g.story_id = s.id"
            "  AND g.published_at >= :growth_since AND g.published_at <= :ref) AS growth"
            " FROM stories s JOIN story_versions v ON v.story_id = s.id AND v.version = s.version"
            f" WHERE s.status = 'active'{where}) q)"
            " ORDER BY score DESC, last_published DESC, id DESC LIMIT :limit OFFSET :offset"
        )
        growth_since = ref - timedelta(hours=GROWTH_HOURS)
        params.update(
            ref=to_iso(ref),
            gw=GROWTH_WEIGHT,
            half=HALF_LIFE_HOURS,
            limit=limit,
            offset=offset,
            growth_since=to_iso(growth_since),
        )
        with self._tx() as conn:
            return [
                Listed(
                    story_from_row(r._mapping),
                    r.title,
                    r.top_highlight,
                    float(r.score),
                    int(r.growth),
                )
                for r in conn.execute(text(sql), params)
            ]

    def count_stories(self, f: StoryFilter) -> int:
        where, params = _filter_sql(f)
        sql = "SELECT count(*) FROM stories s WHERE s.status = 'active' AND s.version > 0" + where
        with self._tx() as conn:
            return int(conn.execute(text(sql), params).scalar_one())

    def coverage(self, story_ids: Sequence[int]) -> dict[int, list[tuple[str, str, int]]]:
        """Per story: (country, outlet kind, number of outlets), largest first."""
        if not story_ids:
            return {}
        marks = ",".join(str(int(i)) for i in story_ids)
        sql = (
            "SELECT a.story_id, so.country, so.kind, count(DISTINCT so.id) AS n FROM articles a"
            f" JOIN sources so ON so.id = a.source_id WHERE a.story_id IN ({marks})"
            " GROUP BY a.story_id, so.country, so.kind ORDER BY n DESC, so.country, so.kind"
        )
        out: dict[int, list[tuple[str, str, int]]] = {int(i): [] for i in story_ids}
        with self._tx() as conn:
            for sid, country, kind, n in conn.execute(text(sql)):
                out[sid].append((country or "", kind or "news", int(n)))
        return out

    def facets(self) -> dict[str, list[str]]:
        """Values offered by the listing filters: topics, languages, countries."""
        queries = {
            "topics": "SELECT t FROM (SELECT section AS t FROM articles WHERE section != ''"
            " UNION SELECT category FROM feeds WHERE category != '') ORDER BY t"
            " LIMIT 200",
            "languages": "SELECT DISTINCT language FROM articles WHERE language != ''"
            " ORDER BY 1 LIMIT 200",
            "countries": "SELECT DISTINCT country FROM sources WHERE country != ''"
            " ORDER BY 1 LIMIT 300",
        }
        with self._tx() as conn:
            return {k: [r[0] for r in conn.execute(text(q))] for k, q in queries.items()}

    def recent_stories(self, f: StoryFilter, *, limit: int = 50) -> list[Listed]:
        """Written stories, most recently (re)written first: for feeds out."""
        where, params = _filter_sql(f)
        sql = _LISTED + where + " ORDER BY s.updated_at DESC, s.id DESC LIMIT :limit"
        with self._tx() as conn:
            rows = conn.execute(text(sql), {**params, "limit": limit})
            return [Listed(story_from_row(r._mapping), r.title, r.top_highlight) for r in rows]

    # -- one story --------------------------------------------------------------

    def story_head(self, story_id: int) -> Story | None:
        """The story row alone (status, version, merged_into): the cheap per-request check."""
        if not 0 < story_id <= MAX_ID:
            return None
        with self._tx() as conn:
            row = conn.execute(text("SELECT * FROM stories WHERE id=:s"), {"s": story_id}).first()
        return story_from_row(row._mapping) if row else None

    def story_version(self, story_id: int, version: int) -> tuple[StoryVersion, list[int]] | None:
        if not (0 < story_id <= MAX_ID and 0 < version <= MAX_ID):
            return None
        with self._tx() as conn:
            row = conn.execute(
                text("SELECT * FROM story_versions WHERE story_id=:s AND version=:v"),
                {"s": story_id, "v": version},
            ).first()
        return (version_from_row(row._mapping), json.loads(row.article_ids)) if row else None

    def story_versions(self, story_id: int) -> list[StoryVersion]:
        """Every version of a story, oldest first."""
        if not 0 < story_id <= MAX_ID:
            return []
        with self._tx() as conn:
            rows = conn.execute(
                text("SELECT * FROM story_versions WHERE story_id=:s ORDER BY version"),
                {"s": story_id},
            )
            return [version_from_row(r._mapping) for r in rows]

    # -- articles ---------------------------------------------------------------

    _ARTICLES = "SELECT a.*, s.name AS outlet FROM articles a JOIN sources s ON s.id = a.source_id"

    def articles_by_ids(self, ids: Iterable[int]) -> list[StoredArticle]:
        wanted = sorted({int(i) for i in ids if 0 < int(i) <= MAX_ID})
        found: list[StoredArticle] = []
        with self._tx() as conn:
            for i in range(0, len(wanted), 500):
                marks = ",".join(str(x) for x in wanted[i : i + 500])
                rows = conn.execute(text(self._ARTICLES + f" WHERE a.id IN ({marks})"))
                found.extend(_article(r._mapping) for r in rows)
        return sorted(found, key=lambda a: (a.published, a.id))

    def get_article(self, article_id: int) -> StoredArticle | None:
        found = self.articles_by_ids([article_id]) if 0 < article_id <= MAX_ID else []
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
        sql = self._ARTICLES + (" WHERE " + " AND ".join(where) if where else "")
        with self._tx() as conn:
            rows = conn.execute(text(sql + " ORDER BY a.id DESC LIMIT :limit"), params)
            return [_article(r._mapping) for r in rows]

    def list_sources(self) -> list[dict[str, Any]]:
        sql = (
            "SELECT s.id, s.name, s.domain, s.country, s.language, s.kind,"
            " (SELECT count(*) FROM articles a WHERE a.source_id = s.id) AS article_count,"
            " (SELECT count(*) FROM feeds f WHERE f.source_id = s.id) AS feed_count"
            " FROM sources s ORDER BY s.name"
        )
        with self._tx() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]

    def remove_feed_id(self, feed_id: int) -> bool:
        """Stop polling a feed (its articles stay, no longer linked to it)."""
        if not 0 < feed_id <= MAX_ID:
            return False
        with self._tx() as conn:
            return conn.execute(text("DELETE FROM feeds WHERE id=:i"), {"i": feed_id}).rowcount > 0

    # -- search -----------------------------------------------------------------

    def search_stories(self, query: str, *, limit: int = 20, offset: int = 0) -> list[Listed]:
        """Written stories whose current title, highlights or body match, best first."""
        match = fts_query(query)
        if not match:
            return []
        sql = (
            _LISTED.replace(
                "FROM stories s", "FROM stories_fts JOIN stories s ON s.id = stories_fts.rowid"
            )
            + " AND stories_fts MATCH :q ORDER BY stories_fts.rank, s.id DESC"
            " LIMIT :limit OFFSET :offset"
        )
        with self._tx() as conn:
            rows = conn.execute(text(sql), {"q": match, "limit": limit, "offset": offset})
            return [Listed(story_from_row(r._mapping), r.title, r.top_highlight) for r in rows]

    def search_articles(
        self, query: str, *, limit: int = 20, offset: int = 0
    ) -> list[StoredArticle]:
        """Articles whose title, author, summary or text start match, best first."""
        match = fts_query(query)
        if not match:
            return []
        sql = (
            "SELECT a.*, s.name AS outlet FROM (SELECT rowid AS rid, rank FROM articles_fts"
            " WHERE articles_fts MATCH :q ORDER BY rank LIMIT :limit OFFSET :offset) m"
            " JOIN articles a ON a.id = m.rid JOIN sources s ON s.id = a.source_id"
            " ORDER BY m.rank, a.id DESC"
        )
        with self._tx() as conn:
            rows = conn.execute(text(sql), {"q": match, "limit": limit, "offset": offset})
            return [_article(r._mapping) for r in rows]
