"""Real news pages as templates for fixture articles (ingest benchmark, tests).

Each page of the article-extraction-benchmark (181 real pages of 20-400 KB with
navigation, scripts, sidebars, related links and comments) becomes a *template*: the
page's own article text is removed and a slot is left where it was, and its title,
headline and description metadata become slots too. ``Template.render`` then fills the
slots with a corpus article, so the extractor must find the corpus text inside a real
page's boilerplate.

How the article body is found: the body pieces are the elements of at least
``MIN_CHARS`` characters whose text is ground-truth text (``ground-truth.json``). A short
element's text must appear in it verbatim; a longer one must have 60% of its word
5-grams in it (90% for a container such as a div), which tolerates changed quotes,
spacing and inline extras. Only the outermost such element counts, so a container of
article text goes whole. Every piece is removed, and the corpus paragraphs go where the
article began (before the first piece that shares a parent with the largest one).

Metadata: ``<title>``, the first ``<h1>``, og/twitter title and description metadata are
replaced; JSON-LD keeps its structure with headline and description replaced and
``articleBody`` dropped (unparsable JSON-LD is removed). Other scripts are kept as they
are (real pages often embed their article as data; extractors do not read scripts).
Pages whose body cannot be located (under half of the ground truth matched) are skipped.

The pages are read from the data folder at run time; nothing is copied into the repository.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from storywire.extract.charset import decode_html

MIN_CHARS = 25  # shorter element texts are not matched against the ground truth
_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "blockquote",
    "li",
    "ul",
    "ol",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "figure",
    "figcaption",
    "span",
    "td",
    "table",
    "main",
    "font",
    "b",
    "strong",
    "em",
    "i",
    "a",
}
_CONTAINERS = {"div", "section", "article", "main", "table", "ul", "ol", "td", "figure"}
_WORD = re.compile(r"\w+")
_TITLE, _DESC, _BODY = "@@SWTITLE@@", "@@SWDESC@@", "@@SWBODY@@"
_SLOT = f"<p>{_BODY}</p>"
_SLOTS = re.compile(f"({re.escape(_SLOT)}|{_TITLE}|{_DESC})")
_TITLE_META = {"og:title", "twitter:title", "title", "sailthru.title", "parsely-title"}
_DESC_META = {"description", "og:description", "twitter:description"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHARSET = re.compile(r"""(<meta[^>]+charset\s*=\s*["']?)[A-Za-z0-9_.:-]+""", re.I)


def _squash(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Template:
    name: str  # the benchmark page's file name
    pieces: tuple[str, ...]  # the page split around its slots (the slot names included)
    removed: int  # characters of original article text removed

    def render(self, title: str, paragraphs: Sequence[str]) -> str:
        """The real page with ``title`` and ``paragraphs`` in place of its own article
        (one join over the pre-split page: cheap, so the bench's server stays light)."""
        fill = {
            _TITLE: html.escape(title),
            _DESC: html.escape(paragraphs[0][:200] if paragraphs else title),
            _SLOT: "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
        }
        return "".join(fill.get(piece, piece) for piece in self.pieces)


def _ld_replace(node: object) -> object:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "articleBody":
                continue
            if k in ("headline", "alternativeHeadline") and isinstance(v, str):
                out[k] = _TITLE
            elif k == "description" and isinstance(v, str):
                out[k] = _DESC
            else:
                out[k] = _ld_replace(v)
        return out
    if isinstance(node, list):
        return [_ld_replace(v) for v in node]
    return node


def _replace_metadata(doc: lxml.html.HtmlElement) -> None:
    for title in doc.iter("title"):
        title.text = _TITLE
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in _TITLE_META:
            meta.set("content", _TITLE)
        elif key in _DESC_META:
            meta.set("content", _DESC)
    for script in doc.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            try:
                data = json.loads(script.text)
            except ValueError:
                script.getparent().remove(script)  # unreadable: it may hold the old text
                continue
            script.text = json.dumps(_ld_replace(data))
    h1s = list(doc.iter("h1"))
    for h1 in h1s:  # the first is the headline; later h1s (logos, widgets) are left alone
        for child in list(h1):
            h1.remove(child)
        h1.text = _TITLE
        break


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _grams(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


class _Truth:
    """The ground-truth text, matched by exact text (short elements) or by the share of
    an element's word 5-grams found in it (robust to quotes, spacing, inline extras)."""

    def __init__(self, text: str):
        self.text = _squash(text)
        self.grams = _grams(_words(text))

    def holds(self, el: lxml.html.HtmlElement, text: str) -> bool:
        words = _words(text)
        if len(words) < 8:
            return text in self.text
        grams = _grams(words)
        share = sum(g in self.grams for g in grams) / len(grams)
        return share >= (0.9 if el.tag in _CONTAINERS else 0.6)


def _body_pieces(doc: lxml.html.HtmlElement, truth: _Truth) -> list[lxml.html.HtmlElement]:
    """The outermost elements whose text is (almost all) ground-truth text."""
    pieces: list[lxml.html.HtmlElement] = []
    body = doc.find("body")
    stack = list(reversed(list(body if body is not None else doc)))
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript"):
            continue
        text = _squash(el.text_content())
        if len(text) < MIN_CHARS:
            continue
        if el.tag in _BLOCKS and truth.holds(el, text):
            pieces.append(el)
            continue
        stack.extend(reversed(list(el)))
    return pieces


def _remove(el: lxml.html.HtmlElement) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    parent = el.getparent()
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def make_template(name: str, page: bytes, truth: str) -> Template | None:
    """A template from one real page, or None when its article body cannot be found."""
    text = _XML_DECL.sub("", decode_html(page))
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    pieces = _body_pieces(doc, _Truth(truth))
    removed = sum(len(_squash(p.text_content())) for p in pieces)
    if not pieces or removed < 0.5 * len(_squash(truth)):
        return None
    # The slot goes where the article's own text began: before the first piece that
    # shares a parent with the largest piece (a stray match elsewhere, e.g. a promo line
    # in a sidebar that the ground truth also holds, must not take the article there).
    largest = max(pieces, key=lambda p: len(p.text_content()))
    first = next(p for p in pieces if p.getparent() is largest.getparent())
    slot = lxml.html.Element("p")
    slot.text = _BODY
    first.addprevious(slot)
    for piece in pieces:
        _remove(piece)
    _replace_metadata(doc)
    out = lxml.html.tostring(doc, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
    out = _CHARSET.sub(r"\g<1>utf-8", out)
    pieces = tuple(piece for piece in _SLOTS.split(out) if piece)
    return Template(name, pieces, removed)


def load_templates(bench_dir: Path) -> list[Template]:
    """Templates from every page of the article-extraction-benchmark folder (sorted by
    file name; pages whose body cannot be located are skipped)."""
    truth = json.loads((bench_dir / "ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for path in sorted((bench_dir / "html").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        body = (truth.get(key) or {}).get("articleBody") or ""
        if not body:
            continue
        template = make_template(path.name, gzip.decompress(path.read_bytes()), body)
        if template is not None:
            out.append(template)
    return out
