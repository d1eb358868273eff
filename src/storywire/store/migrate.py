"""Schema migrations with Alembic (``store/schema/versions``), for SQLite and PostgreSQL.

An upgrade runs every pending revision in ONE transaction: it completes, or the schema
stays as it was. PostgreSQL's DDL is transactional; on SQLite the migration connection
runs with the driver's own transaction handling off (pysqlite would otherwise commit
before DDL) and issues ``BEGIN`` itself. On PostgreSQL an advisory lock makes a second
process that upgrades at the same moment wait, then find nothing left to do.

Databases made before Alembic (a ``schema_migrations`` table of applied names) are
stamped with the last revision they had applied: the first revisions carry the same
names and, on SQLite, the same statements.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool

from .db import _sqlite_pragmas

log = logging.getLogger(__name__)
# Alembic says "Context impl SQLiteImpl" each time the revision is read: keep its
# warnings only; this module logs each revision it applies.
logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
SCRIPTS = Path(__file__).with_name("schema")
# The hand-written migrations of releases before Alembic, in order (= revision ids).
LEGACY = ("0001_initial", "0002_feed_schedule", "0003_search")
# Any 64-bit number, the same in every process: the PostgreSQL advisory lock's key.
_LOCK_KEY = 0x5357_4D49_4752


@cache
def scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return ScriptDirectory.from_config(config)


def lineage(revision: str | None) -> list[str]:
    """Revision ids from the first up to ``revision``, oldest first."""
    if revision is None:
        return []
    found = [r.revision for r in scripts().iterate_revisions(revision, "base")]
    return list(reversed(found))


def current(conn: Connection) -> str | None:
    """The database's revision (None: no schema, or one from before Alembic)."""
    return MigrationContext.configure(conn).get_current_revision()


def _legacy_revision(conn: Connection) -> str | None:
    """For a database made before Alembic: the last hand-written migration applied."""
    if not inspect(conn).has_table("schema_migrations"):
        return None
    applied = {r[0] for r in conn.execute(text("SELECT name FROM schema_migrations"))}
    done = [name for name in LEGACY if name in applied]
    return done[-1] if done else None


def _migration_engine(url: str) -> Engine:
    """An engine whose transactions really cover DDL (see the module doc)."""
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":

        def autocommit_off(dbapi_conn: Any, record: Any) -> None:
            _sqlite_pragmas(dbapi_conn, record)
            dbapi_conn.isolation_level = None  # the driver issues no BEGIN or COMMIT

        event.listen(engine, "connect", autocommit_off)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


@contextmanager
def _transaction(url: str) -> Iterator[Connection]:
    engine = _migration_engine(url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
            yield conn
    finally:
        engine.dispose()


def upgrade(url: str, target: str = "heads") -> list[str]:
    """Apply pending revisions up to ``target`` in one transaction; return their ids."""
    with _transaction(url) as conn:
        before = current(conn)
        if before is None and (legacy := _legacy_revision(conn)) is not None:
            MigrationContext.configure(conn).stamp(scripts(), legacy)
            log.info("database from before Alembic: stamped %s", legacy)
            before = legacy
        config = Config()
        config.set_main_option("script_location", str(SCRIPTS))
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        after = current(conn)
    done = set(lineage(before))
    applied = [r for r in lineage(after) if r not in done]
    for name in applied:
        log.info("applied migration %s", name)
    return applied
