"""The store on both databases (contract tests): migrations, errors, feed polling state."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from storywire import Store, StoreError
from storywire.models import FeedInfo
from storywire.store.migrate import LEGACY

LATER = datetime(2030, 1, 1, tzinfo=UTC)


NAMES = list(LEGACY)


def test_migrate_records_and_is_idempotent(database):
    store = Store(database)
    try:
        assert store.revision() is None
        assert store.migrate()[: len(NAMES)] == NAMES
        assert store.migrate() == []
        assert store.migrations()[: len(NAMES)] == NAMES
    finally:
        store.close()
    again = Store(database)  # a new process sees the recorded revision
    try:
        assert again.migrate() == []
        tables = set(inspect(again.engine).get_table_names())
    finally:
        again.close()
    assert {"sources", "feeds", "articles", "stories", "story_versions"} <= tables
    assert "alembic_version" in tables and "schema_migrations" not in tables


def test_missing_folder_is_a_clear_store_error(tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(StoreError, match=rf"database folder {missing} does not exist"):
        Store(missing / "sw.db")
    assert not missing.exists()


def test_unmigrated_database_raises_store_error(database):
    store = Store(database)
    try:
        with pytest.raises(StoreError, match=r"sw\.db|storywire_test"):
            store.list_feeds()
    finally:
        store.close()


def test_record_feed_result_error_counting(store):
    assert store.add_feeds([FeedInfo(url="https://a.example/rss", outlet="A")]) == 1
    [feed] = store.list_feeds()

    def state():
        [f] = store.list_feeds()
        return f.last_status, f.error_count, f.etag, f.last_modified, f.last_error

    store.record_feed_result(
        feed.id,
        status="ok",
        next_check=LATER,
        etag='"v1"',
        last_modified="Tue, 04 Mar 2025 06:00:00 GMT",
    )
    assert state() == ("ok", 0, '"v1"', "Tue, 04 Mar 2025 06:00:00 GMT", None)
    for n in (1, 2):
        store.record_feed_result(
            feed.id, status="error", next_check=LATER, error="HTTP 503", etag='"ignored"'
        )
        assert state() == ("error", n, '"v1"', "Tue, 04 Mar 2025 06:00:00 GMT", "HTTP 503")
    store.record_feed_result(feed.id, status="not_modified", next_check=LATER)
    assert state() == ("not_modified", 0, '"v1"', "Tue, 04 Mar 2025 06:00:00 GMT", None)
    store.record_feed_result(feed.id, status="ok", next_check=LATER, etag='"v2"')
    assert state()[2] == '"v2"'
    assert store.list_feeds()[0].next_check_at == LATER


def test_add_feeds_is_all_or_nothing(store):
    """A feed the database refuses rolls back the whole batch."""
    good = FeedInfo(url="https://a.example/rss", outlet="A")
    bad = FeedInfo(url=None, outlet="B")  # type: ignore[arg-type]  # NOT NULL
    with pytest.raises(StoreError):
        store.add_feeds([good, bad])
    assert store.list_feeds() == []


def test_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100, encoding="utf-8")
    store = Store(path)
    try:
        with pytest.raises(StoreError, match=r"notes\.db.*file is not a database"):
            store.migrate()
    finally:
        store.close()
