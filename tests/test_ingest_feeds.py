"""Feed parsing: the formats, and the entry rules for odd entries."""

from __future__ import annotations

import json

import pytest

from storywire.errors import ParseError
from storywire.ingest.feeds import parse_feed

INPUT = ("feeds", "rss-parser", "test", "input")


@pytest.mark.parametrize(
    "name,count",
    [
        ("rss-1.rss", None),  # RSS 1.0 (RDF)
        ("heise.atom", 15),  # Atom
        ("guardian.rss", None),  # RSS 2.0
        ("encoding.rss", 40),  # ISO-8859-1 declared in the XML declaration
    ],
)
def test_real_feeds_parse(data_dir, name, count):
    entries = parse_feed(data_dir.joinpath(*INPUT, name).read_bytes(), "https://x.example/")
    assert entries and all(e.url.startswith("http") for e in entries)
    if count:
        assert len(entries) == count


def test_rss_091():
    data = b"""<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title>
      <item><title>One</title><link>http://old.example/1</link></item></channel></rss>"""
    assert [e.url for e in parse_feed(data, "http://old.example/")] == ["http://old.example/1"]


def test_entry_rules():
    data = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>No link</title><guid isPermaLink="false">a</guid></item>
      <item><title>Relative</title><link>/news/rel</link><guid>b</guid>
        <pubDate>Tue, 04 Mar 2025 06:10:00 GMT</pubDate></item>
      <item><title>Undated</title><link>https://o.example/undated</link><guid>c</guid></item>
      <item><title>Repeat</title><link>https://o.example/other</link><guid>b</guid></item>
      <item><title>Same link</title><link>https://o.example/undated</link><guid>d</guid></item>
    </channel></rss>"""
    entries = parse_feed(data, "https://o.example/feeds/main.xml")
    assert [(e.title, e.url) for e in entries] == [
        ("Relative", "https://o.example/news/rel"),  # dated entries first
        ("Undated", "https://o.example/undated"),
    ]
    assert entries[0].published is not None and entries[1].published is None


def test_json_feed():
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {
                "id": "1",
                "url": "/a",
                "title": "A",
                "date_published": "2025-03-04T06:10:00Z",
                "authors": [{"name": "Ann"}],
                "content_text": "Text",
                "tags": ["x"],
            },
            {"id": "2", "external_url": "https://b.example/b", "title": "B"},
            {"id": "3", "title": "no url"},
            "not an object",
        ],
    }
    entries = parse_feed(json.dumps(doc).encode(), "https://j.example/feed.json")
    assert [(e.url, e.author) for e in entries] == [
        ("https://j.example/a", "Ann"),
        ("https://b.example/b", ""),
    ]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"{not json", "invalid JSON"),
        (b'{"title": "x"}', "without an 'items' list"),
        (b"<html><body><p>hello</p></body></html>", "HTML page"),
        (b"", "not a feed"),
    ],
)
def test_not_feeds(data, message):
    with pytest.raises(ParseError, match=message):
        parse_feed(data, "https://x.example/")


def test_entry_images():
    rss = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
<item><title>Thumb</title><link>https://x.example/1</link>
  <media:thumbnail url="/thumbs/1.jpg" width="240"/></item>
<item><title>Content</title><link>https://x.example/2</link>
  <media:content url="https://cdn.example/2.mp4" medium="video"/>
  <media:content url="https://cdn.example/2.jpg" medium="image"/></item>
<item><title>Enclosure</title><link>https://x.example/3</link>
  <enclosure url="https://cdn.example/3.png" type="image/png" length="1"/></item>
<item><title>Audio</title><link>https://x.example/4</link>
  <enclosure url="https://cdn.example/4.mp3" type="audio/mpeg" length="1"/></item>
<item><title>Hostile</title><link>https://x.example/5</link>
  <media:thumbnail url="javascript:alert(1)"/></item>
</channel></rss>"""
    images = {e.title: e.image for e in parse_feed(rss, "https://x.example/feed.xml")}
    assert images == {
        "Thumb": "https://x.example/thumbs/1.jpg",
        "Content": "https://cdn.example/2.jpg",
        "Enclosure": "https://cdn.example/3.png",
        "Audio": "",
        "Hostile": "",
    }
    doc = {"items": [{"id": "1", "url": "https://j.example/1", "image": "/i.png", "title": "J"}]}
    [entry] = parse_feed(json.dumps(doc).encode(), "https://j.example/feed.json")
    assert entry.image == "https://j.example/i.png"
