"""The shipped default feed list is well-formed OPML with enough spread to be useful."""

import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest

REQUIRED = ("text", "xmlUrl", "outlet", "country", "language", "kind")
KINDS = {"news", "wire", "opinion"}


@pytest.fixture(scope="module")
def feeds() -> list[ET.Element]:
    data = (files("storywire") / "data" / "default-feeds.opml").read_bytes()
    root = ET.fromstring(data)  # raises ParseError if not well-formed XML
    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "storywire default feeds"
    return [o for o in root.iter("outline") if o.get("xmlUrl")]


def test_at_least_70_feeds(feeds):
    assert len(feeds) >= 70


def test_every_feed_has_required_attributes(feeds):
    for o in feeds:
        missing = [a for a in REQUIRED if not (o.get(a) or "").strip()]
        assert not missing, f"{o.get('xmlUrl')}: missing {missing}"
        assert o.get("kind") in KINDS, o.get("xmlUrl")
        assert len(o.get("country")) == 2 and o.get("country").isupper(), o.get("xmlUrl")
        assert len(o.get("language")) == 2 and o.get("language").islower(), o.get("xmlUrl")


def test_urls_are_http_and_unique(feeds):
    urls = [o.get("xmlUrl") for o in feeds]
    assert all(u.startswith(("http://", "https://")) for u in urls)
    assert len(urls) == len(set(urls)), "duplicate xmlUrl"


def test_spread(feeds):
    kinds = [o.get("kind") for o in feeds]
    assert len({o.get("outlet") for o in feeds}) >= 60
    assert len({o.get("country") for o in feeds}) >= 10
    assert kinds.count("opinion") >= 10
    assert kinds.count("wire") >= 1
