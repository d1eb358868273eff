"""Canonical URLs, exact-duplicate and near-duplicate detection.

The canonical URL is the article's identity in the store: courlan strips
tracking parameters and normalises case and ports; we also drop the fragment,
a trailing slash, AMP variants and the ``m.``/``mobile.`` host prefix.
"""

from __future__ import annotations

import array
import functools
import hashlib
import itertools
import re
import threading
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from courlan import normalize_url

from . import dedup_kernel
from .text import CUTS, words

_AMP_PATH = re.compile(r"(/amp(?=/|$)|\.amp(?=$|\.html?$))", re.I)
_AMP_QUERY = re.compile(r"(^|&)(amp|outputType=amp|amp=1)(?=&|$)", re.I)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.", re.I)
_WORD = CUTS["plain"]  # the words of the dedup keys (see _joined)


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
    return hashlib.sha1(_joined(text or title)).hexdigest()


def _words(text: str) -> list[str]:
    return words(text.casefold(), "plain")


Signature = tuple[tuple[int, ...], int]
"""A text's MinHash values and shingle count: plain data, cheap to send between processes."""

_GRAM = 5
_U64 = np.uint64
_SHIFT = _U64(32)
_SPACE = 32
_CRC_LEN = 128  # words up to this many bytes get their CRC-32 from tables, longer ones from zlib


def _word_table(size: int) -> np.ndarray:
    """Which of the first ``size`` code points ``\\w`` matches, as a lookup table (Python's
    own regex engine decides, so the words are exactly those of ``_WORD.findall``)."""
    table = np.zeros(size, dtype=bool)
    for m in _WORD.finditer("".join(map(chr, range(size)))):
        table[m.start() : m.end()] = True
    return table


# The Basic Multilingual Plane (~10 ms at import, so forked workers inherit it). A text
# with a character beyond it (an emoji, say; 67 of the 33k AllSides texts) takes the
# plain definition instead: a table of all of Unicode cost 0.15 s before the workers fork.
_BMP_WORD = _word_table(0x10000)


def _joined(text: str) -> bytes:
    """``" ".join(_words(text))`` in UTF-8, without a Python object per word: the
    case-folded text's code points, word characters kept, each run of others one space."""
    low = text.casefold()
    cps = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if cps.size == 0:
        return b""
    if cps.max() >= 0x10000:
        return " ".join(_WORD.findall(low)).encode()
    word = _BMP_WORD[cps]
    keep = word.copy()
    keep[1:] |= word[:-1]  # the first character after a word: its separator
    out = np.where(word, cps, _SPACE)[keep]
    if out.size and out[-1] == _SPACE:
        out = out[:-1]
    return out.tobytes().decode("utf-32-le").encode()


def warm_up(kernel: bool = True) -> None:
    """Build the lookup tables now (e.g. before forking workers that share them) and,
    with ``kernel``, load the compiled kernel (~0.7 s of CPU, see ``dedup_kernel``)."""
    global _KERNEL
    _crc_tables()
    if kernel and _KERNEL is None and (compiled := dedup_kernel.compiled()) is not None:
        _kernel_tables()
        _KERNEL = compiled


@functools.cache
def _crc_tables() -> tuple[np.ndarray, np.ndarray]:
    """CRC-32 is affine over GF(2): for a word w of L bytes, ``zlib.crc32(w)`` is the XOR
    of ``T[L-1-i][w[i]]`` over its bytes, XOR ``zlib.crc32(bytes(L))``, where ``T[j][b]``
    is the register (zero start, no final inversion) after byte b and j zero bytes.
    Returns (T flattened, j * 256 + b; the constants per length)."""
    t0 = dedup_kernel.crc_table()
    rows = [t0]
    for _ in range(_CRC_LEN - 1):
        rows.append(t0[rows[-1] & 0xFF] ^ (rows[-1] >> 8))
    lengths = np.array([zlib.crc32(bytes(n)) for n in range(_CRC_LEN + 1)], dtype=np.uint32)
    return np.concatenate(rows), lengths


def _word_crcs(joined: bytes) -> np.ndarray:
    """``zlib.crc32`` of each word of ``joined`` (words separated by single spaces), all
    at once in numpy."""
    if not joined:
        return np.zeros(0, dtype=np.uint64)
    table, const = _crc_tables()
    b = np.frombuffer(joined, dtype=np.uint8)
    space = b == _SPACE
    gaps = np.flatnonzero(space)
    ends = np.empty(gaps.size + 1, dtype=np.intp)  # one past each word's last byte
    ends[:-1], ends[-1] = gaps, b.size
    starts = np.empty_like(ends)
    starts[0], starts[1:] = 0, gaps + 1
    lens = ends - starts
    inner = np.flatnonzero(~space)
    back = np.repeat(ends - 1, lens) - inner  # a byte's distance to its word's last byte
    long = lens > _CRC_LEN
    if long.any():
        back = np.minimum(back, _CRC_LEN - 1)
    parts = table[back * 256 + b[inner]]
    # Word k starts at byte starts[k], which is starts[k] - k among the non-space bytes.
    crcs = np.bitwise_xor.reduceat(parts, starts - np.arange(starts.size))
    crcs ^= const[np.minimum(lens, _CRC_LEN)]
    for k in np.flatnonzero(long):  # rare: over 128 bytes
        crcs[k] = zlib.crc32(joined[ends[k] - lens[k] : ends[k]])
    return crcs.astype(np.uint64)


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
    if _KERNEL is not None:
        done = _compiled(_KERNEL, text, num_perm, min_words, True)
        if done is not None:
            return done[1]
    return _signature(_word_crcs(_joined(text)), num_perm, min_words)


def dedup_keys(
    title: str, text: str, num_perm: int = 64, min_words: int = 40
) -> tuple[str, Signature | None]:
    """``content_hash`` and ``signature`` at once (the text is split into words once)."""
    if _KERNEL is not None:
        done = _compiled(_KERNEL, text or title, num_perm, min_words, bool(text))
        if done is not None:
            return hashlib.sha1(done[0].tobytes()).hexdigest(), done[1]
    joined = _joined(text or title)
    digest = hashlib.sha1(joined).hexdigest()
    return digest, _signature(_word_crcs(joined), num_perm, min_words) if text else None


@functools.cache
def _kernel_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(case folding, word characters, CRC-32 bytes) per code point, for the kernel."""
    return dedup_kernel.fold_table(), _BMP_WORD.astype(np.uint8), dedup_kernel.crc_table()


_NO_FOLD = np.zeros(0, dtype=np.int32)
_KERNEL: Callable[..., Any] | None = None  # dedup_kernel's, once warm_up loaded it


def _compiled(
    kernel: Callable[..., Any], text: str, num_perm: int, min_words: int, want_sig: bool
) -> tuple[np.ndarray, Signature | None] | None:
    """(joined words in UTF-8, signature) from the compiled kernel; None for a text with
    a character beyond the BMP (the numpy path's plain definition takes it)."""
    fold, word, crc = _kernel_tables()
    mix, a, b = _params(num_perm)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    status, joined, values, grams = kernel(cps, fold, word, crc, mix, a, b, min_words, want_sig)
    if status == dedup_kernel.FOLDS:  # e.g. "ß" -> "ss": Python folds the text first
        cps = np.frombuffer(text.casefold().encode("utf-32-le", "surrogatepass"), np.uint32)
        status, joined, values, grams = kernel(
            cps, _NO_FOLD, word, crc, mix, a, b, min_words, want_sig
        )
    if status != 0:
        return None
    return joined, (tuple(values.tolist()), int(grams)) if values.size else None


def _signature(w: np.ndarray, num_perm: int, min_words: int) -> Signature | None:
    # Vectorised (numpy) rather than one Python hash call per shingle: CRC-32 of each word
    # (``_word_crcs``), the 5-gram hash as a fixed linear mix of its words' hashes, then
    # num_perm multiply-shift hashes of every distinct 5-gram and their minimum (the
    # shift commutes with the minimum, so it is taken once per hash function).
    if len(w) < min_words:
        return None
    mix, a, b = _params(num_perm)
    n = len(w) - _GRAM + 1
    grams = w[:n] * mix[0]
    for k in range(1, _GRAM):
        grams += w[k : k + n] * mix[k]
    grams = np.sort(grams >> _SHIFT)
    grams = grams[np.append(True, grams[1:] != grams[:-1])]  # distinct (np.unique, faster)
    products = _scratch(num_perm * grams.size).reshape(num_perm, grams.size)
    np.multiply(a[:, None], grams, out=products)
    products += b[:, None]
    values = products.min(axis=1) >> _SHIFT
    return tuple(values.tolist()), len(grams)


_SCRATCH = threading.local()
_SCRATCH_MAX = 1 << 22  # uint64s kept per thread (32 MiB; 65k shingles at 64 hashes)


def _scratch(size: int) -> np.ndarray:
    """A reused buffer of at least ``size`` uint64 for this thread: a fresh one for the
    (num_perm x shingles) products each time cost more than the products (page faults)."""
    if size > _SCRATCH_MAX:  # a huge text: not kept
        return np.empty(size, dtype=np.uint64)
    buf: np.ndarray | None = getattr(_SCRATCH, "buf", None)
    if buf is None or buf.size < size:
        buf = np.empty(max(size, 1 << 19), dtype=np.uint64)
        _SCRATCH.buf = buf
    return buf[:size]


# datasketch's choice for the LSH thresholds of the usual near-duplicate thresholds (0.5
# to 0.7, see NearDuplicates): importing datasketch (and scipy with it) costs ~0.4 s of
# every `storywire batch`. tests/test_dedup.py checks these against datasketch.
KNOWN_BANDS = {(0.3, 64): (21, 3), (0.42, 64): (16, 4), (0.48, 64): (16, 4)}


@functools.cache
def _band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) that datasketch's ``MinHashLSH`` picks for this threshold."""
    known = KNOWN_BANDS.get((round(threshold, 6), num_perm))
    if known is not None:
        return known
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


_Hashed = tuple[np.ndarray, int, list[tuple[int, ...]]]  # MinHash, shingle count, band keys


class NearDuplicates:
    """MinHash LSH over word 5-gram shingles: finds an earlier article that an article
    copies with light edits (syndicated wire copy with a new headline, a byline, boilerplate
    or trimmed paragraphs).

    A candidate from the LSH buckets is confirmed with the estimated Jaccard similarity
    of the two shingle sets, or, when one text is mostly contained in the other (a
    trimmed copy), with the containment estimated from the same MinHashes. Texts of
    fewer than ``min_words`` words are never matched (too little evidence).

    The LSH index is datasketch's banding (same bands, same candidates), kept in plain
    dicts keyed by the bands' values: datasketch's own index cost more per article than
    the clustering it sits beside.
    """

    def __init__(self, threshold: float = 0.7, num_perm: int = 64, min_words: int = 40):
        self.threshold = threshold
        self.num_perm = num_perm
        self.min_words = min_words
        # A lower LSH threshold than the confirm threshold, so containment cases are found.
        bands, rows = _band_shape(max(0.3, threshold * 0.6), num_perm)
        self._bands, self._rows = bands, rows
        self._buckets: list[dict[tuple[int, ...], set[int]]] = [{} for _ in range(bands)]
        self._hashes: dict[int, _Hashed] = {}
        self._last: tuple[str, _Hashed | None] | None = None

    def __len__(self) -> int:
        return len(self._hashes)

    def minhash(self, text: str, sig: Signature | None = None) -> _Hashed | None:
        """(MinHash values, shingle count, band keys) of a text, from ``sig`` when it was
        computed elsewhere (see ``signature``); the last one is cached (find, then add)."""
        if self._last is not None and self._last[0] == text:
            return self._last[1]
        if sig is None:
            sig = signature(text, self.num_perm, self.min_words)
        result = None
        if sig is not None and len(sig[0]) == self.num_perm:
            values = sig[0]
            # band k: values[k * rows : (k + 1) * rows] (zip over one iterator cuts them)
            cut = zip(*[iter(values)] * self._rows, strict=False)
            keys = list(itertools.islice(cut, self._bands))
            result = (np.frombuffer(array.array("I", values), dtype=np.uint32), sig[1], keys)
        self._last = (text, result)
        return result

    def find(self, text: str, sig: Signature | None = None) -> int | None:
        """The id of the earliest stored article this text nearly duplicates."""
        mh = self.minhash(text, sig)
        if mh is None:
            return None
        found: set[int] = set()
        for band, bucket in zip(mh[2], self._buckets, strict=True):
            ids = bucket.get(band)
            if ids:
                found |= ids
        best: int | None = None
        for other in found:
            if (best is None or other < best) and self._similar(mh, self._hashes[other]):
                best = other
        return best

    def _similar(self, a: _Hashed, b: _Hashed) -> bool:
        jaccard = float(np.count_nonzero(a[0] == b[0])) / float(self.num_perm)
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
        for key, bucket in zip(mh[2], self._buckets, strict=True):
            ids = bucket.get(key)
            if ids is None:
                bucket[key] = {article_id}
            else:
                ids.add(article_id)

    def remove(self, article_id: int) -> None:
        mh = self._hashes.pop(article_id, None)
        if mh is None:
            return
        for key, bucket in zip(mh[2], self._buckets, strict=True):
            ids = bucket[key]
            ids.discard(article_id)
            if not ids:
                del bucket[key]
