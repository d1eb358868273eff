"""PostgreSQL: the windows' triggers trim a bounded range of ids.

Revision ID: 0011_bounded_trim
Revises: 0010_articles_fts
Create Date: 2026-12-04

``DELETE FROM articles_recent WHERE id <= NEW.id - 20000`` on every insert walked the
primary key from its lowest entry; the rows deleted earlier in the same transaction are
still in the index (dead until vacuumed), so the k-th insert of a transaction passed
k - 1 dead entries: quadratic in the transaction's size (writing 10,000 articles per
transaction slowed to ~70 rows/s at 200,000 articles). The trim now covers the SPAN
ids just past the window (ids come in order; a row skipped by a gap of more than SPAN
ids stays in the window, which only makes it a little larger). SQLite deletes rows at
once: nothing to change there.
"""

from alembic import op

revision = "0011_bounded_trim"
down_revision = "0010_articles_fts"
branch_labels = None
depends_on = None

SPAN = 1_000
STORIES = 10_000  # as 0009
ARTICLES = 20_000  # as 0009
LEAD = 600  # as 0009

_PG_STORY_DOC = """to_tsvector('storywire', {v}.title || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.highlights AS json)) e), '') || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.body AS json)) e), ''))"""
_PG_ARTICLE_FULL = (
    "to_tsvector('storywire', {r}.title || ' ' || {r}.author || ' ' ||"
    " left({r}.summary || ' ' || {r}.text, 2000))"
)
_PG_ARTICLE_LEAD = (
    "to_tsvector('storywire', {r}.title || ' ' || {r}.author || ' ' ||"
    f" left({{r}}.summary || ' ' || {{r}}.text, {LEAD}))"
)

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION articles_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM articles_recent WHERE id = OLD.id;
                DELETE FROM articles_fts WHERE id = OLD.id;
                RETURN OLD;
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE articles_recent SET doc = {_PG_ARTICLE_LEAD.format(r="NEW")}
                    WHERE id = NEW.id;
                UPDATE articles_fts SET doc = {_PG_ARTICLE_FULL.format(r="NEW")}
                    WHERE id = NEW.id;
                RETURN NEW;
            END IF;
            INSERT INTO articles_fts (id, doc) VALUES (NEW.id,
                {_PG_ARTICLE_FULL.format(r="NEW")});
            INSERT INTO articles_recent (id, doc) VALUES (NEW.id,
                {_PG_ARTICLE_LEAD.format(r="NEW")});
            DELETE FROM articles_recent
                WHERE id > NEW.id - {ARTICLES + SPAN} AND id <= NEW.id - {ARTICLES};
            RETURN NEW;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION stories_recent_version() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE newest BIGINT := (SELECT max(id) FROM stories);
        BEGIN
            IF NEW.story_id > newest - {STORIES} THEN
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
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
