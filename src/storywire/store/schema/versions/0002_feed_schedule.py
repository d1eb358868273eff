"""Each feed's adaptive poll interval; duplicates found by their original.

Revision ID: 0002_feed_schedule
Revises: 0001_initial
Create Date: 2025-01-02
"""

from alembic import op

revision = "0002_feed_schedule"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [
        "ALTER TABLE feeds ADD COLUMN poll_interval REAL",
        "CREATE INDEX articles_duplicate_of ON articles(duplicate_of)",
    ],
    "postgresql": [
        "ALTER TABLE feeds ADD COLUMN poll_interval DOUBLE PRECISION",
        "CREATE INDEX articles_duplicate_of ON articles(duplicate_of)",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
