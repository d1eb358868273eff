"""The extractive writer: every sentence of the page is a sentence an outlet wrote.

Candidates are the sentences of the news articles (opinion and analysis pieces never
feed the body or highlights), boilerplate removed, scored by ``scoring`` (what many
outlets report ranks first) and grouped into facts by ``facts`` (paraphrases of one
statement). Each fact is written once, in its clearest wording that stands alone
(``readable``), citing every article that supports it (``grounding``); the number of
outlets behind a fact ranks it.

- Highlights: the three best-ranked distinct facts, each shortened by deletion to at
  most ``HIGHLIGHT_WORDS`` (``shorten``), in a wording the Story does not repeat.
- Story: facts by rank while they fit the budget, in news order: what happened
  (the best-ranked fact reported at the top of an article), details, reactions,
  background. The budget follows the material: ``STORY_BASE + STORY_PER_OUTLET`` words
  per outlet, never more than ``words`` (the ``story_words`` setting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Kind, Opinion, Sentence, StoredArticle
from .facts import Fact, group_facts, paraphrase
from .grounding import still_supported, supporters
from .opinions import opinion
from .scoring import Candidate, Weights, article_concepts, candidates, overlap, score, select
from .shorten import HIGHLIGHT_WORDS, shorten
from .titles import choose_title

HIGHLIGHTS = 3
HIGHLIGHT_MAX_SIM = 0.4  # highlights must be about different things (cosine or word overlap)
HIGHLIGHT_RELAXED = (30, 0.5)  # second pass: words, similarity
STORY_BASE, STORY_PER_OUTLET = 60, 35
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
            title = choose_title(news, outlets)  # never an opinion title if news exists
            lead = Sentence(title, (news[0].id,))
            return Draft(title, (lead,), (lead,), opinions)
        m = self._material(news, articles, cands)
        budget = min(self.words, STORY_BASE + STORY_PER_OUTLET * len({a.outlet for a in news}))
        body = _story(m, budget, self.weights.lam)
        highlights = _highlights(m, [s.text for s in body])
        if not highlights and body:
            highlights = _fallback_highlight(m, body)
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


def _highlights(m: _Material, body: Sequence[str]) -> list[Sentence]:
    """The best-ranked distinct facts, each in a wording of at most HIGHLIGHT_WORDS
    words that the Story does not repeat; when fewer than three such facts exist, a
    second pass allows a few more words and a little more shared ground."""
    out: list[Sentence] = []
    chosen: list[int] = []
    distinct = np.maximum(m.sim, m.shared)
    for limit, max_sim in ((HIGHLIGHT_WORDS, HIGHLIGHT_MAX_SIM), HIGHLIGHT_RELAXED):
        for fact in m.facts:
            if len(out) == HIGHLIGHTS:
                return out
            if any(distinct[i, j] > max_sim for i in fact.members for j in chosen):
                continue
            found = _highlight(m, fact, body, limit)
            if found:
                out.append(found)
                chosen.extend(fact.members)
    return out


def _fallback_highlight(m: _Material, body: list[Sentence]) -> list[Sentence]:
    """No fact has a wording for a highlight that the Story does not hold (a small
    story): the last Story sentence moves up when two stay; else the lead, shortened."""
    moved = body.pop() if len(body) > 2 else body[0]
    text = shorten(moved.text)
    return [Sentence(text, still_supported(text, moved.sources, m.news, m.held) or moved.sources)]


def _highlight(m: _Material, fact: Fact, body: Sequence[str], limit: int) -> Sentence | None:
    """The fact's first wording that, shortened, fits ``limit``, is not in the Story and
    is still supported by its articles."""
    for i in fact.readable:
        text = shorten(m.cands[i].text, limit)
        if len(text.split()) > limit or any(repeats(text, s) for s in body):
            continue
        sources = still_supported(text, m.support[i], m.news, m.held)
        if sources:
            return Sentence(text, sources)
    return None


def _story(m: _Material, budget: int, lam: float) -> list[Sentence]:
    """The best sentences that stand alone, by maximal marginal relevance under the
    budget, never two wordings of one fact; in news order."""
    ok = [i for f in m.facts for i in f.readable]
    if not ok:
        return []
    sub = [m.cands[i] for i in ok]
    # MMR penalises shared words too (a looser rule than the paraphrase test, which
    # blocks a second wording of a fact outright).
    grid = np.ix_(ok, ok)
    redundancy = np.maximum.reduce(
        [m.sim[grid], m.shared[grid] - BODY_OVERLAP_SLACK, m.same[grid].astype(float)]
    )
    fact_of = {i: f for f in m.facts for i in f.members}
    most = max(f.outlets for f in m.facts)
    rank = m.scores[ok] + CORROBORATION * np.array([fact_of[i].outlets / most for i in ok])
    chosen = select(sub, rank, redundancy, budget, lam=lam, max_sim=STORY_MAX_SIM)
    picked = [ok[k] for k in chosen]
    lead, rest = picked[0], picked[1:]
    rest.sort(
        key=lambda i: (
            fact_of[i].section(m.cands),
            m.news[m.cands[i].article].published,
            m.cands[i].position,
        )
    )
    return [Sentence(m.cands[i].text, m.support[i]) for i in [lead, *rest]]


def _tokens(text: str) -> list[str]:
    return "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()


def repeats(highlight: str, sentence: str) -> bool:
    """Does the sentence hold the highlight's words, in order (REPEAT of them)?"""
    h, s = _tokens(highlight), _tokens(sentence)
    if not h:
        return False
    prev = [0] * (len(s) + 1)
    for x in h:
        cur = [0]
        for j, y in enumerate(s):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1] >= REPEAT * len(h)


def _repeats_any(sentence: str, highlights: Sequence[str]) -> bool:
    return any(repeats(h, sentence) for h in highlights)
