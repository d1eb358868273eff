"""The real-page templates of the ingest benchmark give extractable pages that hold the
corpus article, and none of the real page's own article text."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import httpx

from storywire.extract import extract_page

from tests.support.newsserver import NewsServer, allsides_site, read_allsides
from tests.support.realpages import load_templates, make_template

_WORD = re.compile(r"\w+")


def _f1(pred: str, truth: str) -> float:
    p, t = Counter(_WORD.findall(pred.casefold())), Counter(_WORD.findall(truth.casefold()))
    shared = sum((p & t).values())
    return 2 * shared / (sum(p.values()) + sum(t.values())) if shared else 0.0


def _grams(text: str) -> set[tuple[str, ...]]:
    w = _WORD.findall(text.casefold())
    return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}


def test_a_real_page_becomes_a_template_for_any_article(data_dir):
    bench = data_dir / "extraction" / "article-extraction-benchmark"
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    articles = read_allsides(data_dir / "corpus" / "allsides-article-bias", 12)
    checked = 0
    for path, article in zip(
        sorted((bench / "html").glob("*.html.gz"))[:12], articles, strict=True
    ):
        original = truth[path.name.removesuffix(".html.gz")]["articleBody"]
        raw = gzip.decompress(path.read_bytes())
        template = make_template(path.name, raw, original)
        if template is None:
            continue
        page = template.render(article.title, article.paragraphs)
        assert len(page) > 0.5 * len(raw.decode("utf-8", "replace")) - len(original)
        extracted = extract_page(
            page.encode(), "http://x/a/1.html", "news", "text/html; charset=utf-8"
        )
        assert extracted.title == article.title
        # All of the article is found; a real page's dek or photo captions may come along
        # (boilerplate that the extractor also keeps on the original page).
        body = Counter(_WORD.findall("\n".join(article.paragraphs).casefold()))
        found = Counter(_WORD.findall(extracted.text.casefold())) & body
        assert sum(found.values()) >= 0.95 * sum(body.values()), path.name
        # The real page's own article text is gone from what the extractor returns.
        left = _grams(original) & _grams(extracted.text)
        assert len(left) < 0.05 * len(_grams(original)), path.name
        checked += 1
    assert checked >= 10


def test_allsides_site_serves_corpus_articles_inside_real_pages(data_dir):
    templates = load_templates(data_dir / "extraction" / "article-extraction-benchmark")
    assert len(templates) >= 170  # of 181: the rest have no locatable body
    site = allsides_site(
        data_dir / "corpus" / "allsides-article-bias", feeds=2, articles=6, templates=templates
    )
    with NewsServer(site) as server:
        for path, info in site.articles.items():
            resp = httpx.get(server.url(path))
            assert resp.status_code == 200 and len(resp.content) > 20_000
            page = extract_page(
                resp.content, server.url(path), "news", resp.headers["content-type"]
            )
            assert page.title == info.title
            assert _f1(page.text, "\n".join(info.paragraphs)) > 0.8
