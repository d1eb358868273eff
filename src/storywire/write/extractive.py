"""The extractive writer: every sentence of the page is a sentence an outlet wrote.

Candidates are the sentences of the news articles (opinion and analysis pieces never
feed the body or highlights), boilerplate removed, scored by ``scoring`` (what many
outlets report ranks first) and grouped into facts by ``facts`` (paraphrases of one
statement). Each fact is written once, in its clearest wording that stands alone
(``readable``), citing every article that supports it (``grounding``); the number of
outlets behind a fact ranks it.

- Highlights: the three best-ranked distinct facts, each shortened by deletion to at
  most ``HIGHLIGHT_WORDS`` (``shorten``), in a wording the Story does not repeat and
  that is not mostly someone's quoted words (a key fact, not a fragment of an exchange).
- Story: facts by rank while they fit the budget (a fact whose wording no longer fits
  what is left: in a shorter wording of it that does), in news order: what happened
  (the best-ranked fact reported at the top of an article), details, reactions,
  background. The budget follows the material: ``STORY_BASE + STORY_PER_OUTLET`` words
  per outlet, never more than ``words`` (the ``story_words`` setting).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..models import Kind, Opinion, Sentence, StoredArticle
from .facts import Fact, group_facts, paraphrase
from .grounding import still_supported, supporters
from .opinions import opinion
from .readable import quoted_share, stands_alone
from .scoring import Candidate, Weights, article_concepts, candidates, overlap, score, select
from .shorten import HIGHLIGHT_WORDS, shorten
from .titles import choose_title

HIGHLIGHTS = 3
HIGHLIGHT_MAX_SIM = 0.4  # highlights must be about different things (cosine or word overlap)
HIGHLIGHT_RELAXED = (30, 0.5)  # second pass: words, similarity
STORY_BASE, STORY_PER_OUTLET = 60, 35
MOVE_KEEP = 1  # Story sentences that must stay when one moves up to the highlights
MOVE_FLOOR = 40  # Story words that must stay then (NeuS train: 30 cost ROUGE-2, 50 fewer moves)
HIGHLIGHT_QUOTED = 0.5  # a highlight with this share of its words in quote marks is a quote
REPEAT = 0.8  # a highlight whose words, in order, are this share of a Story sentence
STORY_MAX_SIM = 0.6
BODY_OVERLAP_SLACK = 0.3
CORROBORATION = 0.2  # weight of the share of outlets behind a sentence's fact (NeuS train)


@dataclass(frozen=True)
class Draft:
    title: str
    highlights: tuple[Sentence, ...]
    body: tuple[Sentence, ...]
    opinions: tuple[Opinion, ...]
    writer: str = "extractive"


@dataclass
class _Material:
    """What the writer knows about one story's news articles."""

    news: list[StoredArticle]
    cands: list[Candidate]
    scores: np.ndarray
    sim: np.ndarray
    shared: np.ndarray
    same: np.ndarray
    support: list[tuple[int, ...]]
    held: list[set[str]]
    facts: list[Fact]


class ExtractiveWriter:
    name = "extractive"

    def __init__(self, words: int = 400, weights: Weights | None = None):
        self.words = words
        self.weights = weights or Weights()

    def write(self, articles: list[StoredArticle]) -> Draft:
        originals = [a for a in articles if a.duplicate_of is None]
        news = [a for a in originals if a.kind == Kind.NEWS]
        views = [a for a in originals if a.kind != Kind.NEWS]
        outlets = tuple(sorted({a.outlet for a in articles if a.outlet}))
        opinions = tuple(opinion(a, outlets) for a in views)
        if not news:
            return Draft(choose_title(views, outlets), (), (), opinions)
        cands = candidates(news)
        if not cands:
            # No usable sentence: the headline is the Story's one statement, and a
            # highlight would only repeat it.
            title = choose_title(news, outlets)  # never an opinion title if news exists
            return Draft(title, (), (Sentence(title, (news[0].id,)),), opinions)
        m = self._material(news, articles, cands)
        budget = min(self.words, STORY_BASE + STORY_PER_OUTLET * len({a.outlet for a in news}))
        picked = _story(m, budget, self.weights.lam)
        if not picked:
            # No sentence stands alone: the headline is the Story's one statement.
            title = choose_title(news, outlets)
            return Draft(title, (), (Sentence(title, (news[0].id,)),), opinions)
        highlights = _highlights(m, picked)
        if not highlights:
            highlights = _swapped_highlight(m, picked, budget)
        if not highlights:
            highlights = _moved_highlight(m, picked, budget, self.weights.lam)
        story = [m.cands[i].text for i in picked]
        highlights = [h for h in highlights if not any(repeats(h.text, s) for s in story)]
        body = [Sentence(m.cands[i].text, m.support[i]) for i in picked]
        top = highlights[0].text if highlights else ""
        title = choose_title(news, outlets, fallback=top)
        return Draft(title, tuple(highlights), tuple(body), opinions)

    def _material(
        self, news: list[StoredArticle], everyone: list[StoredArticle], cands: list[Candidate]
    ) -> _Material:
        scores, sim = score(cands, len(news), self.weights)
        held = article_concepts(cands, len(news))
        support = supporters(cands, sim, news, everyone, held)
        shared = overlap(cands)
        same = paraphrase(cands, sim)
        facts = group_facts(cands, scores, same, support, news)
        return _Material(news, cands, scores, sim, shared, same, support, held, facts)


def _highlights(
    m: _Material, picked: list[int], budget: int = -1, want: int = HIGHLIGHTS
) -> list[Sentence]:
    """The best-ranked distinct facts, each in a wording of at most HIGHLIGHT_WORDS
    words that the Story does not repeat; when fewer than three such facts exist, a
    second pass allows a few more words and a little more shared ground. With a
    ``budget``, a wording the Story holds may leave it (``_swap``), changing ``picked``
    (the Story's candidates)."""
    out: list[Sentence] = []
    chosen: list[int] = []
    distinct = np.maximum(m.sim, m.shared)
    for limit, max_sim in ((HIGHLIGHT_WORDS, HIGHLIGHT_MAX_SIM), HIGHLIGHT_RELAXED):
        for fact in m.facts:
            if len(out) == want:
                return out
            if any(distinct[i, j] > max_sim for i in fact.members for j in chosen):
                continue
            found = _highlight(m, fact, picked, limit, budget)
            if found:
                out.append(found)
                chosen.extend(fact.members)
    return out


def _highlight(
    m: _Material, fact: Fact, picked: list[int], limit: int, budget: int
) -> Sentence | None:
    """The fact's first wording that, shortened, fits ``limit``, is not in the Story
    (or can leave it, see ``_swap``) and is still supported by its articles."""
    for i in fact.readable:
        text = shorten(m.cands[i].text, limit)
        if not _fits(text, limit):
            continue
        held = [k for k, j in enumerate(picked) if repeats(text, m.cands[j].text)]
        if held and budget < 0:
            continue
        sources = still_supported(text, m.support[i], m.news, m.held)
        if not sources:
            continue
        if not held or _swap(m, fact, picked, held, text, budget):
            return Sentence(text, sources)
    return None


def _fits(text: str, limit: int) -> bool:
    """A shortened wording that is a highlight: within ``limit`` words, not mostly
    quoted, and still standing alone (a cut opening phrase may leave "He said ...")."""
    short = len(text.split()) <= limit and quoted_share(text) < HIGHLIGHT_QUOTED
    return short and stands_alone(text)


def _swap(
    m: _Material, fact: Fact, picked: list[int], held: list[int], text: str, budget: int
) -> bool:
    """The Story holds the highlight ``text`` in one place, in a wording of this same
    fact: put the fact's next wording that does not repeat the highlight there instead
    (in place, within the budget, no paraphrase of another Story sentence). The Story
    keeps the fact, in other words; the highlight says it short."""
    if budget < 0 or len(held) != 1 or held[0] == 0 or picked[held[0]] not in fact.members:
        return False
    k = held[0]
    others = [j for n, j in enumerate(picked) if n != k]
    used = sum(m.cands[j].words for j in others)
    for j in fact.readable:
        if (
            j in picked
            or repeats(text, m.cands[j].text)
            or used + m.cands[j].words > budget
            or any(m.same[j, o] or m.sim[j, o] > STORY_MAX_SIM for o in others)
        ):
            continue
        picked[k] = j
        return True
    return False


def _swapped_highlight(m: _Material, picked: list[int], budget: int) -> list[Sentence]:
    """No fact has a highlight wording outside the Story: the best one whose short
    wording can leave the Story, another wording of the fact taking its place there
    (never the Story's lead: its wording was chosen first, and a swap there cost 0.2
    ROUGE-2 on NeuS train)."""
    return _highlights(m, picked, budget, want=1)


def _moved_highlight(m: _Material, picked: list[int], budget: int, lam: float) -> list[Sentence]:
    """No fact has a highlight wording outside the Story (a small story): a Story
    sentence moves up when MOVE_KEEP sentences and MOVE_FLOOR words stay: that of the
    best-ranked non-lead fact that, shortened, fits HIGHLIGHT_RELAXED words and is
    still supported, else the lead's (the highlight then states the top fact and the
    Story opens on the next one; NeuS train: 3.4% more stories with a highlight, ROUGE
    unchanged); the Story is chosen again without that fact (other material fills its
    place). Otherwise no highlight: a Story of one sentence, or
    one too short to lose a sentence, is its own summary, and a highlight would only
    repeat it."""
    if len(picked) < MOVE_KEEP + 1:
        return []
    fact_rank = {i: n for n, f in enumerate(m.facts) for i in f.members}
    limit = HIGHLIGHT_RELAXED[0]
    words = sum(m.cands[i].words for i in picked)
    for i in [*sorted(picked[1:], key=lambda i: fact_rank[i]), picked[0]]:
        if words - m.cands[i].words < MOVE_FLOOR:
            continue  # too little would stay: the Story is never cut below its floor
        text = shorten(m.cands[i].text, limit)
        if not _fits(text, limit):
            continue
        sources = still_supported(text, m.support[i], m.news, m.held)
        if sources:
            fact = next(f for f in m.facts if i in f.members)
            picked[:] = _story(m, budget, lam, without=fact)
            return [Sentence(text, sources)]
    return []


def _story(m: _Material, budget: int, lam: float, without: Fact | None = None) -> list[int]:
    """The best sentences that stand alone (candidate indices), by maximal marginal
    relevance under the budget, never two wordings of one fact; in news order.
    ``without``: a fact the highlights state instead."""
    # One wording per fact: its clearest, most complete one that fits the budget (NeuS
    # train: ROUGE-2 +0.09 over letting the best-scored wording of each fact compete).
    facts = [f for f in m.facts if f is not without and f.readable]
    ok = [next((i for i in f.readable if m.cands[i].words <= budget), f.readable[0]) for f in facts]
    if not ok:
        return []
    fact_of = {i: f for f in m.facts for i in f.members}
    most = max(f.outlets for f in m.facts)
    rank = m.scores[ok] + CORROBORATION * np.array([fact_of[i].outlets / most for i in ok])
    if not any(m.cands[i].words <= budget for i in ok):
        # Nothing fits: the shortest wording is the story.
        picked = [ok[k] for k in select([m.cands[i] for i in ok], rank, np.eye(len(ok)), budget)]
    else:
        picked = _select(m, ok, [f.readable for f in facts], rank, budget, lam)
    lead, rest = picked[0], picked[1:]
    rest.sort(
        key=lambda i: (
            fact_of[i].section(m.cands),
            m.news[m.cands[i].article].published,
            m.cands[i].position,
        )
    )
    return [lead, *rest]


def _redundancy(m: _Material, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
    """How much each of ``rows`` repeats each of ``cols``. MMR penalises shared words
    too (a looser rule than the paraphrase test, which blocks a second wording of a
    fact outright)."""
    grid = np.ix_(rows, cols)
    out: np.ndarray = np.maximum.reduce(
        [m.sim[grid], m.shared[grid] - BODY_OVERLAP_SLACK, m.same[grid].astype(float)]
    )
    return out


def _select(
    m: _Material,
    ok: list[int],
    wordings: Sequence[Sequence[int]],
    rank: np.ndarray,
    budget: int,
    lam: float,
) -> list[int]:
    """Greedy MMR over the facts (``ok``: each fact's wording, ``wordings``: all its
    wordings, clearest first) under the word budget, skipping near-repeats. A fact
    whose wording no longer fits what is left of the budget is stated in its clearest
    other wording that does (NeuS train, 5-fold: ROUGE-2 +0.03, every fold up), as
    its first wording is chosen against the whole budget."""
    ok = list(ok)
    redundancy = _redundancy(m, ok, ok)
    pool = np.array([m.cands[i].words <= budget for i in ok])
    covered = np.zeros(len(ok))
    chosen: list[int] = []
    used = 0
    while pool.any():
        gain = np.where(pool, lam * rank - (1 - lam) * covered, -np.inf)
        best = int(np.argmax(gain))
        pool[best] = False
        if chosen and covered[best] > STORY_MAX_SIM:
            continue  # a near-repeat of what is already said
        if used + m.cands[ok[best]].words > budget:
            fits = [
                j
                for j in wordings[best]
                if used + m.cands[j].words <= budget
                and _redundancy(m, [j], [ok[c] for c in chosen]).max() <= STORY_MAX_SIM
            ]
            if not fits:
                continue
            ok[best] = fits[0]
            redundancy[:, best] = _redundancy(m, ok, [fits[0]])[:, 0]
        chosen.append(best)
        used += m.cands[ok[best]].words
        covered = np.maximum(covered, redundancy[:, best])
    return [ok[k] for k in chosen]


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())


def repeats(highlight: str, sentence: str) -> bool:
    """Does the sentence hold the highlight's words, in order (REPEAT of them)?"""
    h, s = _tokens(highlight), _tokens(sentence)
    if not h:
        return False
    held = Counter(s)
    if sum(min(n, held[w]) for w, n in Counter(h).items()) < REPEAT * len(h):
        return False  # the words in common bound the words in order: no repeat possible
    prev = [0] * (len(s) + 1)
    for x in h:
        cur = [0]
        for j, y in enumerate(s):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] >= REPEAT * len(h)


def _repeats_any(sentence: str, highlights: Sequence[str]) -> bool:
    return any(repeats(h, sentence) for h in highlights)
