"""Canonical URLs, exact-duplicate and near-duplicate detection.

The canonical URL is the article's identity in the store: courlan strips
tracking parameters and normalises case and ports; we also drop the fragment,
a trailing slash, AMP variants and the ``m.``/``mobile.`` host prefix.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from courlan import normalize_url
from datasketch import LeanMinHash, MinHashLSH

from .text import words

_AMP_PATH = re.compile(r"(/amp(?=/|$)|\.amp(?=$|\.html?$))", re.I)
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp|amp=1)(?=&|$)", re.I)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.", re.I)
# datasketch needs a scheme name for hash values made elsewhere; ours (see _signature)
# are 32-bit values like its "affine32", which fixes their storage type.
_STORAGE = "affine32"


def canonical_url(url: str) -> str:
    try:
        url = normalize_url(url.strip(), strict=True)
    except (ValueError, TypeError):
        url = url.strip()
    parts = urlsplit(url)
    host = _MOBILE_HOST.sub("www.", parts.netloc)
    path = _AMP_PATH.sub("", parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = _AMP_QUERY.sub("", parts.query).strip("&")
    return urlunsplit((parts.scheme, host, path or "/", query, ""))


def content_hash(title: str, text: str) -> str:
    """Hash of the words of the text (or title when there is no text), case-folded."""
    return _digest(_words(text or title))


def _words(text: str) -> list[str]:
    return words(text.casefold(), "plain")


def _digest(words: list[str]) -> str:
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


Signature = tuple[tuple[int, ...], int]
"""A text's MinHash values and shingle count: plain data, cheap to send between processes."""

_GRAM = 5
_U64 = np.uint64
_SHIFT = _U64(32)


@functools.cache
def _params(num_perm: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixed random odd multipliers: 5 to combine word hashes into a 5-gram hash, and
    ``num_perm`` (a, b) pairs of the multiply-shift hash family ((a*x + b) mod 2**64) >> 32.
    Seeded, so signatures are the same in every process and run."""
    rng = np.random.default_rng(20240601)
    odd = _U64(1)
    grams = rng.integers(1, 2**63, _GRAM, dtype=np.uint64) | odd
    a = rng.integers(1, 2**63, num_perm, dtype=np.uint64) | odd
    b = rng.integers(0, 2**63, num_perm, dtype=np.uint64)
    return grams, a, b


def signature(text: str, num_perm: int = 64, min_words: int = 40) -> Signature | None:
    """The MinHash signature of a text's word 5-grams; None under ``min_words`` words.

    Pure and picklable, so extraction worker processes compute it beside the page."""
    return _signature(_words(text), num_perm, min_words)


def dedup_keys(
    title: str, text: str, num_perm: int = 64, min_words: int = 40
) -> tuple[str, Signature | None]:
    """``content_hash`` and ``signature`` at once (the text is split into words once)."""
    words = _words(text or title)
    return _digest(words), _signature(words, num_perm, min_words) if text else None


def _signature(words: list[str], num_perm: int, min_words: int) -> Signature | None:
    # Vectorised (numpy) rather than one Python hash call per shingle: CRC-32 of each word
    # once, the 5-gram hash as a fixed linear mix of its words' hashes, then num_perm
    # multiply-shift hashes of every distinct 5-gram and their minimum. ~3x faster than
    # hashing each 5-gram string, and this runs for every fetched article.
    if len(words) < min_words:
        return None
    mix, a, b = _params(num_perm)
    w = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    n = len(w) - _GRAM + 1
    grams = w[:n] * mix[0]
    for k in range(1, _GRAM):
        grams += w[k : k + n] * mix[k]
    grams = np.unique(grams >> _SHIFT)
    values = ((np.multiply.outer(grams, a) + b) >> _SHIFT).min(axis=0)
    return tuple(values.tolist()), len(grams)


class NearDuplicates:
    """MinHash LSH over word 5-gram shingles: finds an earlier article that an article
    copies with light edits (syndicated wire copy with a new headline, a byline, boilerplate
    or trimmed paragraphs).

    A candidate from the LSH buckets is confirmed with the estimated Jaccard similarity
    of the two shingle sets, or, when one text is mostly contained in the other (a
    trimmed copy), with the containment estimated from the same MinHashes. Texts of
    fewer than ``min_words`` words are never matched (too little evidence).
    """

    def __init__(self, threshold: float = 0.7, num_perm: int = 64, min_words: int = 40):
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_words = min_words
        # A lower LSH threshold than the confirm threshold, so containment cases are found.
        self._lsh = MinHashLSH(threshold=max(0.3, threshold * 0.6), num_perm=num_perm)
        self._hashes: dict[int, tuple[LeanMinHash, int]] = {}
        self._last: tuple[str, tuple[LeanMinHash, int] | None] | None = None

    def __len__(self) -> int:
        return len(self._hashes)

    def minhash(self, text: str, sig: Signature | None = None) -> tuple[LeanMinHash, int] | None:
        """(MinHash, shingle count) of a text, from ``sig`` when it was computed elsewhere
        (see ``signature``); the last one is cached (find, then add)."""
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        if sig is None:
            sig = signature(text, self.num_perm, self.min_words)
        result = None
        if sig is not None and len(sig[0]) == self.num_perm:
            result = (LeanMinHash(seed=1, hashvalues=sig[0], scheme=_STORAGE), sig[1])
        self._last = (text, result)
        return result

    def find(self, text: str, sig: Signature | None = None) -> int | None:
        """The id of the earliest stored article this text nearly duplicates."""
        mh = self.minhash(text, sig)
        if mh is None:
            return None
        best: int | None = None
        for key in self._lsh.query(mh[0]):
            other, size = self._hashes[key]
            if self._similar(mh, (other, size)) and (best is None or key < best):
                best = key
        return best

    def _similar(self, a: tuple[LeanMinHash, int], b: tuple[LeanMinHash, int]) -> bool:
        jaccard = a[0].jaccard(b[0])
        if jaccard >= self.threshold:
            return True
        # |A∩B| = J/(1+J) * (|A|+|B|); containment of the smaller set in the larger.
        inter = jaccard / (1 + jaccard) * (a[1] + b[1])
        return inter / max(1, min(a[1], b[1])) >= max(self.threshold, 0.8) and jaccard >= 0.35

    def add(self, article_id: int, text: str, sig: Signature | None = None) -> None:
        mh = self.minhash(text, sig)
        if mh is None or article_id in self._hashes:
            return
        self._hashes[article_id] = mh
        self._lsh.insert(article_id, mh[0])

    def remove(self, article_id: int) -> None:
        if self._hashes.pop(article_id, None) is not None:
            self._lsh.remove(article_id)
