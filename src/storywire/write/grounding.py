"""Which articles support a sentence.

An extracted sentence is supported by its own article, by every article holding a
near-identical sentence (TF-IDF cosine >= SUPPORT_SIMILARITY), and by every article
that states the same facts: at least SUPPORT_CONCEPTS of the sentence's content
words appear in that article's candidate sentences, and so does every number. The same test checks a
generated (LLM) sentence against the articles it cites.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..models import StoredArticle
from .scoring import Candidate, concepts

SUPPORT_SIMILARITY = 0.5
SUPPORT_CONCEPTS = 0.6  # share of a sentence's content words found in a supporting article
_NUMBER = re.compile(r"\d[\d,.]*")


def supporters(
    cands: Sequence[Candidate],
    sim: np.ndarray,
    news: Sequence[StoredArticle],
    everyone: Sequence[StoredArticle],
    article_concepts: Sequence[set[str]],
) -> list[tuple[int, ...]]:
    """Supporting article ids of every candidate (duplicates of a supporter included)."""
    copies: dict[int, list[int]] = {}
    for a in everyone:
        if a.duplicate_of is not None:
            copies.setdefault(a.duplicate_of, []).append(a.id)
    out = []
    for i, c in enumerate(cands):
        ids = {news[cands[int(j)].article].id for j in np.nonzero(sim[i] >= SUPPORT_SIMILARITY)[0]}
        ids.add(news[c.article].id)
        words = {k for k in c.concepts if " " not in k}
        numbers = _numbers(c.text)
        for k, held in enumerate(article_concepts):
            if (
                words
                and len(words & held) >= SUPPORT_CONCEPTS * len(words)
                and all(n in _body(news[k]) for n in numbers)
            ):
                ids.add(news[k].id)
        for article_id in list(ids):
            ids.update(copies.get(article_id, ()))
        out.append(tuple(sorted(ids)))
    return out


def supported_by(
    sentence: str,
    article: StoredArticle,
    threshold: float = SUPPORT_CONCEPTS,
) -> bool:
    """Does the article state what the sentence says? Content-word overlap, and every
    number in the sentence must appear in the article."""
    mine = {k for k in concepts(sentence) if " " not in k}
    if not mine:
        return False
    body = _body(article)
    if any(n not in body for n in _numbers(sentence)):
        return False
    return len(mine & concepts(body)) >= threshold * len(mine)


def _numbers(text: str) -> set[str]:
    return {n.rstrip(".,") for n in _NUMBER.findall(text)}


def _body(article: StoredArticle) -> str:
    return f"{article.title}\n{article.text or article.summary}"


def still_supported(
    text: str,
    sources: Sequence[int],
    news: Sequence[StoredArticle],
    article_concepts: Sequence[set[str]],
) -> tuple[int, ...]:
    """The ids among ``sources`` whose article still supports ``text`` (a shortened
    sentence): the content-word share and every number, as in ``supporters``. A
    duplicate's id stays when its original supports the text."""
    index = {a.id: k for k, a in enumerate(news)}
    words = {k for k in concepts(text) if " " not in k}
    numbers = _numbers(text)
    keep = set()
    for k, a in enumerate(news):
        if (
            words
            and len(words & article_concepts[k]) >= SUPPORT_CONCEPTS * len(words)
            and all(n in _body(a) for n in numbers)
        ):
            keep.add(a.id)
    return tuple(i for i in sources if i in keep or (i not in index and keep))
