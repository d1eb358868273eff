"""Timeline links between stories (``story_links``, revision ``0006_story_links``):
the profiles the link rule reads, the links it found, and a story's chain."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text

from ..timeline import StoryProfile, link_stories, profile
from ..timeutil import from_iso, to_iso
from .db import MAX_ID
from .outlets import OutletQueries

TITLES_PER_STORY = 30  # headlines read per story for its profile


class TimelineQueries(OutletQueries):
    def story_spans(self, story_ids: Sequence[int]) -> dict[int, tuple[datetime, datetime]]:
        wanted = sorted({int(i) for i in story_ids})
        out: dict[int, tuple[datetime, datetime]] = {}
        with self._tx() as conn:
            for i in range(0, len(wanted), 500):
                marks = ",".join(str(x) for x in wanted[i : i + 500])
                sql = (
                    f"SELECT id, first_published, last_published FROM stories WHERE id IN ({marks})"
                )
                for sid, first, last in conn.execute(text(sql)):
                    out[int(sid)] = (from_iso(first), from_iso(last))
        return out

    def timeline_profiles(self, since: datetime, until: datetime) -> list[StoryProfile]:
        """Profiles of the written active stories overlapping [since, until]: their
        current title and up to TITLES_PER_STORY article headlines."""
        window = {"since": to_iso(since), "until": to_iso(until)}
        stories = (
            "SELECT s.id, s.first_published, s.last_published, v.title FROM stories s"
            " JOIN story_versions v ON v.story_id = s.id AND v.version = s.version"
            " WHERE s.status = 'active' AND s.last_published >= :since"
            " AND s.first_published <= :until"
        )
        titles = (
            "SELECT a.story_id, a.title FROM articles a JOIN stories s ON s.id = a.story_id"
            " WHERE s.status = 'active' AND s.version > 0 AND s.last_published >= :since"
            " AND s.first_published <= :until ORDER BY a.story_id, a.published_at, a.id"
        )
        heads: dict[int, list[str]] = defaultdict(list)
        with self._tx() as conn:
            rows = conn.execute(text(stories), window).all()
            for sid, title in conn.execute(text(titles), window):
                if len(heads[sid]) < TITLES_PER_STORY:
                    heads[sid].append(title)
        return [
            profile(int(sid), from_iso(first), from_iso(last), [title, *heads[sid]])
            for sid, first, last, title in rows
        ]

    def add_story_links(self, found: Iterable[tuple[int, int, float]]) -> int:
        """Store (earlier, later, score) links; a link already stored stays as it is."""
        added = 0
        with self._tx() as conn:
            for earlier, later, score in found:
                added += conn.execute(
                    text(
                        "INSERT INTO story_links (earlier, later, score) VALUES (:e, :l, :s)"
                        " ON CONFLICT (earlier, later) DO NOTHING"
                    ),
                    {"e": earlier, "l": later, "s": score},
                ).rowcount
        return added

    def link_written_stories(self, chunk: int = 500) -> int:
        """Link every written active story (oldest first, ``chunk`` at a time): a
        database upgraded to story_links gets the timeline of the stories it holds."""
        with self._tx() as conn:
            ids = [
                int(r[0])
                for r in conn.execute(
                    text(
                        "SELECT id FROM stories WHERE status = 'active' AND version > 0"
                        " ORDER BY first_published, id"
                    )
                )
            ]
        return sum(link_stories(self, ids[i : i + chunk]) for i in range(0, len(ids), chunk))

    def links_generation(self) -> int:
        """Changes whenever a link is added: part of a story page's cache key."""
        with self._tx() as conn:
            value = conn.execute(text("SELECT max(id) FROM story_links")).scalar()
        return int(value or 0)

    def _next(self, conn: Any, story_id: int, back: bool) -> dict[str, Any] | None:
        mine, other = ("later", "earlier") if back else ("earlier", "later")
        sql = (
            f"SELECT s.id, s.first_published, s.last_published, v.title FROM story_links l"
            f" JOIN stories s ON s.id = l.{other} AND s.status = 'active'"
            " JOIN story_versions v ON v.story_id = s.id AND v.version = s.version"
            f" WHERE l.{mine} = :s ORDER BY l.score DESC, s.id LIMIT 1"
        )
        row = conn.execute(text(sql), {"s": story_id}).first()
        if row is None:
            return None
        return {
            "id": int(row.id),
            "title": row.title,
            "published": row.first_published,
            "updated": row.last_published,
            "url": f"/stories/{row.id}",
        }

    def timeline(self, story_id: int, depth: int = 5) -> dict[str, list[dict[str, Any]]]:
        """The chain around a story: ``earlier`` (oldest first) and ``later`` (next
        first), following each story's best link, at most ``depth`` steps each way."""
        out: dict[str, list[dict[str, Any]]] = {"earlier": [], "later": []}
        if not 0 < story_id <= MAX_ID:
            return out
        with self._tx() as conn:
            for key, back in (("earlier", True), ("later", False)):
                seen, current = {story_id}, story_id
                for _ in range(depth):
                    step = self._next(conn, current, back)
                    if step is None or step["id"] in seen:
                        break
                    seen.add(step["id"])
                    out[key].append(step)
                    current = step["id"]
        out["earlier"].reverse()
        return out
