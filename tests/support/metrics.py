"""Clustering scores: B-cubed and pairwise precision/recall/F1 (as in Miranda et al. 2018)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    b3_p: float
    b3_r: float
    b3_f: float
    pw_p: float
    pw_r: float
    pw_f: float
    predicted: int
    gold: int


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(pred: Sequence[object], gold: Sequence[object]) -> Scores:
    """Scores of predicted labels against gold labels (one per item, same order)."""
    if len(pred) != len(gold) or not pred:
        raise ValueError("need one predicted and one gold label per item")
    both = Counter(zip(pred, gold, strict=True))
    in_pred, in_gold = Counter(pred), Counter(gold)
    n = len(pred)
    # B-cubed: per item, |pred cluster ∩ gold cluster| / |pred cluster| (and / |gold|).
    b3_p = sum(c * c / in_pred[p] for (p, _), c in both.items()) / n
    b3_r = sum(c * c / in_gold[g] for (_, g), c in both.items()) / n
    same_both = sum(c * (c - 1) / 2 for c in both.values())
    same_pred = sum(c * (c - 1) / 2 for c in in_pred.values())
    same_gold = sum(c * (c - 1) / 2 for c in in_gold.values())
    pw_p = same_both / same_pred if same_pred else 1.0
    pw_r = same_both / same_gold if same_gold else 1.0
    return Scores(
        b3_p, b3_r, _f(b3_p, b3_r), pw_p, pw_r, _f(pw_p, pw_r), len(in_pred), len(in_gold)
    )
