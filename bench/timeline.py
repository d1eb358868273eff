"""Timeline links: precision and recall of the link rule (storywire/timeline.py) on
labelled stories, against a baseline in the same run.

    python -m bench.timeline [--data ../shared/data]

Two protocols on UCI News Aggregator (titles, 3 days) and BASIL (100 events):
- split: each gold story is cut in two, the second part returning 3 days later (UCI:
  halves of its headlines in shuffled order; BASIL: the first outlet's article apart
  from the other two). Gold links join parts of the same gold story; every other pair
  within the gap is a wrong link (including other stories of the same subject).
- engine: the real clustering (cluster_stream) over the set; each predicted story is
  labelled with its majority gold story; gold links join predicted stories with the same
  label (a gold story the engine split).
A predicted link is right when both stories belong to the same gold story. Recall counts
gold stories' consecutive parts that got linked (either way round).

Thresholds are chosen leave-one-dataset-out: the threshold used on UCI is the best F1 on
BASIL (split protocol) and vice versa; the shipped LINK_COSINE is printed beside them.
Baseline: Jaccard of the word sets of each story's first headline, same gap, same
best-one-each-way rule, threshold chosen the same way.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from storywire import timeline as tl
from storywire.cluster import cluster_stream

from tests.support import datasets

RETURN = timedelta(days=3)  # a split part returns this much later (within the gap)
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
Part = tuple[str, list[str], datetime, datetime]  # gold id, titles, first, last


def split_parts(ds: datasets.Labelled) -> list[Part]:
    groups: dict[str, list[datasets.Doc]] = defaultdict(list)
    for doc, gold in zip(ds.docs, ds.gold, strict=True):
        groups[gold].append(doc)
    parts: list[Part] = []
    for gold, docs in groups.items():
        if ds.name == "UCI":  # (shuffled within the day by the reader) halves
            half = len(docs) // 2
            chunks = [docs[:half], docs[half:]] if half else [docs]
        else:
            docs = sorted(docs, key=lambda d: d.outlet)
            chunks = [docs[:1], docs[1:]] if len(docs) > 1 else [docs]
        for k, c in enumerate(chunks):
            times = [d.published + k * RETURN for d in c]
            parts.append((gold, [d.title for d in c], min(times), max(times)))
    return parts


def engine_parts(ds: datasets.Labelled) -> list[Part]:
    labels = cluster_stream(ds.docs)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    parts: list[Part] = []
    for members in groups.values():
        gold = Counter(ds.gold[i] for i in members).most_common(1)[0][0]
        times = [ds.docs[i].published for i in members]
        parts.append((gold, [ds.docs[i].title for i in members], min(times), max(times)))
    return parts


Profiler = Callable[[int, Part], tl.StoryProfile]


def storywire_profile(i: int, p: Part) -> tl.StoryProfile:
    return tl.profile(i, p[2], p[3], p[1])


def first_title_profile(i: int, p: Part) -> tl.StoryProfile:
    return tl.StoryProfile(i, p[2], p[3], dict.fromkeys(tl.title_words(p[1][0]), 1.0))


def jaccard(a: dict[str, float], b: dict[str, float]) -> float:
    return len(a.keys() & b.keys()) / max(1, len(a.keys() | b.keys()))


def evaluate(
    parts: list[Part], make: Profiler, threshold: float, sim: Callable[..., float] | None = None
) -> tuple[float, float, int]:
    """(precision, recall, links predicted)."""
    profiles = [make(i, p) for i, p in enumerate(parts)]
    predicted = {
        (e, later)
        for s in profiles
        for e, later, _ in tl.links(s, profiles, threshold, similarity=sim)
    }
    right = sum(parts[e][0] == parts[later][0] for e, later in predicted)
    by_gold: dict[str, list[int]] = defaultdict(list)
    for i, p in sorted(enumerate(parts), key=lambda ip: (ip[1][2], ip[0])):
        by_gold[p[0]].append(i)
    gold = [(a, b) for ids in by_gold.values() for a, b in zip(ids, ids[1:], strict=False)]
    undirected = {frozenset(x) for x in predicted}
    found = sum(frozenset(g) in undirected for g in gold)
    precision = right / len(predicted) if predicted else 1.0
    return precision, found / len(gold) if gold else 1.0, len(predicted)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def best_threshold(parts: list[Part], make: Profiler, sim: Callable[..., float] | None) -> float:
    return max(THRESHOLDS, key=lambda t: f1(*evaluate(parts, make, t, sim)[:2]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "")))
    args = ap.parse_args()
    sets = {"UCI": datasets.uci(args.data), "BASIL": datasets.basil(args.data)}
    split = {name: split_parts(ds) for name, ds in sets.items()}
    engine = {name: engine_parts(ds) for name, ds in sets.items()}
    methods: dict[str, tuple[Profiler, Callable[..., float] | None]] = {
        "storywire": (storywire_profile, None),
        "baseline": (first_title_profile, jaccard),
    }
    print(f"gap {tl.GAP_DAYS} days; shipped LINK_COSINE {tl.LINK_COSINE}")
    head = f"{'set':<6} {'protocol':<7} {'method':<10} {'thr':>5} {'links':>6}"
    head += f" {'P':>6} {'R':>6} {'F1':>6}"
    print(head)
    print("-" * len(head))
    for name in sets:
        other = "BASIL" if name == "UCI" else "UCI"
        for method, (make, sim) in methods.items():
            chosen = best_threshold(split[other], make, sim)
            for protocol, parts in (("split", split[name]), ("engine", engine[name])):
                p, r, n = evaluate(parts, make, chosen, sim)
                print(
                    f"{name:<6} {protocol:<7} {method:<10} {chosen:>5.2f} {n:>6d} "
                    f"{p:>6.3f} {r:>6.3f} {f1(p, r):>6.3f}"
                )
        p, r, n = evaluate(split[name], storywire_profile, tl.LINK_COSINE)
        print(
            f"{name:<6} {'split':<7} {'shipped':<10} {tl.LINK_COSINE:>5.2f} {n:>6d} "
            f"{p:>6.3f} {r:>6.3f} {f1(p, r):>6.3f}"
        )
        p, r, n = evaluate(engine[name], storywire_profile, tl.LINK_COSINE)
        print(
            f"{name:<6} {'engine':<7} {'shipped':<10} {tl.LINK_COSINE:>5.2f} {n:>6d} "
            f"{p:>6.3f} {r:>6.3f} {f1(p, r):>6.3f}"
        )
    for name in sets:
        curve = [
            f"{t:.2f}:{evaluate(split[name], storywire_profile, t)[0]:.2f}/"
            f"{evaluate(split[name], storywire_profile, t)[1]:.2f}"
            for t in THRESHOLDS
        ]
        print(f"{name} split, storywire P/R by threshold: " + " ".join(curve))


if __name__ == "__main__":
    main()
