"""The cluster consumer's rate: how many articles per second the ONE ``storywire
cluster`` process takes off the pending queue, clusters and stores, and how long writing
the changed stories takes, on SQLite and PostgreSQL.

    python -m bench.cluster_consumer [--data ../shared/data] [--articles 5000]

The newest N dated AllSides articles are queued as workers would queue them
(``Store.add_pending``, publication order), then the consumer's own loop
(``ClusterConsumer.step``: 200 articles per transaction, removed from the queue in the
transaction that stores and assigns them) empties the queue; then ``write_dirty``
writes every changed story. PostgreSQL is a throwaway local server (fsync off). This is
the number that decides whether one consumer is enough (docs/deploy.md): the world's
news is a few articles per second across all feeds.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from storywire import Store, load_settings
from storywire.ingest.corpus import BadLine, read_records, to_article
from storywire.models import Article
from storywire.pipeline import Pipeline
from storywire.queue.consumer import ClusterConsumer

from tests.support.pgserver import PostgresServer

MAPPING = {"text": "content_original", "outlet": "source", "published": "date", "id": "ID"}


def load(data: Path, n: int) -> list[Article]:
    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    found: list[Article] = []
    for line, obj in read_records(path):
        a = obj if isinstance(obj, BadLine) else to_article(obj, MAPPING, line)
        if not isinstance(a, BadLine):
            found.append(a)
    found.sort(key=lambda a: a.published)
    return found[-n:]


def measure(name: str, target: str, articles: list[Article]) -> None:
    store = Store(target)
    store.migrate()
    t = time.perf_counter()
    store.add_pending((a, None) for a in articles)
    queued = time.perf_counter() - t
    settings = load_settings(None, database_url=target if "://" in target else "")
    pipeline = Pipeline(store, settings)
    consumer = ClusterConsumer(settings, threading.Event())
    pipeline.prime()
    t = time.perf_counter()
    while consumer.step(store, pipeline):
        pass
    clustered = time.perf_counter() - t
    t = time.perf_counter()
    written = pipeline.write_dirty()
    writing = time.perf_counter() - t
    n = len(articles)
    print(
        f"| {name} | {n / queued:,.0f} | {n / clustered:,.0f} | {written:,} in {writing:.1f} s"
        f" ({written / writing:,.0f}/s) | {n / (clustered + writing):,.0f} |"
    )
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--articles", type=int, default=5000)
    args = ap.parse_args()
    articles = load(args.data, args.articles)
    print(f"{len(articles):,} AllSides articles, newest dated, publication order\n")
    print(
        "| database | queued by workers, art/s | clustered + stored, art/s |"
        " stories written | overall, art/s |"
    )
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", str(Path(folder) / "bench.db"), articles)
    pg = PostgresServer()
    try:
        measure("PostgreSQL", pg.create_database(), articles)
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
