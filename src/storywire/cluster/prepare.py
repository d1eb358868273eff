"""The per-article work of a whole stream that does not depend on the clustering state
(raw term counts, content hash, MinHash signature), done ahead in worker processes.

The engine's loop (dedup lookups, assignment, merges) must stay one by one in arrival
order, but on a multi-core machine this part, about two thirds of the CPU of
``storywire batch`` on long articles, runs beside it. Workers are forked once the
articles are in memory and read them from there (copy-on-write): only index ranges go
to them and small results come back. The results are the same as computed in the loop.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from ..dedup import Signature, dedup_keys
from ..models import Article
from .features import Counts, Featurizer
from .online import fields

CHUNK = 256  # articles per task
MIN_ARTICLES = 4 * CHUNK  # fewer are prepared in the loop (starting workers costs more)
Prepared = tuple[Counts, str, Signature | None]  # term counts, content hash, signature

_ARTICLES: Sequence[Article] = ()  # the stream, set before the workers fork
_FEAT: Featurizer | None = None


def auto_processes() -> int:
    """Worker processes for a large stream: the cores beyond the loop's own, up to 4."""
    return min(4, (os.cpu_count() or 1) - 1)


def prepare(articles: Sequence[Article], start: int, stop: int) -> list[Prepared]:
    """Term counts and dedup keys of ``articles[start:stop]``."""
    global _FEAT
    if _FEAT is None:
        _FEAT = Featurizer(use_background=False)  # raw counts need no frequencies
    chunk = articles[start:stop]
    counts = _FEAT.counts_many([fields(_doc(a)) for a in chunk])
    return [(c, *dedup_keys(a.title, a.text)) for a, c in zip(chunk, counts, strict=True)]


def _prepare_shared(start: int, stop: int) -> list[Prepared]:
    return prepare(_ARTICLES, start, stop)


def prepared(articles: Sequence[Article], processes: int) -> Iterator[Prepared]:
    """``prepare`` of every article, in order, from ``processes`` forked workers (at most
    two chunks each in flight, so memory stays flat)."""
    global _ARTICLES
    _ARTICLES = articles
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            starts = iter(range(0, len(articles), CHUNK))
            pending: list[Future[list[Prepared]]] = []
            for _ in range(2 * processes):
                _submit(pool, starts, pending, len(articles))
            while pending:
                done = pending.pop(0).result()
                _submit(pool, starts, pending, len(articles))
                yield from done
    finally:
        _ARTICLES = ()


def _submit(
    pool: ProcessPoolExecutor, starts: Iterator[int], pending: list[Future[list[Prepared]]], n: int
) -> None:
    start = next(starts, None)
    if start is not None:
        pending.append(pool.submit(_prepare_shared, start, min(start + CHUNK, n)))


def _doc(article: Article):  # type: ignore[no-untyped-def]
    from .engine import doc_of  # the engine imports this module

    return doc_of(article)
