"""Extraction on real pages: metadata, article kind rules, charsets, and `storywire extract`."""

from __future__ import annotations

import asyncio
import gzip
import json

import pytest
from click.testing import CliRunner

from storywire import Pipeline, Store, load_settings
from storywire.cli import main
from storywire.extract import decode_html, extract_page
from storywire.ingest.feeds import parse_feed
from storywire.models import FeedInfo, Kind
from storywire.urls import lead_image

from tests.support.newsserver import Entry, NewsServer, Site
from tests.support.stores import article_rows

OPINION = {  # real opinion pages, each caught by a different rule
    "nytimes.com/2019/11/19/opinion/": "URL path /opinion/",
    "theguardian.com/commentisfree/": "URL path /commentisfree/",
    "sputniknews.com/columnists/": "URL path /columnists/",
    "wsj.com/articles/is-football-violence-a-crime": "section meta 'Opinion'",
    "latimes.com/business/story/2019-11-19/gannett": "title prefix 'Column:'",
}


@pytest.fixture(scope="module")
def bench(data_dir):
    root = data_dir / "extraction" / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return {v["url"]: root / "html" / f"{k}.html.gz" for k, v in truth.items()}


def _page(bench, fragment):
    url, path = next((u, p) for u, p in bench.items() if fragment in u)
    return url, path, extract_page(gzip.decompress(path.read_bytes()), url)


@pytest.mark.parametrize("fragment", list(OPINION))
def test_real_opinion_pages_are_opinion(bench, fragment):
    _, _, page = _page(bench, fragment)
    assert page.kind == Kind.OPINION, OPINION[fragment]


def test_real_news_pages_are_mostly_news(bench):
    kinds = [
        extract_page(gzip.decompress(p.read_bytes()), u).kind for u, p in list(bench.items())[:40]
    ]
    assert kinds.count(Kind.NEWS) >= 36


def test_metadata_of_a_real_page(bench):
    _, _, page = _page(bench, "nytimes.com/2019/11/19/opinion/")
    assert page.title.startswith("Opinion | Republicans Are Following Trump")
    assert page.author == "Jamelle Bouie"
    assert page.published is not None and page.published.year == 2019
    assert (page.language, page.section) == ("en", "Opinion")
    assert len(page.text.split()) > 500


def test_charset_from_meta_and_header():
    body = (
        '<html><head><meta charset="windows-1252"><title>Ü</title></head>'
        "<body><p>Straße café naïve – “quoted”</p></body></html>"
    )
    raw = body.encode("cp1252")
    assert "Straße café naïve – “quoted”" in decode_html(raw)
    # The HTTP header wins over the meta tag...
    assert "Straße" in decode_html(
        body.replace("windows-1252", "utf-8").encode("cp1252"), "text/html; charset=windows-1252"
    )
    # ...unless the bytes contradict it, then the next declaration is tried.
    assert "Straße café" in decode_html(raw, "text/html; charset=utf-8")
    # No declaration that fits at all: UTF-8, then a guess, never an exception.
    assert "naïve" in decode_html(body.replace("windows-1252", "utf-8").encode("utf-8"))


REAL_FEEDS = {  # file -> (served Content-Type, a title that must come out intact)
    "encoding.rss": ("application/rss+xml", "Reações dos partidos ao veto de Marcelo"),
    "uolNoticias.rss": (
        "text/xml; charset=utf-8",  # wrong: the bytes are ISO-8859-1
        "Promotoria abre inquérito para apurar suspeita de improbidade",
    ),
    "heise.atom": ("application/atom+xml", "Microsoft veröffentlicht Cordova-Erweiterung"),
}


@pytest.mark.parametrize("name", list(REAL_FEEDS))
def test_real_feeds_have_no_mojibake_end_to_end(tmp_path, data_dir, name):
    ctype, title = REAL_FEEDS[name]
    data = (data_dir / "feeds" / "rss-parser" / "test" / "input" / name).read_bytes()
    titles = [e.title for e in parse_feed(data, "http://x/", {"content-type": ctype})]
    assert any(t.startswith(title) for t in titles), titles[:5]
    site = Site()
    site.add("/feed", data, content_type=ctype)
    with NewsServer(site) as server:  # pages 404: entries with a summary are still stored
        store = Store(tmp_path / "sw.db")
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url("/feed"), outlet=name)])
        asyncio.run(Pipeline(store, load_settings(db=tmp_path / "sw.db")).poll_once())
        rows = article_rows(store)
        store.close()
    stored = " ".join(str(r[5]) + " " + str(r[13]) for r in rows)
    for bad in ("Ã§", "Ã£", "Ã©", "Ã¶", "\ufffd"):
        assert bad not in stored, name


def test_extract_cli_json_lines(bench, tmp_path):
    url, path, _ = _page(bench, "theguardian.com/commentisfree/")
    missing, garbage = tmp_path / "missing.html", tmp_path / "garbage.html"
    garbage.write_bytes(b"\x00\x01\x02 not html")
    result = CliRunner().invoke(
        main, ["extract", str(path), str(missing), str(garbage), "--url", url]
    )
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["file"] for x in lines] == [str(path), str(missing), str(garbage)]
    good = lines[0]
    assert set(good) >= {
        "file",
        "title",
        "author",
        "published",
        "language",
        "site_name",
        "kind",
        "text",
    }
    assert good["kind"] == "opinion" and good["language"] == "en" and len(good["text"]) > 1000
    assert lines[1] == {"file": str(missing), "error": "No such file or directory"}
    assert set(lines[2]) == {"file", "error"}
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_extract_cli_reads_stdin(bench):
    _, path, _ = _page(bench, "nytimes.com/2019/11/19/opinion/")
    result = CliRunner().invoke(main, ["extract", "-"], input=gzip.decompress(path.read_bytes()))
    assert result.exit_code == 0
    [line] = [json.loads(x) for x in result.output.splitlines()]
    assert line["file"] == "-" and line["author"] == "Jamelle Bouie"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/img/lead.jpg", "https://news.example/img/lead.jpg"),
        ("//cdn.example/a.png", "https://cdn.example/a.png"),
        ("http://cdn.example/a.png?w=1200&h=630", "http://cdn.example/a.png?w=1200&h=630"),
        ("javascript:alert(1)", ""),
        ("data:image/png;base64,AAAA", ""),
        ('https://cdn.example/a.png" onerror="alert(1)', ""),
        ("https://cdn.example/a b.png", ""),
        ("", ""),
        ("https://cdn.example/" + "a" * 2000, ""),
    ],
)
def test_lead_image_is_an_absolute_http_url_or_nothing(value, expected):
    assert lead_image(value, "https://news.example/world/story") == expected


def test_extract_page_finds_the_og_image():
    text = "The council approved the new budget on Monday after a long debate. " * 8
    page = (
        '<html lang="en"><head><title>Budget approved</title>'
        '<meta property="og:image" content="/media/budget.jpg"></head>'
        f"<body><article><h1>Budget approved</h1><p>{text}</p></article></body></html>"
    )
    found = extract_page(page.encode(), "https://city.example/news/budget")
    assert found.image == "https://city.example/media/budget.jpg"
    bare = extract_page(page.replace("og:image", "og:nothing").encode(), "https://city.example/n")
    assert bare.image == ""


def test_poll_stores_the_lead_image(tmp_path):
    """Feed -> page (og:image, else the entry's media:thumbnail) -> stored article."""
    text = "The council approved the new budget on Monday after a long debate. " * 8
    site = Site()
    site.add_lazy(
        "/feed",
        lambda base: Entry(
            200,
            {"Content-Type": "application/rss+xml"},
            (
                '<?xml version="1.0"?><rss version="2.0" '
                'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>City</title>'
                f"<item><title>Budget approved</title><link>{base}/news/budget</link>"
                '<media:thumbnail url="/thumbs/budget.jpg"/>'
                "<pubDate>Tue, 04 Mar 2025 06:00:00 GMT</pubDate></item>"
                f"<item><title>Parks reopen</title><link>{base}/news/parks</link>"
                '<media:thumbnail url="/thumbs/parks.jpg"/>'
                "<pubDate>Tue, 04 Mar 2025 07:00:00 GMT</pubDate></item></channel></rss>"
            ).encode(),
        ),
    )
    site.add(
        "/news/budget",
        '<html lang="en"><head><title>Budget approved</title>'
        '<meta property="og:image" content="/media/budget.jpg"></head>'
        f"<body><article><h1>Budget approved</h1><p>{text}</p></article></body></html>",
    )
    parks = "The city parks reopened on Tuesday after the storm damage was repaired. " * 8
    site.add("/news/parks", f"<html><body><article><p>{parks}</p></article></body></html>")
    with NewsServer(site) as server:
        store = Store(tmp_path / "sw.db")
        store.migrate()
        store.add_feeds([FeedInfo(url=server.url("/feed"), outlet="City")])
        asyncio.run(Pipeline(store, load_settings(db=tmp_path / "sw.db")).poll_once())
        images = {a.title: a.image for a in store.list_articles(limit=10)}
        store.close()
    assert images == {
        "Budget approved": server.url("/media/budget.jpg"),  # the page's og:image first
        "Parks reopen": server.url("/thumbs/parks.jpg"),  # no og:image: the feed's
    }
