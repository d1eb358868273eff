"""Diagnostic only: per-story paired ROUGE, writer with/without the stand-alone rule and
the centroid + MMR baseline, on a NeuS split."""
import sys, math
from pathlib import Path
import numpy as np
import storywire.write.facts as F
import storywire.write.extractive as E
import bench.write_quality as W
from storywire.write.extractive import ExtractiveWriter

split = sys.argv[1]
rows = W.neus_rows(Path("/work/shared/data"), split, None)
orig_f, orig_e = F.stands_alone, E.stands_alone
def per(hyps):
    return np.array([[W.SCORER.score(r, h)[k].fmeasure * 100 for k in ("rouge1", "rouge2", "rougeL")] for (_, _, r), h in zip(rows, hyps)])
w = ExtractiveWriter(words=56)
on = [" ".join(s.text for s in w.write(a).body) for a, _, _ in rows]
F.stands_alone = E.stands_alone = lambda s: True
off = [" ".join(s.text for s in w.write(a).body) for a, _, _ in rows]
base = [W.centroid_mmr(a, 56) for a, _, _ in rows]
P = {"rule on": per(on), "rule off": per(off), "centroid+MMR": per(base)}
n = len(rows)
for k, v in P.items(): print(f"{split} {k:14s} " + " / ".join(f"{x:.3f}" for x in v.mean(0)))
def diff(a, b):
    d = P[a] - P[b]
    return " ".join(f"{m:+.3f}±{s:.3f}" for m, s in zip(d.mean(0), d.std(0, ddof=1) / math.sqrt(n))) + f"  ({int((np.abs(d[:,1])>1e-9).sum())} stories differ)"
print(f"{split} rule on - rule off:      ", diff("rule on", "rule off"))
print(f"{split} rule on - centroid+MMR:  ", diff("rule on", "centroid+MMR"))
print(f"{split} rule off - centroid+MMR: ", diff("rule off", "centroid+MMR"))
