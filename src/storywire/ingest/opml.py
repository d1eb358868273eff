"""OPML import and export of feed lists.

Import is all-or-nothing: a file that is not well-formed XML is rejected with
the file name and line, and nothing from it is added.

Leniency: real OPML exports often carry a raw ``&`` (``xmlUrl="...?a=1&b=2"``,
``text="News & Politics"``) or an HTML entity such as ``&nbsp;``. When the strict
parse fails, those two mistakes, and only those, are repaired (``&`` -> ``&amp;``,
HTML entity -> numeric reference) and the file is parsed again; any other error
rejects the file, naming the line. A DOCTYPE with entity declarations is never
repaired (entity expansion attacks stay refused).

Limits: a file over ``MAX_OPML_BYTES`` is refused before parsing; outlines are walked
without recursion, and folders nested deeper than ``MAX_DEPTH`` are skipped (logged),
so a file 1,000 outlines deep is read, not a RecursionError.
"""

from __future__ import annotations

import html.entities
import logging
import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from ..errors import ParseError
from ..models import Feed, FeedInfo
from ..outlets import normalize_lean

log = logging.getLogger(__name__)
MAX_OPML_BYTES = 5_000_000  # ~40,000 feeds; the web upload and the CLI refuse more
MAX_DEPTH = 50  # folders in folders
_ATTRS = ("outlet", "country", "language", "kind", "category", "lean", "owner", "typology")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_AMP = re.compile(rb"&(?:(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?")


def _fix_amp(m: re.Match[bytes]) -> bytes:
    ref = m.group(1)
    if ref is None:
        return b"&amp;"  # a raw ampersand
    name = ref.decode("ascii")
    if name.startswith("#") or name in _XML_ENTITIES:
        return m.group(0)
    code = html.entities.name2codepoint.get(name)
    return f"&#{code};".encode() if code else b"&amp;" + ref + b";"


def repair_ampersands(data: bytes) -> bytes:
    """Escape raw ``&`` and turn HTML named entities into numeric references."""
    return _AMP.sub(_fix_amp, data)


def parse_opml(data: bytes, name: str = "OPML") -> list[FeedInfo]:
    """Feeds of an OPML document, in document order, first occurrence of each URL."""
    if len(data) > MAX_OPML_BYTES:
        raise ParseError(
            f"{name}: {len(data):,} bytes, over the {MAX_OPML_BYTES:,} byte limit of an OPML file"
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        root = _parse_repaired(data, name, exc)
    if root.tag.lower() != "opml":
        raise ParseError(f"{name}: not an OPML file (root element is <{root.tag}>)")
    feeds: dict[str, FeedInfo] = {}
    _walk(root.find("body"), "", feeds)
    return list(feeds.values())


def _parse_repaired(data: bytes, name: str, first: ET.ParseError) -> ET.Element:
    line, col = first.position
    if b"<!ENTITY" not in data:
        try:
            return ET.fromstring(repair_ampersands(data))
        except ET.ParseError as exc:
            line, col = exc.position
    raise ParseError(f"{name}: not well-formed XML at line {line}, column {col}") from first


def _walk(body: ET.Element | None, category: str, out: dict[str, FeedInfo]) -> None:
    """Outlines in document order, without recursion (a stack of pending folders)."""
    if body is None:
        return
    stack = [(iter(body.findall("outline")), category, 1)]
    while stack:
        children, folder, depth = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        label = child.get("title") or child.get("text") or ""
        if url:
            _feed(child, url, label, folder, out)
        elif depth >= MAX_DEPTH:
            log.info("OPML outline %.60r skipped: folders nested over %d deep", label, MAX_DEPTH)
        else:  # a folder: its label is the category
            stack.append((iter(child.findall("outline")), label or folder, depth + 1))


def _feed(child: ET.Element, url: str, label: str, category: str, out: dict[str, FeedInfo]) -> None:
    if not url.startswith(("http://", "https://")):
        log.info("OPML outline %.60r skipped: not an http(s) feed address", url)
        return
    if url in out:
        return
    extra = {k: child.get(k, "") for k in _ATTRS}
    out[url] = FeedInfo(
        url=url,
        title=label,
        html_url=child.get("htmlUrl", ""),
        outlet=extra["outlet"] or label,
        country=extra["country"],
        language=extra["language"],
        kind=extra["kind"] or "news",
        category=extra["category"] or category,
        lean=normalize_lean(extra["lean"]) or "",
        owner=extra["owner"].strip()[:200],
        typology=extra["typology"].strip()[:200],
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
            "type": "rss",
            "text": f.title or f.outlet or f.url,
            "title": f.title,
            "xmlUrl": f.url,
            "htmlUrl": f.html_url,
            "outlet": f.outlet,
            "country": f.country,
            "language": f.language,
            "kind": f.kind,
            "category": f.category,
            # The outlet's facts travel with it, so export + import keeps them.
            "lean": f.lean,
            "owner": f.owner,
            "typology": f.typology,
        }
        body = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items() if v)
        lines.append(f"    <outline {body}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _esc(value: str) -> str:
    return quoteattr(value)[1:-1]
