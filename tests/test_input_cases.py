"""Headline-less and oddly dated input: no article is lost for a missing title, a text
that begins with its headline, all articles on one date, dates rounded to the day."""

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from storywire.cli import main
from storywire.ingest.corpus import to_article
from storywire.store import Store
from storywire.text import headline

from tests.support.enginecorpus import EARNINGS, QUAKE, QUAKE_2, basil_records, write_jsonl


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # No title, the text's first line is the headline (SemEval-style texts).
        ("", "Taiwan quake kills nine\n\nA magnitude 7.4 quake struck.", "Taiwan quake kills nine"),
        ("", "Taiwan quake kills nine  A magnitude 7.4 quake struck.", "Taiwan quake kills nine"),
        # No title, no headline line: the first sentence ("Mr." does not end it).
        (
            "",
            "Mr. Lee said on Friday the talks failed. Both sides left.",
            "Mr. Lee said on Friday the talks failed.",
        ),
        ("  ", "One two three four five. Six.", "One two three four five."),
    ],
)
def test_a_missing_title_comes_from_the_text(title, text, expected):
    got, _, derived = headline(title, text)
    assert (got, derived) == (expected, True)


def test_a_derived_headline_is_at_most_twenty_words():
    got, text, derived = headline("", " ".join(f"w{i}" for i in range(60)) + ".")
    assert derived and len(got.split()) == 20 and got.endswith("…")
    assert text.startswith("w0 w1")  # the text itself is kept


def test_a_text_that_begins_with_its_headline_loses_that_line():
    title, text, derived = headline("Taiwan quake kills nine", "Taiwan quake kills nine.\n\nBody.")
    assert (title, text, derived) == ("Taiwan quake kills nine", "Body.", False)
    # A lede that merely starts like the headline is not a headline line: kept whole.
    lede = "Taiwan quake kills nine people and injures hundreds. More."
    assert headline("Taiwan quake kills nine", lede) == ("Taiwan quake kills nine", lede, False)


def test_a_line_needs_a_title_or_a_text():
    item = to_article({"title": "", "text": " ", "published": "2024-04-03"}, {}, 7)
    assert getattr(item, "reason", "") == "no title and no text"


def records(published: list[str], titles: bool = True) -> list[dict]:
    texts = [
        ("q1", "Strong earthquake strikes Taiwan, buildings collapse", QUAKE, "Wire"),
        ("q2", "Taiwan earthquake kills nine in Hualien", QUAKE_2, "Daily"),
        ("a1", "Apple reports record iPhone sales", EARNINGS, "Tech"),
    ]
    return [
        {
            "id": i,
            **({"title": t} if titles else {}),
            # Without a title field the text starts with its headline, as in SemEval.
            "text": x if titles else f"{t}\n\n{x}",
            "published": p,
            "outlet": o,
        }
        for (i, t, x, o), p in zip(texts, published, strict=True)
    ]


def batch(tmp_path, recs: list[dict]) -> tuple[list[dict], str]:
    src, out = write_jsonl(tmp_path / "in.jsonl", recs), tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--no-write"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()], result.stderr


def test_headline_less_texts_that_begin_with_their_headline(tmp_path):
    stories, log = batch(
        tmp_path,
        records(["2024-04-03T01:00Z", "2024-04-03T02:00Z", "2024-04-03T05:00Z"], titles=False),
    )
    assert [s["article_ids"] for s in stories] == [["q1", "q2"], ["a1"]]
    assert stories[0]["titles_from_text"] == ["q1", "q2"]
    assert "3 articles without a title: headline taken from the text" in log
    src = write_jsonl(tmp_path / "w.jsonl", records(["2024-04-03"] * 3, titles=False))
    out = tmp_path / "w.out"
    written = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--words", "40"])
    assert written.exit_code == 0, written.output
    titles = [json.loads(line)["title"] for line in out.read_text().splitlines()]
    assert all(titles) and "Taiwan" in titles[0]


def test_all_articles_on_one_date(tmp_path):
    """Same time for every article: stories still form, input order is kept."""
    stories, _ = batch(tmp_path, records(["2024-04-03"] * 3))
    assert [s["article_ids"] for s in stories] == [["q1", "q2"], ["a1"]]


def test_dates_rounded_to_the_day(tmp_path):
    """Day-only dates a day apart: one story across the two days, and the same result
    as with the exact times."""
    rounded, _ = batch(tmp_path, records(["2024-04-03", "2024-04-04", "2024-04-04"]))
    exact, _ = batch(
        tmp_path, records(["2024-04-03T22:00Z", "2024-04-04T01:00Z", "2024-04-04T05:00Z"])
    )
    assert [s["article_ids"] for s in rounded] == [["q1", "q2"], ["a1"]]
    assert [s["article_ids"] for s in exact] == [s["article_ids"] for s in rounded]


def test_import_keeps_and_marks_a_title_less_article(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", records(["2024-04-03"] * 3, titles=False))
    db = tmp_path / "sw.db"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(src)])
    assert result.exit_code == 0, result.output
    assert "3 titles taken from the text" in result.output
    store = Store(db)
    try:
        stored = store.articles_since(datetime(2024, 1, 1, tzinfo=UTC))
    finally:
        store.close()
    assert {a.title for a in stored} >= {"Apple reports record iPhone sales"}
    assert all(not a.text.startswith(a.title) for a in stored)


def test_batch_keeps_the_basil_article_without_a_title(tmp_path, data_dir):
    recs = basil_records(data_dir)
    empty = [r["id"] for r in recs if not r["title"].strip()]
    assert len(empty) == 1  # c99adbdd-..._3: a New York Times report on Raúl Labrador
    stories, log = batch(tmp_path, recs)
    assert sum(len(s["article_ids"]) for s in stories) == len(recs) == 300
    (story,) = [s for s in stories if empty[0] in s["article_ids"]]
    assert story["titles_from_text"] == empty
    assert "1 article without a title" in log
