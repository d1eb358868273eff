"""Alembic upgrades: in place from the release before Alembic, all or nothing, one at a time."""

import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from storywire import Store, StoreError
from storywire.cli import main
from storywire.models import Article
from storywire.store.migrate import LEGACY

RELEASE_DB = Path(__file__).parent / "fixtures" / "release-0.1.db"


def test_database_of_the_release_before_alembic_upgrades_in_place(tmp_path):
    """release-0.1.db was written by the release's own code (fixtures/make_release_db.py)."""
    db = tmp_path / "old.db"
    shutil.copy(RELEASE_DB, db)
    store = Store(db)
    try:
        assert store.revision() is None
        store.migrate()  # stamped with its last migration, then any newer revision applied
        assert store.migrations()[: len(LEGACY)] == list(LEGACY)
        assert store.revision() == store.newest_revision()
        [story] = store.list_stories()
        assert story[1] == "Harbour bridge closes for repairs" and story[0].outlet_count == 3
        assert [s.title for s in store.search_stories("northern bypass")] == [story[1]]
        assert len(store.search_articles("cafe times")) == 1
        added = Article(
            url="https://news.example/new",
            title="Ferry timetable changes",
            text="x",
            published=story[0].last_published,
            outlet="Daily",
        )
        assert store.add_article(added, content_hash="new") == 4
        assert [a.url for a in store.search_articles("ferry")] == [added.url]
    finally:
        store.close()


def test_failed_upgrade_leaves_the_schema_as_it_was(database):
    """The first migration fails on its last table: none of its tables stays behind."""
    store = Store(database)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE story_versions (x INTEGER)")
        with pytest.raises(StoreError, match="story_versions"):
            store.migrate()
        assert set(inspect(store.engine).get_table_names()) == {"story_versions"}
        assert store.revision() is None
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE story_versions")
        assert store.migrate()[: len(LEGACY)] == list(LEGACY)  # the rerun completes
    finally:
        store.close()


def test_two_processes_upgrading_at_once_apply_each_revision_once(database):
    stores = [Store(database), Store(database)]
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda s=s: results.append(s.migrate())) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(results, key=len) == [[], stores[0].migrations()]
    finally:
        for s in stores:
            s.close()


def test_db_commands(database):
    env = {"STORYWIRE_DATABASE_URL": database if "://" in database else ""}
    args = [] if "://" in database else ["--db", database]
    current = CliRunner().invoke(main, [*args, "db", "current"], env=env)
    assert current.exit_code == 0 and "empty (behind" in current.output, current.output
    upgrade = CliRunner().invoke(main, [*args, "db", "upgrade"], env=env)
    assert upgrade.exit_code == 0 and f"applied {', '.join(LEGACY)}" in upgrade.output
    again = CliRunner().invoke(main, [*args, "db", "upgrade"], env=env)
    assert "already up to date" in again.output
    current = CliRunner().invoke(main, [*args, "db", "current"], env=env)
    assert "(up to date)" in current.output and "password" not in current.output


def test_newest_revision_read_from_the_files_is_alembics_head():
    from storywire.store.migrate import scripts

    assert Store.newest_revision() == scripts().get_current_head()


def test_upgrade_from_0007_fills_the_search_windows_and_facet_indexes(database):
    """A store with articles and written stories at 0007 upgrades in place (both
    databases): the windows are filled from the existing rows, then kept by triggers."""
    from storywire.store import migrate
    from storywire.store.db import database_url

    from tests.support.storedata import make_article, make_story

    migrate.upgrade(database_url(database), "0007_pending_articles")
    store = Store(database)
    try:
        assert store.revision() == "0007_pending_articles"
        old = make_article(1, title="Quokka census", section="nature", language="en")
        store.add_article(old, content_hash="1")
        story = make_story(store, [make_article(2, title="Wombat rescue")], "Wombat rescue")
        assert store.migrate() == [
            "0008_facet_indexes",
            "0009_search_window",
            "0010_articles_fts",
            "0011_bounded_trim",
            "0012_window_gin_fastupdate",
            "0013_full_gin_fastupdate",
            "0014_inactive_stories",
            "0015_merge_windows",
            "0016_trim_windows",
            "0017_window_autovacuum",
            "0018_window_active_stories",
        ]
        assert [a.id for a in store.search_articles("quokka")] == [1]
        assert [s.story.id for s in store.search_stories("wombat")] == [story]
        facets = store.facets()
        assert facets["topics"] == ["nature"] and facets["languages"] == ["en"]
        store.add_article(make_article(3, title="Quokka again"), content_hash="3")
        assert [a.id for a in store.search_articles("quokka")] == [3, 1]
    finally:
        store.close()


def test_a_new_file_opened_during_another_connections_write_waits_for_it(tmp_path):
    """Switching a new SQLite file to WAL while another connection writes (a migration
    in another thread) was "database is locked" at once, without the busy wait."""
    import sqlite3
    import time

    db = tmp_path / "new.db"
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE t (x INTEGER)")
    threading.Timer(0.3, lambda: writer.execute("COMMIT")).start()
    started = time.monotonic()
    store = Store(db)
    try:
        assert store.revision() is None and time.monotonic() - started >= 0.2
    finally:
        store.close()
        writer.close()
