"""PostgreSQL: an index of the stories that are no longer active (merged), for search.

Revision ID: 0014_inactive_stories
Revises: 0013_full_gin_fastupdate
Create Date: 2026-12-05

A story search keeps the active stories among the matches: it tested each match of the
window (up to ~1,700 for two common words at 30,000 articles) with a primary-key probe
of ``stories``. Few stories are merged (121 of 16,732 there), so the search now leaves
out the ids of this small partial index instead: one hash of them per search. SQLite
keeps its probe (a rowid lookup costs little there).
"""

from alembic import op

revision = "0014_inactive_stories"
down_revision = "0013_full_gin_fastupdate"
branch_labels = None
depends_on = None

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [],
    "postgresql": [
        "CREATE INDEX stories_inactive ON stories (id) WHERE status <> 'active'",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
