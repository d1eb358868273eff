"""Canonical URLs, exact-duplicate and near-duplicate detection.

The canonical URL is the article's identity in the store: courlan strips
tracking parameters and normalises case and ports; we also drop the fragment,
a trailing slash, AMP variants and the ``m.``/``mobile.`` host prefix.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url
from datasketch import LeanMinHash, MinHash, MinHashLSH

_AMP_PATH = re.compile(r"(/amp(?=/|$)|\.amp(?=$|\.html?$))", re.I)
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp|amp=1)(?=&|$)", re.I)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.", re.I)
_WORD = re.compile(r"\w+")
_SCHEME = "affine32"  # datasketch's default; named because signatures travel as numbers


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
    words = _WORD.findall((text or title).casefold())
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


def shingles(text: str, size: int = 5) -> set[str]:
    """Word n-grams of the case-folded text (the whole text when it is shorter)."""
    return _grams(_WORD.findall(text.casefold()), size)


def _grams(words: list[str], size: int = 5) -> set[str]:
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


Signature = tuple[tuple[int, ...], int]
"""A text's MinHash values and shingle count: plain data, cheap to send between processes."""


def signature(text: str, num_perm: int = 64, min_words: int = 40) -> Signature | None:
    """The MinHash signature of a text's word 5-grams; None under ``min_words`` words.

    Pure and picklable, so extraction worker processes compute it beside the page."""
    words = _WORD.findall(text.casefold())
    if len(words) < min_words:
        return None
    grams = _grams(words)
    m = MinHash(num_perm=num_perm, hashfunc=_hash32, scheme=_SCHEME)
    m.update_batch(list(grams))
    return tuple(int(v) for v in m.hashvalues), len(grams)


def _hash32(gram: str) -> int:
    # CRC-32: fast (C), and the same in every process and run, so results are reproducible.
    return zlib.crc32(gram.encode())


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

    def minhash(self, text: str,
                sig: Signature | None = None) -> tuple[LeanMinHash, int] | None:
        """(MinHash, shingle count) of a text, from ``sig`` when it was computed elsewhere
        (see ``signature``); the last one is cached (find, then add)."""
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        if sig is None:
            sig = signature(text, self.num_perm, self.min_words)
        result = None
        if sig is not None and len(sig[0]) == self.num_perm:
            result = (LeanMinHash(seed=1, hashvalues=sig[0], scheme=_SCHEME), sig[1])
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
