"""PostgreSQL: the search windows' GIN indexes without a pending list.

Revision ID: 0012_window_gin_fastupdate
Revises: 0011_bounded_trim
Create Date: 2026-12-04

With GIN's ``fastupdate`` (the default) a new row's words go to the index's pending
list, which every search then reads through in full, until a vacuum or 4 MB of pending
entries merges it into the index. Under steady ingest the windows' lists hold hundreds
to ~2,000 documents: on the 300,000-article store (copy of the window) 1,000 pending
documents made the article window's statement 0.69 -> 1.24 ms per search, back to
0.68 ms without the list. The windows take one row per article or story version; the
direct insert costs ~0.29 ms per row instead of ~0.01 (+ a share of the later merge).
The full indexes keep ``fastupdate``: they are read only by the searches the window
cannot fill. SQLite's FTS5 has no such list: nothing to change there.
"""

from alembic import op

revision = "0012_window_gin_fastupdate"
down_revision = "0011_bounded_trim"
branch_labels = None
depends_on = None

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [],
    "postgresql": [
        "ALTER INDEX articles_recent_doc SET (fastupdate = off)",
        "ALTER INDEX stories_recent_doc SET (fastupdate = off)",
        # What is pending now goes into the index (turning fastupdate off keeps the list).
        "SELECT gin_clean_pending_list('articles_recent_doc'::regclass)",
        "SELECT gin_clean_pending_list('stories_recent_doc'::regclass)",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
