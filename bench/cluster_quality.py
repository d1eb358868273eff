"""Story clustering quality, leave-one-dataset-out: storywire vs two plain baselines.

    python -m bench.cluster_quality [--data ../shared/data] [--quick]

Sets (``tools/train_cluster_model.load_sets``):
- UCI News Aggregator: titles (+ URL); time rounded DOWN to the day and rows shuffled
  within a day with a fixed seed (its crawl time and row order leak the labels);
- BASIL: 100 events x 3 outlets, full text;
- SemEval-2022 Task 8 train pairs: each text whole with no title (it begins with its
  headline), each pair clustered on its own; same story = Overall <= 1.5, different =
  Overall >= 3 (the pairs in between are not scored); scored as a clustering of two
  texts per pair;
- NeuS roundups (AllSides): each roundup's three articles are one story; roundups dated
  by finding their articles in the AllSides corpus (``datasets.neus``).

For each set left out, every method is tuned on the other three and scored on it:
- storywire: the pair model trained and its join threshold chosen on the other sets
  by the shipped procedure (``tools/train_cluster_model.train``);
- single-pass: plain TF-IDF (scikit-learn, sublinear tf, IDF fitted on the scored set
  itself, title + first 1,000 characters); each article joins the story with the most
  similar centroid among those active in the last 72 hours if the cosine reaches the
  threshold, else starts one;
- agglomerative: the same vectors, average link, cosine distance, cut at the threshold;
the baselines' threshold is the one with the best mean B-cubed F1 on the other sets.
``storywire (shipped)`` is the shipped model, trained on all four sets (so in-sample).
Then SemEval same-story recall (Overall <= 1.5) and false-join rate (Overall >= 3) by
language, for storywire shipped and left-out, and single-pass at its left-out threshold.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.feature_extraction.text import TfidfVectorizer

from storywire.cluster import PairModel

from tests.support import datasets
from tests.support.metrics import Scores, score
from tools.train_cluster_model import (
    Set,
    joined_pairs,
    load_sets,
    name_of,
    pairs_as_clustering,
    run,
    train,
    training_pairs,
)

THRESHOLDS = (0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
WINDOW_DAYS = 3.0
LANGS = ("de", "es", "fr", "pl", "tr", "ar", "it", "ru", "zh")
Baseline = Callable[[sp.csr_matrix, np.ndarray, float], list[int]]


def tfidf(docs: Sequence[datasets.Doc]) -> sp.csr_matrix:
    """Plain TF-IDF of title + first 1,000 characters, IDF fitted on these documents."""
    texts = [f"{d.title}\n{d.text[:1000]}" for d in docs]
    return TfidfVectorizer(sublinear_tf=True, dtype=np.float32).fit_transform(texts).tocsr()


def single_pass(x: sp.csr_matrix, days: np.ndarray, threshold: float) -> list[int]:
    """Each row joins the most similar story centroid active within the window."""
    sums = np.zeros((64, x.shape[1]), dtype=np.float32)
    n2 = np.zeros(64)  # squared norms of the sums
    last = np.full(64, -np.inf)
    story = np.zeros(64, dtype=np.int64)
    labels: list[int] = []
    for r in range(x.shape[0]):
        lo, hi = x.indptr[r], x.indptr[r + 1]
        idx, val = x.indices[lo:hi], x.data[lo:hi]
        active = np.flatnonzero(last >= days[r] - WINDOW_DAYS)
        best = -1
        if active.size:
            sims = (sums[np.ix_(active, idx)] @ val) / np.sqrt(np.maximum(n2[active], 1e-12))
            if sims.max() >= threshold:
                best = int(active[np.argmax(sims)])
        if best < 0:
            free = np.flatnonzero(last < days[r] - WINDOW_DAYS)
            if free.size == 0:
                free = np.arange(len(last), 2 * len(last))
                sums = np.vstack([sums, np.zeros_like(sums)])
                n2 = np.concatenate([n2, np.zeros_like(n2)])
                last = np.concatenate([last, np.full(len(last), -np.inf)])
                story = np.concatenate([story, np.zeros_like(story)])
            best = int(free[0])
            sums[best], n2[best], story[best] = 0.0, 0.0, r
        col = sums[best, idx]
        n2[best] += 2.0 * float(col @ val) + float(val @ val)
        sums[best, idx] = col + val
        last[best] = max(last[best], days[r])
        labels.append(int(story[best]))
    return labels


def agglomerative(x: sp.csr_matrix, days: np.ndarray, threshold: float) -> list[int]:
    del days  # the plain baseline looks at the whole set at once
    if x.shape[0] < 2:
        return [0] * x.shape[0]
    sims = (x @ x.T).toarray()
    dist = np.clip(1.0 - sims[np.triu_indices(x.shape[0], 1)], 0.0, 2.0)
    tree = linkage(dist.astype(np.float64), method="average")
    return [int(v) for v in fcluster(tree, 1.0 - threshold, criterion="distance")]


def pair_cosines(items: Sequence[datasets.ScoredPair]) -> np.ndarray:
    x = tfidf([d for p in items for d in (p.a, p.b)])
    return np.asarray(x[0::2].multiply(x[1::2]).sum(axis=1)).ravel()


def baseline_grid(sets: Sequence[Set], method: Baseline) -> dict[str, list[Scores]]:
    """Scores of a baseline on every set at every threshold."""
    out: dict[str, list[Scores]] = {}
    for s in sets:
        if isinstance(s, datasets.Labelled):
            x = tfidf(s.docs)
            days = np.array([d.published.timestamp() / 86400 for d in s.docs])
            out[name_of(s)] = [score(method(x, days, t), s.gold) for t in THRESHOLDS]
        else:
            cos = pair_cosines(s)
            out[name_of(s)] = [pairs_as_clustering(s, list(cos >= t)) for t in THRESHOLDS]
    return out


def left_out_threshold(grid: dict[str, list[Scores]], left: str) -> int:
    """Index of the threshold with the best mean B-cubed F1 on the other sets."""
    means = [np.mean([grid[n][i].b3_f for n in grid if n != left]) for i in range(len(THRESHOLDS))]
    return int(np.argmax(means))


def row(name: str, method: str, s: Scores, extra: str = "") -> None:
    print(
        f"{name:<8} {method:<28} {s.b3_p:6.3f} {s.b3_r:6.3f} {s.b3_f:6.3f}  "
        f"{s.pw_p:6.3f} {s.pw_r:6.3f} {s.pw_f:6.3f}  {s.predicted:5d} {s.gold:5d}  {extra}"
    )


def language_table(items: Sequence[datasets.ScoredPair], joined: dict[str, list[bool]]) -> None:
    """Same-story recall and false-join rate of each method, by language."""
    groups: list[tuple[str, Callable[[tuple[str, str]], bool]]] = [
        ("en", lambda g: g == ("en", "en")),
        ("other", lambda g: g[0] == g[1] != "en"),
        *((lang, lambda g, lang=lang: g == (lang, lang)) for lang in LANGS),
        ("cross", lambda g: g[0] != g[1]),
    ]
    print(f"\n{'lang':<6} {'same':>5} {'diff':>5}  " + "  ".join(f"{m:>24}" for m in joined))
    print(f"{'':<6} {'':>5} {'':>5}  " + "  ".join(f"{'recall  false-join':>24}" for _ in joined))
    for name, pick in groups:
        idx = [i for i, p in enumerate(items) if pick(p.langs) and p.label is not None]
        same = [i for i in idx if items[i].label]
        diff = [i for i in idx if not items[i].label]
        cells = []
        for j in joined.values():
            rec = np.mean([j[i] for i in same]) if same else float("nan")
            fj = np.mean([j[i] for i in diff]) if diff else float("nan")
            cells.append(f"{rec:>12.3f}{fj:>12.3f}")
        print(f"{name:<6} {len(same):>5} {len(diff):>5}  " + "  ".join(cells))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "../shared/data"))
    )
    ap.add_argument("--quick", action="store_true", help="UCI: only its first 2,000 rows")
    args = ap.parse_args()
    t0 = time.perf_counter()
    sets = load_sets(args.data, quick=args.quick)
    names = [name_of(s) for s in sets]
    grids = {
        "single-pass": baseline_grid(sets, single_pass),
        "agglomerative": baseline_grid(sets, agglomerative),
    }
    pairs = {name_of(s): training_pairs(s) for s in sets}
    shipped = PairModel.load()
    left_out: dict[str, PairModel] = {}
    print(f"loaded, baselines and training pairs in {time.perf_counter() - t0:.0f}s")
    print(
        "\nleft out method (tuned on the others)     B3-P   B3-R  B3-F1    PW-P   PW-R  PW-F1"
        "   pred  gold"
    )
    for s, name in zip(sets, names, strict=True):
        others = [o for o in sets if o is not s]
        left_out[name] = model = train(others, pairs, log=False)
        row(name, f"storywire (thr {model.threshold:.2f})", run(s, model))
        for method, grid in grids.items():
            i = left_out_threshold(grid, name)
            row(name, f"{method} @ {THRESHOLDS[i]:.3f}", grid[name][i])
        row(name, "storywire (shipped)", run(s, shipped), "in-sample")
    semeval = next(s for s in sets if not isinstance(s, datasets.Labelled))
    i = left_out_threshold(grids["single-pass"], "SemEval")
    language_table(
        semeval,
        {
            "storywire shipped": joined_pairs(semeval, shipped),
            "storywire left-out": joined_pairs(semeval, left_out["SemEval"]),
            f"single-pass @ {THRESHOLDS[i]:.3f}": list(pair_cosines(semeval) >= THRESHOLDS[i]),
        },
    )
    print(f"\n{time.perf_counter() - t0:.0f}s in all")


if __name__ == "__main__":
    main()
