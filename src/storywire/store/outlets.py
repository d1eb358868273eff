"""Outlets (the ``sources`` table, migration ``0005_outlets``): their facts with the
origin of each value, story coverage by lean and country, the Blindspot listing and
an outlet's stories. Mixed into :class:`storywire.store.Store`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from sqlalchemy import text

from ..outlets import SIDES, shipped, side
from .db import MAX_ID
from .listing import Listed, listed
from .search import SearchQueries

BLINDSPOT_MIN_OUTLETS = 5  # outlets of known lean
BLINDSPOT_SHARE = 0.8  # of them on one side (left or right)
_COLUMNS = "id, name, domain, domains, country, language, kind, owner, typology, lean, origins"


class Coverage(TypedDict):
    """Outlets of a story counted once each, by side and by country (docs/api.md)."""

    lean: dict[str, int]
    countries: dict[str, int]


def outlet_json(m: Any) -> dict[str, Any]:
    """An outlet row as the API shows it."""
    return {
        "id": m["id"],
        "name": m["name"],
        "domains": json.loads(m["domains"] or "[]") or ([m["domain"]] if m["domain"] else []),
        "country": m["country"],
        "language": m["language"],
        "kind": m["kind"],
        "owner": m["owner"],
        "typology": m["typology"],
        "lean": m["lean"] or "unknown",
        "side": side(m["lean"]),
        "origins": json.loads(m["origins"] or "{}"),
        "url": f"/outlets/{m['id']}",
    }


def empty_coverage() -> Coverage:
    return {"lean": dict.fromkeys(SIDES, 0), "countries": {}}


def _count(cover: Coverage, lean: str, country: str) -> None:
    cover["lean"][side(lean)] += 1
    key = country or "unknown"
    cover["countries"][key] = cover["countries"].get(key, 0) + 1


def _sorted(cover: Coverage) -> Coverage:
    countries = sorted(cover["countries"].items(), key=lambda kv: (-kv[1], kv[0]))
    return {"lean": cover["lean"], "countries": dict(countries)}


class OutletQueries(SearchQueries):
    # -- facts ------------------------------------------------------------------------

    def set_outlet(self, outlet_id: int, fields: Mapping[str, str], origin: str = "user") -> bool:
        if not 0 < outlet_id <= MAX_ID:
            return False
        with self._tx() as conn:
            found = conn.execute(text("SELECT 1 FROM sources WHERE id=:i"), {"i": outlet_id})
            if found.first() is None:
                return False
            self.update_outlet(conn, outlet_id, fields, origin)
        return True

    def set_outlets_by_name(self, fields: Mapping[str, Mapping[str, str]], origin: str) -> int:
        """``{outlet name: {field: value}}``, creating outlets not stored yet; one
        transaction. Returns how many outlets were offered values."""
        with self._tx() as conn:
            for name, values in fields.items():
                self.update_outlet(conn, self.source_id(conn, name), values, origin)
        return len(fields)

    def refresh_outlets(self) -> int:
        """Offer the shipped knowledge to every stored outlet (after an upgrade)."""
        changed = 0
        with self._tx() as conn:
            rows = conn.execute(text("SELECT id, name, domain FROM sources")).all()
            for outlet_id, name, domain in rows:
                known = shipped().find(name, domain)
                if known is None:
                    continue
                for field_name, value in known.values.items():
                    origin = known.origins.get(field_name, "default-feeds")
                    self.update_outlet(conn, outlet_id, {field_name: value}, origin)
                changed += 1
        return changed

    def get_outlet(self, outlet_id: int) -> dict[str, Any] | None:
        if not 0 < outlet_id <= MAX_ID:
            return None
        with self._tx() as conn:
            row = conn.execute(
                text(
                    f"SELECT {_COLUMNS}, (SELECT count(*) FROM articles a"
                    " WHERE a.source_id = sources.id) AS article_count FROM sources WHERE id=:i"
                ),
                {"i": outlet_id},
            ).first()
        if row is None:
            return None
        return outlet_json(row._mapping) | {"article_count": row._mapping["article_count"]}

    def find_outlet(self, name_or_id: str) -> dict[str, Any] | None:
        """By id (digits) or exact name."""
        if name_or_id.isdigit():
            return self.get_outlet(int(name_or_id))
        with self._tx() as conn:
            row = conn.execute(
                text("SELECT id FROM sources WHERE name=:n"), {"n": name_or_id}
            ).first()
        return self.get_outlet(int(row[0])) if row else None

    def outlet_ids(self, names: Sequence[str]) -> dict[str, int]:
        """Outlet name -> id for the stored ones among ``names``."""
        sql = "SELECT name, id FROM sources WHERE name IN ({marks})"
        return {r[0]: int(r[1]) for r in self._rows_in(sql, sorted(set(names)))}

    def list_outlets(self) -> list[dict[str, Any]]:
        sql = (
            f"SELECT {_COLUMNS}, (SELECT count(*) FROM articles a WHERE a.source_id = s.id)"
            " AS article_count FROM sources s ORDER BY s.name"
        )
        with self._tx() as conn:
            return [
                outlet_json(r._mapping) | {"article_count": r._mapping["article_count"]}
                for r in conn.execute(text(sql))
            ]

    # -- coverage ---------------------------------------------------------------------

    def coverage(self, story_ids: Sequence[int]) -> dict[int, Coverage]:
        """Per story: outlets counted by side (left, center, right, unknown) and country."""
        out = {int(i): empty_coverage() for i in story_ids}
        if not out:
            return {}
        marks = ",".join(str(i) for i in out)
        sql = (
            "SELECT DISTINCT a.story_id, so.id, so.lean, so.country FROM articles a"
            f" JOIN sources so ON so.id = a.source_id WHERE a.story_id IN ({marks})"
        )
        with self._tx() as conn:
            for story_id, _, lean, country in conn.execute(text(sql)):
                _count(out[story_id], lean, country)
        return {k: _sorted(v) for k, v in out.items()}

    def coverage_of_articles(self, article_ids: Sequence[int]) -> Coverage:
        """Outlets of these articles counted by side and country (a version's coverage)."""
        cover = empty_coverage()
        wanted = sorted({int(i) for i in article_ids if 0 < int(i) <= MAX_ID})
        seen: set[int] = set()
        with self._tx() as conn:
            for i in range(0, len(wanted), 500):
                marks = ",".join(str(x) for x in wanted[i : i + 500])
                sql = (
                    "SELECT DISTINCT so.id, so.lean, so.country FROM articles a"
                    f" JOIN sources so ON so.id = a.source_id WHERE a.id IN ({marks})"
                )
                for outlet_id, lean, country in conn.execute(text(sql)):
                    if outlet_id not in seen:
                        seen.add(outlet_id)
                        _count(cover, lean, country)
        return _sorted(cover)

    # -- listings ---------------------------------------------------------------------

    def blindspot(
        self,
        *,
        limit: int = 30,
        offset: int = 0,
        min_known: int = BLINDSPOT_MIN_OUTLETS,
        share: float = BLINDSPOT_SHARE,
    ) -> list[tuple[Listed, str]]:
        """Written stories covered by at least ``min_known`` outlets of known lean of
        which ``share`` or more are on one side; newest first, with that side."""
        sql = (
            "SELECT s.*, v.title AS title,"
            f" {self.dialect.top_highlight} AS top_highlight,"
            " c.l, c.r FROM (SELECT story_id,"
            " sum(CASE WHEN lean IN ('left', 'lean left') THEN 1 ELSE 0 END) AS l,"
            " sum(CASE WHEN lean = 'center' THEN 1 ELSE 0 END) AS c,"
            " sum(CASE WHEN lean IN ('right', 'lean right') THEN 1 ELSE 0 END) AS r"
            " FROM (SELECT DISTINCT a.story_id, so.id, so.lean FROM articles a"
            " JOIN stories s ON s.id = a.story_id JOIN sources so ON so.id = a.source_id"
            " WHERE s.status = 'active' AND s.version > 0 AND s.outlet_count >= :min) d"
            " GROUP BY story_id) c JOIN stories s ON s.id = c.story_id"
            " JOIN story_versions v ON v.story_id = s.id AND v.version = s.version"
            " WHERE c.l + c.c + c.r >= :min"
            " AND (c.l >= :share * (c.l + c.c + c.r) OR c.r >= :share * (c.l + c.c + c.r))"
            " ORDER BY s.last_published DESC, s.id DESC LIMIT :limit OFFSET :offset"
        )
        params = {"min": min_known, "share": share, "limit": limit, "offset": offset}
        with self._tx() as conn:
            return [
                (
                    listed(r),
                    "left" if r.l >= r.r else "right",
                )
                for r in conn.execute(text(sql), params)
            ]

    def outlet_stories(self, outlet_id: int, *, limit: int = 20) -> list[Listed]:
        """Written stories this outlet reported in, newest first."""
        if not 0 < outlet_id <= MAX_ID:
            return []
        sql = (
            "SELECT s.*, v.title AS title,"
            f" {self.dialect.top_highlight} AS top_highlight"
            " FROM stories s JOIN story_versions v ON v.story_id = s.id AND v.version = s.version"
            " WHERE s.status = 'active' AND s.id IN (SELECT story_id FROM articles"
            " WHERE source_id = :o AND story_id IS NOT NULL)"
            " ORDER BY s.last_published DESC, s.id DESC LIMIT :limit"
        )
        with self._tx() as conn:
            rows = conn.execute(text(sql), {"o": outlet_id, "limit": limit})
            return [listed(r) for r in rows]
