"""The story engine: the one owner of the dedup and clustering state and of the loop
that puts each arriving article into a story.

    article ─► exact duplicate? (content hash) ─► near duplicate? (MinHash LSH)
        │ record it (ledger) ─► a duplicate joins its original's story
        ▼
    assign (online clusterer) ─► join a live story or start one
        │ every ``merge_every`` new clustered articles: maintenance
        ▼
    merge live stories that turned out to be one; forget stories and near-duplicate
    entries older than twice the window

The live pipeline (polling and ``storywire import``), ``storywire batch`` and the
benchmarks all run this loop, so they give the same stories on the same input. Where
articles and stories are recorded is the *ledger*: the SQLite store for the pipeline, a
:class:`MemoryLedger` for ``batch`` and the benchmarks. The engine never imports the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from threadpoolctl import threadpool_limits

from ..dedup import NearDuplicates, Signature, content_hash
from ..models import Article, StoredArticle
from ..timeutil import FUTURE_SLACK, utcnow
from .features import Counts
from .model import PairModel
from .online import Doc, OnlineClusterer
from .prepare import MIN_ARTICLES, prepared

if TYPE_CHECKING:
    from ..settings import Settings

MERGE_EVERY = 200  # new clustered articles between two maintenance passes
MERGE_COSINE = 0.4  # centroid cosine at which two live stories are one
MERGE_COSINE_HEADLINES = 0.25  # ... when their articles are headline-only
BATCH = 256  # articles whose raw term counts are computed together


def doc_of(article: Article) -> Doc:
    """The clusterer's view of an article (the one place an Article becomes a Doc)."""
    return Doc(
        title=article.title,
        text=article.text,
        published=article.published,
        language=article.language,
        outlet=article.outlet,
        url=article.url,
    )


class Ledger(Protocol):
    """Where the engine records articles and stories (``Store`` has these methods)."""

    def find_by_hash(self, content_hash: str) -> int | None: ...

    def add_article(
        self,
        article: Article,
        *,
        content_hash: str,
        duplicate_of: int | None = None,
        source_info: dict[str, str] | None = None,
    ) -> int | None: ...

    def story_of(self, article_id: int) -> int | None: ...

    def create_story(self, published: datetime) -> int: ...

    def assign_story(self, article_id: int, story_id: int) -> None: ...

    def merge_stories(self, absorbed: int, into: int) -> None: ...


class MemoryLedger:
    """A ledger in memory (``storywire batch``, benchmarks): articles and stories are
    numbered 1, 2, ... in the order they arrive, as in a fresh store."""

    def __init__(self, *, unique_urls: bool = True) -> None:
        self.unique_urls = unique_urls  # False: every item is new (evaluation sets)
        self.urls: dict[str, int] = {}
        self.hashes: dict[str, int] = {}
        self.story: list[int | None] = [None]  # article id -> story id (index 0 unused)
        self.merged: dict[int, int] = {}  # absorbed story -> the story it went into
        self.stories = 0

    def find_by_hash(self, content_hash: str) -> int | None:
        return self.hashes.get(content_hash)

    def add_article(
        self,
        article: Article,
        *,
        content_hash: str,
        duplicate_of: int | None = None,
        source_info: dict[str, str] | None = None,
    ) -> int | None:
        if self.unique_urls and article.url in self.urls:
            return None
        article_id = len(self.story)
        if self.unique_urls:
            self.urls[article.url] = article_id
        self.story.append(None)
        if duplicate_of is None:
            self.hashes.setdefault(content_hash, article_id)
        return article_id

    def story_of(self, article_id: int) -> int | None:
        story = self.story[article_id]
        return None if story is None else self.root(story)

    def create_story(self, published: datetime) -> int:
        self.stories += 1
        return self.stories

    def assign_story(self, article_id: int, story_id: int) -> None:
        self.story[article_id] = story_id

    def merge_stories(self, absorbed: int, into: int) -> None:
        if absorbed != into:
            self.merged[absorbed] = into

    def root(self, story: int) -> int:
        """The story ``story`` ended up in (after merges)."""
        while story in self.merged:
            story = self.merged[story]
        return story

    def labels(self) -> list[int]:
        """The final story of each article, in arrival order (0: the article was not
        placed in a story)."""
        return [0 if s is None else self.root(s) for s in self.story[1:]]


@dataclass(frozen=True)
class EngineConfig:
    """The engine's settings (see settings.py for their meaning)."""

    window: timedelta = timedelta(hours=72)
    max_span: timedelta = timedelta(days=7)
    threshold: float | None = None  # None: the pair model's own
    near_duplicate_threshold: float = 0.7
    dedup: bool = True  # False: every article is clustered (labelled evaluation sets)
    merge_every: int = MERGE_EVERY  # 0: never merge
    merge_cosine: float = MERGE_COSINE
    merge_headlines: float = MERGE_COSINE_HEADLINES

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineConfig:
        return cls(
            window=timedelta(hours=settings.cluster_window_hours),
            max_span=timedelta(days=settings.cluster_max_span_days),
            threshold=settings.cluster_threshold,
            near_duplicate_threshold=settings.near_duplicate_threshold,
        )


@dataclass(frozen=True)
class Placed:
    """Where one stored article went."""

    article_id: int
    story_id: int | None
    duplicate_of: int | None


@dataclass
class StoryEngine:
    """Dedup and online clustering over a ledger; ``changed`` collects the stories whose
    articles changed (new articles, merges) for the writer.

    ``clusterer``: a prepared one (e.g. a benchmark's instrumented subclass, a pair
    model under training); by default one is built from the config, and again by
    :meth:`reset`. ``model``: the pair model for the default clusterer."""

    ledger: Ledger
    config: EngineConfig = field(default_factory=EngineConfig)
    clusterer: OnlineClusterer | None = None
    model: PairModel | None = None
    changed: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._given = self.clusterer
        self.reset()

    def reset(self) -> None:
        """Empty in-memory state (e.g. after a store rollback); :meth:`prime` refills it."""
        c = self.config
        self.clusterer = self._given or OnlineClusterer(
            window=c.window, threshold=c.threshold, max_span=c.max_span, model=self.model
        )
        self._given = None  # a given clusterer holds state: it is used once
        self.near = NearDuplicates(threshold=c.near_duplicate_threshold)
        self._near_dates: dict[int, datetime] = {}
        self._since_maintenance = 0
        self.latest: datetime | None = None  # newest publication time recorded

    @property
    def live(self) -> OnlineClusterer:
        assert self.clusterer is not None
        return self.clusterer

    @property
    def window(self) -> timedelta:
        return self.live.window

    # -- state from a ledger that already holds articles --------------------------------

    def prime(self, recent: Sequence[StoredArticle], latest: datetime | None) -> None:
        """Rebuild the open stories and the near-duplicate index from the articles of the
        last two windows (``recent``, oldest first) and the newest publication time."""
        self.latest = latest
        docs = [doc_of(a) for a in recent]
        for a, doc, counts in zip(recent, docs, self.live.counts(docs), strict=True):
            if a.duplicate_of is None and a.story_id is not None:
                self.live.add(doc, a.story_id, learn=True, counts=counts)
            if a.duplicate_of is None:
                self._remember(a.id, a.text, a.published)

    # -- one article --------------------------------------------------------------------

    def counts(self, articles: Sequence[Article]) -> list[Counts]:
        """Raw term counts of a batch of articles at once (they do not depend on the
        clustering state), for :meth:`add`."""
        return self.live.counts([doc_of(a) for a in articles])

    def add(
        self,
        article: Article,
        source_info: dict[str, str] | None = None,
        *,
        digest: str | None = None,
        sig: Signature | None = None,
        counts: Counts | None = None,
    ) -> Placed | None:
        """Dedup, record and cluster one article; None when its URL is already recorded.

        An exact (content hash) or near duplicate (MinHash LSH) is recorded with
        ``duplicate_of`` pointing at the article it copies and joins that story (so the
        story still counts its outlet); it never feeds the clusterer or the LSH index.
        ``digest``, ``sig`` and ``counts`` may come precomputed (an extraction worker, a
        batch); they are computed here otherwise."""
        if digest is None:
            digest = content_hash(article.title, article.text)
        original = self._original(article, digest, sig)
        article_id = self.ledger.add_article(
            article, content_hash=digest, duplicate_of=original, source_info=source_info
        )
        if article_id is None:
            return None
        # A date past tomorrow (one that slipped past the parsers) must not move the
        # horizon: it would retire every live story.
        if (self.latest is None or article.published > self.latest) and (
            article.published <= utcnow() + FUTURE_SLACK
        ):
            self.latest = article.published
        if original is not None:
            story_id = self.ledger.story_of(original)
        else:
            story_id = self._cluster(doc_of(article), article.published, counts)
            if self.config.dedup:
                self._remember(article_id, article.text, article.published, sig)
        if story_id is not None:
            self.ledger.assign_story(article_id, story_id)
            self.changed.add(story_id)
        # After the assignment: a merge may absorb the story this article just joined.
        if self.config.merge_every and self._since_maintenance >= self.config.merge_every:
            self.maintain()
        return Placed(article_id, story_id, original)

    def _original(self, article: Article, digest: str, sig: Signature | None) -> int | None:
        if not self.config.dedup:
            return None
        original = self.ledger.find_by_hash(digest)
        return original if original is not None else self.near.find(article.text, sig)

    def _cluster(self, doc: Doc, published: datetime, counts: Counts | None) -> int:
        story_id = self.live.assign(doc, counts=counts)
        if story_id is None:
            story_id = self.ledger.create_story(published)
        self.live.add(doc, story_id, counts=counts)
        self._since_maintenance += 1
        return story_id

    def _remember(
        self, article_id: int, text: str, published: datetime, sig: Signature | None = None
    ) -> None:
        self.near.add(article_id, text, sig)
        self._near_dates[article_id] = published

    # -- maintenance --------------------------------------------------------------------

    def maintain(self) -> list[tuple[int, int]]:
        """Merge live stories that turned out to be one (the ledger moves the articles)
        and forget what is older than twice the window; return the merges made."""
        self._since_maintenance = 0
        c = self.config
        merges = self.live.merge_similar(c.merge_cosine, c.merge_headlines)
        for absorbed, into in merges:
            self.ledger.merge_stories(absorbed, into)
            self.changed.discard(absorbed)
            self.changed.add(into)
        self.forget()
        return merges

    def finish(self) -> list[tuple[int, int]]:
        """The end of a run (a poll cycle, an import, a batch): a last maintenance pass."""
        return self.maintain() if self.config.merge_every else []

    def forget(self) -> None:
        """Retire stories and near-duplicate entries older than twice the window before
        the newest article: each live story holds ~100 KB of dense state."""
        if self.latest is None:
            return
        horizon = self.latest - 2 * self.window
        self.live.forget_before(horizon)
        for article_id in [i for i, d in self._near_dates.items() if d < horizon]:
            self.near.remove(article_id)
            del self._near_dates[article_id]

    # -- a whole stream -----------------------------------------------------------------

    def run(
        self,
        articles: Iterable[Article],
        progress: Callable[[int], None] | None = None,
        *,
        finish: bool = True,
    ) -> tuple[int, int]:
        """Add every article (publication order is best for clustering), term counts a
        batch at a time; return (new, already recorded). BLAS runs single-threaded: the
        products are small, and a second BLAS thread competing for the same core (pinned,
        or a busy machine) made clustering 2.5x slower."""
        new = known = 0
        for placed in self.place(articles, progress, finish=finish):
            new += placed is not None
            known += placed is None
        return new, known

    def place(
        self,
        articles: Iterable[Article],
        progress: Callable[[int], None] | None = None,
        *,
        finish: bool = True,
        processes: int = 0,
    ) -> Iterator[Placed | None]:
        """:meth:`run`, yielding where each article went (None: URL already recorded).

        ``processes`` > 0: a list of at least ``prepare.MIN_ARTICLES`` has its term
        counts and dedup keys computed ahead in that many worker processes (the same
        values; see ``cluster/prepare.py``)."""
        with threadpool_limits(1, user_api="blas"):
            if processes > 0 and isinstance(articles, list) and len(articles) >= MIN_ARTICLES:
                for article, (counts, digest, sig) in zip(
                    articles, prepared(articles, processes), strict=True
                ):
                    yield self.add(article, digest=digest, sig=sig, counts=counts)
                    if progress:
                        progress(1)
            else:
                for article, counts in _counted(articles, self):
                    yield self.add(article, counts=counts)
                    if progress:
                        progress(1)
            if finish:
                self.finish()


def _counted(articles: Iterable[Article], engine: StoryEngine) -> Iterator[tuple[Article, Counts]]:
    it = iter(articles)
    while batch := list(islice(it, BATCH)):
        yield from zip(batch, engine.counts(batch), strict=True)


def cluster_stream(
    docs: Iterable[Doc],
    clusterer: OnlineClusterer | None = None,
    *,
    merge_every: int = MERGE_EVERY,
    merge_cosine: float = MERGE_COSINE,
    merge_headlines: float = MERGE_COSINE_HEADLINES,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Story label of each document, in order (merges followed to the surviving story):
    the engine's loop without dedup, over a memory ledger (labelled evaluation sets,
    where every item must be clustered). ``progress(n)`` every 1,000 documents."""
    config = EngineConfig(
        dedup=False,
        merge_every=merge_every,
        merge_cosine=merge_cosine,
        merge_headlines=merge_headlines,
    )
    ledger = MemoryLedger(unique_urls=False)
    engine = StoryEngine(ledger, config, clusterer=clusterer)
    engine.run(map(_article_of, docs), progress_every(1000, progress))
    return ledger.labels()


def progress_every(k: int, progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """A per-article progress callback that calls ``progress(n)`` every ``k`` articles."""
    if progress is None:
        return None
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if done % k == 0:
            progress(done)

    return step


def _article_of(doc: Doc) -> Article:
    """An evaluation item as an article (``doc_of`` gives the same Doc back)."""
    return Article(
        url=doc.url,
        title=doc.title,
        text=doc.text,
        published=doc.published,
        outlet=doc.outlet,
        language=doc.language,
    )
