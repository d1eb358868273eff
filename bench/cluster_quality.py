"""Story clustering quality on the labelled sets, storywire vs two baselines.

    python -m bench.cluster_quality [--data ../shared/data] [--quick]

Sets: UCI News Aggregator (titles; time rounded DOWN to the day and rows shuffled within
a day with a fixed seed: its crawl time and row order leak the labels), BASIL (full
text), SemEval-2022 Task 8 pairs (same story = Overall 1-2, i.e. <= 2.5 averaged).

Methods, in this process, on the same features (hashed TF-IDF of title x2 + URL path
words + lead, document frequencies from the shipped background table plus the stream):
- storywire: the shipped configuration (pair model + maintenance), nothing tuned per set;
- single-pass: each article joins the story with the most similar centroid if the
  cosine reaches a threshold, else starts one;
- agglomerative: scikit-learn AgglomerativeClustering, average link, cosine distance.
Baselines add the whole set's document frequencies at once (an advantage) and are reported
at their best single threshold shared by all sets (mean of UCI and BASIL B-cubed F1 and
SemEval pair F1).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import AgglomerativeClustering

from storywire.cluster import OnlineClusterer, cluster_stream
from storywire.cluster.features import ALL_BITS, Featurizer
from storywire.cluster.online import fields

from tests.support import datasets
from tests.support.metrics import Scores, score

THRESHOLDS = (0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def tfidf(docs: list[datasets.Doc]) -> sp.csr_matrix:
    """The ``all`` view of every document, with whole-set document frequencies."""
    feat = Featurizer()
    ids = [feat.counts(*fields(d)) for d in docs]
    for i in ids:
        feat.learn(i)
    rows, cols, vals = [], [], []
    for r, i in enumerate(ids):
        v = feat.vectors(i).all
        rows.extend([r] * v.idx.size)
        cols.extend(v.idx.tolist())
        vals.extend(v.val.tolist())
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), 1 << ALL_BITS))


def single_pass(x: sp.csr_matrix, threshold: float) -> list[int]:
    cent = np.zeros((x.shape[1], 64), dtype=np.float32)
    norms: list[float] = []
    labels = []
    for r in range(x.shape[0]):
        lo, hi = x.indptr[r], x.indptr[r + 1]
        idx, val = x.indices[lo:hi], x.data[lo:hi].astype(np.float32)
        k = len(norms)
        if k:
            sims = (val @ cent[idx, :k]) / np.sqrt(np.maximum(norms, 1e-12))
            best = int(np.argmax(sims))
        if k and sims[best] >= threshold:
            s = best
        else:
            s = k
            norms.append(0.0)
            if s >= cent.shape[1]:
                cent = np.pad(cent, ((0, 0), (0, cent.shape[1])))
        col = cent[idx, s]
        norms[s] += 2 * float(col @ val) + float(val @ val)
        cent[idx, s] = col + val
        labels.append(s)
    return labels


def agglomerative(x: sp.csr_matrix, threshold: float) -> list[int]:
    if x.shape[0] < 2:
        return [0] * x.shape[0]
    dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, 2.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - threshold
    )
    return [int(v) for v in model.fit_predict(dist)]


def pair_f1(pred: list[bool], gold: list[bool]) -> tuple[float, float]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
    acc = sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)
    return acc, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def semeval_baseline(pairs: list[datasets.Pair], threshold: float) -> list[bool]:
    x = tfidf([d for p in pairs for d in (p.a, p.b)])
    sims = np.asarray(x[0::2].multiply(x[1::2]).sum(axis=1)).ravel()
    return [bool(s >= threshold) for s in sims]  # both baselines: one cosine for 2 items


def semeval_storywire(pairs: list[datasets.Pair]) -> list[bool]:
    feat = Featurizer()
    for p in pairs:  # document frequencies from the whole stream of texts
        for d in (p.a, p.b):
            feat.learn(feat.counts(*fields(d)))
    out = []
    for p in pairs:
        labels = cluster_stream([p.a, p.b], OnlineClusterer(_feat=feat), merge_every=0)
        out.append(labels[0] == labels[1])
    return out


def row(name: str, method: str, s: Scores, extra: str = "") -> None:
    print(
        f"{name:<6} {method:<26} {s.b3_p:6.3f} {s.b3_r:6.3f} {s.b3_f:6.3f}  "
        f"{s.pw_p:6.3f} {s.pw_r:6.3f} {s.pw_f:6.3f}  {s.predicted:5d} {s.gold:5d}  {extra}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "../shared/data"))
    )
    ap.add_argument("--quick", action="store_true", help="UCI: only its first 2,000 rows")
    args = ap.parse_args()
    sets = [datasets.uci(args.data, limit=2000 if args.quick else None), datasets.basil(args.data)]
    pairs = datasets.semeval(args.data)
    gold_pairs = [p.same for p in pairs]

    results: dict[str, Scores] = {}
    timings: dict[str, float] = {}
    for s in sets:
        t = time.perf_counter()
        labels = cluster_stream(s.docs, OnlineClusterer())
        timings[s.name] = time.perf_counter() - t
        results[s.name] = score(labels, s.gold)
        sizes = Counter(labels).most_common(3)
        print(
            f"{s.name}: largest storywire stories {[n for _, n in sizes]} articles, largest "
            f"gold story {Counter(s.gold).most_common(1)[0][1]}"
        )
    sw_acc, sw_f1 = pair_f1(semeval_storywire(pairs), gold_pairs)

    vectors = {s.name: tfidf(s.docs) for s in sets}
    base: dict[tuple[str, float], dict[str, Scores]] = {}
    mean: dict[tuple[str, float], float] = {}
    for method, fn in (("single-pass", single_pass), ("agglomerative", agglomerative)):
        for thr in THRESHOLDS:
            got = {s.name: score(fn(vectors[s.name], thr), s.gold) for s in sets}
            acc, f1 = pair_f1(semeval_baseline(pairs, thr), gold_pairs)
            base[method, thr] = got
            mean[method, thr] = float(np.mean([g.b3_f for g in got.values()] + [f1]))
            print(
                f"  {method} @ {thr:.2f}: "
                + "  ".join(f"{k} {v.b3_f:.3f}" for k, v in got.items())
                + f"  SemEval F1 {f1:.3f}"
            )

    print(
        "\nset    method                     B3-P   B3-R   B3-F1   PW-P   PW-R   PW-F1  pred  gold"
    )
    for s in sets:
        row(s.name, "storywire (shipped)", results[s.name], f"{timings[s.name]:.1f}s")
        for method in ("single-pass", "agglomerative"):
            thr = max(THRESHOLDS, key=lambda t, m=method: mean[m, t])
            row(s.name, f"{method} @ {thr:.2f}", base[method, thr][s.name])
    print(f"\nSemEval pairs ({len(pairs)}, {sum(gold_pairs)} same story): accuracy / F1")
    print(f"  storywire (shipped)        {sw_acc:.3f} / {sw_f1:.3f}")
    for method in ("single-pass", "agglomerative"):
        thr = max(THRESHOLDS, key=lambda t, m=method: mean[m, t])
        acc, f1 = pair_f1(semeval_baseline(pairs, thr), gold_pairs)
        print(f"  {method + f' @ {thr:.2f}':<26} {acc:.3f} / {f1:.3f}")


if __name__ == "__main__":
    main()
