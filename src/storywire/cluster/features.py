"""Document features for clustering: hashed TF-IDF vectors learned from the stream.

Three views of one article, each an L2-normalised sparse vector (indices, values):

- ``all``: the title counted twice (headlines name the event) plus the lead of the text;
- ``title``: the title alone (its scale does not depend on whether the body is present);
  the words of the URL's path (its "slug", see :func:`url_words`) count as title words,
  because publishers often write a fuller headline or keywords there;
- ``ent``: capitalised words and numbers of title and lead, a cheap stand-in for named
  entities, places and figures.

Terms are hashed (CRC32) into fixed spaces, so there is no vocabulary to fit and memory
does not grow with the stream. Document frequencies are counted incrementally as
articles arrive, on top of a shipped *background* table (``background_df.json.gz``:
the document frequencies of the 37,554 AllSides articles of the shared data, rebuilt by
``tools/train_cluster_model.py``), so the IDF is that of a large general news corpus
plus the stream seen so far: words common in any news (``says``, ``report``) weigh
little from the first article on, and names new to the stream weigh a lot.

An article's raw term counts (:class:`Counts`) do not depend on the stream, so
:meth:`Featurizer.counts_many` computes them for a whole batch at once (one hash lookup
pass and one ``np.unique`` per view over the batch); only :meth:`Featurizer.learn` and
:meth:`Featurizer.vectors` (IDF weighting) must run in arrival order.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from ..text import headline, names, stem, topic_words
from .stopwords import STOP_WORDS

ALL_BITS = 14  # hashed space of the ``all`` view (16,384 dimensions)
SMALL_BITS = 12  # hashed space of the ``title`` and ``ent`` views (4,096 dimensions)
LEAD_CHARS = 1200
HEADLINE_WORDS = 30  # fewer lead words (stop words excluded) than this: headline only
_STOP = STOP_WORDS
_CACHE_MAX = 400_000
_URL_WORD = re.compile(r"[A-Za-z]{3,}")
# Path words that say nothing about the event (file types, CMS and section boilerplate).
_URL_STOP = frozenset(
    (
        "html",
        "htm",
        "shtml",
        "php",
        "asp",
        "aspx",
        "jsp",
        "cms",
        "story",
        "stories",
        "article",
        "articles",
        "news",
        "index",
        "www",
        "default",
        "content",
        "amp",
        "print",
        "post",
        "posts",
        "blog",
        "blogs",
        "entry",
        "item",
        "node",
        "view",
        "feed",
        "rss",
        "share",
        "comments",
        "ece",
    )
)
_ALL_MASK = (1 << ALL_BITS) - 1
_SMALL_MASK = (1 << SMALL_BITS) - 1


def url_words(url: str) -> str:
    """The words of a URL's path (not its host or query), lower case: alphabetic runs of
    three letters or more written in lower or title case (mixed-case runs are usually
    parts of opaque ids), without path boilerplate. Digits are dropped, so article
    numbers and dates in the path carry no information, and a path segment that is
    more than a third digits (a hexadecimal id) is skipped whole."""
    if not url.startswith(("http://", "https://")):  # e.g. a batch line's "urn:" id
        return ""
    words = []
    for segment in urlsplit(url).path.split("/"):
        digits = sum(map(str.isdigit, segment))
        if 3 * digits > sum(map(str.isalnum, segment)):
            continue
        words += [w.lower() for w in _URL_WORD.findall(segment) if w.islower() or w.istitle()]
    return " ".join(w for w in words if w not in _URL_STOP)


def derived_title(text: str) -> str:
    """What the features take for the title of an article that has none: the headline
    :func:`storywire.text.headline` derives from the text (its first line when that reads
    as a headline, else its first sentence, cut to 20 words), as ``batch`` and the live
    path title such an article. The text itself is kept whole."""
    return headline("", text)[0]


class _WordHashes(dict[str, int]):
    """Lower-case word -> CRC32 of its stem, or -1 for a stop word (filled on a miss)."""

    def __missing__(self, word: str) -> int:
        h = -1 if word in _STOP else zlib.crc32(stem(word, "topic").encode())
        self[word] = h
        return h


class _CapsHashes(dict[str, int]):
    """Capitalised word or number as written -> CRC32 of "#" + lower case, -1 if stop."""

    def __missing__(self, word: str) -> int:
        low = word.lower()
        h = -1 if low in _STOP else zlib.crc32(("#" + low).encode())
        self[word] = h
        return h


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


@dataclass(frozen=True)
class Counts:
    """Raw hashed term counts of one article, per view: sorted unique ids and their
    ``1 + log(tf)``; ``small`` holds the ids of the title and ent views together."""

    all: tuple[np.ndarray, np.ndarray]
    title: tuple[np.ndarray, np.ndarray]
    ent: tuple[np.ndarray, np.ndarray]
    small: np.ndarray
    headline_only: bool


def _hash_all(table: dict[str, int], words: list[str]) -> np.ndarray:
    return np.fromiter(map(table.__getitem__, words), dtype=np.int64, count=len(words))


def _grouped(keys: np.ndarray, bits: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique (doc << bits | id) keys -> (ids, 1 + log(tf), per-doc bounds)."""
    uniq, tf = np.unique(keys, return_counts=True)
    bounds = np.searchsorted(uniq >> bits, np.arange(n + 1))
    return uniq & ((1 << bits) - 1), 1.0 + np.log(tf), bounds


BACKGROUND = "background_df.json.gz"


@cache
def background() -> tuple[np.ndarray, np.ndarray, int]:
    """The shipped background document frequencies: (``all`` view, ``title``/``ent``
    views, number of documents)."""
    raw = resources.files("storywire.cluster").joinpath(BACKGROUND).read_bytes()
    data = json.loads(gzip.decompress(raw))
    return (
        np.array(data["all"], dtype=np.float32),
        np.array(data["small"], dtype=np.float32),
        int(data["n_docs"]),
    )


class Featurizer:
    """Turns title + text into :class:`DocVectors`, learning IDF from what it sees
    (on top of the background table unless ``use_background`` is False)."""

    def __init__(self, use_background: bool = True) -> None:
        self.df_all = np.zeros(1 << ALL_BITS, dtype=np.float32)
        self.df_small = np.zeros(1 << SMALL_BITS, dtype=np.float32)
        self.n_docs = 0
        if use_background:
            df_all, df_small, self.n_docs = background()
            self.df_all += df_all
            self.df_small += df_small
        self._words = _WordHashes()
        self._caps = _CapsHashes()

    def counts(self, title: str, text: str) -> Counts:
        """Raw term counts of one article; no learning."""
        return self.counts_many([(title, text)])[0]

    def counts_many(self, docs: Sequence[tuple[str, str]]) -> list[Counts]:
        """Raw term counts of many (title, text) articles at once; no learning."""
        if len(self._words) + len(self._caps) > _CACHE_MAX:
            self._words.clear()
            self._caps.clear()
        n = len(docs)
        title_w: list[str] = []
        lead_w: list[str] = []
        caps_w: list[str] = []
        sizes = np.zeros((3, n), dtype=np.int64)
        for i, (title, text) in enumerate(docs):
            lead = text[:LEAD_CHARS]
            if not title.strip():
                title = derived_title(lead)
            t, w = topic_words(title), topic_words(lead)
            c = names(f"{title}\n{lead}")
            title_w += t
            lead_w += w
            caps_w += c
            sizes[:, i] = len(t), len(w), len(c)
        doc_ids = np.arange(n, dtype=np.int64)
        th, lh, ch = (
            _hash_all(self._words, title_w),
            _hash_all(self._words, lead_w),
            _hash_all(self._caps, caps_w),
        )
        td, ld, cd = (np.repeat(doc_ids, sizes[k]) for k in range(3))
        tk, lk, ck = th >= 0, lh >= 0, ch >= 0  # stop words hash to -1
        th, td, lh, ld, ch, cd = th[tk], td[tk], lh[lk], ld[lk], ch[ck], cd[ck]
        headline = np.bincount(ld, minlength=n) < HEADLINE_WORDS
        t_all = (td << ALL_BITS) | (th & _ALL_MASK)
        a_ids, a_tf, a_b = _grouped(
            np.concatenate([t_all, t_all, (ld << ALL_BITS) | (lh & _ALL_MASK)]), ALL_BITS, n
        )
        t_keys = (td << SMALL_BITS) | (th & _SMALL_MASK)
        e_keys = (cd << SMALL_BITS) | (ch & _SMALL_MASK)
        t_ids, t_tf, t_b = _grouped(t_keys, SMALL_BITS, n)
        e_ids, e_tf, e_b = _grouped(e_keys, SMALL_BITS, n)
        s_ids, _, s_b = _grouped(np.concatenate([t_keys, e_keys]), SMALL_BITS, n)
        return [
            Counts(
                (a_ids[a_b[i] : a_b[i + 1]], a_tf[a_b[i] : a_b[i + 1]]),
                (t_ids[t_b[i] : t_b[i + 1]], t_tf[t_b[i] : t_b[i + 1]]),
                (e_ids[e_b[i] : e_b[i + 1]], e_tf[e_b[i] : e_b[i + 1]]),
                s_ids[s_b[i] : s_b[i + 1]],
                bool(headline[i]),
            )
            for i in range(n)
        ]

    def table(self) -> dict[str, Any]:
        """The document frequencies learnt so far, as the background file stores them."""
        return {
            "n_docs": self.n_docs,
            "all": self.df_all.astype(int).tolist(),
            "small": self.df_small.astype(int).tolist(),
        }

    def learn(self, counts: Counts) -> None:
        """Count one document in the document frequencies."""
        self.df_all[counts.all[0]] += 1
        self.df_small[counts.small] += 1
        self.n_docs += 1

    def _view(self, ids: tuple[np.ndarray, np.ndarray], df: np.ndarray) -> View:
        uniq, log_tf = ids
        if uniq.size == 0:
            return View(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
        w = log_tf * (np.log((self.n_docs + 1) / (df[uniq] + 1)) + 1.0)
        norm = float(np.sqrt(w @ w)) or 1.0
        return View(uniq, (w / norm).astype(np.float32))

    def vectors(self, counts: Counts) -> DocVectors:
        return DocVectors(
            all=self._view(counts.all, self.df_all),
            title=self._view(counts.title, self.df_small),
            ent=self._view(counts.ent, self.df_small),
            headline_only=counts.headline_only,
        )


_SHARED: Featurizer | None = None


def with_url_words(title: str, url: str) -> str:
    """The title the features see: the URL's path words (:func:`url_words`) appended."""
    words = url_words(url)
    return f"{title}\n{words}" if words else title


def term_counts(title: str, text: str, url: str = "") -> Counts:
    """Raw term counts of one article (URL path words included, as the clusterer counts
    them) with a process-wide featurizer (only its word-hash caches are used; nothing is
    learned). A plain module function, so it can be sent to worker processes and
    computed next to the extraction."""
    global _SHARED
    if _SHARED is None:
        _SHARED = Featurizer(use_background=False)  # counts need no document frequencies
    return _SHARED.counts(with_url_words(title, url), text)
