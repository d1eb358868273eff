"""SQLite: a search window's FTS5 segments are merged every ``window_merge_every`` rows
written into it, with the same search answers."""

from __future__ import annotations

from storywire import Store

from tests.support.storedata import make_article, make_story


def _pages(store: Store, window: str) -> int:
    with store.engine.begin() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {window}_data").scalar_one())


def _fill(store: Store) -> None:
    for n in range(1, 13):
        # one transaction each, as the pipeline stores a poll: a segment each
        store.add_article(make_article(n, title=f"Harbour quokka {n}"), content_hash=str(n))
    for n in range(3):
        make_story(store, [make_article(100 + n, title="Bridge")], f"Bridge story {n}")


def test_windows_are_merged_every_n_rows_with_the_same_answers(tmp_path):
    stores = {}
    for every in (0, 5):  # 0: never merged
        store = Store(tmp_path / f"every{every}.db")
        store.migrate()
        store.window_merge_every = every
        _fill(store)
        stores[every] = store
    try:
        kept, merged = stores[0], stores[5]
        assert _pages(merged, "articles_recent") < _pages(kept, "articles_recent")
        for query in ("quokka", "harb", "harbour 7", "bridge"):
            assert [a.id for a in merged.search_articles(query)] == [
                a.id for a in kept.search_articles(query)
            ]
            assert [s.story.id for s in merged.search_stories(query)] == [
                s.story.id for s in kept.search_stories(query)
            ]
        assert len(merged.search_articles("quokka")) == 12
    finally:
        for store in stores.values():
            store.close()
