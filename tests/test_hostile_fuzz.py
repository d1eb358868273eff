"""Fuzzing the JSON Lines, OPML and feed parsers (hypothesis, bounded examples): no
exception but the parser's own ParseError escapes, and the good records around a bad
one are kept."""

from __future__ import annotations

import contextlib
import json
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storywire.errors import ParseError
from storywire.ingest.corpus import BadLine, read_records, to_article
from storywire.ingest.feeds import parse_feed
from storywire.ingest.opml import parse_opml

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = ("title", "text", "published", "outlet", "author", "url", "id", "kind", "language")
records = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8)


def good(n: int) -> dict[str, str]:
    return {
        "id": f"g{n}",
        "url": f"https://good.example/{n}",
        "title": f"Good article number {n}",
        "text": "Officials said on Monday that the bridge would reopen.",
        "published": "2025-03-04T06:10:00Z",
        "outlet": "Good Times",
    }


@FUZZ
@given(middle=st.one_of(records.map(json.dumps), st.text(max_size=200)))
def test_jsonl_reader_keeps_the_good_lines_around_any_line(tmp_path_factory, middle):
    path = tmp_path_factory.mktemp("fuzz") / "in.jsonl"
    lines = [json.dumps(good(1)), middle.replace("\n", " ").replace("\r", " "), json.dumps(good(2))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    titles = []
    for line, obj in read_records(path):
        item = obj if isinstance(obj, BadLine) else to_article(obj, {}, line)
        if not isinstance(item, BadLine):
            titles.append(item.title)
            assert isinstance(item.title, str) and "{'" not in item.title
    assert titles[0] == "Good article number 1" and titles[-1] == "Good article number 2"


def outline(attrs: dict[str, str]) -> str:
    return "<outline " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"


# Characters XML 1.0 can carry (a feed with others is malformed as a whole, not one entry).
xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=60,
)


@FUZZ
@given(
    attrs=st.dictionaries(
        st.sampled_from(["text", "title", "xmlUrl", "htmlUrl", "type", "kind", "outlet"]),
        xml_text,
        max_size=6,
    ),
    depth=st.integers(0, 120),
)
def test_opml_keeps_the_good_outlines_around_any_outline(attrs, depth):
    first = outline({"type": "rss", "text": "A", "xmlUrl": "https://a.example/feed"})
    last = outline({"type": "rss", "text": "B", "xmlUrl": "https://b.example/feed"})
    middle = '<outline text="f">' * depth + outline(attrs) + "</outline>" * depth
    doc = f'<?xml version="1.0"?><opml version="2.0"><body>{first}{middle}{last}</body></opml>'
    urls = [i.url for i in parse_opml(doc.encode("utf-8"))]
    assert urls[0] == "https://a.example/feed" and urls[-1] == "https://b.example/feed"


@FUZZ
@given(data=st.binary(max_size=300))
def test_opml_bytes_parse_or_raise_parse_error_only(data):
    with contextlib.suppress(ParseError):
        parse_opml(b'<?xml version="1.0"?><opml version="2.0"><body>' + data)


@FUZZ
@given(item=json_values)
def test_json_feed_keeps_the_good_items_around_any_item(item):
    items = [
        {"id": "1", "url": "https://j.example/1", "title": "First"},
        item,
        {"id": "3", "url": "https://j.example/3", "title": "Last"},
    ]
    doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    titles = {e.title for e in parse_feed(doc.encode(), "https://j.example/feed.json")}
    assert {"First", "Last"} <= titles


@FUZZ
@given(title=xml_text, link=xml_text, date=xml_text)
def test_rss_keeps_the_good_items_around_any_item(title, link, date):
    def item(t: str, link_: str, d: str) -> str:
        return (
            f"<item><title>{escape(t)}</title><link>{escape(link_)}</link>"
            f"<pubDate>{escape(d)}</pubDate></item>"
        )

    body = (
        item("First", "https://good.example/first-story-0001", "Tue, 04 Mar 2025 06:10:00 GMT")
        + item(title, link, date)
        + item("Last", "https://good.example/last-story-0003", "Tue, 04 Mar 2025 07:10:00 GMT")
    )
    doc = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    titles = {e.title for e in parse_feed(doc.encode("utf-8"), "https://o.example/feed.xml")}
    assert {"First", "Last"} <= titles


@FUZZ
@given(data=st.binary(max_size=400))
def test_feed_bytes_parse_or_raise_parse_error_only(data):
    for prefix in (b"", b"{", b'<?xml version="1.0"?><rss version="2.0"><channel>'):
        with contextlib.suppress(ParseError):
            parse_feed(prefix + data, "https://o.example/feed")
