"""Indexes on articles' language and section, so the listing filters' choices (facets)
are read from the indexes, one seek per distinct value, instead of a scan of every
article (1.2 s of CPU at 300,000 articles on SQLite, ran on a home page's first request).

Revision ID: 0008_facet_indexes
Revises: 0007_pending_articles
Create Date: 2026-12-04
"""

from alembic import op

revision = "0008_facet_indexes"
down_revision = "0007_pending_articles"
branch_labels = None
depends_on = None

STATEMENTS = [
    "CREATE INDEX articles_language ON articles(language)",
    "CREATE INDEX articles_section ON articles(section)",
]


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
