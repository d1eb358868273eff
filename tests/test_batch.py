"""`storywire batch`: JSON Lines in, one JSON object per story out, bad lines reported."""

import gzip
import json

import pytest
from click.testing import CliRunner

from storywire.cli import main

GOOD = [
    {
        "id": "q1",
        "title": "Strong earthquake strikes Taiwan, buildings collapse in Hualien",
        "text": "A magnitude 7.4 earthquake struck Taiwan on Wednesday, collapsing buildings in "
        "Hualien and killing at least nine people, officials said. Rescuers searched "
        "the rubble through the night.",
        "published": "2024-04-03T01:00:00Z",
        "outlet": "Wire",
        "desk": "asia",
    },
    {
        "id": "q2",
        "title": "Taiwan earthquake: buildings collapse in Hualien, nine dead",
        "text": "At least nine people were killed when a magnitude 7.4 earthquake struck "
        "Taiwan on Wednesday and buildings collapsed in Hualien, officials said.",
        "published": "2024-04-03T02:00:00Z",
        "outlet": "Daily",
        "extra": [1, 2],
    },
    {
        "id": 7,
        "title": "Apple reports record iPhone sales in quarterly earnings",
        "published": "2024-04-03T05:00:00+02:00",
        "desk": "tech",
    },
]


def write_input(path, lines):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def test_batch_clusters_and_writes(tmp_path):
    src, out = tmp_path / "in.jsonl.gz", tmp_path / "stories.jsonl"
    write_input(src, [json.dumps(o) for o in GOOD])
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--words", "40"])
    assert result.exit_code == 0, result.output
    stories = [json.loads(line) for line in out.read_text().splitlines()]
    assert [s["article_ids"] for s in stories] == [["q1", "q2"], ["7"]]
    quake = stories[0]
    assert quake["story_id"] == 1 and quake["title"] and quake["opinions"] == []
    assert sum(len(s["text"].split()) for s in quake["body"]) <= 40 + 40
    assert {src for s in quake["body"] for src in s["sources"]} <= {"q1", "q2"}
    assert "3 articles, 2 stories, 0 bad lines" in result.stderr


def test_batch_reports_bad_lines_and_keeps_output_valid(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "stories.jsonl"
    lines = [
        json.dumps(GOOD[0]),
        "{not json",
        json.dumps({"title": "no id", "published": "2024-04-03"}),
        json.dumps({"id": "x", "title": "no date"}),
        "",
        json.dumps(GOOD[2]),
    ]
    write_input(src, lines)
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--no-write"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    for n in (2, 3, 4):
        assert f"in.jsonl:{n}: skipped" in result.stderr
    stories = [json.loads(line) for line in out.read_text().splitlines()]
    assert stories == [
        {"story_id": 1, "article_ids": ["q1"]},
        {"story_id": 2, "article_ids": ["7"]},
    ]


def test_batch_group_by_field_skips_clustering(tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "stories.jsonl"
    write_input(src, [json.dumps(o) for o in GOOD])
    result = CliRunner().invoke(
        main, ["batch", str(src), "--out", str(out), "--group-by", "desk", "--no-write"]
    )
    assert result.exit_code == 3  # q2 has no "desk"
    assert "no 'desk' field" in result.stderr
    stories = [json.loads(line) for line in out.read_text().splitlines()]
    assert [s["article_ids"] for s in stories] == [["q1"], ["7"]]


def test_batch_missing_input_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(
        main, ["batch", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o.jsonl")]
    )
    assert result.exit_code == 1 and "no such file" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("group_by", [None, "desk"])
@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_parallel_reading_gives_the_serial_result(tmp_path, monkeypatch, group_by, suffix):
    """A large file is parsed in chunks by a worker process and by the reader: the same
    articles and bad lines (with their line numbers), in file order."""
    from storywire import batch

    lines = []
    for k in range(40):
        o = {**GOOD[k % 3], "id": f"a{k}", "published": f"2024-04-{1 + k % 28:02d}T01:00:00Z"}
        lines += [json.dumps(o), "{not json", "", json.dumps({"id": f"n{k}", "title": "no date"})]
    src = tmp_path / f"in{suffix}"
    write_input(src, lines)
    serial = batch.read_input(src, group_by, {})
    monkeypatch.setattr(batch, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(batch, "READ_CHUNK", 7)
    parallel = batch.read_input(src, group_by, {}, processes=1)
    assert parallel == serial
    good, bad = parallel
    assert len(good) == (40 if group_by is None else 27) and len(bad) == 80 + 40 - len(good)
    assert [b.line for b in bad] == sorted(b.line for b in bad)
