"""Online story clustering: each arriving article joins a live story or starts one.
Nothing already assigned is re-clustered; maintenance may later merge two stories.

Stories are kept in *slots* of three dense column matrices (one per feature view, see
``features``), holding the sum of their articles' vectors. Scoring an article against
every live story is one gather of the article's term rows, with no Python loop over
stories, so the cost per article depends on the number of live stories only (stories
are retired ``2 * window`` after their last article, or earlier under ``max_live``).

Decision: the pair model (``model``) scores each candidate story; the article joins the
best one when its probability reaches ``threshold``. A story is *open* while its newest
article is less than ``window`` old; after that it is *closed* but can still absorb a
late article whose probability reaches ``late_threshold``. Stories in other languages
are never candidates. A story that reached ``max_size`` articles takes no more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from .features import ALL_BITS, SMALL_BITS, Counts, DocVectors, Featurizer, View, with_url_words
from .model import PairModel, pair_features

_DAY = 86400.0
_NO_ROWS = np.zeros(0, dtype=np.int64)
ROW_GATHER = 1024  # up to this many slots, scoring gathers whole rows (faster than np.ix_)
TOP_TERMS = 24  # heaviest terms of a story used to shortlist merge partners
SHORTLIST = 3  # merge partners checked exactly per changed story


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    published: datetime
    language: str = ""
    outlet: str = ""
    url: str = ""


def fields(doc: Doc) -> tuple[str, str]:
    """The (title, text) the features are computed from: the URL's path words are
    appended to the title (see :func:`features.url_words`)."""
    return with_url_words(doc.title, doc.url), doc.text


def _days(when: datetime) -> float:
    return when.timestamp() / _DAY


class _Slots:
    """Dense per-story state, grown by doubling; freed slots are reused."""

    def __init__(self, cap: int = 64):
        self.cap = 0
        self.A = np.zeros((1 << ALL_BITS, 0), dtype=np.float32)
        self.T = np.zeros((1 << SMALL_BITS, 0), dtype=np.float32)
        self.E = np.zeros((1 << SMALL_BITS, 0), dtype=np.float32)
        self.n2 = np.zeros((3, 0))
        self.first = np.zeros(0)
        self.last = np.zeros(0)
        self.size = np.zeros(0)
        self.heads = np.zeros(0)  # headline-only articles
        self.lang = np.zeros(0, dtype=np.int64)
        self.used = np.zeros(0, dtype=bool)
        self.ids = np.zeros(0, dtype=np.int64)
        self.outlets: list[dict[str, float]] = []
        self.seen: dict[str, np.ndarray] = {}  # outlet -> its newest article per slot (NaN)
        self.terms: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = []
        self.rowcache: list[dict[int, tuple[int, np.ndarray]]] = []
        self.free: list[int] = []
        self._grow(cap)

    def _grow(self, cap: int) -> None:
        old = self.cap
        self.A = np.pad(self.A, ((0, 0), (0, cap - old)))
        self.T = np.pad(self.T, ((0, 0), (0, cap - old)))
        self.E = np.pad(self.E, ((0, 0), (0, cap - old)))
        self.n2 = np.pad(self.n2, ((0, 0), (0, cap - old)))
        for name in ("first", "last", "size", "heads", "lang", "used", "ids"):
            setattr(self, name, np.pad(getattr(self, name), (0, cap - old)))
        self.outlets.extend({} for _ in range(cap - old))
        for outlet, arr in self.seen.items():
            self.seen[outlet] = np.pad(arr, (0, cap - old), constant_values=np.nan)
        self.terms.extend([] for _ in range(cap - old))
        self.rowcache.extend({} for _ in range(cap - old))
        self.free.extend(range(cap - 1, old - 1, -1))
        self.cap = cap

    def take(self) -> int:
        if not self.free:
            self._grow(self.cap * 2)
        return self.free.pop()

    def rows(self, s: int, view: int) -> np.ndarray:
        """The rows (terms) where slot ``s`` of a view may be non-zero (sorted, unique;
        cached and extended as articles arrive)."""
        terms = self.terms[s]
        done, rows = self.rowcache[s].get(view, (0, _NO_ROWS))
        if done == len(terms):
            return rows
        parts = [t[view] for t in terms[done:]]
        if done == 0 and len(parts) == 1:
            rows = parts[0]  # one article's indices are already sorted and unique
        else:
            rows = np.unique(np.concatenate([rows, *parts]))
        self.rowcache[s][view] = (len(terms), rows)
        return rows

    def release(self, s: int) -> None:
        # Zero only the rows this story used (a whole column is strided and slow); a row
        # twice is no harm, so the articles' rows need no sorting out.
        terms = self.terms[s]
        for view, mat in enumerate((self.A, self.T, self.E)):
            if len(terms) == 1:
                mat[terms[0][view], s] = 0
            elif terms:
                mat[np.concatenate([t[view] for t in terms]), s] = 0
        self.terms[s] = []
        self.rowcache[s] = {}
        self.n2[:, s] = 0
        self.used[s] = False
        self.size[s] = self.heads[s] = 0
        for outlet in self.outlets[s]:
            self.seen[outlet][s] = np.nan
        self.outlets[s] = {}
        self.free.append(s)

    def add(self, s: int, v: DocVectors) -> None:
        self.terms[s].append((v.all.idx, v.title.idx, v.ent.idx))
        for row, (mat, view) in enumerate(((self.A, v.all), (self.T, v.title), (self.E, v.ent))):
            col = mat[view.idx, s]
            self.n2[row, s] += 2.0 * float(col @ view.val) + float(view.val @ view.val)
            mat[view.idx, s] = col + view.val

    def saw(self, s: int, outlet: str, t: float) -> None:
        """Slot ``s`` has an article of ``outlet`` at time ``t`` (days)."""
        newest = max(t, self.outlets[s].get(outlet, t))
        self.outlets[s][outlet] = newest
        if outlet not in self.seen:
            self.seen[outlet] = np.full(self.cap, np.nan)
        self.seen[outlet][s] = newest

    def cosines(
        self, mat: np.ndarray, view: View, norms: np.ndarray, cands: np.ndarray
    ) -> np.ndarray:
        if view.idx.size == 0:
            return np.zeros(cands.size)
        if self.cap <= ROW_GATHER or 4 * cands.size >= self.cap:  # contiguous rows
            dots = (view.val @ mat[view.idx])[cands]
        else:
            dots = view.val @ mat[np.ix_(view.idx, cands)]
        out: np.ndarray = dots / norms
        return out


@dataclass
class OnlineClusterer:
    window: timedelta = timedelta(hours=72)
    threshold: float | None = None  # None: the pair model's own
    late_threshold: float | None = None
    max_size: int = 500
    max_span: timedelta = timedelta(days=7)
    max_live: int = 20_000
    model: PairModel | None = None
    same_outlet_minutes: float = 10.0
    _feat: Featurizer = field(default_factory=Featurizer)
    _slots: _Slots = field(default_factory=_Slots)
    _slot_of: dict[int, int] = field(default_factory=dict)
    _langs: dict[str, int] = field(default_factory=dict)
    _cache: tuple[Doc, DocVectors] | None = None
    _touched: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.model is None:
            self.model = PairModel.load()
        self._model: PairModel = self.model
        self._join = self.threshold if self.threshold is not None else self._model.threshold
        self._late = (
            self.late_threshold if self.late_threshold is not None else self._model.late_threshold
        )

    # -- features ---------------------------------------------------------------------

    def counts(self, docs: Sequence[Doc]) -> list[Counts]:
        """Raw term counts of a batch of documents, for :meth:`assign` / :meth:`add`
        (they do not depend on the clustering state, so a batch is counted at once)."""
        return self._feat.counts_many([fields(d) for d in docs])

    def _vectors(self, doc: Doc, learn: bool, counts: Counts | None = None) -> DocVectors:
        if self._cache is not None and self._cache[0] is doc:
            return self._cache[1]
        ids = counts if counts is not None else self._feat.counts(*fields(doc))
        if learn:
            self._feat.learn(ids)
        vec = self._feat.vectors(ids)
        self._cache = (doc, vec)
        return vec

    @property
    def _span_days(self) -> float:
        return self.max_span.total_seconds() / _DAY

    def _lang(self, language: str) -> int:
        if not language:
            return 0
        return self._langs.setdefault(language.lower().split("-")[0], len(self._langs) + 1)

    def candidates(self, doc: Doc, vec: DocVectors) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(slots, pair features, open flags) of the stories this document may join."""
        sl = self._slots
        t, lang = _days(doc.published), self._lang(doc.language)
        late = 2 * self.window.total_seconds() / _DAY
        dt = np.maximum(np.maximum(t - sl.last, sl.first - t), 0.0)
        span = np.maximum(sl.last, t) - np.minimum(sl.first, t)
        mask = sl.used & (dt <= late) & (sl.size < self.max_size) & (span <= self._span_days)
        if lang:
            mask &= (sl.lang == 0) | (sl.lang == lang)
        cands = np.flatnonzero(mask)
        if cands.size == 0:
            return cands, np.zeros((0, 0)), np.zeros(0, dtype=bool)
        norms = np.sqrt(np.maximum(sl.n2[:, cands], 1e-12))
        c_all = sl.cosines(sl.A, vec.all, norms[0], cands)
        c_title = sl.cosines(sl.T, vec.title, norms[1], cands)
        c_ent = sl.cosines(sl.E, vec.ent, norms[2], cands)
        same = np.zeros(cands.size)
        seen = sl.seen.get(doc.outlet) if doc.outlet else None
        if seen is not None:
            near = self.same_outlet_minutes / 1440.0
            when = seen[cands]
            same = np.where(np.isnan(when), 0.0, np.where(np.abs(t - when) <= near, 1.0, 0.5))
        dt = dt[cands]
        x = pair_features(c_all, c_title, c_ent, dt, same, sl.size[cands], vec.headline_only)
        # Open while the newest article is less than a window old: with day-rounded dates,
        # an article three days after a 72-hour story's last one finds it closed.
        return cands, x, dt < self.window.total_seconds() / _DAY

    def candidate_pairs(self, doc: Doc, *, learn: bool) -> tuple[np.ndarray, np.ndarray]:
        """(story ids, pair features) of the stories ``doc`` may join, as the pair model
        sees them (its training data: tools/train_cluster_model.py)."""
        cands, x, _ = self.candidates(doc, self._vectors(doc, learn=learn))
        return self._slots.ids[cands], x

    # -- the public interface ----------------------------------------------------------

    def assign(self, doc: Doc, *, counts: Counts | None = None) -> int | None:
        """The id of the story this document joins, or None for a new story.

        Learns the document's terms (document frequency) as a side effect; call
        :meth:`add` next with the story id chosen. ``counts``: the document's entry of
        :meth:`counts` when a batch was counted beforehand.
        """
        vec = self._vectors(doc, learn=True, counts=counts)
        cands, x, is_open = self.candidates(doc, vec)
        if cands.size == 0:
            return None
        p = self._model.prob(x)
        p = np.where(is_open, p, np.where(p >= self._late, p, 0.0))
        best = int(np.argmax(p))
        if p[best] < self._join:
            return None
        return int(self._slots.ids[cands[best]])

    def add(
        self, doc: Doc, story_id: int, *, learn: bool = False, counts: Counts | None = None
    ) -> None:
        """Record that ``doc`` belongs to ``story_id`` (learn=True when priming from the store)."""
        vec = self._vectors(doc, learn=learn, counts=counts)
        self._cache = None
        sl = self._slots
        t = _days(doc.published)
        s = self._slot_of.get(story_id)
        if s is None:
            if len(self._slot_of) >= self.max_live:
                self._retire_oldest()
            s = sl.take()
            self._slot_of[story_id] = s
            sl.used[s], sl.ids[s], sl.first[s], sl.last[s] = True, story_id, t, t
            sl.lang[s] = self._lang(doc.language)
        sl.add(s, vec)
        sl.size[s] += 1
        sl.heads[s] += vec.headline_only
        sl.first[s], sl.last[s] = min(sl.first[s], t), max(sl.last[s], t)
        if not sl.lang[s]:
            sl.lang[s] = self._lang(doc.language)
        if doc.outlet:
            sl.saw(s, doc.outlet, t)
        self._touched.add(story_id)

    def forget_before(self, when: datetime) -> int:
        """Retire stories whose last article is older than ``when``; return how many."""
        sl, cut = self._slots, _days(when)
        old = [int(sl.ids[s]) for s in np.flatnonzero(sl.used & (sl.last < cut))]
        for story_id in old:
            self._drop(story_id)
        return len(old)

    def _drop(self, story_id: int) -> None:
        self._slots.release(self._slot_of.pop(story_id))
        self._touched.discard(story_id)

    def _retire_oldest(self) -> None:
        sl = self._slots
        used = np.flatnonzero(sl.used)
        self._drop(int(sl.ids[used[np.argmin(sl.last[used])]]))

    # -- maintenance ---------------------------------------------------------------------

    def live_stories(self) -> int:
        return len(self._slot_of)

    def merge_similar(
        self, min_cosine: float = 0.5, headline_cosine: float | None = None
    ) -> list[tuple[int, int]]:
        """Merge live stories that turned out to be one; return the merges as pairs
        (absorbed, into). Only stories changed since the last call are compared; the
        larger story absorbs the smaller. The caller moves the articles in the store.

        Two stories merge when their centroid cosine reaches ``min_cosine`` for full-text
        articles and ``headline_cosine`` (default: the same) for headline-only ones,
        interpolated by the share of headline-only articles in the pair: centroids of
        headlines share fewer words, so the same event gives lower cosines."""
        head_cos = min_cosine if headline_cosine is None else headline_cosine
        sl = self._slots
        touched = [self._slot_of[i] for i in sorted(self._touched) if i in self._slot_of]
        self._touched.clear()
        if not touched:
            return []
        window = self.window.total_seconds() / _DAY
        live = np.flatnonzero(sl.used & (sl.last >= sl.first[touched].min() - window))
        norms = np.sqrt(np.maximum(sl.n2[0], 1e-12))
        # Shortlist by each touched story's heaviest terms, then check pairs exactly.
        rows = np.unique(np.concatenate([self._top_rows(s) for s in touched]))
        dots = sl.A[np.ix_(rows, np.array(touched))].T @ sl.A[np.ix_(rows, live)]
        approx = dots / np.outer(norms[touched], norms[live])
        merges: list[tuple[int, int]] = []
        shortlists = np.argsort(-approx, axis=1)[:, :SHORTLIST].tolist()  # row by row
        for i, s in enumerate(touched):
            for j in shortlists[i]:
                o = int(live[j])
                if approx[i, j] < min(min_cosine, head_cos) / 2:
                    break
                if (
                    o == s
                    or not sl.used[s]
                    or not sl.used[o]
                    or not self._mergeable(s, o, window)
                    or self._cosine(s, o) < self._needed(s, o, min_cosine, head_cos)
                ):
                    continue
                big, small = (s, o) if sl.size[s] >= sl.size[o] else (o, s)
                merges.append((int(sl.ids[small]), int(sl.ids[big])))
                self._absorb(small, big)
                break
        return merges

    def _needed(self, a: int, b: int, full: float, head: float) -> float:
        sl = self._slots
        share = (sl.heads[a] + sl.heads[b]) / max(sl.size[a] + sl.size[b], 1.0)
        return float(share * head + (1.0 - share) * full)

    def _top_rows(self, s: int) -> np.ndarray:
        rows = self._slots.rows(s, 0)
        if rows.size <= TOP_TERMS:
            return rows
        return rows[np.argpartition(-self._slots.A[rows, s], TOP_TERMS)[:TOP_TERMS]]

    def _cosine(self, a: int, b: int) -> float:
        sl = self._slots
        rows = np.union1d(sl.rows(a, 0), sl.rows(b, 0))
        dot = float(sl.A[rows, a] @ sl.A[rows, b])
        return dot / float(np.sqrt(max(sl.n2[0, a] * sl.n2[0, b], 1e-24)))

    def _mergeable(self, a: int, b: int, window: float) -> bool:
        sl = self._slots
        gap = max(sl.first[a] - sl.last[b], sl.first[b] - sl.last[a], 0.0)
        span = max(sl.last[a], sl.last[b]) - min(sl.first[a], sl.first[b])
        return (
            gap <= window
            and sl.size[a] + sl.size[b] <= self.max_size
            and span <= self._span_days
            and (not sl.lang[a] or not sl.lang[b] or sl.lang[a] == sl.lang[b])
        )

    def _absorb(self, small: int, big: int) -> None:
        sl = self._slots
        for view, mat in enumerate((sl.A, sl.T, sl.E)):
            rows = np.union1d(sl.rows(small, view), sl.rows(big, view))
            col = mat[rows, big] + mat[rows, small]
            mat[rows, big] = col
            sl.n2[view, big] = float(col @ col)
        sl.terms[big].extend(sl.terms[small])
        sl.size[big] += sl.size[small]
        sl.heads[big] += sl.heads[small]
        sl.first[big] = min(sl.first[big], sl.first[small])
        sl.last[big] = max(sl.last[big], sl.last[small])
        for outlet, seen in sl.outlets[small].items():
            sl.saw(big, outlet, seen)
        self._drop(int(sl.ids[small]))
