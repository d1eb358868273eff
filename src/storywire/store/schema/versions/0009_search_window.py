"""Search windows: compact search documents of the newest articles and stories, ranked
on their own, so that a search's cost does not grow with the store.

Revision ID: 0009_search_window
Revises: 0008_facet_indexes
Create Date: 2026-12-04

``articles_recent`` holds title, author and the lead (the first 600 characters of
summary + text) of the articles numbered within ``ARTICLES`` of the newest;
``stories_recent`` the current title and highlights of the stories numbered within
``STORIES`` of the newest written one. Triggers keep them in step (insert, update,
delete) and drop what falls out of the window as new rows come. SQLite: FTS5 tables
(content stored, so a row leaving the window is deleted by rowid) and ``articles_recent
_terms`` (fts5vocab: the window's words, for completing the last word of a query against
the full index). PostgreSQL: tables of ``tsvector`` (small: stored inline, not in TOAST)
with GIN indexes. The full-text indexes of 0003 stay for matches beyond the windows.
"""

from alembic import op

revision = "0009_search_window"
down_revision = "0008_facet_indexes"
branch_labels = None
depends_on = None

ARTICLES = 20_000  # articles in the window (by id)
STORIES = 10_000  # stories in the window (by id)
LEAD = 600  # characters of summary + text in an article's window document

_SQLITE_LEAD = f"substr({{r}}.summary || ' ' || {{r}}.text, 1, {LEAD})"
_SQLITE_HIGHLIGHTS = """coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                  FROM json_each({v}.highlights)), '')"""
_PG_ARTICLE_DOC = (
    "to_tsvector('storywire', {r}.title || ' ' || {r}.author || ' ' ||"
    f" left({{r}}.summary || ' ' || {{r}}.text, {LEAD}))"
)
_PG_STORY_DOC = """to_tsvector('storywire', {v}.title || ' ' ||
        coalesce((SELECT string_agg(e ->> 'text', ' ')
                  FROM json_array_elements(CAST({v}.highlights AS json)) e), ''))"""

STATEMENTS: dict[str, list[str]] = {
    "sqlite": [
        """CREATE VIRTUAL TABLE articles_recent USING fts5(
            title, author, lead, tokenize='unicode61 remove_diacritics 2'
        )""",
        "CREATE VIRTUAL TABLE articles_recent_terms USING fts5vocab(articles_recent, 'row')",
        f"""CREATE TRIGGER articles_recent_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_recent (rowid, title, author, lead) VALUES (
                new.id, new.title, new.author, {_SQLITE_LEAD.format(r="new")});
            DELETE FROM articles_recent WHERE rowid <= new.id - {ARTICLES};
        END""",
        f"""CREATE TRIGGER articles_recent_update AFTER UPDATE OF title, author, summary, text
        ON articles BEGIN
            UPDATE articles_recent SET title = new.title, author = new.author,
                lead = {_SQLITE_LEAD.format(r="new")} WHERE rowid = new.id;
        END""",
        """CREATE TRIGGER articles_recent_delete AFTER DELETE ON articles BEGIN
            DELETE FROM articles_recent WHERE rowid = old.id;
        END""",
        f"""INSERT INTO articles_recent (rowid, title, author, lead)
            SELECT id, title, author, {_SQLITE_LEAD.format(r="articles")} FROM articles
            WHERE id > (SELECT max(id) FROM articles) - {ARTICLES}""",
        """CREATE VIRTUAL TABLE stories_recent USING fts5(
            title, highlights, tokenize='unicode61 remove_diacritics 2'
        )""",
        f"""CREATE TRIGGER stories_recent_version AFTER INSERT ON story_versions BEGIN
            DELETE FROM stories_recent WHERE rowid = new.story_id;
            INSERT INTO stories_recent (rowid, title, highlights)
                SELECT new.story_id, new.title, {_SQLITE_HIGHLIGHTS.format(v="new")}
                WHERE new.story_id > (SELECT max(id) FROM stories) - {STORIES};
            DELETE FROM stories_recent
                WHERE rowid <= (SELECT max(id) FROM stories) - {STORIES};
        END""",
        f"""INSERT INTO stories_recent (rowid, title, highlights)
            SELECT v.story_id, v.title, {_SQLITE_HIGHLIGHTS.format(v="v")}
            FROM story_versions v JOIN stories s ON s.id = v.story_id AND s.version = v.version
            WHERE s.id > (SELECT max(id) FROM stories) - {STORIES}""",
    ],
    "postgresql": [
        "CREATE TABLE articles_recent (id BIGINT PRIMARY KEY, doc tsvector NOT NULL)",
        "CREATE INDEX articles_recent_doc ON articles_recent USING gin (doc)",
        f"""CREATE FUNCTION articles_recent_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM articles_recent WHERE id = OLD.id;
                RETURN OLD;
            ELSIF TG_OP = 'UPDATE' THEN
                UPDATE articles_recent SET doc = {_PG_ARTICLE_DOC.format(r="NEW")}
                    WHERE id = NEW.id;
                RETURN NEW;
            END IF;
            INSERT INTO articles_recent (id, doc) VALUES (NEW.id,
                {_PG_ARTICLE_DOC.format(r="NEW")});
            DELETE FROM articles_recent WHERE id <= NEW.id - {ARTICLES};
            RETURN NEW;
        END $$""",
        """CREATE TRIGGER articles_recent_sync
            AFTER INSERT OR DELETE OR UPDATE OF title, author, summary, text ON articles
            FOR EACH ROW EXECUTE FUNCTION articles_recent_sync()""",
        f"""INSERT INTO articles_recent (id, doc)
            SELECT id, {_PG_ARTICLE_DOC.format(r="articles")} FROM articles
            WHERE id > (SELECT max(id) FROM articles) - {ARTICLES}""",
        "CREATE TABLE stories_recent (story_id BIGINT PRIMARY KEY, doc tsvector NOT NULL)",
        "CREATE INDEX stories_recent_doc ON stories_recent USING gin (doc)",
        f"""CREATE FUNCTION stories_recent_version() RETURNS trigger LANGUAGE plpgsql AS $$
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
        """CREATE TRIGGER stories_recent_version AFTER INSERT ON story_versions
            FOR EACH ROW EXECUTE FUNCTION stories_recent_version()""",
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
