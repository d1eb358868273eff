"""Main text and metadata from an article page (trafilatura), plus the article kind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import trafilatura
from trafilatura.settings import Document

from ..errors import ExtractError
from ..models import Kind
from ..timeutil import parse_time
from ..urls import lead_image
from .charset import decode_html
from .kind import classify

__all__ = ["Page", "classify", "decode_html", "extract_page", "lead_image"]

_SCHEMA_TYPE = re.compile(rb'"@type"\s*:\s*\[?\s*"([A-Za-z]+Article)"')
_SECTION_META = re.compile(
    rb'<meta[^>]+(?:property|name)=["\'](?:article:section|section|parsely-section)["\'][^>]*>',
    re.I,
)
_CONTENT_ATTR = re.compile(rb'content=["\']([^"\']*)["\']', re.I)
_HTML_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", re.I)
_OG_TYPE = re.compile(rb'<meta[^>]+property=["\']og:type["\'][^>]*content=["\']([^"\']+)', re.I)


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    author: str
    published: datetime | None
    language: str
    site_name: str
    section: str
    kind: Kind
    page_type: str = ""  # schema.org @type (e.g. OpinionNewsArticle), else og:type
    categories: tuple[str, ...] = ()
    image: str = ""  # lead image (og:image, twitter:image, ...): an absolute http(s) URL


def _section(html: bytes) -> str:
    m = _SECTION_META.search(html)
    if not m:
        return ""
    c = _CONTENT_ATTR.search(m.group(0))
    return c.group(1).decode("utf-8", "replace").strip() if c else ""


def extract_page(html: bytes, url: str = "", feed_kind: str = "", content_type: str = "") -> Page:
    """Extract one page (bytes; the charset comes from ``content_type``, a BOM, a meta
    tag or the XML declaration). Raises ExtractError when it holds no main text."""
    if b"\x00" in html[:2048] and not html.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractError("not an HTML document (binary data)")
    try:
        doc = trafilatura.bare_extraction(
            decode_html(html, content_type),
            url=url or None,
            with_metadata=True,
            include_comments=False,
        )
    except Exception as exc:  # trafilatura can raise from deep in lxml on odd markup
        raise ExtractError(f"extraction failed: {exc.__class__.__name__}: {exc}") from exc
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise ExtractError("no main text found on the page")
    section = _section(html) or ", ".join(doc.categories or [])
    schema_types = tuple(t.decode() for t in _SCHEMA_TYPE.findall(html[:200_000]))
    title = (doc.title or "").strip()
    lang = doc.language or ""
    if not lang and (m := _HTML_LANG.search(html[:5000])):
        lang = m.group(1).decode().lower()
    og = _OG_TYPE.search(html[:100_000])
    page_type = schema_types[0] if schema_types else (og.group(1).decode() if og else "")
    return Page(
        page_type=page_type,
        categories=tuple(doc.categories or ()),
        image=lead_image(doc.image, url),
        title=title,
        text=(doc.text or "").strip(),
        author=(doc.author or "").strip(),
        published=parse_time(doc.date),
        language=lang,
        site_name=(doc.sitename or "").strip(),
        section=section,
        kind=classify(
            url=url,
            title=title,
            section=section,
            schema_types=schema_types,
            feed_kind=feed_kind,
        ),
    )
