"""PostgreSQL: articles' full search documents in a narrow table; both: the stories'
window holds a story's body too.

Revision ID: 0010_articles_fts
Revises: 0009_search_window
Create Date: 2026-12-04

PostgreSQL: a search's matches beyond the window come from the full index's GIN bitmap,
each matching row then visited to keep the newest. In ``articles`` (the generated
column ``search``) that was a visit of a wide row per match (1,390 heap pages, 13 ms,
for "senate climate*" at 300,000 articles); the documents now live in ``articles_fts
(id, doc)``, narrow rows (the tsvector itself in TOAST), kept by the articles' trigger
as ``stories_fts`` is by the versions' trigger.

Both: the stories' window holds a story's body too (the same document as
``stories_fts``): with title and highlights alone, 7 in 10 two-word queries of
bench/scale.py found fewer than a page of stories in it.
"""

from alembic import op

revision = "0010_articles_fts"
down_revision = "0009_search_window"
branch_labels = None
depends_on = None

STORIES = 10_000  # as 0009
ARTICLES = 20_000  # as 0009
LEAD = 600  # as 0009

_SQLITE_STORY_TEXT = """coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.highlights)), '') || ' ' ||
        coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.body)), '')"""
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
    "sqlite": [
        "DROP TRIGGER stories_recent_version",
        "DROP TABLE stories_recent",
        """CREATE VIRTUAL TABLE stories_recent USING fts5(
            title, body, tokenize='unicode61 remove_diacritics 2'
        )""",
        f"""CREATE TRIGGER stories_recent_version AFTER INSERT ON story_versions BEGIN
            DELETE FROM stories_recent WHERE rowid = new.story_id;
            INSERT INTO stories_recent (rowid, title, body)
                SELECT new.story_id, new.title, {_SQLITE_STORY_TEXT.format(v="new")}
                WHERE new.story_id > (SELECT max(id) FROM stories) - {STORIES};
            DELETE FROM stories_recent
                WHERE rowid <= (SELECT max(id) FROM stories) - {STORIES};
        END""",
        f"""INSERT INTO stories_recent (rowid, title, body)
            SELECT v.story_id, v.title, {_SQLITE_STORY_TEXT.format(v="v")}
            FROM story_versions v JOIN stories s ON s.id = v.story_id AND s.version = v.version
            WHERE s.id > (SELECT max(id) FROM stories) - {STORIES}""",
    ],
    "postgresql": [
        # Articles: the full documents in a narrow table.
        "CREATE TABLE articles_fts (id BIGINT PRIMARY KEY, doc tsvector NOT NULL)",
        """INSERT INTO articles_fts (id, doc)
            SELECT id, search FROM articles""",
        "ALTER TABLE articles DROP COLUMN search",
        "CREATE INDEX articles_fts_doc ON articles_fts USING gin (doc)",
        "DROP TRIGGER articles_recent_sync ON articles",
        "DROP FUNCTION articles_recent_sync()",
        f"""CREATE FUNCTION articles_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
            DELETE FROM articles_recent WHERE id <= NEW.id - {ARTICLES};
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER articles_search_sync
            AFTER INSERT OR DELETE OR UPDATE OF title, author, summary, text ON articles
            FOR EACH ROW EXECUTE FUNCTION articles_search_sync()""",
        # Stories: the body in the window.
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
            DELETE FROM stories_recent WHERE story_id <= newest - {STORIES};
            RETURN NEW;
        END $$""",
        "TRUNCATE stories_recent",
        f"""INSERT INTO stories_recent (story_id, doc)
            SELECT v.story_id, {_PG_STORY_DOC.format(v="v")}
            FROM story_versions v JOIN stories s ON s.id = v.story_id AND s.version = v.version
            WHERE s.id > (SELECT max(id) FROM stories) - {STORIES}""",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
