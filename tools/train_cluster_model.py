"""Train the shipped "same story" pair model from the shared labelled data.

    python -m tools.train_cluster_model [--data ../shared/data] [--out PATH]
                                           [--uci-days 2014-03-11]

First counts the document frequencies of all AllSides articles into the background
table the featurizer starts from (src/storywire/cluster/background_df.json.gz). Then
streams UCI (day-rounded time, rows shuffled within a day with a fixed seed) and BASIL
in publication order with the gold stories as the clusterer's state ("teacher forcing"),
collects the pair features of every (article, candidate story) pair labelled by whether
the candidate is the article's gold story, adds the SemEval-2022 pairs (the second
article against the first's story: same story = Overall <= 2.5), each set weighing the
same, fits a logistic regression (scikit-learn, fixed solver, deterministic), then
picks the join threshold that maximises the mean B-cubed F1 of real online runs on UCI
and BASIL. Writes
src/storywire/cluster/pair_model.json (small and versioned).

``--uci-days`` keeps only those days of UCI for fitting and for the threshold, and
reports the other days as held out (each UCI story lies within one day, so held-out
days hold other stories); use it with ``--out`` elsewhere to measure out-of-sample.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
from datetime import datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from storywire.cluster import features
from storywire.cluster.engine import cluster_stream
from storywire.cluster.features import Featurizer
from storywire.cluster.model import FEATURES, PairModel, untrained
from storywire.cluster.online import Doc, OnlineClusterer, fields

from tests.support import datasets
from tests.support.metrics import score

OUT = Path(__file__).resolve().parent.parent / "src/storywire/cluster/pair_model.json"
BACKGROUND = OUT.with_name(features.BACKGROUND)
ALLSIDES = Path("corpus/allsides-article-bias/articles.jsonl.gz")
VERSION = "2026-11-26.4"


def background_df(data: Path, out: Path) -> None:
    """Document frequencies of every AllSides article (title, text, URL words; dates are
    not needed), written as the background table the featurizer starts from."""
    feat = Featurizer(use_background=False)
    batch: list[tuple[str, str]] = []
    with gzip.open(data / ALLSIDES, "rt", encoding="utf-8") as fh:
        for line in fh:
            a = json.loads(line)
            batch.append(
                fields(
                    Doc(
                        a.get("title") or "",
                        a.get("content_original") or "",
                        datetime.min,
                        url=a.get("url") or "",
                    )
                )
            )
            if len(batch) == 1024:
                for c in feat.counts_many(batch):
                    feat.learn(c)
                batch = []
    for c in feat.counts_many(batch):
        feat.learn(c)
    data_out = {"source": str(ALLSIDES), **feat.table()}
    out.write_bytes(gzip.compress(json.dumps(data_out, separators=(",", ":")).encode(), mtime=0))
    features.background.cache_clear()
    print(f"wrote {out} ({feat.n_docs} documents, {out.stat().st_size // 1024} KiB)")


def pairs(labelled: datasets.Labelled) -> tuple[np.ndarray, np.ndarray]:
    clusterer = OnlineClusterer(model=untrained())
    gold_ids: dict[str, int] = {}
    xs, ys = [], []
    for doc, gold in zip(labelled.docs, labelled.gold, strict=True):
        story = gold_ids.setdefault(gold, len(gold_ids) + 1)
        ids, x = clusterer.candidate_pairs(doc, learn=True)
        if ids.size:
            xs.append(x)
            ys.append(ids == story)
        clusterer.add(doc, story)
    return np.vstack(xs), np.concatenate(ys)


def semeval_pairs(items: list[datasets.Pair]) -> tuple[np.ndarray, np.ndarray]:
    """Each SemEval pair as a stream of two: the second article's one candidate is the
    first's story (teaches the model what a lone candidate is worth)."""
    feat = Featurizer()
    for p in items:
        for d in (p.a, p.b):
            feat.learn(feat.counts(d.title, d.text))
    xs, ys = [], []
    for p in items:
        clusterer = OnlineClusterer(model=untrained(), _feat=feat)
        clusterer.add(p.a, 1)
        ids, x = clusterer.candidate_pairs(p.b, learn=False)
        if ids.size:
            xs.append(x)
            ys.append(np.array([p.same]))
    return np.vstack(xs), np.concatenate(ys)


def by_days(labelled: datasets.Labelled, days: set[str], keep: bool) -> datasets.Labelled:
    """The items of ``labelled`` published on ``days`` (keep) or on other days."""
    pick = [(d.published.date().isoformat() in days) == keep for d in labelled.docs]
    return datasets.Labelled(
        f"{labelled.name}[{'train' if keep else 'held-out'} days]",
        [d for d, k in zip(labelled.docs, pick, strict=True) if k],
        [g for g, k in zip(labelled.gold, pick, strict=True) if k],
    )


def fit(
    sets: list[datasets.Labelled], semeval: list[datasets.Pair]
) -> tuple[np.ndarray, np.ndarray, LogisticRegression]:
    xs, ys, ws = [], [], []
    for name, (x, y) in [(s.name, pairs(s)) for s in sets] + [("SemEval", semeval_pairs(semeval))]:
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), 1.0 / len(y)))  # each set weighs the same
        print(f"{name}: {len(y)} candidate pairs, {int(y.sum())} same-story")
    x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    lr = LogisticRegression(C=1.0, max_iter=2000)
    lr.fit((x - mean) / scale, y, sample_weight=w * len(y) / len(xs))
    return mean, scale, lr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "../shared/data"))
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--uci-days",
        default="",
        help="comma-separated UCI days (YYYY-MM-DD) "
        "to train on; the other days are held out and reported",
    )
    args = ap.parse_args()
    background_df(args.data, BACKGROUND)  # the featurizer reads it from the package
    uci, held = datasets.uci(args.data), None
    if args.uci_days:
        days = set(args.uci_days.split(","))
        uci, held = by_days(uci, days, True), by_days(uci, days, False)
    sets = [uci, datasets.basil(args.data)]
    mean, scale, lr = fit(sets, datasets.semeval(args.data))
    best: tuple[float, float] = (-1.0, 0.5)
    for thr in np.arange(0.15, 0.56, 0.05):
        model = PairModel(
            VERSION,
            mean,
            scale,
            lr.coef_[0],
            float(lr.intercept_[0]),
            float(thr),
            max(0.9, float(thr)),
        )
        f = [score(cluster_stream(s.docs, OnlineClusterer(model=model)), s.gold).b3_f for s in sets]
        print(
            f"threshold {thr:.2f}: "
            + "  ".join(f"{s.name} {v:.3f}" for s, v in zip(sets, f, strict=True))
        )
        if np.mean(f) > best[0]:
            best = (float(np.mean(f)), float(thr))
    model = PairModel(
        VERSION,
        mean,
        scale,
        lr.coef_[0],
        float(lr.intercept_[0]),
        round(best[1], 2),
        max(0.9, round(best[1], 2)),
    )
    if held is not None:
        for s in (uci, held):
            got = score(cluster_stream(s.docs, OnlineClusterer(model=model)), s.gold)
            print(
                f"{s.name}: {len(s.docs)} items, B-cubed P/R/F1 "
                f"{got.b3_p:.3f}/{got.b3_r:.3f}/{got.b3_f:.3f}"
            )
    data = model.to_json()
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    for name, c in zip(FEATURES, lr.coef_[0], strict=True):
        print(f"  {name:>20} {c:+.3f}")
    print(f"wrote {args.out} (threshold {best[1]:.2f}, mean B-cubed F1 {best[0]:.3f})")


if __name__ == "__main__":
    main()
