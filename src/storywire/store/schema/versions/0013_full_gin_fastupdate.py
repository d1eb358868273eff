"""PostgreSQL: the full search indexes' GIN without a pending list too.

Revision ID: 0013_full_gin_fastupdate
Revises: 0012_window_gin_fastupdate
Create Date: 2026-12-04

With 500 documents in ``articles_fts_doc``'s pending list (steady ingest fills it up
to 4 MB between vacuums) the planner costed the GIN scan over the list above a
sequential scan: the full-index statement (``_pg_older``) read and tested every
article's document from TOAST, 216 ms per search on a 100,000-article copy instead of
1.6 ms. Without the list the plan stays the bitmap. A document now goes straight into
the index: ~1 ms per article written (full documents are up to 2,000 characters)
instead of ~0.06 ms plus its share of the later merge.
"""

from alembic import op

revision = "0013_full_gin_fastupdate"
down_revision = "0012_window_gin_fastupdate"
branch_labels = None
depends_on = None

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [],
    "postgresql": [
        "ALTER INDEX articles_fts_doc SET (fastupdate = off)",
        "ALTER INDEX stories_fts_doc SET (fastupdate = off)",
        "SELECT gin_clean_pending_list('articles_fts_doc'::regclass)",
        "SELECT gin_clean_pending_list('stories_fts_doc'::regclass)",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
