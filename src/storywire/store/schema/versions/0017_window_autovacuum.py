"""PostgreSQL: autovacuum comes to the search windows after a few hundred dead rows.

Revision ID: 0017_window_autovacuum
Revises: 0016_trim_windows
Create Date: 2026-12-05

Every article and story version written moves a row out of its window (and a rewritten
story replaces its row), so the windows are mostly churn. With the default settings
autovacuum waits for a fifth of a window to be dead (4,050 rows of the article window,
2,050 of the story window) and then sleeps between pages; meanwhile every search reads
the dead rows' GIN entries and heap tuples (a window with every row dead: ~0.8 ms more
database CPU per search on the 300,000-article store). The windows are small (short
documents, 10,000-20,000 rows), so vacuuming one costs little: vacuum them once 2% + 200
rows are dead, without the cost-based sleeps. SQLite deletes FTS5 rows at once and
merges its segments as it goes (``Database._wrote_window``): nothing to do there.
"""

from alembic import op

revision = "0017_window_autovacuum"
down_revision = "0016_trim_windows"
branch_labels = None
depends_on = None

SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 200,"
    " autovacuum_vacuum_cost_delay = 0"
)

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [],
    "postgresql": [
        f"ALTER TABLE articles_recent SET ({SETTINGS})",
        f"ALTER TABLE stories_recent SET ({SETTINGS})",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
