"""The per-article work of a whole stream that does not depend on the clustering state
(raw term counts, content hash, MinHash signature), done ahead in worker processes.

The engine's loop (dedup lookups, assignment, merges) must stay one by one in arrival
order, but on a multi-core machine this part, about two thirds of the CPU of
``storywire batch`` on long articles, runs beside it. Workers are forked once the
articles are in memory and read them from there (copy-on-write): only index ranges go
to them and small results come back. The results are the same as computed in the loop.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

from ..dedup import Signature, dedup_keys, warm_up
from ..models import Article
from .features import Counts, Featurizer
from .online import fields

CHUNK = 256  # articles per task
MIN_ARTICLES = 4 * CHUNK  # fewer are prepared in the loop (starting workers costs more)
Prepared = tuple[Counts, str, Signature | None]  # term counts, content hash, signature

_ARTICLES: Sequence[Article] = ()  # the stream, set before the workers fork
_FEAT: Featurizer | None = None


def auto_processes() -> int:
    """Worker processes for a large stream: the cores this process may run on (its CPU
    affinity, e.g. ``taskset``) beyond the loop's own, up to 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(4, cores - 1)


def prepare(articles: Sequence[Article], start: int, stop: int) -> list[Prepared]:
    """Term counts and dedup keys of ``articles[start:stop]``."""
    global _FEAT
    if _FEAT is None:
        _FEAT = Featurizer(use_background=False)  # raw counts need no frequencies
    chunk = articles[start:stop]
    counts = _FEAT.counts_many([fields(_doc(a)) for a in chunk])
    return [(c, *dedup_keys(a.title, a.text)) for a, c in zip(chunk, counts, strict=True)]


def _prepare_shared(start: int, stop: int) -> Packed:
    return pack(prepare(_ARTICLES, start, stop))


# A chunk's results travel as a few flat arrays, not one small array per field and
# article: pickling thousands of small arrays cost the loop more than the clustering.
Packed = tuple[list[Any], list[str], np.ndarray, np.ndarray]


def pack(chunk: list[Prepared]) -> Packed:
    """``chunk`` as (each ``Counts`` field flattened over the chunk, content hashes,
    MinHash values (one row per article, zeros without), shingle counts (-1: none))."""
    counts = [c for c, _, _ in chunk]
    flat: list[Any] = []
    for f in dataclasses.fields(Counts):
        values = [getattr(c, f.name) for c in counts]
        flat.append(_flatten(values))
    sigs = [s for _, _, s in chunk]
    width = max((len(s[0]) for s in sigs if s is not None), default=0)
    rows = np.zeros((len(chunk), width), dtype=np.uint32)
    sizes = np.full(len(chunk), -1, dtype=np.int64)
    for i, s in enumerate(sigs):
        if s is not None:
            rows[i, : len(s[0])], sizes[i] = s[0], s[1]
    return flat, [d for _, d, _ in chunk], rows, sizes


def unpack(packed: Packed) -> list[Prepared]:
    """The inverse of :func:`pack`."""
    flat, digests, rows, sizes = packed
    columns = [_split(f, len(digests)) for f in flat]
    values = rows.tolist()
    return [
        (
            Counts(*(col[i] for col in columns)),
            digests[i],
            None if sizes[i] < 0 else (tuple(values[i]), int(sizes[i])),
        )
        for i in range(len(digests))
    ]


def _flatten(values: list[Any]) -> Any:
    """One field over a chunk: arrays concatenated with their bounds, tuples of arrays
    field by field, anything else as a list."""
    first = values[0]
    if isinstance(first, np.ndarray):
        bounds = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([v.size for v in values], out=bounds[1:])
        return ("array", np.concatenate(values), bounds)
    if isinstance(first, tuple):
        return ("tuple", [_flatten([v[k] for v in values]) for k in range(len(first))])
    return ("list", values)


def _split(flat: Any, n: int) -> list[Any]:
    if flat[0] == "array":
        data, bounds = flat[1], flat[2].tolist()
        return [data[bounds[i] : bounds[i + 1]] for i in range(n)]
    if flat[0] == "tuple":
        parts = [_split(f, n) for f in flat[1]]
        return [tuple(p[i] for p in parts) for i in range(n)]
    return list(flat[1])


AHEAD = 2  # chunks queued per worker beyond those the pool has handed out


def prepared(articles: Sequence[Article], processes: int) -> Iterator[Prepared]:
    """``prepare`` of every article, in order, from ``processes`` forked workers (a few
    chunks each in flight, so memory stays flat).

    When the loop needs a chunk that is not ready yet, it does not wait idle: it takes
    back the last queued chunk that no worker has started and prepares it itself (on a
    two-core machine the loop and one worker then share the work instead of the loop
    waiting on the worker). Who computes a chunk does not change its values."""
    global _ARTICLES
    _ARTICLES = articles
    warm_up(kernel=False)  # tables the workers share (built once, before they fork)
    context = multiprocessing.get_context("fork")
    n = len(articles)
    try:
        # Each worker loads the compiled dedup kernel as it starts; this process does
        # not (~0.7 s before the loop could start): a chunk it takes back is prepared
        # on the numpy path, which gives the same keys.
        with ProcessPoolExecutor(processes, mp_context=context, initializer=warm_up) as pool:
            starts = iter(range(0, n, CHUNK))
            pending: list[tuple[int, Future[Packed] | list[Prepared]]] = []

            def submit() -> None:
                start = next(starts, None)
                if start is not None:
                    job = pool.submit(_prepare_shared, start, min(start + CHUNK, n))
                    pending.append((start, job))

            # Up to processes + 1 are handed to the pool at once; beyond those, a chunk
            # stays queued here and can be taken back.
            for _ in range(2 * processes + 1 + AHEAD):
                submit()
            while pending:
                _steal(articles, pending)
                _, head = pending.pop(0)
                submit()
                yield from head if isinstance(head, list) else unpack(head.result())
    finally:
        _ARTICLES = ()


def _steal(
    articles: Sequence[Article], pending: list[tuple[int, Future[Packed] | list[Prepared]]]
) -> None:
    """While the first pending chunk is not ready, prepare queued ones here (latest first)."""
    head = pending[0][1]
    while isinstance(head, Future) and not head.done():
        for k in range(len(pending) - 1, 0, -1):
            start, job = pending[k]
            if isinstance(job, Future) and job.cancel():
                pending[k] = (start, prepare(articles, start, min(start + CHUNK, len(articles))))
                break
        else:
            return


def _doc(article: Article):  # type: ignore[no-untyped-def]
    from .engine import doc_of  # the engine imports this module

    return doc_of(article)
