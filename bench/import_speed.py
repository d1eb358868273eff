"""Import throughput: store only (baseline) vs the full path (dedup + cluster + write).

    python -m bench.import_speed [--articles N]

Reads N articles of the AllSides corpus from $STORYWIRE_DATA, imports them into
fresh SQLite files in a temporary folder and prints a table. Peak memory is the
process's maximum resident set size after each stage (it never goes down).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from storywire import Pipeline, Store, load_settings
from storywire.dedup import content_hash
from storywire.ingest.corpus import read_records, to_article

MAPPING = {
    "text": "content_original",
    "outlet": "source",
    "published": "date",
    "id": "ID",
    "author": "authors",
}


def load(data: Path, n: int) -> list:
    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    articles = []
    for line, obj in read_records(path):
        if isinstance(obj, dict):
            a = to_article(obj, MAPPING, line)
            if not hasattr(a, "reason"):
                articles.append(a)
        if len(articles) >= n:
            break
    return sorted(articles, key=lambda a: a.published)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def store_only(db: Path, articles: list) -> float:
    store = Store(db)
    store.migrate()
    t = time.perf_counter()
    for a in articles:
        store.add_article(a, content_hash=content_hash(a.title, a.text))
    store.close()
    return time.perf_counter() - t


def full_path(db: Path, articles: list) -> tuple[float, float, int]:
    store = Store(db)
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=db))
    t = time.perf_counter()
    pipeline.import_articles(articles)
    cluster_s = time.perf_counter() - t
    t = time.perf_counter()
    written = pipeline.write_dirty()
    write_s = time.perf_counter() - t
    store.close()
    return cluster_s, write_s, written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    data = Path(os.environ.get("STORYWIRE_DATA", "../shared/data"))
    if not (data / "corpus").is_dir():
        print(f"skipped: no corpus under {data} (set STORYWIRE_DATA)")
        return 0
    articles = load(data, args.articles)
    n = len(articles)
    with tempfile.TemporaryDirectory() as tmp:
        base_s = store_only(Path(tmp) / "base.db", articles)
        base_mem = peak_mib()
        cluster_s, write_s, stories = full_path(Path(tmp) / "full.db", articles)
        full_mem = peak_mib()
    rows = [
        ("baseline: store only", n, base_s, base_mem),
        ("dedup + store + cluster", n, cluster_s, full_mem),
        (f"write {stories} stories", stories, write_s, full_mem),
        ("full path (cluster + write)", n, cluster_s + write_s, full_mem),
    ]
    print(f"{'stage':<30} {'items':>7} {'seconds':>8} {'items/s':>9} {'peak MiB':>9}")
    for name, items, secs, mem in rows:
        print(f"{name:<30} {items:>7} {secs:>8.2f} {items / secs:>9.0f} {mem:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
