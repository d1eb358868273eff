"""Near-duplicate detection: precision and recall on syndicated copies built from AllSides.

    python -m bench.near_dup [--originals N] [--copies N] [--negatives N] [--seed S]

Indexes N original articles (AllSides corpus, >= 150 words). Positives are copies of
originals with the edits syndication makes (each copy gets a random mix): a new
headline, an added byline, added boilerplate (newsletter, copyright), the last one to
three paragraphs trimmed, and a few words changed. Negatives are other articles of
the same AllSides topics (the same news themes, different outlets), not in the index.
A positive counts as found when it is linked to its own original; any other link is
a false positive. The baseline in the same run is exact duplicate detection (content
hash), which is what storywire had before.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from storywire.dedup import NearDuplicates, content_hash

BYLINES = [
    "By {a}, Associated Press",
    "By {a} | Reuters",
    "{a}, The Associated Press",
    "Staff and wire reports. By {a}",
]
BOILER = [
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Copyright 2019 The Associated Press. All rights reserved. This material may not "
    "be published, broadcast, rewritten or redistributed.",
    "Follow us on Twitter and Facebook for the latest updates on this story.",
    "Associated Press writers contributed to this report.",
]
SWAPS = {
    "said": "says",
    "told": "informed",
    "percent": "per cent",
    "Mr.": "Mr",
    "president": "President",
    "would": "will",
    "on Monday": "Monday",
}


def load(data: Path, limit: int) -> list[dict]:
    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = rec.get("content_original") or ""
            if len(text.split()) >= 150:
                out.append(rec)
            if len(out) >= limit:
                break
    return out


def syndicate(rec: dict, rng: random.Random) -> tuple[str, str]:
    """(headline, text) of a member outlet's copy of the article."""
    paras = [p for p in re.split(r"\n\s*\n", rec["content_original"]) if p.strip()]
    if len(paras) > 4 and rng.random() < 0.8:
        paras = paras[: -rng.randint(1, min(3, len(paras) // 4 or 1))]
    text = "\n\n".join(paras)
    if rng.random() < 0.7:
        for old, new in rng.sample(sorted(SWAPS.items()), 3):
            text = text.replace(old, new, 2)
    if rng.random() < 0.8:
        text = rng.choice(BYLINES).format(a=rec.get("authors") or "Staff") + "\n\n" + text
    if rng.random() < 0.8:
        text += "\n\n" + " ".join(rng.sample(BOILER, rng.randint(1, 3)))
    headline = "UPDATE: " + rec["title"] if rng.random() < 0.5 else rec["title"].upper()
    return headline, text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--originals", type=int, default=3000)
    ap.add_argument("--copies", type=int, default=1000)
    ap.add_argument("--negatives", type=int, default=1000)
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    data = os.environ.get("STORYWIRE_DATA")
    if not data:
        print("set STORYWIRE_DATA to the shared data folder", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    records = load(Path(data), args.originals + 4 * args.negatives)
    originals, rest = records[: args.originals], records[args.originals :]
    topics = {r["topic"] for r in originals}
    negatives = [r for r in rest if r["topic"] in topics][: args.negatives]
    copies = [
        (i, *syndicate(originals[i], rng))
        for i in rng.sample(range(len(originals)), min(args.copies, len(originals)))
    ]
    print(
        f"{len(originals)} originals indexed, {len(copies)} syndicated copies, "
        f"{len(negatives)} same-topic non-duplicates\n"
    )

    index, hashes = NearDuplicates(threshold=args.threshold), defaultdict(list)
    start = time.perf_counter()
    for i, rec in enumerate(originals):
        index.add(i, rec["content_original"])
        hashes[content_hash(rec["title"], rec["content_original"])].append(i)
    build = time.perf_counter() - start

    def evaluate(find) -> tuple[float, float, int, int, float]:
        t = time.perf_counter()
        tp = fp = 0
        for i, title, text in copies:
            got = find(title, text)
            tp += got == i
            fp += got is not None and got != i
        neg_fp = sum(find(r["title"], r["content_original"]) is not None for r in negatives)
        fp += neg_fp
        per = (time.perf_counter() - t) / (len(copies) + len(negatives)) * 1000
        precision = tp / (tp + fp) if tp + fp else 1.0
        return precision, tp / len(copies), fp, neg_fp, per

    def exact(title: str, text: str) -> int | None:
        found = hashes.get(content_hash(title, text))
        return found[0] if found else None

    print(f"{'method':<36} {'precision':>9} {'recall':>7} {'false +':>8} {'ms/query':>9}")
    for name, fn in (
        ("exact content hash (baseline)", exact),
        (f"MinHash LSH (threshold {args.threshold})", lambda title, text: index.find(text)),
    ):
        p, r, fp, neg_fp, per = evaluate(fn)
        print(f"{name:<36} {p:9.3f} {r:7.3f} {fp:8d} {per:9.2f}")
    print(f"\nindex build: {len(originals)} articles in {build:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
