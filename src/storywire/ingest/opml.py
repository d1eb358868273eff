"""OPML import and export of feed lists.

Import is all-or-nothing: a file that is not well-formed XML is rejected with
the file name and line, and nothing from it is added.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from ..errors import ParseError
from ..models import Feed, FeedInfo

_ATTRS = ("outlet", "country", "language", "kind", "category")


def parse_opml(data: bytes, name: str = "OPML") -> list[FeedInfo]:
    """Feeds of an OPML document, in document order, first occurrence of each URL."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = exc.position
        raise ParseError(f"{name}: not well-formed XML at line {line}, column {col}") from exc
    if root.tag.lower() != "opml":
        raise ParseError(f"{name}: not an OPML file (root element is <{root.tag}>)")
    feeds: dict[str, FeedInfo] = {}
    _walk(root.find("body"), "", feeds)
    return list(feeds.values())


def _walk(node: ET.Element | None, category: str, out: dict[str, FeedInfo]) -> None:
    if node is None:
        return
    for child in node.findall("outline"):
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        label = child.get("title") or child.get("text") or ""
        if not url:
            _walk(child, label or category, out)  # a folder: its label is the category
            continue
        if not url.startswith(("http://", "https://")) or url in out:
            continue
        extra = {k: child.get(k, "") for k in _ATTRS}
        out[url] = FeedInfo(
            url=url, title=label, html_url=child.get("htmlUrl", ""),
            outlet=extra["outlet"] or label, country=extra["country"],
            language=extra["language"], kind=extra["kind"] or "news",
            category=extra["category"] or category,
        )


def to_opml(feeds: list[Feed], title: str = "storywire feeds") -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_esc(title)}</title></head>",
        "  <body>",
    ]
    for f in feeds:
        attrs = {
            "type": "rss", "text": f.title or f.outlet or f.url, "title": f.title,
            "xmlUrl": f.url, "htmlUrl": f.html_url, "outlet": f.outlet,
            "country": f.country, "language": f.language, "kind": f.kind,
            "category": f.category,
        }
        body = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items() if v)
        lines.append(f"    <outline {body}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _esc(value: str) -> str:
    return quoteattr(value)[1:-1]
