"""The extractive writer: every sentence of the page is a sentence an outlet wrote.

Scoring rewards what many outlets report: a sentence's TF-IDF cosine to the
centroid of all news articles (each article weighted equally), how many *other*
articles carry a similar sentence (coverage), and its position in its article.
Selection is maximal marginal relevance (MMR) under a word budget; the chosen
sentences are then put in chronological order (article time, then position).
A sentence is supported by its own article and every article holding a
near-identical sentence (cosine >= SUPPORT_SIMILARITY).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..models import Kind, Opinion, Sentence, StoredArticle
from .sentences import is_boilerplate, split_sentences, word_count
from .titles import clean_title

SUPPORT_SIMILARITY = 0.5
LEAD_SENTENCES = 12  # sentences per article considered: news puts the facts first
MIN_WORDS, MAX_WORDS = 6, 60


@dataclass(frozen=True)
class Draft:
    title: str
    highlights: tuple[Sentence, ...]
    body: tuple[Sentence, ...]
    opinions: tuple[Opinion, ...]


@dataclass(frozen=True)
class _Candidate:
    text: str
    article: int  # index into the news list
    position: int


def _candidates(articles: list[StoredArticle]) -> list[_Candidate]:
    out = []
    for i, a in enumerate(articles):
        kept = 0
        for s in split_sentences(a.text or a.summary):
            if kept >= LEAD_SENTENCES:
                break
            if _usable(s, a.title):
                out.append(_Candidate(s, i, kept))
                kept += 1
    return out


_ENDS_SENTENCE = re.compile(r"[.!]['\"”’)\]]*$")


def _usable(sentence: str, title: str) -> bool:
    """A reportable sentence: right length, ends like a statement (not a question or a
    headline), not boilerplate, and not the article's own headline repeated."""
    return (
        MIN_WORDS <= word_count(sentence) <= MAX_WORDS
        and bool(_ENDS_SENTENCE.search(sentence))
        and not is_boilerplate(sentence)
        and sentence.strip().rstrip(".") != title.strip().rstrip(".")
    )


def _mmr(scores: np.ndarray, sim: np.ndarray, words: list[int], budget: int, lam: float,
         limit: int | None = None) -> list[int]:
    chosen: list[int] = []
    used = 0
    pool = set(range(len(scores)))
    while pool and (limit is None or len(chosen) < limit):
        def gain(i: int) -> float:
            redundancy = max((sim[i, j] for j in chosen), default=0.0)
            return lam * scores[i] - (1 - lam) * redundancy
        best = max(pool, key=gain)
        pool.discard(best)
        if chosen and max(sim[best, j] for j in chosen) > 0.6:
            continue  # a near-repeat of what is already said
        if used + words[best] > budget and chosen:
            continue
        chosen.append(best)
        used += words[best]
    return chosen


class ExtractiveWriter:
    name = "extractive"

    def __init__(self, words: int = 250):
        self.words = words

    def write(self, articles: list[StoredArticle]) -> Draft:
        originals = [a for a in articles if a.duplicate_of is None]
        news = [a for a in originals if a.kind == Kind.NEWS]
        views = [a for a in originals if a.kind != Kind.NEWS]
        outlets = tuple({a.outlet for a in articles})
        opinions = tuple(_opinion(a) for a in views)
        pool = news or views  # a story of opinion pieces only still needs a title
        title = _title(pool, outlets)
        if not news:
            return Draft(title, (), (), opinions)
        cands = _candidates(news)
        if not cands:
            lead = Sentence(news[0].title, (news[0].id,))
            return Draft(title, (lead,), (lead,), opinions)
        sim, scores = _score(cands, news)
        words = [word_count(c.text) for c in cands]
        body_idx = _mmr(scores, sim, words, self.words, lam=0.7)
        body_idx.sort(key=lambda i: (news[cands[i].article].published, cands[i].article,
                                     cands[i].position))
        high_idx = _mmr(scores, sim, words, 10_000, lam=0.45, limit=3)
        support = _supporters(cands, sim, news, articles)
        body = tuple(Sentence(cands[i].text, support[i]) for i in body_idx)
        highlights = tuple(Sentence(cands[i].text, support[i]) for i in high_idx)
        return Draft(title, highlights, body, opinions)


def _score(cands: list[_Candidate], news: list[StoredArticle]) -> tuple[np.ndarray, np.ndarray]:
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        X = vec.fit_transform([c.text for c in cands])
    except ValueError:  # only stop words
        n = len(cands)
        return np.eye(n), np.linspace(1, 0, n)
    owner = np.array([c.article for c in cands])
    per_article = np.vstack([
        np.asarray(X[owner == i].mean(axis=0)) for i in range(len(news)) if (owner == i).any()
    ])
    centroid = per_article.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    central = np.asarray(X @ centroid).ravel()
    sim = (X @ X.T).toarray()
    other = owner[None, :] != owner[:, None]
    coverage = ((sim > 0.3) & other).sum(axis=1) / max(1, len(news) - 1)
    position = np.array([1.0 / (1 + c.position) for c in cands])
    return sim, 0.6 * central + 0.25 * np.minimum(coverage, 1.0) + 0.15 * position


def _supporters(cands: list[_Candidate], sim: np.ndarray, news: list[StoredArticle],
                everyone: list[StoredArticle]) -> list[tuple[int, ...]]:
    copies: dict[int, list[int]] = {}
    for a in everyone:
        if a.duplicate_of is not None:
            copies.setdefault(a.duplicate_of, []).append(a.id)
    out = []
    for i in range(len(cands)):
        ids = {news[cands[j].article].id for j in np.nonzero(sim[i] >= SUPPORT_SIMILARITY)[0]}
        ids.add(news[cands[i].article].id)
        for article_id in list(ids):
            ids.update(copies.get(article_id, ()))
        out.append(tuple(sorted(ids)))
    return out


def _title(articles: list[StoredArticle], outlets: tuple[str, ...]) -> str:
    titles = [clean_title(a.title, outlets) for a in articles]
    titles = [t for t in titles if t] or [a.title for a in articles] or ["Untitled story"]
    if len(titles) <= 2:
        return min(titles, key=len)
    try:
        X = TfidfVectorizer(stop_words="english").fit_transform(titles)
    except ValueError:
        return min(titles, key=len)
    centrality = np.asarray((X @ X.T).mean(axis=1)).ravel()
    best = max(range(len(titles)), key=lambda i: (round(float(centrality[i]), 6), -len(titles[i])))
    return titles[best]


def _opinion(article: StoredArticle) -> Opinion:
    sentences = [s for s in split_sentences(article.text or article.summary)
                 if _usable(s, article.title)]
    gist = sentences[0] if sentences else article.summary or article.title
    return Opinion(
        article_id=article.id, outlet=article.outlet, author=article.author,
        title=article.title, gist=gist, url=article.url, kind=article.kind,
    )
