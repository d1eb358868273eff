"""Outlet knowledge on the outlets (``sources``) table: every domain, owner, typology,
lean ('' = unknown) and, per field, where its value came from (JSON text).

Revision ID: 0005_outlets
Revises: 0004_article_image
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005_outlets"
down_revision = "0004_article_image"
branch_labels = None
depends_on = None

STATEMENTS = [
    "ALTER TABLE sources ADD COLUMN domains TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE sources ADD COLUMN owner TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sources ADD COLUMN typology TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sources ADD COLUMN lean TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE sources ADD COLUMN origins TEXT NOT NULL DEFAULT '{}'",
]


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS:  # the same on SQLite and PostgreSQL
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
