"""Full-text search over articles and stories, and the listing indexes.

Revision ID: 0003_search
Revises: 0002_feed_schedule
Create Date: 2025-01-03

Articles: title, author and the first 2,000 characters of summary + text. Stories:
title + highlights + body of the current version, replaced whenever a version is
written. SQLite: FTS5 tables kept in step by triggers (the release's migration
``0003_search``, unchanged). PostgreSQL: a generated ``tsvector`` column on articles and
a ``stories_fts`` table written by a trigger, both with GIN indexes, in the
``storywire`` text search configuration (the ``simple`` parser, accents folded by
``unaccent``: as FTS5's ``unicode61 remove_diacritics``).
"""

from alembic import op

revision = "0003_search"
down_revision = "0002_feed_schedule"
branch_labels = None
depends_on = None

_SQLITE_STORY_TEXT = """coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.highlights)), '') || ' ' ||
        coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.body)), '')"""
_PG_STORY_DOC = """to_tsvector('storywire', {v}.title || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.highlights AS json)) e), '') || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.body AS json)) e), ''))"""
_SQLITE_ARTICLE_ROW = (
    "{r}.id, {r}.title, {r}.author, substr({r}.summary || ' ' || {r}.text, 1, 2000)"
)

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [
        """CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, author, body, content='', tokenize='unicode61 remove_diacritics 2'
        )""",
        f"""CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, author, body) VALUES (
                {_SQLITE_ARTICLE_ROW.format(r="new")});
        END""",
        f"""CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, author, body) VALUES (
                'delete', {_SQLITE_ARTICLE_ROW.format(r="old")});
        END""",
        f"""CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, summary, text
        ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, author, body) VALUES (
                'delete', {_SQLITE_ARTICLE_ROW.format(r="old")});
            INSERT INTO articles_fts (rowid, title, author, body) VALUES (
                {_SQLITE_ARTICLE_ROW.format(r="new")});
        END""",
        f"""INSERT INTO articles_fts (rowid, title, author, body)
            SELECT {_SQLITE_ARTICLE_ROW.format(r="articles")} FROM articles""",
        """CREATE VIRTUAL TABLE stories_fts USING fts5(
            title, body, tokenize='unicode61 remove_diacritics 2'
        )""",
        f"""CREATE TRIGGER stories_fts_version AFTER INSERT ON story_versions BEGIN
            DELETE FROM stories_fts WHERE rowid = new.story_id;
            INSERT INTO stories_fts (rowid, title, body) VALUES (new.story_id, new.title,
                {_SQLITE_STORY_TEXT.format(v="new")});
        END""",
        f"""INSERT INTO stories_fts (rowid, title, body)
            SELECT v.story_id, v.title, {_SQLITE_STORY_TEXT.format(v="v")}
            FROM story_versions v JOIN stories s ON s.id = v.story_id AND s.version = v.version""",
        "CREATE INDEX stories_last_published ON stories(last_published)",
        "CREATE INDEX stories_updated ON stories(updated_at)",
        "CREATE INDEX articles_source ON articles(source_id)",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH CONFIGURATION storywire (COPY = simple)",
        "ALTER TEXT SEARCH CONFIGURATION storywire"
        " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
        """ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
            to_tsvector('storywire', title || ' ' || author || ' ' ||
                        left(summary || ' ' || text, 2000))) STORED""",
        "CREATE INDEX articles_search ON articles USING gin (search)",
        """CREATE TABLE stories_fts (
            story_id BIGINT PRIMARY KEY REFERENCES stories(id),
            doc tsvector NOT NULL
        )""",
        "CREATE INDEX stories_fts_doc ON stories_fts USING gin (doc)",
        f"""CREATE FUNCTION stories_fts_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO stories_fts (story_id, doc) VALUES (NEW.story_id,
                {_PG_STORY_DOC.format(v="NEW")})
            ON CONFLICT (story_id) DO UPDATE SET doc = EXCLUDED.doc;
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER stories_fts_version AFTER INSERT ON story_versions
            FOR EACH ROW EXECUTE FUNCTION stories_fts_version()""",
        f"""INSERT INTO stories_fts (story_id, doc)
            SELECT v.story_id, {_PG_STORY_DOC.format(v="v")}
            FROM story_versions v JOIN stories s ON s.id = v.story_id AND s.version = v.version""",
        "CREATE INDEX stories_last_published ON stories(last_published)",
        "CREATE INDEX stories_updated ON stories(updated_at)",
        "CREATE INDEX articles_source ON articles(source_id)",
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    for statement in STATEMENTS[bind.dialect.name]:
        bind.exec_driver_sql(statement)


def downgrade() -> None:
    raise NotImplementedError("storywire migrations go forward only; restore a backup")
