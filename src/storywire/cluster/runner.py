"""Clustering a whole stream in memory (benchmarks, training, ``storywire batch``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from threadpoolctl import threadpool_limits

from .features import Counts
from .online import Doc, OnlineClusterer

MERGE_EVERY = 200  # articles between two maintenance passes
MERGE_COSINE = 0.4  # centroid cosine at which two live stories are one
MERGE_COSINE_HEADLINES = 0.25  # ... when their articles are headline-only
BATCH = 256  # documents whose raw term counts are computed together


def cluster_stream(
    docs: Iterable[Doc],
    clusterer: OnlineClusterer | None = None,
    *,
    merge_every: int = MERGE_EVERY,
    merge_cosine: float = MERGE_COSINE,
    merge_headlines: float = MERGE_COSINE_HEADLINES,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Story label of each document, in order: online assignment, a maintenance pass
    (merge stories that are one; retire stories past the late window) every
    ``merge_every`` articles (0: never), merges followed to the surviving story.

    BLAS runs single-threaded here: the products are small, and a second BLAS thread
    competing for the same core (pinned, or a busy machine) made clustering 2.5x slower."""
    with threadpool_limits(1, user_api="blas"):
        return _stream(
            docs,
            clusterer or OnlineClusterer(),
            merge_every,
            (merge_cosine, merge_headlines),
            progress,
        )


def _stream(
    docs: Iterable[Doc],
    clusterer: OnlineClusterer,
    merge_every: int,
    merge_cosine: tuple[float, float],
    progress: Callable[[int], None] | None,
) -> list[int]:
    labels: list[int] = []
    into: dict[int, int] = {}
    for n, (doc, counts) in enumerate(_counted(docs, clusterer), 1):
        story = clusterer.assign(doc, counts=counts)
        if story is None:
            story = len(labels) + 1 if not labels else n
        clusterer.add(doc, story, counts=counts)
        labels.append(story)
        if merge_every and n % merge_every == 0:
            for absorbed, target in clusterer.merge_candidates(*merge_cosine):
                into[absorbed] = target
            clusterer.forget_before(doc.published - 2 * clusterer.window)
        if progress and n % 1000 == 0:
            progress(n)
    if merge_every:
        for absorbed, target in clusterer.merge_candidates(*merge_cosine):
            into[absorbed] = target
    return [_root(into, s) for s in labels]


def _counted(docs: Iterable[Doc], clusterer: OnlineClusterer) -> Iterable[tuple[Doc, Counts]]:
    """The documents with their raw term counts, computed a batch at a time (they do
    not depend on the clustering state; IDF and assignment stay in arrival order)."""
    it = iter(docs)
    while batch := list(islice(it, BATCH)):
        yield from zip(batch, clusterer.counts(batch), strict=True)


def _root(into: dict[int, int], story: int) -> int:
    while story in into:
        story = into[story]
    return story
