"""The extractive writer: every sentence of the page is a sentence an outlet wrote.

Candidates are the lead sentences of the news articles (opinion and analysis pieces
never feed the body or highlights), boilerplate removed. Scoring (``scoring``)
rewards what many outlets report; selection is MMR under the word budget; the
chosen sentences are then put in chronological order (article time, then position).
Highlights are three sentences about different aspects (a stricter redundancy
limit on TF-IDF cosine and on shared content words). Every sentence records its
supporting articles (``grounding``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import Kind, Opinion, Sentence, StoredArticle
from .grounding import supporters
from .opinions import opinion
from .scoring import Weights, article_concepts, candidates, overlap, score, select
from .titles import choose_title

HIGHLIGHTS = 3
HIGHLIGHT_MAX_SIM = 0.4  # highlights must be about different things (cosine or word overlap)
BODY_OVERLAP_SLACK = 0.3


@dataclass(frozen=True)
class Draft:
    title: str
    highlights: tuple[Sentence, ...]
    body: tuple[Sentence, ...]
    opinions: tuple[Opinion, ...]
    writer: str = "extractive"


class ExtractiveWriter:
    name = "extractive"

    def __init__(self, words: int = 250, weights: Weights | None = None):
        self.words = words
        self.weights = weights or Weights()

    def write(self, articles: list[StoredArticle]) -> Draft:
        originals = [a for a in articles if a.duplicate_of is None]
        news = [a for a in originals if a.kind == Kind.NEWS]
        views = [a for a in originals if a.kind != Kind.NEWS]
        outlets = tuple(sorted({a.outlet for a in articles if a.outlet}))
        opinions = tuple(opinion(a, outlets) for a in views)
        title = choose_title(news or views, outlets)  # never an opinion title if news exists
        if not news:
            return Draft(title, (), (), opinions)
        cands = candidates(news)
        if not cands:
            lead = Sentence(title, (news[0].id,))
            return Draft(title, (lead,), (lead,), opinions)
        scores, sim = score(cands, len(news), self.weights)
        shared = overlap(cands)
        # Body: paraphrases of one fact count as redundant only when they share most
        # words (a looser rule cost ROUGE on NeuS); highlights: any shared aspect counts.
        body_idx = select(
            cands,
            scores,
            np.maximum(sim, shared - BODY_OVERLAP_SLACK),
            self.words,
            lam=self.weights.lam,
        )
        # Chronology: article time, then place in the article; among sentences of the
        # same time and place (several outlets' leads), the most central first.
        body_idx.sort(
            key=lambda i: (news[cands[i].article].published, cands[i].position, -scores[i])
        )
        high_idx = select(
            cands,
            scores,
            np.maximum(sim, shared),
            10_000,
            lam=0.5,
            limit=HIGHLIGHTS,
            max_sim=HIGHLIGHT_MAX_SIM,
        )
        support = supporters(cands, sim, news, articles, article_concepts(cands, len(news)))
        body = tuple(Sentence(cands[i].text, support[i]) for i in body_idx)
        highlights = tuple(Sentence(cands[i].text, support[i]) for i in high_idx)
        return Draft(title, highlights, body, opinions)
