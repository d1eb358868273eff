"""What the writer's stand-alone rule costs on NeuS, story by story: a what-if bench.

    python -m bench.write_paired [--split val] [--words 56] [--limit N]

The writer keeps out of highlights and the Story every sentence that does not stand
alone (it opens on a pronoun or connective, leans on context it does not give, or holds
a quote whose speaker it does not name: ``write.readable.stands_alone``), because a
reader notices them. The centroid + MMR baseline takes them. This bench writes each NeuS
story three ways: the writer as shipped, the writer with that rule switched off (the
what-if), and the baseline; it prints each one's ROUGE F1 and the paired differences
with one standard error (SD of the per-story differences / sqrt(n)), so a gap on a
split of 307 stories can be told from noise.

Needs the `bench` extra (rouge-score, sumy) and $STORYWIRE_DATA (or --data).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from storywire.write import ExtractiveWriter, extractive, facts

from bench import write_quality

KEYS = ("rouge1", "rouge2", "rougeL")


@contextmanager
def rule_off() -> Iterator[None]:
    """The writer with its stand-alone rule switched off inside the block (every sentence
    counts as standing alone); restored after."""
    saved = facts.stands_alone, extractive.stands_alone
    facts.stands_alone = extractive.stands_alone = lambda _sentence: True
    try:
        yield
    finally:
        facts.stands_alone, extractive.stands_alone = saved


def scores(refs: list[str], hyps: list[str]) -> np.ndarray:
    """Per-story ROUGE-1/2/L F1 x 100, one row per story."""
    return np.array(
        [
            [write_quality.SCORER.score(r, h)[k].fmeasure * 100 for k in KEYS]
            for r, h in zip(refs, hyps, strict=True)
        ]
    )


def paired(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean per-story difference a - b, its standard error, and the stories that differ."""
    d = a - b
    se = d.std(0, ddof=1) / math.sqrt(len(d)) if len(d) > 1 else np.zeros(d.shape[1])
    return d.mean(0), se, int((np.abs(d).max(1) > 1e-9).sum())


def report(data: Path, split: str, budget: int, limit: int | None) -> None:
    rows = write_quality.neus_rows(data, split, limit)
    refs = [story for _, _, story in rows]
    writer = ExtractiveWriter(words=budget)

    def body(arts: list) -> str:
        return " ".join(s.text for s in writer.write(arts).body)

    shipped = [body(arts) for arts, _, _ in rows]
    with rule_off():
        off = [body(arts) for arts, _, _ in rows]
    base = [write_quality.centroid_mmr(arts, budget) for arts, _, _ in rows]
    got = {
        "writer": scores(refs, shipped),
        "writer, rule off": scores(refs, off),
        "centroid + MMR": scores(refs, base),
    }
    print(f"NeuS {split}: {len(rows)} stories, budget {budget} words, ROUGE F1 x100 (stemmed)")
    print(f"  {'system':34s} {'R-1':>16s} {'R-2':>16s} {'R-L':>16s}  differ")
    for name, s in got.items():
        print(f"  {name:34s} " + " ".join(f"{x:16.3f}" for x in s.mean(0)))
    for a, b in (
        ("writer", "writer, rule off"),
        ("writer", "centroid + MMR"),
        ("writer, rule off", "centroid + MMR"),
    ):
        mean, se, differ = paired(got[a], got[b])
        cells = " ".join(f"{m:+8.3f} ± {e:5.3f}" for m, e in zip(mean, se, strict=True))
        print(f"  {a + ' - ' + b:34s} {cells}  {differ}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=os.environ.get("STORYWIRE_DATA"))
    p.add_argument("--split", default="val")
    p.add_argument("--words", type=int, default=56)
    p.add_argument("--limit", type=int, default=None, help="first N NeuS rows only")
    args = p.parse_args(argv)
    if not args.data or not Path(args.data).is_dir():
        print("set STORYWIRE_DATA or --data to the shared data folder", file=sys.stderr)
        return 2
    report(args.data, args.split, args.words, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
