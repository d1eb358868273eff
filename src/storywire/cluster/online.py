"""Online story clustering: each arriving article joins the most similar open
story or starts a new one. Nothing already assigned is ever moved.

Representation: hashed TF-IDF of the title (counted twice: headlines name the
event) and the lead of the text. Document frequencies are learned from the
stream itself, so there is no vocabulary to fit up front. A story is the
normalised mean of its articles' vectors.

Decision: cosine to each candidate story >= threshold, where candidates are
stories in the same language with an article within ``window`` of this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

N_FEATURES = 2**20
LEAD_CHARS = 1200
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    published: datetime
    language: str = ""


@dataclass
class _Story:
    id: int
    language: str
    first: datetime
    last: datetime
    total: sp.csr_matrix  # sum of member vectors (each L2-normalised)
    size: int = 0


@dataclass
class OnlineClusterer:
    window: timedelta = timedelta(hours=72)
    threshold: float = 0.18
    _df: np.ndarray = field(default_factory=lambda: np.zeros(N_FEATURES, dtype=np.float32))
    _n_docs: int = 0
    _stories: dict[int, _Story] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._hasher = HashingVectorizer(
            n_features=N_FEATURES, analyzer=_tokens, alternate_sign=False, norm=None
        )

    def _counts(self, doc: Doc) -> sp.csr_matrix:
        text = f"{doc.title}\n{doc.title}\n{doc.text[:LEAD_CHARS]}"
        return self._hasher.transform([text]).tocsr()

    def _vector(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        idf = np.log((self._n_docs + 1) / (self._df[counts.indices] + 1)) + 1.0
        data = (1.0 + np.log(counts.data)) * idf
        norm = np.linalg.norm(data) or 1.0
        return sp.csr_matrix((data / norm, counts.indices, counts.indptr), shape=counts.shape)

    def _candidates(self, doc: Doc) -> list[_Story]:
        lo, hi = doc.published - self.window, doc.published + self.window
        return [
            s for s in self._stories.values()
            if s.last >= lo and s.first <= hi
            and (not s.language or not doc.language or s.language == doc.language)
        ]

    def assign(self, doc: Doc) -> int | None:
        """The id of the story this document joins, or None for a new story.

        Learns the document's terms (document frequency) as a side effect; call
        :meth:`add` next with the story id chosen.
        """
        counts = self._counts(doc)
        self._df[counts.indices] += 1
        self._n_docs += 1
        candidates = self._candidates(doc)
        if not candidates:
            return None
        vec = self._vector(counts)
        totals = sp.vstack([s.total for s in candidates]).tocsr()
        norms = np.sqrt(np.asarray(totals.multiply(totals).sum(axis=1)).ravel())
        sims = np.asarray((totals @ vec.T).todense()).ravel() / np.maximum(norms, 1e-9)
        best = int(np.argmax(sims))
        return candidates[best].id if sims[best] >= self.threshold else None

    def add(self, doc: Doc, story_id: int, *, learn: bool = False) -> None:
        """Record that ``doc`` belongs to ``story_id`` (learn=True when priming from the store)."""
        counts = self._counts(doc)
        if learn:
            self._df[counts.indices] += 1
            self._n_docs += 1
        vec = self._vector(counts)
        story = self._stories.get(story_id)
        if story is None:
            self._stories[story_id] = _Story(
                story_id, doc.language, doc.published, doc.published, vec, 1
            )
            return
        story.total = story.total + vec
        story.size += 1
        story.first = min(story.first, doc.published)
        story.last = max(story.last, doc.published)

    def forget_before(self, when: datetime) -> int:
        """Drop stories whose last article is older than ``when``; return how many."""
        old = [k for k, s in self._stories.items() if s.last < when]
        for k in old:
            del self._stories[k]
        return len(old)
