"""PostgreSQL: the rows that fell out of the search windows dropped once.

Revision ID: 0016_trim_windows
Revises: 0015_merge_windows
Create Date: 2026-12-05

The windows' triggers trim only the 1,000 ids just past the window
(``0011_bounded_trim``); stories skipped by a jump of the newest story id (an import
creates its stories, then writes them) stayed in the window: 99,157 stories in the
10,000-story window of a 300,000-article store, each search ranking among ten times
the documents. The store now also drops them every 2,000 rows written
(``Database._wrote_window``); this drops those of an existing store. SQLite trims
without a bound: nothing to do.
"""

from alembic import op

revision = "0016_trim_windows"
down_revision = "0015_merge_windows"
branch_labels = None
depends_on = None

STORIES = 10_000  # as 0009
ARTICLES = 20_000  # as 0009

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [],
    "postgresql": [
        f"""DELETE FROM stories_recent
            WHERE story_id <= (SELECT max(id) FROM stories) - {STORIES}""",
        f"""DELETE FROM articles_recent
            WHERE id <= (SELECT max(id) FROM articles) - {ARTICLES}""",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
