"""The dedup keys of one text in one compiled pass (numba), without a numpy call per step.

``dedup.dedup_keys`` cuts the case-folded text into ``\\w+`` words, joins them with
spaces (SHA-1 of that is the content hash), takes each word's CRC-32, mixes five
neighbours' CRCs into a 5-gram hash and keeps, per hash function, the minimum over the
distinct 5-grams (the MinHash). In numpy that is some fifty array calls per article and
~390 us; :func:`keys` does it in one loop over the code points (~100 us), with the same
values bit for bit (tests/test_dedup.py checks both against the plain definition).

Loading it costs ~0.7 s of CPU (importing numba, then the compiled code from numba's
cache beside this file; the first run ever compiles it, a few seconds), worth it from
a few thousand articles on: ``dedup.warm_up`` loads it (each ``storywire batch`` worker
as it starts) and until then ``dedup`` takes its numpy path, as it does without numba
(not installed, or a platform it does not support).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

FOLDS = 1  # the text holds a character whose case folding is several characters
ASTRAL = 2  # ... or a character beyond the BMP: the caller takes the plain path

_U32 = np.uint32


def fold_table() -> np.ndarray:
    """Per BMP code point: the code point ``str.casefold`` maps it to, or -1 when it
    maps to several characters (or one beyond the BMP). Case folding maps code points
    one at a time (no context), so the table folds a text as ``casefold`` would."""
    table = np.arange(0x10000, dtype=np.int32)
    for c in range(0x10000):
        ch = chr(c)
        folded = ch.casefold()
        if folded != ch:
            table[c] = ord(folded) if len(folded) == 1 and ord(folded) < 0x10000 else -1
    return table


def crc_table() -> np.ndarray:
    """The byte table of zlib's CRC-32 (reflected polynomial 0xEDB88320)."""
    t = np.zeros(256, dtype=np.uint32)
    for b in range(256):
        r = b
        for _ in range(8):
            r = (r >> 1) ^ (0xEDB88320 if r & 1 else 0)
        t[b] = r
    return t


def _keys(  # the kernel's Python source (compiled below when numba is there)
    cps: np.ndarray,  # uint32 code points of the text (utf-32-le)
    fold: np.ndarray,  # fold_table(), or an empty array: the text is already folded
    word: np.ndarray,  # uint8 per BMP code point: does \w match it
    crc: np.ndarray,  # crc_table()
    mix: np.ndarray,  # uint64 5-gram multipliers
    a: np.ndarray,  # uint64 multiply-shift hashes: (a * x + b) >> 32
    b: np.ndarray,
    min_words: int,  # fewer words: no signature
    want_sig: bool,
) -> tuple[int, np.ndarray, np.ndarray, int]:
    """(status, the joined words in UTF-8, MinHash values, distinct 5-grams); status 0:
    done; FOLDS or ASTRAL: nothing computed. No signature: an empty values array."""
    n = cps.size
    out = np.empty(3 * n + 1, dtype=np.uint8)
    crcs = np.empty(n // 2 + 1, dtype=np.uint64)
    empty = np.empty(0, dtype=np.uint64)
    folding = fold.size > 0
    nb = 0  # bytes written
    nw = 0  # words done
    inword = False
    r = np.uint32(0)
    ff = np.uint32(0xFFFFFFFF)
    for i in range(n):
        c = cps[i]
        if c >= 0x10000:
            return 2, out[:0], empty, 0
        if folding:
            f = fold[c]
            if f < 0:
                return 1, out[:0], empty, 0
            c = np.uint32(f)
        if word[c]:
            if not inword:
                if nw > 0:
                    out[nb] = 32
                    nb += 1
                inword = True
                r = ff
            if c < 0x80:
                out[nb] = c
                r = crc[(r ^ c) & 0xFF] ^ (r >> 8)
                nb += 1
            elif c < 0x800:
                b0 = np.uint32(0xC0 | (c >> 6))
                b1 = np.uint32(0x80 | (c & 0x3F))
                out[nb] = b0
                out[nb + 1] = b1
                r = crc[(r ^ b0) & 0xFF] ^ (r >> 8)
                r = crc[(r ^ b1) & 0xFF] ^ (r >> 8)
                nb += 2
            else:
                b0 = np.uint32(0xE0 | (c >> 12))
                b1 = np.uint32(0x80 | ((c >> 6) & 0x3F))
                b2 = np.uint32(0x80 | (c & 0x3F))
                out[nb] = b0
                out[nb + 1] = b1
                out[nb + 2] = b2
                r = crc[(r ^ b0) & 0xFF] ^ (r >> 8)
                r = crc[(r ^ b1) & 0xFF] ^ (r >> 8)
                r = crc[(r ^ b2) & 0xFF] ^ (r >> 8)
                nb += 3
        elif inword:
            crcs[nw] = np.uint64(r ^ ff)
            nw += 1
            inword = False
    if inword:
        crcs[nw] = np.uint64(r ^ ff)
        nw += 1
    if not want_sig or nw < min_words:
        return 0, out[:nb], empty, 0
    g = len(mix)
    ng = nw - g + 1
    grams = np.empty(ng, dtype=np.uint64)
    shift = np.uint64(32)
    for i in range(ng):
        h = np.uint64(0)
        for k in range(g):
            h += crcs[i + k] * mix[k]
        grams[i] = h >> shift
    grams.sort()
    m = 0
    for i in range(ng):  # distinct, in place
        if i == 0 or grams[i] != grams[m - 1]:
            grams[m] = grams[i]
            m += 1
    values = np.empty(a.size, dtype=np.uint64)
    for k in range(a.size):
        ak = a[k]
        bk = b[k]
        best = ak * grams[0] + bk
        for i in range(1, m):
            v = ak * grams[i] + bk
            if v < best:
                best = v
        values[k] = best >> shift
    return 0, out[:nb], values, m


@cache
def compiled() -> Callable[..., Any] | None:
    """The kernel, compiled and run once on an empty text (None without numba, or when
    numba fails here: the numpy path gives the same keys, only slower)."""
    try:
        from numba import njit
    except ImportError:  # pragma: no cover - numba is a dependency; a broken install
        return None
    try:
        try:
            kernel = njit(cache=True, nogil=True)(_keys)
        except RuntimeError:  # pragma: no cover - no writable cache folder: compile each run
            kernel = njit(nogil=True)(_keys)
        empty = np.zeros(0, dtype=np.uint32)
        none = np.zeros(0, dtype=np.uint64)
        text = np.frombuffer(b"", dtype=np.uint32)  # as the callers pass a text: read-only
        kernel(
            text, np.zeros(0, np.int32), np.zeros(0, np.uint8), empty, none, none, none, 40, True
        )
    except Exception as exc:  # pragma: no cover - e.g. a platform numba cannot compile for
        log.warning("dedup keys: compiled kernel unavailable (%s), using numpy", exc)
        return None
    return kernel
