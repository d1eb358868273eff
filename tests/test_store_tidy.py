"""``Store.tidy_windows``: after a bulk write the search windows are left tidy (SQLite:
each window's FTS5 segments merged into one; PostgreSQL: rows past the windows dropped
and the windows vacuumed, no dead rows left for searches to read), with the same search
answers; `storywire import` ends with it. And PostgreSQL's connection pool hands out the
connection returned last."""

from __future__ import annotations

from click.testing import CliRunner

from storywire import Store
from storywire.cli import main

from tests.support.clicorpus import ECB, FIELDS, QUAKE, jsonl
from tests.support.storedata import make_article, make_story, make_version

WINDOWS = ("articles_recent", "stories_recent")
QUERIES = ("quokka", "harb", "harbour 7", "bridge", "bridge reopens")


def _fill(store: Store) -> None:
    for n in range(1, 13):  # one transaction each, as the pipeline stores a poll
        store.add_article(make_article(n, title=f"Harbour quokka {n}"), content_hash=str(n))
    for n in range(3):
        story = make_story(store, [make_article(100 + n, title="Bridge")], f"Bridge story {n}")
        for v in (2, 3):  # each version replaces the story's window row: a dead row
            store.add_version(make_version(story, v, f"Bridge reopens {v}", ids=(100 + n,)), [])


def _answers(store: Store) -> list[tuple[list[int], list[int]]]:
    return [
        (
            [a.id for a in store.search_articles(q)],
            [s.story.id for s in store.search_stories(q)],
        )
        for q in QUERIES
    ]


def _sqlite_pages(store: Store) -> dict[str, int]:
    with store.engine.begin() as conn:
        return {
            w: int(conn.exec_driver_sql(f"SELECT count(*) FROM {w}_data").scalar_one())
            for w in WINDOWS
        }


def _pg_vacuumed(url: str) -> dict[str, tuple[bool, int, int]]:
    """Each window: (vacuumed by hand, pages, pages all-visible)."""
    store = Store(url)
    try:
        with store.engine.begin() as conn:
            rows = conn.exec_driver_sql(
                "SELECT c.relname, s.last_vacuum IS NOT NULL, c.relpages, c.relallvisible"
                " FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid"
                " WHERE c.relname IN ('articles_recent', 'stories_recent')"
            ).all()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}
    finally:
        store.close()


def test_tidy_windows_keeps_the_answers_and_leaves_the_windows_tidy(store):
    store.window_merge_every = 0  # never tidied while writing
    _fill(store)
    before = _answers(store)
    assert before[0][0] == list(range(12, 0, -1))
    pages = _sqlite_pages(store) if store.dialect.name == "sqlite" else None
    store.tidy_windows()
    assert _answers(store) == before
    if pages is not None:
        after = _sqlite_pages(store)
        assert all(after[w] < pages[w] for w in WINDOWS), (pages, after)
    else:
        vacuumed = _pg_vacuumed(store.url)
        # VACUUM marks a page all-visible only when no dead row is left on it
        assert all(done and visible == count > 0 for done, count, visible in vacuumed.values())


def test_import_ends_with_the_windows_vacuumed(tmp_path, postgres):
    url = postgres.create_database()
    path = tmp_path / "corpus.jsonl"
    path.write_text(jsonl(QUAKE + ECB), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["import", str(path), *FIELDS], env={"STORYWIRE_DATABASE_URL": url}
    )
    assert result.exit_code == 0, result.output
    vacuumed = _pg_vacuumed(url)
    assert set(vacuumed) == set(WINDOWS)
    assert all(done for done, _, _ in vacuumed.values()), vacuumed


def test_postgresql_vacuums_the_windows_after_a_few_hundred_dead_rows(postgres):
    """0017_window_autovacuum: the windows' own autovacuum settings, not the default
    wait for a fifth of the rows to be dead."""
    store = Store(postgres.create_database())
    try:
        store.migrate()
        with store.engine.begin() as conn:
            options = dict(
                conn.exec_driver_sql(
                    "SELECT relname, reloptions FROM pg_class"
                    " WHERE relname IN ('articles_recent', 'stories_recent')"
                ).all()
            )
    finally:
        store.close()
    assert set(options) == set(WINDOWS)
    for settings in options.values():
        assert "autovacuum_vacuum_scale_factor=0.02" in settings
        assert "autovacuum_vacuum_cost_delay=0" in settings


def test_postgresql_reuses_the_connection_returned_last(postgres):
    """The pool is last in, first out: the few connections in use stay the busy ones
    (their backends' caches warm), where first in, first out rotated the work over every
    connection ever opened."""
    store = Store(postgres.create_database())

    def backend(conn) -> int:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    try:
        with store.engine.connect() as first:
            first_pid = backend(first)
            with store.engine.connect() as second:
                assert backend(second) != first_pid
            # second is back in the pool before first
        with store.engine.connect() as again:
            assert backend(again) == first_pid
    finally:
        store.close()
