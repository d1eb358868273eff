"""Named, ordered schema migrations, recorded in the ``schema_migrations`` table.

Append new migrations at the end; never edit one that has shipped. Each runs in
its own transaction, so a failed upgrade leaves the database as it was.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            domain TEXT NOT NULL DEFAULT '',
            country TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'news'
        );
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            source_id INTEGER REFERENCES sources(id),
            kind TEXT NOT NULL DEFAULT 'news',
            category TEXT NOT NULL DEFAULT '',
            html_url TEXT NOT NULL DEFAULT '',
            etag TEXT,
            last_modified TEXT,
            next_check_at TEXT,
            last_checked_at TEXT,
            last_status TEXT NOT NULL DEFAULT 'new',
            last_error TEXT,
            error_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            first_published TEXT NOT NULL,
            last_published TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active',
            merged_into INTEGER REFERENCES stories(id),
            article_count INTEGER NOT NULL DEFAULT 0,
            outlet_count INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX stories_rank ON stories(outlet_count DESC, last_published DESC);
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            external_id TEXT NOT NULL DEFAULT '',
            feed_id INTEGER REFERENCES feeds(id) ON DELETE SET NULL,
            source_id INTEGER NOT NULL REFERENCES sources(id),
            title TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            published_at TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'news',
            summary TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            duplicate_of INTEGER REFERENCES articles(id),
            story_id INTEGER REFERENCES stories(id)
        );
        CREATE INDEX articles_story ON articles(story_id);
        CREATE INDEX articles_hash ON articles(content_hash);
        CREATE INDEX articles_published ON articles(published_at);
        CREATE INDEX articles_feed ON articles(feed_id);
        CREATE TABLE story_versions (
            story_id INTEGER NOT NULL REFERENCES stories(id),
            version INTEGER NOT NULL,
            written_at TEXT NOT NULL,
            writer TEXT NOT NULL,
            title TEXT NOT NULL,
            highlights TEXT NOT NULL,
            body TEXT NOT NULL,
            opinions TEXT NOT NULL,
            changes TEXT NOT NULL,
            article_ids TEXT NOT NULL,
            PRIMARY KEY (story_id, version)
        );
        """,
    ),
    (
        "0002_feed_schedule",
        """
        ALTER TABLE feeds ADD COLUMN poll_interval REAL;
        CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
        """,
    ),
    (
        "0003_search",
        # Full-text search (FTS5). Articles: contentless index of title, author and the
        # first 2,000 characters of summary + text (the text stays in ``articles``).
        # Stories: title + highlights + body of the current version, replaced whenever a
        # version is written. Triggers keep both in step with every writer of the tables.
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, author, body, content='', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, author, body) VALUES (
                new.id, new.title, new.author, substr(new.summary || ' ' || new.text, 1, 2000));
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, author, body) VALUES (
                'delete', old.id, old.title, old.author,
                substr(old.summary || ' ' || old.text, 1, 2000));
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, summary, text
        ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, author, body) VALUES (
                'delete', old.id, old.title, old.author,
                substr(old.summary || ' ' || old.text, 1, 2000));
            INSERT INTO articles_fts (rowid, title, author, body) VALUES (
                new.id, new.title, new.author, substr(new.summary || ' ' || new.text, 1, 2000));
        END;
        INSERT INTO articles_fts (rowid, title, author, body)
            SELECT id, title, author, substr(summary || ' ' || text, 1, 2000) FROM articles;
        CREATE VIRTUAL TABLE stories_fts USING fts5(
            title, body, tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER stories_fts_version AFTER INSERT ON story_versions BEGIN
            DELETE FROM stories_fts WHERE rowid = new.story_id;
            INSERT INTO stories_fts (rowid, title, body) VALUES (new.story_id, new.title,
                coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                          FROM json_each(new.highlights)), '') || ' ' ||
                coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                          FROM json_each(new.body)), ''));
        END;
        INSERT INTO stories_fts (rowid, title, body)
            SELECT v.story_id, v.title,
                coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                          FROM json_each(v.highlights)), '') || ' ' ||
                coalesce((SELECT group_concat(json_extract(value, '$.text'), ' ')
                          FROM json_each(v.body)), '')
            FROM story_versions v JOIN stories s ON s.id = v.story_id AND s.version = v.version;
        CREATE INDEX stories_last_published ON stories(last_published);
        CREATE INDEX stories_updated ON stories(updated_at);
        CREATE INDEX articles_source ON articles(source_id)
        """,
    ),
    (
        "0004_outlets",
        # Outlet knowledge on the outlets (``sources``) table: every domain, owner,
        # typology, lean ('' = unknown) and, per field, where its value came from.
        """
        ALTER TABLE sources ADD COLUMN domains TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sources ADD COLUMN owner TEXT NOT NULL DEFAULT '';
        ALTER TABLE sources ADD COLUMN typology TEXT NOT NULL DEFAULT '';
        ALTER TABLE sources ADD COLUMN lean TEXT NOT NULL DEFAULT '';
        ALTER TABLE sources ADD COLUMN origins TEXT NOT NULL DEFAULT '{}';
        """,
    ),
]
