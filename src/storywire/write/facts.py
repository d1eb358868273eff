"""Facts, not sentences: candidate sentences from all outlets grouped into facts.

Two sentences state one fact when they share at least PARAPHRASE_OVERLAP of the
shorter one's content words (stemmed) or their TF-IDF cosine is at least
PARAPHRASE_COSINE. Sentences are taken in score order; each joins the fact of the
first stronger sentence it paraphrases, or starts a fact. A fact is written once,
in its clearest, most complete wording (a member that stands alone, covering most
of the words the members share, shortest among equals), and is ranked by the
number of outlets behind it, then by its best sentence's score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..models import StoredArticle
from ..text import stem, words
from .readable import section, stands_alone
from .scoring import _STOP, Candidate, shared_share

PARAPHRASE_OVERLAP = 0.6
PARAPHRASE_COSINE = 0.5
MIN_FACT_WORDS = 3  # a shorter sentence shares too few words to tell


@dataclass(frozen=True)
class Fact:
    members: tuple[int, ...]  # candidate indices, strongest first
    outlets: int  # distinct outlets whose articles state it
    score: float  # the strongest member's score
    position: int  # earliest place of the fact in any article
    readable: tuple[int, ...]  # members that stand alone, best wording first

    @property
    def rank(self) -> tuple[int, float]:
        return (self.outlets, self.score)

    def section(self, cands: Sequence[Candidate]) -> int:
        return section(cands[self.readable[0]].text, self.position) if self.readable else 1


def fact_words(text: str) -> set[str]:
    """Content words for the paraphrase test: split at hyphens and apostrophes
    ("anti-Semitism" is anti + semitism), Porter stems ("electors"/"electoral",
    "president"/"presidential")."""
    tokens = words(text.lower().replace("’", "'").replace("'s", ""), "fact")
    return {stem(t, "porter") for t in tokens if t not in _STOP and len(t) > 1}


def paraphrase(cands: Sequence[Candidate], sim: np.ndarray) -> np.ndarray:
    """Which candidate pairs state one fact (see the module doc)."""
    sets = [fact_words(c.text) for c in cands]
    sizes = np.array([len(s) for s in sets])
    small = np.minimum(sizes[:, None], sizes[None, :]) >= MIN_FACT_WORDS
    same: np.ndarray = ((shared_share(sets) >= PARAPHRASE_OVERLAP) & small) | (
        sim >= PARAPHRASE_COSINE
    )
    return same


def group_facts(
    cands: Sequence[Candidate],
    scores: np.ndarray,
    same: np.ndarray,
    support: Sequence[tuple[int, ...]],
    news: Sequence[StoredArticle],
) -> list[Fact]:
    """Facts, best ranked first. ``same``: the paraphrase matrix; ``support``: the
    supporting article ids of each candidate."""
    order = [int(i) for i in np.argsort(-scores, kind="stable")]
    leaders: list[int] = []
    groups: dict[int, list[int]] = {}
    for i in order:
        hits = np.nonzero(same[i, leaders])[0] if leaders else np.zeros(0, dtype=int)
        if len(hits):
            groups[leaders[int(hits[0])]].append(i)
        else:
            leaders.append(i)
            groups[i] = [i]
    outlet_of = {a.id: a.outlet or str(a.id) for a in news}
    facts = []
    for members in groups.values():
        ids = {news[cands[m].article].id for m in members}
        for m in members:
            ids.update(support[m])
        outlets = {outlet_of[i] for i in ids if i in outlet_of}
        facts.append(
            Fact(
                members=tuple(members),
                outlets=len(outlets),
                score=float(scores[members[0]]),
                position=min(cands[m].position for m in members),
                readable=_wordings(cands, members, scores),
            )
        )
    facts.sort(key=lambda f: f.rank, reverse=True)
    return facts


def _wordings(
    cands: Sequence[Candidate], members: list[int], scores: np.ndarray
) -> tuple[int, ...]:
    """Members that stand alone, the clearest, most complete first: most of the words
    several members share, then score, then fewer words."""
    ok = [m for m in members if stands_alone(cands[m].text)]
    if len(ok) <= 1:
        return tuple(ok)
    counts = Counter(k for m in members for k in cands[m].concepts if " " not in k)
    common = {k for k, n in counts.items() if n >= 2}

    def key(m: int) -> tuple[float, float]:
        words = {k for k in cands[m].concepts if " " not in k}
        complete = len(words & common) / max(1, len(common))
        return (round(complete, 1) + float(scores[m]), -cands[m].words)

    return tuple(sorted(ok, key=key, reverse=True))
