"""Canonical URLs, exact and near-duplicate articles (linked, never dropped)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storywire import Pipeline, Store, load_settings
from storywire.dedup import NearDuplicates, canonical_url
from storywire.models import Article

from tests.support.faultsite import paragraphs


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.example.com/news/story-1?utm_source=twitter&utm_medium=social",
        "https://www.example.com/news/story-1/",
        "https://m.example.com/news/story-1",
        "https://www.example.com/news/story-1/amp",
        "https://amp.example.com/news/story-1",
        "https://www.example.com/news/story-1?outputType=amp",
        "https://WWW.Example.com:443/news/story-1#comments",
        "https://www.example.com/news/story-1?fbclid=abc&gclid=x",
    ],
)
def test_canonical_url_variants(variant):
    assert canonical_url(variant) == "https://www.example.com/news/story-1"


def test_canonical_url_keeps_meaningful_query():
    assert (
        canonical_url("https://x.example/article?id=42&utm_campaign=a")
        == "https://x.example/article?id=42"
    )


# About 540 words, a wire story's usual length: a 270-word text was at the edge of
# MinHash's 64-permutation noise once a byline and boilerplate were added (found ~86% of
# the time with either hash, bench/near_dup.py measures realistic copies).
WIRE = " ".join(paragraphs(7, count=12))


def syndicated(text: str) -> str:
    """A wire story as a member outlet runs it: byline, boilerplate, last paragraph cut."""
    paras = text.split(". ")
    body = ". ".join(paras[: int(len(paras) * 0.8)])
    return (
        "By Jane Doe, Associated Press. "
        + body
        + ". Copyright 2025 The Associated Press. All rights reserved. Sign up for our "
        "newsletter to get the latest headlines delivered to your inbox."
    )


def test_near_duplicates_find_lightly_edited_copies():
    index = NearDuplicates(threshold=0.7)
    index.add(1, WIRE)
    index.add(2, " ".join(paragraphs(8, count=12)))  # another story, same vocabulary
    assert index.find(syndicated(WIRE)) == 1
    assert index.find(" ".join(paragraphs(9, count=12))) is None
    assert index.find("Too short to judge.") is None
    index.remove(1)
    assert index.find(syndicated(WIRE)) is None


def _article(url: str, outlet: str, title: str, text: str, minutes: int) -> Article:
    return Article(
        url=url,
        title=title,
        text=text,
        outlet=outlet,
        published=datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=minutes),
    )


def test_pipeline_links_duplicates_and_counts_their_outlets(tmp_path):
    store = Store(tmp_path / "sw.db")
    store.migrate()
    pipeline = Pipeline(store, load_settings(db=tmp_path / "sw.db"))
    assert pipeline.add_article(_article("https://ap.example/a", "AP", "Council votes", WIRE, 0))
    # An exact copy, a lightly edited copy, and an unrelated story.
    assert pipeline.add_article(_article("https://b.example/x", "Daily B", "Council vote", WIRE, 5))
    assert pipeline.add_article(
        _article("https://c.example/y", "C Herald", "Council decides budget", syndicated(WIRE), 9)
    )
    other = " ".join(paragraphs(11, count=12))
    assert pipeline.add_article(_article("https://d.example/z", "D Post", "Other", other, 12))
    # The same URL again is not stored twice.
    assert not pipeline.add_article(
        _article("https://ap.example/a", "AP", "Council votes", WIRE, 20)
    )
    rows = {a.url: a for a in store.articles_since(datetime(2025, 1, 1, tzinfo=UTC))}
    original = rows["https://ap.example/a"]
    assert original.duplicate_of is None
    assert rows["https://b.example/x"].duplicate_of == original.id
    assert rows["https://c.example/y"].duplicate_of == original.id
    assert rows["https://d.example/z"].duplicate_of is None
    assert rows["https://c.example/y"].story_id == original.story_id
    story = store.get_story(original.story_id)
    assert story is not None and story.outlet_count >= 3
    # A restart rebuilds the near-duplicate index from the store.
    again = Pipeline(store, load_settings(db=tmp_path / "sw.db"))
    assert again.add_article(
        _article("https://e.example/q", "E Times", "Council", syndicated(WIRE), 30)
    )
    rows = {a.url: a for a in store.articles_since(datetime(2025, 1, 1, tzinfo=UTC))}
    assert rows["https://e.example/q"].duplicate_of == original.id
    store.close()


def test_dedup_keys_match_the_separate_functions():
    """Workers compute both keys from one word split; the main process (priming the index
    from stored texts) computes them apart: they must agree, or copies go unnoticed."""
    from storywire.dedup import content_hash, dedup_keys, signature

    text = syndicated(WIRE)
    assert dedup_keys("Title", text) == (content_hash("Title", text), signature(text))
    assert dedup_keys("Only a title", "") == (content_hash("Only a title", ""), None)


def _reference_keys(text: str) -> tuple[str, tuple[int, ...] | None]:
    """The plain definition the vectorised keys must equal: ``\\w+`` words of the
    case-folded text; SHA-1 of them joined by spaces; CRC-32 per word, mixed into 5-gram
    hashes, minimum of 64 multiply-shift hashes."""
    import hashlib
    import re
    import zlib

    import numpy as np

    from storywire.dedup import _params

    words = re.findall(r"\w+", text.casefold())
    digest = hashlib.sha1(" ".join(words).encode()).hexdigest()
    if len(words) < 40:
        return digest, None
    mix, a, b = _params(64)
    grams = {
        sum(int(mix[k]) * zlib.crc32(words[i + k].encode()) for k in range(5)) % 2**64 >> 32
        for i in range(len(words) - 4)
    }
    x = np.array(sorted(grams), dtype=np.uint64)
    values = ((np.multiply.outer(x, a) + b) >> np.uint64(32)).min(axis=0)
    return digest, tuple(values.tolist())


@pytest.mark.parametrize(
    "text",
    [
        "",
        " !! ",
        "Straße STRASSE ß İstanbul ǅemal ﬁnance ΣΑΣ",
        "lone \ud800 surrogate and emoji 😀 word😀x 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 _under_ ½ ² ٣ 四五",
        " ".join(["w" * 127, "v" * 128, "u" * 129, "é" * 300]) + " tail",
        "tab\tnew\nline \x00nul\u200bzero\u00a0nbsp " * 12,
        "ΣΊΣΥΦΟΣ Ἀθήνα \u0345 Ǆ ǅ ǆ \u212a \u212b µ ſ Ωmega " * 8,  # each folds to one char
        "ᾼ ΐ ẞ İı ß " * 12,  # ... or to several
    ]
    + [syndicated(WIRE), syndicated(WIRE) + " ends with an emoji 😀"],
)
@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_dedup_keys_equal_their_plain_definition(text, path, monkeypatch):
    """Words, their CRC-32s and the 5-gram MinHash are computed without a Python object
    per word (in numpy, or in one compiled pass once ``warm_up`` loaded the kernel);
    both must give exactly the hashes of the plain definition (stored content hashes
    and near-duplicate matches depend on it), and ``signature`` the same values."""
    from storywire import dedup

    if path == "compiled":
        dedup.warm_up()
        assert dedup._KERNEL is not None
    else:
        monkeypatch.setattr(dedup, "_KERNEL", None)
    digest, sig = dedup.dedup_keys("", text)
    assert (digest, None if sig is None else sig[0]) == _reference_keys(text)
    assert dedup.signature(text) == sig
    assert dedup.dedup_keys("A title", "") == (_reference_keys("A title")[0], None)


def test_known_band_shapes_are_datasketchs() -> None:
    """The bands kept to spare `storywire batch` the datasketch import are its own."""
    from datasketch import MinHashLSH

    from storywire.dedup import KNOWN_BANDS

    for (threshold, num_perm), shape in KNOWN_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert shape == (lsh.b, lsh.r)
    # the near-duplicate thresholds of the settings' usual range hit the table
    for threshold in (0.5, 0.7, 0.8):
        assert (round(max(0.3, threshold * 0.6), 6), 64) in KNOWN_BANDS
