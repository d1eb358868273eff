"""Story listings for the web pages, API and feeds out: ranking, filters, coverage, facets.

Ranking (docs/architecture.md, "Home ranking"):
  score = (outlets + GROWTH_WEIGHT * articles in the last GROWTH_HOURS) / (1 + age / HALF_LIFE)
where age is hours between the story's newest article and the reference time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, text

from ..models import Story
from ..timeutil import from_iso, to_iso, utcnow
from . import rows
from .stories import StoryQueries

HALF_LIFE_HOURS = 12.0
GROWTH_HOURS = 6.0
GROWTH_WEIGHT = 0.5
# Days of stories a long listing ranks first, then wider (``ranked_stories``).
RECENT_DAYS = (30, 180, 730)


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


def filter_sql(f: StoryFilter) -> tuple[str, dict[str, Any]]:
    """``AND ...`` conditions on stories ``s`` for ``f``, and their parameters."""
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


def listed(r: Row[Any]) -> Listed:
    m = r._mapping
    score, growth = m.get("score", 0.0), m.get("growth", 0)
    return Listed(rows.story(m), m["title"], m["top_highlight"], float(score), int(growth))


class ListingQueries(StoryQueries):
    def _listed_sql(self) -> str:
        """Written active stories ``s`` with their current version ``v``'s title and first
        highlight; callers append ``AND`` conditions and the order."""
        return (
            f"SELECT {rows.STORY_COLUMNS}, v.title AS title,"
            f" {self.dialect.top_highlight} AS top_highlight FROM stories s"
            " JOIN story_versions v ON v.story_id = s.id AND v.version = s.version"
            " WHERE s.status = 'active'"
        )

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
        """Written active stories matching ``f``, best score first (see module doc).

        A long range (``range=all``: every story of the store; 4 s of CPU at 300,000
        articles) is ranked over the stories of the last ``RECENT_DAYS`` first, widened
        while that cannot be the answer: a story last published before the cut has no
        growth (its articles are older than GROWTH_HOURS) and scores at most
        ``outlets / (1 + age / HALF_LIFE)`` with the most outlets of such a story (read
        from the ``stories_rank`` index) and the age of the cut; when the page's last
        score beats that, no story before the cut can be on the page. Same stories, same
        order as ranking them all."""
        need = limit + offset
        for days in RECENT_DAYS:
            cut = ref - timedelta(days=days)
            if f.since is not None and f.since >= cut:
                break  # the filter's own range is short: rank it whole
            page = self._ranked(replace(f, since=cut), ref=ref, limit=need, offset=0)
            if len(page) == need and page[-1].score > self._score_bound(cut, ref):
                return page[offset:]
        return self._ranked(f, ref=ref, limit=limit, offset=offset)

    def _score_bound(self, cut: datetime, ref: datetime) -> float:
        """The highest score a story last published before ``cut`` can have at ``ref``."""
        with self._tx() as conn:
            most = conn.execute(
                text(
                    "SELECT outlet_count FROM stories WHERE last_published < :cut"
                    " ORDER BY outlet_count DESC LIMIT 1"
                ),
                {"cut": to_iso(cut)},
            ).scalar()
        if most is None:
            return -1.0  # no story before the cut
        hours = (ref - cut).total_seconds() / 3600.0
        return float(most) / (1.0 + max(0.0, hours) / HALF_LIFE_HOURS) * (1 + 1e-9)

    def _ranked(
        self, f: StoryFilter, *, ref: datetime, limit: int = 30, offset: int = 0
    ) -> list[Listed]:
        where, params = filter_sql(f)
        d = self.dialect
        age = d.hours_between.format(a=":ref", b="q.last_published")
        growth = (
            "(SELECT count(*) FROM articles g WHERE g.story_id = s.id"
            " AND g.published_at >= :growth_since AND g.published_at <= :ref) AS growth"
        )
        listed_sql = self._listed_sql().replace(" FROM stories s", f", {growth} FROM stories s")
        sql = (
            f"SELECT * FROM (SELECT q.*, (q.outlet_count + :gw * q.growth) /"
            f" (1.0 + {d.greatest}(0.0, {age}) / :half) AS score"
            f" FROM ({listed_sql}{where}) q) r"
            " ORDER BY score DESC, last_published DESC, id DESC LIMIT :limit OFFSET :offset"
        )
        params.update(
            ref=to_iso(ref),
            gw=GROWTH_WEIGHT,
            half=HALF_LIFE_HOURS,
            limit=limit,
            offset=offset,
            growth_since=to_iso(ref - timedelta(hours=GROWTH_HOURS)),
        )
        with self._tx() as conn:
            return [listed(r) for r in conn.execute(text(sql), params)]

    def recent_stories(self, f: StoryFilter, *, limit: int = 50) -> list[Listed]:
        """Written stories, most recently (re)written first: for feeds out."""
        where, params = filter_sql(f)
        sql = self._listed_sql() + where + " ORDER BY s.updated_at DESC, s.id DESC LIMIT :limit"
        with self._tx() as conn:
            return [listed(r) for r in conn.execute(text(sql), {**params, "limit": limit})]

    def count_stories(self, f: StoryFilter) -> int:
        where, params = filter_sql(f)
        sql = "SELECT count(*) FROM stories s WHERE s.status = 'active' AND s.version > 0" + where
        with self._tx() as conn:
            return int(conn.execute(text(sql), params).scalar_one())

    def lead_images(self, story_ids: Sequence[int]) -> dict[int, str]:
        """Per story, the image of its first news article that has one (else of its
        first article that has one); stories without any are left out."""
        if not story_ids:
            return {}
        marks = ",".join(str(int(i)) for i in story_ids)
        sql = (
            f"SELECT story_id, image FROM articles WHERE story_id IN ({marks}) AND image != ''"
            " ORDER BY story_id, kind != 'news', published_at, id"
        )
        out: dict[int, str] = {}
        with self._tx() as conn:
            for sid, image in conn.execute(text(sql)):
                out.setdefault(int(sid), image)
        return out

    def facets(self) -> dict[str, list[str]]:
        """Values offered by the listing filters: topics, languages, countries.

        Distinct article languages and sections are read from their indexes, one seek
        per value (a recursive "skip scan"): the cost grows with the number of values,
        not of articles (a DISTINCT over 300,000 articles took 0.7-1.2 s on SQLite)."""
        queries = {
            "topics": f"SELECT t FROM (SELECT t FROM ({_distinct('section')}) s"
            " UNION SELECT category FROM feeds WHERE category != '') u ORDER BY t LIMIT 200",
            "languages": f"SELECT t FROM ({_distinct('language')}) u ORDER BY t LIMIT 200",
            "countries": "SELECT DISTINCT country FROM sources WHERE country != ''"
            " ORDER BY 1 LIMIT 300",
        }
        with self._tx() as conn:
            return {k: [r[0] for r in conn.execute(text(q))] for k, q in queries.items()}


def _distinct(column: str, limit: int = 200) -> str:
    """``SELECT t``: the first ``limit`` distinct non-empty values of an indexed articles
    column, smallest first, each found by an index seek past the one before."""
    return (
        f"WITH RECURSIVE d(t) AS (SELECT min({column}) FROM articles WHERE {column} > ''"
        f" UNION ALL SELECT (SELECT min({column}) FROM articles WHERE {column} > d.t)"
        f" FROM d WHERE d.t IS NOT NULL) SELECT t FROM d WHERE t IS NOT NULL LIMIT {limit}"
    )
