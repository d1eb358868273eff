"""Document features for clustering: hashed TF-IDF vectors learned from the stream.

Three views of one article, each an L2-normalised sparse vector (indices, values):

- ``all``: the title counted twice (headlines name the event) plus the lead of the text;
- ``title``: the title alone (its scale does not depend on whether the body is present);
- ``ent``: capitalised words and numbers of title and lead, a cheap stand-in for named
  entities, places and figures.

Terms are hashed (CRC32) into fixed spaces, so there is no vocabulary to fit and memory
does not grow with the stream. Document frequencies are counted incrementally as
articles arrive, so the IDF is always that of the stream seen so far.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

ALL_BITS = 14  # hashed space of the ``all`` view (16,384 dimensions)
SMALL_BITS = 12  # hashed space of the ``title`` and ``ent`` views (4,096 dimensions)
LEAD_CHARS = 1200
_WORD = re.compile(r"(?u)\b\w\w+\b")
_CAPS = re.compile(r"\b(?:[A-Z][\w'-]*[a-z0-9][\w'-]*|[A-Z]{2,}|\d[\d.,]*\d|\d)\b")
_STOP = frozenset(ENGLISH_STOP_WORDS)
_CACHE_MAX = 400_000


def _stem(word: str) -> str:
    """A crude suffix stripper (plural, -ing, -ed): enough to join "taper"/"tapering"."""
    if word.startswith("#") or len(word) <= 4 or word[-1].isdigit():
        return word
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e")


@dataclass(frozen=True)
class View:
    """One L2-normalised sparse vector: sorted unique hashed indices and their weights."""

    idx: np.ndarray
    val: np.ndarray


@dataclass(frozen=True)
class DocVectors:
    all: View
    title: View
    ent: View
    headline_only: bool


class Featurizer:
    """Turns title + text into :class:`DocVectors`, learning IDF from what it sees."""

    def __init__(self) -> None:
        self.df_all = np.zeros(1 << ALL_BITS, dtype=np.float32)
        self.df_small = np.zeros(1 << SMALL_BITS, dtype=np.float32)
        self.n_docs = 0
        self._hashes: dict[str, int] = {}

    def _hash(self, tokens: list[str]) -> np.ndarray:
        cache = self._hashes
        if len(cache) > _CACHE_MAX:
            cache.clear()
        out = []
        for t in tokens:
            h = cache.get(t)
            if h is None:
                h = cache[t] = zlib.crc32(_stem(t).encode())
            out.append(h)
        return np.array(out, dtype=np.int64)

    def counts(self, title: str, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Hashed term ids (with repeats) of the three views; no learning."""
        lead = text[:LEAD_CHARS]
        title_words = [w for w in _WORD.findall(title.lower()) if w not in _STOP]
        lead_words = [w for w in _WORD.findall(lead.lower()) if w not in _STOP]
        caps = [w.lower() for w in _CAPS.findall(f"{title}\n{lead}")]
        caps = ["#" + w for w in caps if w not in _STOP]
        th = self._hash(title_words)
        all_ids = np.concatenate([th, th, self._hash(lead_words)]) & ((1 << ALL_BITS) - 1)
        title_ids = th & ((1 << SMALL_BITS) - 1)
        ent_ids = self._hash(caps) & ((1 << SMALL_BITS) - 1)
        return all_ids, title_ids, ent_ids, len(lead_words) < 30

    def learn(self, ids: tuple[np.ndarray, np.ndarray, np.ndarray, bool]) -> None:
        """Count one document in the document frequencies."""
        all_ids, title_ids, ent_ids, _ = ids
        self.df_all[np.unique(all_ids)] += 1
        self.df_small[np.unique(np.concatenate([title_ids, ent_ids]))] += 1
        self.n_docs += 1

    def _view(self, ids: np.ndarray, df: np.ndarray) -> View:
        if ids.size == 0:
            return View(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        uniq, tf = np.unique(ids, return_counts=True)
        w = (1.0 + np.log(tf)) * (np.log((self.n_docs + 1) / (df[uniq] + 1)) + 1.0)
        norm = float(np.sqrt(w @ w)) or 1.0
        return View(uniq, (w / norm).astype(np.float32))

    def vectors(self, ids: tuple[np.ndarray, np.ndarray, np.ndarray, bool]) -> DocVectors:
        all_ids, title_ids, ent_ids, headline_only = ids
        return DocVectors(
            all=self._view(all_ids, self.df_all),
            title=self._view(title_ids, self.df_small),
            ent=self._view(ent_ids, self.df_small),
            headline_only=headline_only,
        )
