"""The store: one type over SQLite or PostgreSQL, its queries split by entity.

``Store`` gathers the query modules (like Miniflux's ``internal/storage``): feeds and
outlets (:mod:`.feeds`), articles (:mod:`.articles`), stories and versions
(:mod:`.stories`), listings (:mod:`.listing`), full-text search (:mod:`.search`),
articles waiting for the cluster consumer (:mod:`.pending`), on
the engine, transactions and dialect SQL of :mod:`.db`; the schema is migrated by
Alembic (:mod:`.migrate`, imported only when there is something to migrate: Alembic
takes ~0.3 s to import, which every command and web process would pay). One ``Store``
per process; its methods are thread-safe (each opens its own short transaction unless
the thread is inside :meth:`batch`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import inspect, text

from .db import is_database_error
from .pending import PendingQueries

VERSIONS = Path(__file__).with_name("schema") / "versions"


@cache
def newest_revision() -> str:
    """The newest revision in ``schema/versions`` (the one no other revises), read from
    the files' ``revision`` / ``down_revision`` lines without importing Alembic."""
    revisions, revised = set(), set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = re.search(r'^revision = "([^"]+)"$', source, re.M)
        assert found, f"{path} names no revision"
        revisions.add(found.group(1))
        revised.update(re.findall(r'^down_revision = "([^"]+)"$', source, re.M))
    (head,) = revisions - revised  # one line of revisions: Alembic checks the same
    return head


class Store(PendingQueries):
    def migrate(self) -> list[str]:
        """Bring the schema up to date; return the revisions applied (oldest first)."""
        if self.revision() == newest_revision():
            return []
        from . import migrate

        try:
            applied = migrate.upgrade(self.url)
        except Exception as exc:
            if is_database_error(exc):
                raise self.error(exc) from exc
            raise
        if "0005_outlets" in applied:  # outlets stored before it learn the shipped facts
            self.refresh_outlets()
        if "0006_story_links" in applied:  # stories written before it get their timeline
            self.link_written_stories()
        return applied

    def migrations(self) -> list[str]:
        """The revisions the database has, oldest first."""
        from . import migrate

        return migrate.lineage(self.revision())

    @staticmethod
    def newest_revision() -> str:
        """The newest revision this version of storywire knows."""
        return newest_revision()

    def revision(self) -> str | None:
        """The database's current revision (None: an empty database, or one made before
        Alembic)."""
        with self._tx() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
