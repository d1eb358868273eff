"""One article dated 9999 must not degrade clustering: UCI imported through the
pipeline in two halves, with such an article stored between them, clusters the second
half as well as without it (B-cubed F1 within 0.01). Before, the clustering horizon
followed the newest stored date, so every live story was retired (0.837 -> 0.738)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from storywire import Pipeline, Store, load_settings
from storywire.models import Article

from tests.support import datasets
from tests.support.metrics import score

LIMIT = 3000


def articles_of(labelled: datasets.Labelled) -> list[Article]:
    return [
        Article(
            url=d.url or f"urn:uci:{i}",
            title=d.title,
            text=d.text,
            published=d.published,
            outlet=d.outlet,
            language=d.language,
        )
        for i, d in enumerate(labelled.docs)
    ]


def second_half_f1(tmp_path, name: str, halves: list[list[Article]], between: list[Article]):
    db = tmp_path / f"{name}.db"
    store = Store(db)
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=db))
    pipeline.import_articles(halves[0])
    if between:
        # Straight into the pipeline, past the parsers that refuse such a date: the
        # pipeline's own horizon must not follow it either.
        pipeline.import_articles(between)
    pipeline.import_articles(halves[1])
    store.close()
    with sqlite3.connect(db) as conn:  # a merge moves the articles to the surviving story
        stories = dict(conn.execute("SELECT url, story_id FROM articles"))
    conn.close()
    return [stories[a.url] for a in halves[1]]


@pytest.mark.data
def test_a_9999_article_between_two_halves_does_not_retire_live_stories(tmp_path, data_dir):
    uci = datasets.uci(data_dir, limit=LIMIT)
    arts = articles_of(uci)
    cut = len(arts) // 2
    halves = [arts[:cut], arts[cut:]]
    gold = uci.gold[cut:]
    far = Article(
        url="https://evil.example/far-future",
        title="Markets rally as stocks climb on strong earnings",
        text="",
        published=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        outlet="Far Future Times",
        language="en",
    )
    clean = score(second_half_f1(tmp_path, "clean", halves, []), gold).b3_f
    dirty = score(second_half_f1(tmp_path, "dirty", halves, [far]), gold).b3_f
    print(f"UCI[:{LIMIT}] second half B-cubed F1: {clean:.3f} without, {dirty:.3f} with")
    assert clean > 0.6
    assert abs(clean - dirty) <= 0.01, (clean, dirty)
