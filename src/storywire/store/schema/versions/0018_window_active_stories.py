"""The story search window holds active stories only.

Revision ID: 0018_window_active_stories
Revises: 0017_window_autovacuum
Create Date: 2026-12-05

A story merged into another kept its row in ``stories_recent``, so every search of the
window filtered its matches against the stories that are not active: on PostgreSQL a
hash of the 1,263 merged stories built per search (~0.3 ms of its 1.5 ms of database CPU
at 300,000 articles), on SQLite a probe of ``stories`` per ranked match. Now a story
leaves the window when it stops being active (``merge_stories`` is the only way) and a
version written for an inactive story does not enter it; the search reads the window
without the filter. The full indexes keep every story and their reads keep the filter.
"""

from alembic import op

revision = "0018_window_active_stories"
down_revision = "0017_window_autovacuum"
branch_labels = None
depends_on = None

SPAN = 1_000  # as 0011
STORIES = 10_000  # as 0009

_SQLITE_STORY_TEXT = """coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.highlights)), '') || ' ' ||
        coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.body)), '')"""  # as 0010
_PG_STORY_DOC = """to_tsvector('storywire', {v}.title || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.highlights AS json)) e), '') || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.body AS json)) e), ''))"""  # as 0011
_ACTIVE = "EXISTS (SELECT 1 FROM stories WHERE id = {v}.story_id AND status = 'active')"
_DROP_INACTIVE = (
    "DELETE FROM stories_recent WHERE {key} IN (SELECT id FROM stories WHERE status <> 'active')"
)

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [
        "DROP TRIGGER stories_recent_version",
        f"""CREATE TRIGGER stories_recent_version AFTER INSERT ON story_versions BEGIN
            DELETE FROM stories_recent WHERE rowid = new.story_id;
            INSERT INTO stories_recent (rowid, title, body)
                SELECT new.story_id, new.title, {_SQLITE_STORY_TEXT.format(v="new")}
                WHERE new.story_id > (SELECT max(id) FROM stories) - {STORIES}
                AND {_ACTIVE.format(v="new")};
            DELETE FROM stories_recent
                WHERE rowid <= (SELECT max(id) FROM stories) - {STORIES};
        END""",
        """CREATE TRIGGER stories_recent_inactive AFTER UPDATE OF status ON stories
            WHEN new.status <> 'active' BEGIN
            DELETE FROM stories_recent WHERE rowid = new.id;
        END""",
        _DROP_INACTIVE.format(key="rowid"),
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION stories_recent_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE newest BIGINT := (SELECT max(id) FROM stories);
        BEGIN
            IF NEW.story_id > newest - {STORIES} AND {_ACTIVE.format(v="NEW")} THEN
                INSERT INTO stories_recent (story_id, doc) VALUES (NEW.story_id,
                    {_PG_STORY_DOC.format(v="NEW")})
                ON CONFLICT (story_id) DO UPDATE SET doc = EXCLUDED.doc;
            ELSE
                DELETE FROM stories_recent WHERE story_id = NEW.story_id;
            END IF;
            DELETE FROM stories_recent
                WHERE story_id > newest - {STORIES + SPAN} AND story_id <= newest - {STORIES};
            RETURN NEW;
        END $$""",
        """CREATE FUNCTION stories_recent_inactive() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM stories_recent WHERE story_id = NEW.id;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER stories_recent_inactive AFTER UPDATE OF status ON stories
            FOR EACH ROW WHEN (NEW.status <> 'active')
            EXECUTE FUNCTION stories_recent_inactive()""",
        _DROP_INACTIVE.format(key="story_id"),
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
