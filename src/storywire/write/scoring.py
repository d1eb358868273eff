"""Sentence candidates and their scores: what many outlets report ranks first.

Each candidate sentence gets
- *consensus*: the summed weight of its content concepts (stemmed words and word
  pairs) where a concept weighs the number of *other* articles that mention it,
  normalised by sentence length (a sentence full of shared facts ranks high);
- *centrality*: TF-IDF cosine to the centroid of the articles (each weighs equally);
- *position*: news puts the facts first.
Selection (``select``) is greedy on score with a maximal-marginal-relevance
redundancy penalty: concepts already covered by chosen sentences no longer count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from ..models import StoredArticle
from ..text import stem, words
from .readable import strip_connective
from .sentences import is_boilerplate, split_sentences, word_count

LEAD_SENTENCES = 12  # sentences per article considered: news puts the facts first
MIN_WORDS, MAX_WORDS = 6, 80
_ENDS_SENTENCE = re.compile(r"[.!]['\"”’)\]]*$")
_STOP = frozenset(ENGLISH_STOP_WORDS) | {
    "said",
    "says",
    "say",
    "told",
    "according",
    "also",
    "would",
    "could",
    "mr",
    "ms",
    "mrs",
}


@dataclass(frozen=True)
class Candidate:
    text: str
    article: int  # index into the news list
    position: int
    words: int
    concepts: frozenset[str]


def concepts(text: str) -> frozenset[str]:
    """Content words and adjacent content-word pairs, stemmed."""
    stems = [stem(w, "light") if w.lower() not in _STOP else "" for w in words(text, "english")]
    out = {s for s in stems if len(s) > 1}
    out.update(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False) if a and b)
    return frozenset(out)


def usable(sentence: str, title: str) -> bool:
    """A reportable sentence: right length, ends like a statement (not a question or a
    headline), not boilerplate, and not the article's own headline repeated."""
    return (
        MIN_WORDS <= word_count(sentence) <= MAX_WORDS
        and bool(_ENDS_SENTENCE.search(sentence))
        and not is_boilerplate(sentence)
        and sentence.strip().rstrip(".") != title.strip().rstrip(".")
    )


def candidates(articles: Sequence[StoredArticle]) -> list[Candidate]:
    out = []
    for i, a in enumerate(articles):
        kept = 0
        for s in split_sentences(a.text or a.summary):
            if kept >= LEAD_SENTENCES:
                break
            s = strip_connective(s)
            if usable(s, a.title):
                out.append(Candidate(s, i, kept, word_count(s), concepts(s)))
                kept += 1
    return out


@dataclass(frozen=True)
class Weights:
    """Tuned on NeuS train (grid over consensus, position, MMR lambda); differences
    between the better settings were within 0.2 ROUGE-2."""

    consensus: float = 0.5
    central: float = 1.0
    position: float = 0.3
    lam: float = 0.8  # MMR: relevance vs redundancy


def article_concepts(cands: Sequence[Candidate], n_articles: int) -> list[set[str]]:
    per: list[set[str]] = [set() for _ in range(n_articles)]
    for c in cands:
        per[c.article] |= c.concepts
    return per


def score(
    cands: Sequence[Candidate], n_articles: int, w: Weights = Weights()
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, pairwise TF-IDF cosine) of the candidates."""
    per = article_concepts(cands, n_articles)
    df: dict[str, int] = {}
    for concept_set in per:
        for c in concept_set:
            df[c] = df.get(c, 0) + 1
    others = max(1, n_articles - 1)
    consensus = np.array(
        [sum(df[k] - 1 for k in c.concepts) / others / (c.words**0.5 * 4) for c in cands]
    )
    central, sim = _centrality(cands)
    position = np.array([1.0 / (1 + c.position) ** 0.5 for c in cands])
    return w.consensus * consensus + w.central * central + w.position * position, sim


def _centrality(cands: Sequence[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of each sentence to the centroid of all candidate sentences (plain TF-IDF:
    on NeuS this beat sublinear TF and one-vote-per-article centroids)."""
    n = len(cands)
    try:
        X = TfidfVectorizer(stop_words="english").fit_transform([c.text for c in cands])
    except ValueError:  # only stop words
        return np.linspace(1, 0, n), np.eye(n)
    centroid = np.asarray(X.mean(axis=0)).ravel()
    centroid /= np.linalg.norm(centroid) or 1.0
    return np.asarray(X @ centroid).ravel(), (X @ X.T).toarray()


def overlap(cands: Sequence[Candidate]) -> np.ndarray:
    """Share of the shorter sentence's content words found in the other (stemmed): catches
    paraphrases of one fact that TF-IDF cosine scores low ("reopen the government for
    three weeks" in three outlets' words)."""
    return shared_share([{k for k in c.concepts if " " not in k} for c in cands])


def shared_share(word_sets: Sequence[set[str] | frozenset[str]]) -> np.ndarray:
    """Pairwise share of the smaller set found in the other."""
    vocab: dict[str, int] = {}
    indices: list[int] = []
    indptr = [0]
    for word_set in word_sets:
        indices.extend(vocab.setdefault(k, len(vocab)) for k in word_set)
        indptr.append(len(indices))
    M = sparse.csr_matrix(
        (np.ones(len(indices)), indices, indptr), shape=(len(word_sets), max(1, len(vocab)))
    )
    shared = (M @ M.T).toarray()
    sizes = np.diff(indptr).astype(float)
    out: np.ndarray = shared / np.maximum(1.0, np.minimum(sizes[:, None], sizes[None, :]))
    return out


def select(
    cands: Sequence[Candidate],
    scores: np.ndarray,
    sim: np.ndarray,
    budget: int,
    lam: float = 0.75,
    limit: int | None = None,
    max_sim: float = 0.6,
) -> list[int]:
    """Greedy MMR under a word budget; skips near-repeats and sentences that overflow.
    When no sentence fits the budget at all, the shortest one is the story."""
    chosen: list[int] = []
    used = 0
    redundancy = np.zeros(len(cands))
    pool = np.array([c.words <= budget for c in cands])
    if not pool.any():
        return [min(range(len(cands)), key=lambda i: cands[i].words)]
    while pool.any() and (limit is None or len(chosen) < limit):
        gain = np.where(pool, lam * scores - (1 - lam) * redundancy, -np.inf)
        best = int(np.argmax(gain))
        pool[best] = False
        if chosen and redundancy[best] > max_sim:
            continue  # a near-repeat of what is already said
        if used + cands[best].words > budget:
            continue
        chosen.append(best)
        used += cands[best].words
        redundancy = np.maximum(redundancy, sim[:, best])
    return chosen
