"""Extraction worker processes and batched storing give the same store as the in-process path."""

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from storywire import Pipeline, Store, StoreError, load_settings
from storywire.dedup import NearDuplicates, content_hash, signature
from storywire.ingest.opml import parse_opml
from storywire.models import Article, FeedInfo
from storywire.workers import AUTO_POOL_PAGES, Extractor

from tests.support.newsserver import NewsServer, basil_site

# Columns that depend on the poll's clock or on the order in which concurrent feeds
# finished (ids, and so which copy is the original and how stories are numbered).
_ORDER = {"fetched_at", "id", "story_id", "duplicate_of"}


def _ingest(tmp_path, site, server, name, processes):
    db = tmp_path / f"{name}.db"
    store = Store(db)
    store.migrate()
    store.add_feeds(parse_opml(httpx.get(server.url("/opml.xml")).content))
    report = asyncio.run(
        Pipeline(store, load_settings(db=db, extract_processes=processes)).poll_once()
    )
    with store.engine.connect() as conn:
        result = conn.exec_driver_sql("SELECT * FROM articles ORDER BY url")
        rows = [{k: v for k, v in r._mapping.items() if k not in _ORDER} for r in result]
    store.close()
    return report, rows


def test_worker_processes_store_the_same_articles_as_a_thread(tmp_path, data_dir):
    site = basil_site(data_dir / "clustering" / "basil", events=8)
    with NewsServer(site) as server:
        thread_report, thread_rows = _ingest(tmp_path, site, server, "thread", 0)
        pool_report, pool_rows = _ingest(tmp_path, site, server, "pool", 2)
    assert thread_report.articles == pool_report.articles > AUTO_POOL_PAGES
    assert pool_report.from_summary == 0 and pool_report.page_errors == 0
    # Same text, metadata and content hash (computed in the worker).
    assert pool_rows == thread_rows


def test_auto_setting_starts_processes_only_past_the_threshold():
    small = Extractor(-1)
    small.expect(AUTO_POOL_PAGES)
    assert small._executor() is None
    large = Extractor(-1)
    large.expect(AUTO_POOL_PAGES + 1)
    try:
        assert large._executor() is not None
    finally:
        large.close()
    assert large._pool is None


def test_signature_from_a_worker_matches_the_in_process_minhash():
    text = " ".join(f"word{i % 97} term{i % 13}" for i in range(300))
    here, there = NearDuplicates(), NearDuplicates()
    here.add(1, text)
    there.add(1, text, signature(text))
    assert here.find(text + " more") == there.find(text + " more", signature(text + " more")) == 1
    assert signature("too short to match") is None


def _article(n):
    return Article(
        url=f"https://example.org/{n}",
        title=f"Title {n}",
        text=f"text {n}",
        published=datetime(2024, 1, n + 1, tzinfo=UTC),
        outlet="Example",
    )


def test_batch_commits_once_and_rolls_back_whole(tmp_path):
    store = Store(tmp_path / "sw.db")
    store.migrate()
    store.add_feeds([FeedInfo(url="https://example.org/feed.xml", outlet="Example")])
    with store.batch():
        for n in range(3):
            store.add_article(_article(n), content_hash=content_hash("", f"text {n}"))
        with store.batch():  # nested: joins the outer transaction
            store.add_article(_article(3), content_hash="x")
    assert store.article_count() == 4
    with pytest.raises(RuntimeError), store.batch():
        store.add_article(_article(4), content_hash="y")
        raise RuntimeError("stop")
    assert store.article_count() == 4  # the failed block left nothing behind
    with pytest.raises(StoreError), store.batch():
        store.add_article(_article(5), content_hash="z")
        store.record_feed_result(10**9, status="ok", next_check=datetime.now(UTC))
        store.create_story(datetime(2024, 1, 1, tzinfo=UTC))
        store.assign_story(1, 10**9)  # no such story: a foreign key error
    assert store.article_count() == 4
    store.close()


def test_a_pool_that_cannot_take_work_fails_each_page_instead_of_hanging():
    async def run():
        extractor = Extractor(1)
        extractor.expect(1)
        pool = extractor._executor()
        assert pool is not None
        pool.shutdown()  # now every submit raises, as with a broken pool
        try:
            pages = [
                extractor.prepare(
                    b"<html></html>", f"https://example.org/{n}", "news", "text/html", ""
                )
                for n in range(3)
            ]
            return await asyncio.wait_for(asyncio.gather(*pages, return_exceptions=True), 10)
        finally:
            extractor.close()

    results = asyncio.run(run())
    assert len(results) == 3 and all(isinstance(r, RuntimeError) for r in results)


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
{items}</channel></rss>"""


def test_an_unexpected_page_error_leaves_no_fetch_running_after_the_cycle(tmp_path):
    async def handler(request):
        path = request.url.path
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>t{n}</title><link>https://example.org/{n}</link></item>"
                for n in range(5)
            )
            return httpx.Response(
                200, text=RSS.format(items=items), headers={"content-type": "application/rss+xml"}
            )
        if path == "/0":
            raise ValueError("a bug in a page fetch")
        await asyncio.sleep(0.3)
        return httpx.Response(404)

    async def run():
        store = Store(tmp_path / "sw.db")
        store.migrate()
        store.add_feeds([FeedInfo(url="https://example.org/feed.xml", outlet="Example")])
        settings = load_settings(db=tmp_path / "sw.db", extract_processes=0)
        report = await Pipeline(store, settings, httpx.MockTransport(handler)).poll_once()
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        store.close()
        return report, left

    report, left = asyncio.run(run())
    assert report.feed_errors == 1
    assert "internal error: ValueError('a bug in a page fetch')" in report.errors[0]
    assert left == []


def test_term_counts_from_a_worker_match_the_clusterers_own(data_dir):
    """The counts computed next to the extraction (in another process) are exactly what
    the clusterer would count itself, so an article joins the same story either way."""
    import numpy as np

    from storywire.cluster import Doc, OnlineClusterer
    from storywire.cluster.features import term_counts
    from storywire.workers import prepare_pages

    site = basil_site(data_dir / "clustering" / "basil", events=2)
    with NewsServer(site) as server:
        pages = [
            (
                httpx.get(server.url(path)).content,
                server.url(path),
                "news",
                "text/html",
                "",
                server.url(path),
            )
            for path in list(site.articles)[:4]
        ]
    extractor = Extractor(1, term_counts)
    try:
        pool = extractor._executor()
        assert pool is not None
        ready = pool.submit(prepare_pages, pages, term_counts).result(timeout=60)
    finally:
        extractor.close()
    clusterer = OnlineClusterer()
    for p, job in zip(ready, pages, strict=True):
        assert not isinstance(p, str)
        doc = Doc(title=p.page.title, text=p.page.text, published=datetime.now(UTC), url=job[5])
        (own,) = clusterer.counts([doc])
        assert p.counts is not None and p.counts.headline_only == own.headline_only
        for view in ("all", "title", "ent"):
            for mine, theirs in zip(getattr(p.counts, view), getattr(own, view), strict=True):
                np.testing.assert_array_equal(mine, theirs)
        np.testing.assert_array_equal(p.counts.small, own.small)
        # The page's URL path words are among the title terms, as the clusterer counts them.
        (no_url,) = clusterer.counts([Doc(title=doc.title, text=doc.text, published=doc.published)])
        assert len(own.title[0]) > len(no_url.title[0])


def test_articles_stored_in_batches_are_all_found_by_search(tmp_path, data_dir):
    """The per-article statements run on the raw sqlite3 connection inside a batch; the
    FTS5 trigger still indexes every row, and a rolled-back batch leaves no index entry."""
    site = basil_site(data_dir / "clustering" / "basil", events=6)
    with NewsServer(site) as server:
        report, rows = _ingest(tmp_path, site, server, "search", 2)
    store = Store(tmp_path / "search.db")
    assert report.articles == len(rows) > AUTO_POOL_PAGES
    for row in rows:
        words = [w for w in row["title"].split() if w.isalpha() and len(w) > 3][:4]
        found = store.search_articles(" ".join(words), limit=50)
        assert row["url"] in {a.url for a in found}, row["title"]
    article = Article(
        url="https://example.org/rolled-back",
        title="Zyxwvut quokka",
        text="Zyxwvut quokka text",
        published=datetime(2024, 1, 1, tzinfo=UTC),
        outlet="Example",
    )
    with pytest.raises(RuntimeError), store.batch():
        store.add_article(article, content_hash="x")
        raise RuntimeError("roll back")
    assert store.search_articles("zyxwvut") == []
    store.close()


def test_pages_are_fetched_no_further_ahead_than_the_backlog(tmp_path, data_dir, monkeypatch):
    """Extraction is slow here (a thread that sleeps); the server counts the page
    requests: no more than BACKLOG pages are ever fetched and not yet extracted."""
    import threading
    import time

    import storywire.workers as workers

    monkeypatch.setattr(workers, "BACKLOG", 3)
    lock, fetched, extracted, worst = threading.Lock(), [0], [0], [0]
    real_prepare = workers.prepare_page

    def slow_prepare(*args, **kwargs):
        time.sleep(0.02)
        try:
            return real_prepare(*args, **kwargs)
        finally:
            with lock:
                extracted[0] += 1

    def count(request, base_url):
        if request.path in site.articles:
            with lock:
                fetched[0] += 1
                worst[0] = max(worst[0], fetched[0] - extracted[0])
        return None

    monkeypatch.setattr(workers, "prepare_page", slow_prepare)
    site = basil_site(data_dir / "clustering" / "basil", events=4)
    site.add_hook(count)
    with NewsServer(site) as server:
        report, _ = _ingest(tmp_path, site, server, "backlog", 0)
    assert report.articles == fetched[0] == extracted[0] > 10
    assert worst[0] <= 3


def test_pages_extracted_in_threads_one_at_a_time(monkeypatch):
    """trafilatura is not safe from two threads at once (glibc aborted a `storywire
    worker` whose two tasks extracted together): in threads, pages of every Extractor of
    the process are extracted one after another; the results are the real ones."""
    import threading
    import time

    from storywire import workers

    real = workers.extract_page
    inside, most = 0, 0
    count = threading.Lock()

    def watched(*args, **kwargs):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.01)  # let other threads in, if they could be
            return real(*args, **kwargs)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(workers, "extract_page", watched)
    page = (
        b"<html><head><title>T</title></head><body><article>"
        + (b"<p>Storm floods the coast and the town of Nowhere closes its schools.</p>" * 20)
        + b"</article></body></html>"
    )

    async def cycle(n: int) -> list[workers.Prepared]:
        extractor = Extractor(0)  # two tasks of a worker: two extractors, one process
        try:
            return await asyncio.gather(
                *(
                    extractor.prepare(page, f"https://x.example/{n}/{i}", "news", "text/html", "")
                    for i in range(8)
                )
            )
        finally:
            extractor.close()

    def task(n: int, out: list) -> None:
        out.extend(asyncio.run(cycle(n)))

    results: list = []
    threads = [threading.Thread(target=task, args=(n, results)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 16 and most == 1
    assert all("Storm floods the coast" in r.page.text for r in results)
