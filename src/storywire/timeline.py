"""Timeline: which stories continue one another.

The drift guard ends a story after ``cluster_max_span_days``, and a subject that returns
after days starts a new one; a timeline links them. Two written stories are linked,
earlier -> later, when the later one starts after the earlier one started, at most
``GAP_DAYS`` after the earlier one's last article, and their headlines are alike: the
cosine of their title word profiles (each word weighted by the share of the story's
headlines that use it; stop words and numbers left out) reaches ``LINK_COSINE``.
``bench/timeline.py`` measures the rule on UCI and BASIL; the threshold is chosen there
(docs/architecture.md, "Timeline").

Each story keeps at most one link each way (its best), so a story page shows a chain:
Earlier ... <- this story -> ... Later.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Protocol

from .text import stem, words

GAP_DAYS = 14
LINK_COSINE = 0.35
# scikit-learn's list holds words that are news subjects ("bill", "fire", "interest"...).
_KEEP = {"bill", "fire", "interest", "system", "computer", "call", "move", "found", "cry"}


@cache
def _stop_words() -> frozenset[str]:
    """Loaded on first use: scikit-learn takes ~1.5 s to import, which a web process (it
    imports the store, and so this module) must not pay."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = {"says", "said", "new", "news", "live", "video"}
    return (frozenset(ENGLISH_STOP_WORDS) - _KEEP) | extra


@dataclass(frozen=True)
class StoryProfile:
    """What the link rule sees of a story: its time span and headline words."""

    id: int
    first: datetime
    last: datetime
    words: Mapping[str, float]


def title_words(title: str) -> set[str]:
    stems = (stem(w, "plural") for w in words(title, "headline"))
    stop = _stop_words()
    return {w for w in stems if len(w) > 2 and w not in stop}


def profile(story_id: int, first: datetime, last: datetime, titles: Sequence[str]) -> StoryProfile:
    """A story's profile from its headlines (story title and article titles)."""
    counts: Counter[str] = Counter()
    for t in titles:
        counts.update(title_words(t))
    n = max(1, len(titles))
    return StoryProfile(story_id, first, last, {w: c / n for w, c in counts.items()})


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[w] for w, v in a.items() if w in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def may_follow(earlier: StoryProfile, later: StoryProfile, gap_days: float = GAP_DAYS) -> bool:
    """The time part of the rule: ``later`` starts after ``earlier`` did, within the gap."""
    return (
        earlier.first < later.first or (earlier.first == later.first and earlier.id < later.id)
    ) and later.first - earlier.last <= timedelta(days=gap_days)


def links(
    story: StoryProfile,
    candidates: Iterable[StoryProfile],
    threshold: float = LINK_COSINE,
    gap_days: float = GAP_DAYS,
    similarity: Callable[[Mapping[str, float], Mapping[str, float]], float] | None = None,
) -> list[tuple[int, int, float]]:
    """(earlier id, later id, score) for the best earlier and the best later candidate
    of ``story`` that pass the rule (``similarity``: cosine unless a benchmark's other)."""
    similar = similarity or cosine
    best: dict[str, tuple[float, int, int]] = {}
    for other in candidates:
        if other.id == story.id:
            continue
        if may_follow(other, story, gap_days):
            side, pair = "earlier", (other.id, story.id)
        elif may_follow(story, other, gap_days):
            side, pair = "later", (story.id, other.id)
        else:
            continue
        score = similar(story.words, other.words)
        if score >= threshold and score > best.get(side, (0.0, 0, 0))[0]:
            best[side] = (score, *pair)
    return [(e, later, round(s, 4)) for s, e, later in best.values()]


MAX_POSTINGS = 300  # a word shared by more stories than this in the window is no clue


class LinkStore(Protocol):
    def story_spans(self, story_ids: Sequence[int]) -> dict[int, tuple[datetime, datetime]]: ...
    def timeline_profiles(self, since: datetime, until: datetime) -> list[StoryProfile]: ...
    def add_story_links(self, found: Iterable[tuple[int, int, float]]) -> int: ...


def link_stories(store: LinkStore, story_ids: Sequence[int]) -> int:
    """Find and store the links of these (just written) stories; return how many are new.
    Candidates share a headline word with the story (words in more than MAX_POSTINGS
    stories of the window are skipped) and lie within the gap."""
    spans = store.story_spans(story_ids)
    if not spans:
        return 0
    gap = timedelta(days=GAP_DAYS)
    since = min(first for first, _ in spans.values()) - gap
    until = max(last for _, last in spans.values()) + gap
    profiles = {p.id: p for p in store.timeline_profiles(since, until)}
    postings: dict[str, list[int]] = defaultdict(list)
    for p in profiles.values():
        for w in p.words:
            postings[w].append(p.id)
    found: list[tuple[int, int, float]] = []
    for sid in spans:
        story = profiles.get(sid)
        if story is None:
            continue
        near = {i for w in story.words if len(postings[w]) <= MAX_POSTINGS for i in postings[w]}
        found.extend(links(story, (profiles[i] for i in near)))
    return store.add_story_links(found)
