"""The ``storywire`` command, run through click's CliRunner against real SQLite files."""

import gzip
import json
import re

import pytest
from click.testing import CliRunner

from storywire import Store
from storywire.cli import main

from tests.support.clicorpus import ECB, FIELDS, QUAKE, feed_rows, jsonl, record
from tests.support.live import free_port

LAYOUT = ("Highlights", "Story", "Opinions", "Sources", "You've reached the end")


def assert_clean_failure(result, *needles):
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for needle in needles:
        assert needle in result.output, result.output


# -- feeds -----------------------------------------------------------------------------


def test_feeds_add(cli):
    result = cli(
        "feeds", "add", "https://www.example.com/rss", "--outlet", "Example", "--kind", "wire"
    )
    assert result.exit_code == 0 and "added https://www.example.com/rss" in result.stdout
    again = cli("feeds", "add", "https://www.example.com/rss")
    assert "already present" in again.stdout
    [feed] = feed_rows(cli.db)
    assert (feed.url, feed.outlet, feed.kind, feed.last_status) == (
        "https://www.example.com/rss",
        "Example",
        "wire",
        "new",
    )


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed.xml", "example.com/rss", "javascript:alert(1)"]
)
def test_feeds_add_rejects_non_http_url(cli, url):
    result = cli("feeds", "add", url)
    assert_clean_failure(result, "not an http(s) URL")
    assert feed_rows(cli.db) == []


NESTED_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="World">
    <outline text="Europe">
      <outline type="rss" text="BBC Europe" xmlUrl="https://feeds.bbci.co.uk/news/world/europe/rss.xml"/>
    </outline>
    <outline type="rss" text="Al Jazeera" xmlUrl="https://www.aljazeera.com/xml/rss/all.xml"/>
  </outline>
  <outline type="rss" text="Ars Technica" xmlUrl="https://feeds.arstechnica.com/arstechnica/index"/>
</body></opml>
"""


def test_feeds_import_nested_folders_and_twice(cli, tmp_path):
    opml = tmp_path / "mine.opml"
    opml.write_text(NESTED_OPML, encoding="utf-8")
    first = cli("feeds", "import", str(opml))
    assert first.exit_code == 0 and "3 feeds, 3 new" in first.stdout
    second = cli("feeds", "import", str(opml))
    assert second.exit_code == 0 and "3 feeds, 0 new" in second.stdout
    rows = {f.url: f for f in feed_rows(cli.db)}
    assert len(rows) == 3
    assert rows["https://feeds.bbci.co.uk/news/world/europe/rss.xml"].category == "Europe"
    assert rows["https://www.aljazeera.com/xml/rss/all.xml"].category == "World"
    assert rows["https://feeds.arstechnica.com/arstechnica/index"].category == ""
    assert rows["https://www.aljazeera.com/xml/rss/all.xml"].outlet == "Al Jazeera"


def test_feeds_import_malformed_is_all_or_nothing(cli, tmp_path):
    bad = tmp_path / "broken.opml"
    # A raw quote inside an attribute cannot be repaired (a raw "&" would be).
    bad.write_text(
        NESTED_OPML.replace('text="Ars Technica"', 'text="Ars "Tech" nica"'), encoding="utf-8"
    )
    result = cli("feeds", "import", str(bad))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert str(bad) in result.stderr and "line 9" in result.stderr, result.stderr
    assert feed_rows(cli.db) == []


def test_feeds_export_round_trips(cli, tmp_path):
    feeds = [
        ("https://a.example/rss", "Outlet A", "news"),
        ("https://b.example/feed?x=1&y=2", 'B & "Sons"', "opinion"),
        ("http://c.example/atom.xml", "Ç Outlet", "wire"),
    ]
    for url, outlet, kind in feeds:
        assert (
            cli("feeds", "add", url, "--outlet", outlet, "--kind", kind, "--no-discover").exit_code
            == 0
        )
    out = tmp_path / "out.opml"
    assert cli("feeds", "export", "-o", str(out)).exit_code == 0
    stdout_export = cli("feeds", "export").stdout
    assert stdout_export == out.read_text(encoding="utf-8")

    fresh = tmp_path / "fresh.db"
    assert cli("feeds", "import", str(out), db=fresh).exit_code == 0
    assert sorted((f.url, f.outlet, f.kind) for f in feed_rows(fresh)) == sorted(feeds)


def test_feeds_list_shows_poll_error_plainly(cli):
    url = f"http://127.0.0.1:{free_port()}/rss.xml"  # nothing listens there
    assert "no feeds" in cli("feeds", "list").stdout
    assert cli("feeds", "add", url).exit_code == 0
    poll = cli("poll")
    assert poll.exit_code == 0, poll.output
    assert "1 feed polled (1 error" in poll.stdout
    assert f"{url}: connection refused" in poll.stderr
    listing = cli("feeds", "list")
    assert listing.exit_code == 0
    assert "Traceback" not in poll.output + listing.output
    line, error = listing.stdout.splitlines()
    assert re.search(r"\berror\b", line) and url in line
    assert error.strip().startswith("error (1x):")
    assert "connection refused by 127.0.0.1" in error, error


def test_feeds_remove(cli):
    cli("feeds", "add", "https://a.example/rss", "--no-discover")
    cli("feeds", "add", "https://b.example/rss", "--no-discover")
    assert "removed https://a.example/rss" in cli("feeds", "remove", "https://a.example/rss").stdout
    assert [f.url for f in feed_rows(cli.db)] == ["https://b.example/rss"]
    missing = cli("feeds", "remove", "https://a.example/rss")
    assert missing.exit_code == 1 and "no such feed" in missing.stderr


def test_db_from_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("STORYWIRE_CONFIG", raising=False)
    db = tmp_path / "env.db"
    result = CliRunner().invoke(
        main,
        ["feeds", "add", "https://a.example/rss", "--no-discover"],
        env={"STORYWIRE_DB": str(db)},
    )
    assert result.exit_code == 0, result.output
    assert [f.url for f in feed_rows(db)] == ["https://a.example/rss"]


# -- import ------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["jsonl", "jsonl.gz"])
def test_import_jsonl_with_field_mapping(cli, tmp_path, gz):
    data = jsonl(QUAKE + ECB)
    path = tmp_path / ("corpus.jsonl.gz" if gz else "corpus.jsonl")
    if gz:
        path.write_bytes(gzip.compress(data.encode()))
    else:
        path.write_text(data, encoding="utf-8")
    result = cli("import", str(path), *FIELDS)
    assert result.exit_code == 0, result.output
    assert "6 new articles, 0 already stored, 0 bad lines" in result.stdout

    listing = cli("story", "list").stdout.splitlines()
    assert len(listing) == 2, listing
    assert all(re.match(r"\s*\d+\s+3 outlets\s+2025-03-0[46]\s+\S", line) for line in listing)

    again = cli("import", str(path), *FIELDS)
    assert "0 new articles, 6 already stored" in again.stdout

    store = Store(cli.db)
    try:
        stories = {s.id: s for s, _ in store.list_stories()}
        by_story = {sid: {a.external_id for a in store.story_articles(sid)} for sid in stories}
    finally:
        store.close()
    assert sorted(map(sorted, by_story.values())) == [["e1", "e2", "e3"], ["q1", "q2", "q3"]]


def test_import_reports_bad_lines_and_keeps_good_ones(cli, tmp_path):
    good = [json.dumps(record(*a)) for a in QUAKE]
    no_title = record(*ECB[0]) | {"title": ""}
    no_date = {k: v for k, v in record(*ECB[1]).items() if k != "date"}
    lines = [
        good[0],
        "{not json",
        good[1],
        json.dumps(no_title),
        "",
        json.dumps(no_date),
        good[2],
        json.dumps(record(*ECB[2]) | {"date": "not a date"}),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("import", str(path), *FIELDS)
    assert result.exit_code == 3, result.output
    # The title-less line is kept: its headline comes from its text.
    assert "4 new articles, 0 already stored, 3 bad lines" in result.stdout
    assert "1 title taken from the text" in result.stdout
    for number, reason in [
        (2, "invalid JSON"),
        (6, "no valid published time"),
        (8, "no valid published time"),
    ]:
        assert f"{path}:{number}: skipped: {reason}" in result.stderr, result.stderr
    assert f"{path}:1:" not in result.stderr and f"{path}:3:" not in result.stderr
    assert f"{path}:4:" not in result.stderr


@pytest.mark.parametrize(
    "field, message",
    [
        ("body=text", "unknown field 'body' (known: id, url, title, text"),
        ("text", "expected NAME=SOURCE_FIELD"),
        ("text=", "expected NAME=SOURCE_FIELD"),
    ],
)
def test_import_bad_field_option(cli, tmp_path, field, message):
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl(QUAKE), encoding="utf-8")
    result = cli("import", str(path), "--field", field)
    assert_clean_failure(result, f"--field {field!r}", message)
    assert result.exit_code == 1


@pytest.mark.parametrize("date", ["1e20", "-1e20", "NaN"])
def test_import_out_of_range_epoch_is_a_bad_line(cli, tmp_path, date):
    line = json.dumps(record(*QUAKE[0])).replace('"2025-03-04T06:10:00Z"', date)
    path = tmp_path / "c.jsonl"
    path.write_text(line + "\n" + json.dumps(record(*QUAKE[1])) + "\n", encoding="utf-8")
    result = cli("import", str(path), *FIELDS)
    assert result.exit_code == 3, result.exception
    assert f"{path}:1: skipped: no valid published time" in result.stderr


def test_import_two_corpora_without_urls_or_ids(cli, tmp_path):
    for name, articles in (("quake", QUAKE), ("ecb", ECB)):
        path = tmp_path / f"{name}.jsonl"
        lines = [{k: v for k, v in record(*a).items() if k not in ("url", "ID")} for a in articles]
        path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
        result = cli("import", str(path), *FIELDS)
        assert "3 new articles, 0 already stored" in result.stdout, result.stdout


def test_import_missing_file(cli, tmp_path):
    assert_clean_failure(cli("import", str(tmp_path / "nope.jsonl")), "no such file")


# -- stories -----------------------------------------------------------------------------


def test_story_show_prints_the_page(cli, tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(jsonl(QUAKE + ECB), encoding="utf-8")
    assert cli("import", str(path), *FIELDS).exit_code == 0
    ids = [int(line.split()[0]) for line in cli("story", "list").stdout.splitlines()]
    assert cli("story", "list", "--limit", "1").stdout.count("\n") == 1
    for story_id in ids:
        result = cli("story", "show", str(story_id))
        assert result.exit_code == 0, result.output
        text = result.stdout
        positions = [text.index(h) for h in LAYOUT]
        assert positions == sorted(positions), text
        assert "3 outlets" in text.splitlines()[0]
        for outlet in ("Reuters", "BBC News"):
            assert f"\n  {outlet}\n" in text
        assert re.search(r"\[\d+(, \d+)*\]", text.split("Story")[1]), "no citations"


@pytest.mark.parametrize(
    "story_id",
    [
        "999",
        "99999999999999999999",
    ],
)
def test_story_show_unknown_id(cli, story_id):
    result = cli("story", "show", story_id)
    assert_clean_failure(result, f"no written story with id {story_id}")
    assert cli("story", "list").stdout == ""


@pytest.mark.parametrize(
    "args, env, message",
    [
        (
            ["--db", "{tmp}/no/such/dir/sw.db"],
            {},
            "database folder {tmp}/no/such/dir does not exist",
        ),
        (["--db", "{tmp}/sw.db"], {"STORYWIRE_PORT": "99999"}, "invalid settings: port"),
        (
            ["--db", "{tmp}/sw.db", "--config", "{tmp}/none.toml"],
            {},
            "{tmp}/none.toml does not exist",
        ),
    ],
)
def test_setup_errors_are_one_plain_line(tmp_path, monkeypatch, args, env, message):
    monkeypatch.delenv("STORYWIRE_CONFIG", raising=False)
    args = [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(main, [*args, "feeds", "list"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message.format(tmp=tmp_path) in result.stderr
