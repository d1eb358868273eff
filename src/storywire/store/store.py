"""The store: one type over SQLite or PostgreSQL, its queries split by entity.

``Store`` gathers the query modules (like Miniflux's ``internal/storage``): feeds and
outlets (:mod:`.feeds`), articles (:mod:`.articles`), stories and versions
(:mod:`.stories`), listings (:mod:`.listing`), full-text search (:mod:`.search`), on
the engine, transactions and dialect SQL of :mod:`.db`; the schema is migrated by
Alembic (:mod:`.migrate`). One ``Store`` per process; its methods are thread-safe
(each opens its own short transaction unless the thread is inside :meth:`batch`).
"""

from __future__ import annotations

from . import migrate as migrations
from .db import is_database_error
from .search import SearchQueries


class Store(SearchQueries):
    def migrate(self) -> list[str]:
        """Bring the schema up to date; return the revisions applied (oldest first)."""
        with self._tx() as conn:
            if migrations.current(conn) == migrations.head():
                return []
        try:
            return migrations.upgrade(self.url)
        except Exception as exc:
            if is_database_error(exc):
                raise self.error(exc) from exc
            raise

    def migrations(self) -> list[str]:
        """The revisions the database has, oldest first."""
        with self._tx() as conn:
            return migrations.applied(conn)

    @staticmethod
    def newest_revision() -> str:
        """The newest revision this version of storywire knows."""
        return migrations.head()

    def revision(self) -> str | None:
        """The database's current revision (None: an empty database)."""
        with self._tx() as conn:
            return migrations.current(conn)
