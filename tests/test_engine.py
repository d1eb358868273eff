"""One story engine: `storywire batch` and the live pipeline (`storywire import`) run the
same dedup + clustering loop, so they give the same stories on the same input."""

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from storywire.cli import main
from storywire.cluster import EngineConfig, MemoryLedger, StoryEngine, doc_of
from storywire.models import Article
from storywire.store import Store

from tests.support.enginecorpus import (
    basil_records,
    fixture_records,
    write_jsonl,
)

T0 = datetime(2024, 4, 3, 1, 0, tzinfo=UTC)


def uci_records(data: Path, n: int = 800) -> list[dict]:
    """The first rows of UCI, titles only, dated to the day (the crawl time leaks labels)."""
    path = data / "clustering/uci-news-aggregator/uci-news-aggregator.head6366.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r["TIMESTAMP"] or "").isdigit()][:n]
    return [
        {
            "id": r["ID"],
            "title": r["TITLE"],
            "published": datetime.fromtimestamp(int(r["TIMESTAMP"]) // 86_400_000 * 86400, UTC)
            .date()
            .isoformat(),
            "outlet": r["PUBLISHER"],
            "url": r["URL"],
        }
        for r in rows
    ]


def batch_stories(src: Path, out: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--no-write"])
    assert result.exit_code in (0, 3), result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def import_stories(src: Path, db: Path) -> dict[str, int]:
    """Article id -> story id, after `storywire import` into a fresh database."""
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(src)])
    assert result.exit_code in (0, 3), result.output
    store = Store(db)
    try:
        stored = store.articles_since(datetime(1970, 1, 1, tzinfo=UTC))
    finally:
        store.close()
    return {a.external_id: a.story_id for a in stored if a.story_id is not None}


def partition(groups: list[list[str]], keep: set[str]) -> set[frozenset[str]]:
    return {frozenset(g) & keep for g in groups if set(g) & keep}


def assert_same_stories(tmp_path: Path, records: list[dict]) -> list[dict]:
    src = write_jsonl(tmp_path / "in.jsonl", records)
    batch = batch_stories(src, tmp_path / "stories.jsonl")
    live = import_stories(src, tmp_path / "sw.db")
    by_story: dict[int, list[str]] = {}
    for ident, story in live.items():
        by_story.setdefault(story, []).append(ident)
    # An article whose URL came earlier is not stored again by import: compare the stored.
    keep = set(live)
    assert partition([s["article_ids"] for s in batch], keep) == partition(
        list(by_story.values()), keep
    )
    assert sum(len(s["article_ids"]) for s in batch) >= len(keep)
    return batch


def test_batch_and_live_pipeline_give_the_same_stories(tmp_path):
    batch = assert_same_stories(tmp_path, fixture_records())
    stories = sorted(sorted(s["article_ids"]) for s in batch)
    assert stories == [["a1", "a2"], ["f1"], ["q1", "q2", "q3", "q4"]]
    # Dedup as in the live path: the exact copy and the wire copy point at the original.
    quake = next(s for s in batch if "q1" in s["article_ids"])
    assert quake["duplicates"] == {"q3": "q1", "q4": "q1"}


@pytest.mark.parametrize("name", ["BASIL", "UCI[:800]"])
def test_batch_and_live_pipeline_agree_on_real_data(tmp_path, data_dir, name):
    records = basil_records(data_dir) if name == "BASIL" else uci_records(data_dir)
    batch = assert_same_stories(tmp_path, records)
    assert len(batch) < len(records)  # it did cluster


def test_engine_honours_its_settings():
    """A join threshold of 0.999 keeps two reports of one event apart (the pair model
    gives them ~0.997); the shipped threshold joins them."""
    records = fixture_records()
    articles = [
        Article(
            url=r["url"],
            title=r["title"],
            text=r["text"],
            published=datetime.fromisoformat(r["published"]),
            outlet=r["outlet"],
        )
        for r in records
        if r["id"] in ("q1", "q2")
    ]

    def stories(config: EngineConfig) -> int:
        ledger = MemoryLedger()
        StoryEngine(ledger, config).run(articles)
        return len(set(ledger.labels()))

    assert stories(EngineConfig(merge_every=0)) == 1
    assert stories(EngineConfig(merge_every=0, threshold=0.999)) == 2


def test_batch_honours_the_cluster_settings(tmp_path, monkeypatch):
    """With a 15-minute window, q2 (an hour after q1) starts a story of its own; the
    copies of q1 still join q1 (dedup does not depend on the window)."""
    src = write_jsonl(tmp_path / "in.jsonl", fixture_records())
    monkeypatch.setenv("STORYWIRE_CLUSTER_WINDOW_HOURS", "0.25")
    stories = batch_stories(src, tmp_path / "out.jsonl")
    groups = [sorted(s["article_ids"]) for s in stories]
    assert ["q2"] in groups and ["q1", "q3", "q4"] in groups


def test_doc_of_keeps_what_the_clusterer_reads():
    a = Article(url="https://x.example/a", title="T", text="B", published=T0, outlet="X")
    doc = doc_of(a)
    assert (doc.title, doc.text, doc.published, doc.outlet, doc.url) == (
        "T",
        "B",
        T0,
        "X",
        "https://x.example/a",
    )


def test_keys_computed_ahead_in_workers_give_the_same_stories(data_dir):
    """``place(processes=1)`` (term counts and dedup keys from a forked worker) against
    the plain loop, on 1,200 UCI headlines."""
    articles = [
        Article(
            url=r["url"],
            title=r["title"],
            text="",
            published=datetime.fromisoformat(r["published"]).replace(tzinfo=UTC),
            outlet=r["outlet"],
        )
        for r in uci_records(data_dir, 1200)
    ]
    articles.sort(key=lambda a: a.published)
    labels = []
    for processes in (0, 1):
        ledger = MemoryLedger()
        placed = list(StoryEngine(ledger).place(articles, processes=processes))
        assert len(placed) == len(articles)
        labels.append(ledger.labels())
    assert labels[0] == labels[1] and len(set(labels[0])) < len(articles)


def test_prepared_chunks_travel_packed_without_loss():
    """Workers send a chunk's term counts and dedup keys as a few flat arrays; unpacked,
    they equal what ``prepare`` computed (full texts with signatures, short texts and
    headline-only articles without)."""
    import pickle

    import numpy as np

    from storywire.cluster.prepare import pack, prepare, unpack

    body = " ".join(f"Word{i % 53} term{i % 17} Ort{i % 5}" for i in range(120))
    articles = [
        Article(
            f"https://x.example/{i}",
            f"Headline {i} about Vienna",
            [body + f" extra{i}", "Short text.", ""][i % 3],
            T0 + timedelta(minutes=i),
            "X",
        )
        for i in range(9)
    ]
    ref = prepare(articles, 0, len(articles))
    got = unpack(pickle.loads(pickle.dumps(pack(ref))))
    assert [(d, s) for _, d, s in got] == [(d, s) for _, d, s in ref]
    assert sum(s is not None for _, _, s in got) == 3
    for (a, _, _), (b, _, _) in zip(ref, got, strict=True):
        assert a.headline_only == b.headline_only
        for x, y in zip([*a.all, *a.title, *a.ent], [*b.all, *b.title, *b.ent], strict=True):
            assert x.dtype == y.dtype and np.array_equal(x, y)
        assert np.array_equal(a.small, b.small)
