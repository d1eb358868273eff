"""Broken and hostile input to the parsers and the CLI: dates past the calendar or
outside the sane window, deep nesting, wrong JSON types, oversized input, one bad entry
in a good feed, truncated gzip, time-zone abbreviations, WHATWG charset labels and
terminal escape sequences. Each is refused per line / entry / outline with a reason;
the good records around it are kept."""

from __future__ import annotations

import asyncio
import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from storywire import Store, load_settings
from storywire.cli import main
from storywire.errors import FetchError
from storywire.extract.charset import decode_html
from storywire.ingest.feeds import parse_feed
from storywire.ingest.http import Fetcher
from storywire.ingest.opml import MAX_OPML_BYTES, parse_opml
from storywire.ingest.schedule import posting_interval
from storywire.models import FeedInfo
from storywire.timeutil import parse_time, read_time

from tests.support.clicorpus import FIELDS, QUAKE, record
from tests.support.newsserver import RSS_TYPE, NewsServer, Site


@pytest.fixture
def cli(tmp_path, monkeypatch):
    for name in ("STORYWIRE_DB", "STORYWIRE_CONFIG", "STORYWIRE_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "sw.db"

    def run(*args):
        return CliRunner().invoke(main, ["--db", str(db), *args])

    run.db = db
    return run


def clean(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def write_lines(path, lines) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


# -- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59-05:00",  # OverflowError in UTC before
        "9999-12-31T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "1985-06-01T00:00:00Z",
        "5",
        "June",
        "June 2020",
        {"a": 1},
        float("nan"),
        1e20,
    ],
)
def test_dates_outside_the_sane_window_or_incomplete_are_refused_with_a_reason(value):
    found, reason = read_time(value)
    assert found is None and reason
    assert parse_time(value) is None


def test_date_more_than_a_day_ahead_is_refused_but_an_hour_ahead_is_kept():
    now = datetime(2025, 3, 4, 12, tzinfo=UTC)
    assert parse_time("2025-03-05T13:00:00Z", now=now) is None
    assert parse_time("2025-03-04T13:00:00Z", now=now) == datetime(2025, 3, 4, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, utc_hour",
    [
        ("Mon, 03 Mar 2025 11:05:30 EST", 16),
        ("2025-03-03 11:05:30 EST", 16),
        ("2025-07-03 11:05:30 PDT", 18),
        ("3 March 2025 11:05 CET", 10),
        ("3 March 2025 11:05 JST", 2),
    ],
)
def test_time_zone_abbreviations_are_not_read_as_utc(text, utc_hour):
    assert parse_time(text).astimezone(UTC).hour == utc_hour


def test_import_of_a_9999_date_is_one_bad_line_not_an_overflow_traceback(cli, tmp_path):
    path = tmp_path / "c.jsonl"
    bad = record(*QUAKE[1]) | {"date": "9999-12-31T23:59:59-05:00"}
    write_lines(
        path, [json.dumps(record(*QUAKE[0])), json.dumps(bad), json.dumps(record(*QUAKE[2]))]
    )
    result = cli("import", str(path), *FIELDS)
    clean(result)
    assert result.exit_code == 3
    assert "2 new articles" in result.stdout and "1 bad line;" in result.stdout
    assert f"{path}:2: skipped: no valid published time" in result.stderr
    assert "1 story written" in result.stdout


def test_feed_entry_dated_9999_does_not_set_the_poll_interval_to_a_day():
    now = datetime.now(UTC).replace(microsecond=0)
    items = "".join(
        f"<item><title>T{i}</title><link>https://o.example/{i}</link>"
        f"<pubDate>{(now - timedelta(hours=i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        "</item>"
        for i in range(5)
    )
    far = "<item><title>Far</title><link>https://o.example/far</link>"
    far += "<pubDate>Fri, 31 Dec 9999 23:59:59 +0000</pubDate></item>"
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{far}{items}'
    entries = parse_feed((rss + "</channel></rss>").encode(), "https://o.example/")
    assert len(entries) == 6
    assert [e.published for e in entries if e.url.endswith("/far")] == [None]
    settings = load_settings()
    interval = posting_interval([e.published for e in entries], None, settings)
    assert interval < 3600, "hourly posts: polled within the hour, not once a day"


# -- JSON lines -------------------------------------------------------------------------


def test_deeply_nested_json_line_is_one_bad_line(cli, tmp_path):
    path = tmp_path / "c.jsonl"
    deep = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    write_lines(path, [json.dumps(record(*QUAKE[0])), deep, json.dumps(record(*QUAKE[1]))])
    result = cli("import", str(path), *FIELDS)
    clean(result)
    assert "2 new articles" in result.stdout
    assert f"{path}:2: skipped: invalid JSON: nested too deeply" in result.stderr


def test_deeply_nested_json_line_in_batch_keeps_the_good_lines(tmp_path):
    path, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good = [
        {"id": str(i), "title": t, "text": b, "published": d, "outlet": s}
        for i, (_, s, d, t, b) in enumerate(QUAKE)
    ]
    deep = '{"id": "x", "title": ' + "[" * 50_000 + "]" * 50_000 + "}"
    write_lines(path, [json.dumps(good[0]), deep, json.dumps(good[1]), json.dumps(good[2])])
    result = CliRunner().invoke(main, ["batch", str(path), "--out", str(out), "--no-write"])
    clean(result)
    ids = {i for line in out.read_text().splitlines() for i in json.loads(line)["article_ids"]}
    assert ids == {"0", "1", "2"}


def test_wrong_json_types_are_refused_per_line_not_stored_as_python_repr(cli, tmp_path):
    path = tmp_path / "c.jsonl"
    lines = [
        json.dumps(record(*QUAKE[0])),
        json.dumps(record(*QUAKE[1]) | {"title": {"a": 1}}),
        json.dumps(record(*QUAKE[2]) | {"source": ["Reuters", {"x": 1}]}),
    ]
    write_lines(path, lines)
    result = cli("import", str(path), *FIELDS)
    clean(result)
    assert "1 new article," in result.stdout and "2 bad lines" in result.stdout
    assert "field 'title': a JSON dict, not text" in result.stderr
    store = Store(cli.db)
    try:
        titles = [a.title for a in store.list_articles(limit=10)]
    finally:
        store.close()
    assert titles and not [t for t in titles if "{" in t]


def test_oversized_jsonl_line_is_skipped_with_a_clear_message(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("storywire.ingest.corpus.MAX_LINE_CHARS", 10_000)
    path = tmp_path / "c.jsonl"
    huge = record(*QUAKE[1]) | {"body": "word " * 20_000}
    write_lines(
        path, [json.dumps(record(*QUAKE[0])), json.dumps(huge), json.dumps(record(*QUAKE[2]))]
    )
    result = cli("import", str(path), *FIELDS)
    clean(result)
    assert "2 new articles" in result.stdout
    assert f"{path}:2: skipped: longer than 10,000 characters" in result.stderr


# -- OPML -------------------------------------------------------------------------------


def deep_opml(depth: int) -> bytes:
    inner = '<outline type="rss" text="Deep" xmlUrl="https://deep.example/feed"/>'
    top = '<outline type="rss" text="Top" xmlUrl="https://top.example/feed"/>'
    body = '<outline text="f">' * depth + inner + "</outline>" * depth
    return f'<?xml version="1.0"?><opml version="2.0"><body>{top}{body}</body></opml>'.encode()


def test_opml_1000_outlines_deep_is_no_recursion_error(cli, tmp_path):
    infos = parse_opml(deep_opml(1000))
    assert [i.url for i in infos] == ["https://top.example/feed"]  # the deep folder: skipped
    assert [i.url for i in parse_opml(deep_opml(10))][-1] == "https://deep.example/feed"
    path = tmp_path / "deep.opml"
    path.write_bytes(deep_opml(1000))
    result = cli("feeds", "import", str(path))
    clean(result)
    assert result.exit_code == 0 and "1 feed, 1 new" in result.stdout


def test_opml_over_the_size_limit_is_refused_with_a_clear_message(cli, tmp_path):
    path = tmp_path / "big.opml"
    line = b'<outline type="rss" text="x" xmlUrl="https://x.example/%d"/>\n'
    with path.open("wb") as fh:
        fh.write(b'<?xml version="1.0"?><opml version="2.0"><body>\n')
        for i in range(MAX_OPML_BYTES // len(line) + 10):
            fh.write(line.replace(b"%d", str(i).encode()))
        fh.write(b"</body></opml>\n")
    result = cli("feeds", "import", str(path))
    clean(result)
    assert result.exit_code == 1 and "byte limit of an OPML file" in result.output


def test_opml_1000_deep_upload_is_no_500(tmp_path):
    import re

    import httpx

    from storywire.web import create_app

    from tests.support.live import LiveServer

    db = tmp_path / "sw.db"
    store = Store(db)
    server = LiveServer(create_app(load_settings(db=db), store))
    try:
        with httpx.Client(base_url=server.base_url) as client:
            page = client.get("/feeds").text
            token = re.search(r'action="/feeds/import"[^>]*>\s*<input[^>]*value="(\w+)"', page)
            assert token
            resp = client.post(
                "/feeds/import",
                files={"opml": ("deep.opml", deep_opml(1000), "text/xml")},
                data={"csrf": token.group(1)},
            )
        assert resp.status_code == 303, resp.text[:300]
        assert [f.url for f in store.list_feeds()] == ["https://top.example/feed"]
    finally:
        server.close()
        store.close()


# -- feeds ------------------------------------------------------------------------------


def test_one_bad_json_feed_entry_keeps_the_good_ones():
    items = [
        {"id": "1", "url": "https://j.example/1", "title": "Good one"},
        {"id": "2", "url": "https://j.example/2", "title": "Tags", "tags": 5},
        {"id": "3", "url": "https://j.example/3", "title": {"a": 1}},
        {"id": "4", "url": "https://j.example/4", "title": "Good two", "x": "DEEP"},
        {"id": "5", "url": "https://j.example/5", "title": "Good three", "authors": 7},
    ]
    doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    doc = doc.replace('"DEEP"', "[" * 100_000 + "]" * 100_000)
    entries = parse_feed(doc.encode(), "https://j.example/feed.json")
    assert sorted(e.title for e in entries) == ["Good one", "Good two"]


def test_one_bad_rss_link_keeps_the_good_entries():
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>Good</title><link>https://o.example/good</link></item>
      <item><title>Bad</title><link>http://[::1</link></item>
      <item><title>Also good</title><link>https://o.example/also</link></item>
    </channel></rss>"""
    entries = parse_feed(rss, "https://o.example/feed.xml")
    assert sorted(e.title for e in entries) == ["Also good", "Good"]


def test_truncated_gzip_feed_is_an_error_not_ok_with_some_entries():
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://o.example/{i}</link></item>" for i in range(9)
    )
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
    body = gzip.compress((rss + "</channel></rss>").encode())
    site = Site()
    gz = {"Content-Encoding": "gzip"}
    site.add("/whole.xml", body, RSS_TYPE, headers=gz)
    site.add("/cut.xml", body[: len(body) // 2], RSS_TYPE, headers=gz)

    async def get(url):
        async with Fetcher(load_settings()) as fetcher:
            return await fetcher.get(url)

    with NewsServer(site) as server:
        whole = asyncio.run(get(server.url("/whole.xml")))
        assert len(parse_feed(whole.body, server.url("/"))) == 9
        with pytest.raises(FetchError, match="truncated"):
            asyncio.run(get(server.url("/cut.xml")))


# -- charsets ---------------------------------------------------------------------------


def test_gb2312_label_over_gbk_bytes_decodes_as_browsers_do():
    text = "Premier 朱镕基 met guests in Beijing."  # 镕 is in GBK, not in GB2312
    page = f'<html><head><meta charset="gb2312"></head><body><p>{text}</p><p>More words.</p>'
    body = page.encode("gbk")
    assert text in decode_html(body)
    assert text in decode_html(body.replace(b"gb2312", b"x-gbk"))
    header = f"<html><body><p>{text}</p>".encode("gbk")
    assert text in decode_html(header, "text/html; charset=GB_2312-80")


# -- terminal escapes -------------------------------------------------------------------

ESC_TITLE = "Quake \x1b]0;pwned\x07hits \x1b[31mred\x1b[0m coast \x9b2J"


def test_feed_titles_and_errors_cannot_drive_the_terminal(cli):
    store = Store(cli.db)
    store.migrate()
    store.add_feeds(
        [FeedInfo(url="https://o.example/feed", outlet="Evil\x1b]8;;http://x\x07 News")]
    )
    feed = store.list_feeds()[0]
    store.record_feed_result(
        feed.id,
        status="error",
        error="HTTP 500 \x1b[2J\x1b]0;title\x07",
        next_check=datetime.now(UTC),
    )
    store.close()
    result = cli("feeds", "list")
    clean(result)
    assert "HTTP 500 [2J]0;title" in result.output
    assert not [
        c for c in result.output if ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) < 0xA0
    ]


def test_story_show_strips_escape_sequences(cli, tmp_path):
    path = tmp_path / "c.jsonl"
    lines = [json.dumps(record(*a)) for a in QUAKE]
    lines[0] = json.dumps(record(*QUAKE[0]) | {"title": ESC_TITLE, "source": "Bad\x1b[5m Wire"})
    write_lines(path, lines)
    assert cli("import", str(path), *FIELDS).exit_code == 0
    outlets = cli("outlets", "list")
    clean(outlets)
    assert "Bad[5m Wire" in outlets.output and "\x1b" not in outlets.output
    listing = cli("story", "list")
    show = cli("story", "show", listing.stdout.split()[0])
    clean(show)
    assert "Sources" in show.output
    for output in (listing.output, show.output):
        assert "\x1b" not in output and "\x07" not in output and "\x9b" not in output
