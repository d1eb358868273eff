"""Each article's lead image (og:image from extraction): an http(s) URL, or ''.

Revision ID: 0004_article_image
Revises: 0003_search
Create Date: 2026-12-02
"""

from alembic import op

revision = "0004_article_image"
down_revision = "0003_search"
branch_labels = None
depends_on = None

STATEMENTS: dict[str, list[str]] = {
    "sqlite": ["ALTER TABLE articles ADD COLUMN image TEXT NOT NULL DEFAULT ''"],
    "postgresql": ["ALTER TABLE articles ADD COLUMN image TEXT NOT NULL DEFAULT ''"],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
