"""Extraction quality and speed: storywire's extractor vs trafilatura with default options.

    python -m bench.extraction [--pages N]

Reads the article-extraction-benchmark (181 real pages, html/*.html.gz +
ground-truth.json) from $STORYWIRE_DATA. For each page both extractors get the
same bytes; the text is compared with the ground-truth article body as bags of
word tokens (case-folded): precision = shared / extracted, recall = shared / truth.
The table shows the mean over pages of P and R, the F1 of those means (as the
benchmark's own evaluation does), and pages per second (one core, same run).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

from storywire.errors import ExtractError
from storywire.extract import extract_page

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.casefold()))


def score(pred: str, truth: str) -> tuple[float, float]:
    p, t = tokens(pred), tokens(truth)
    shared = sum((p & t).values())
    precision = shared / sum(p.values()) if p else 0.0
    recall = shared / sum(t.values()) if t else 1.0
    return precision, recall


def ours(html: bytes, url: str) -> str:
    try:
        return extract_page(html, url).text
    except ExtractError:
        return ""


def theirs(html: bytes, url: str) -> str:
    return trafilatura.extract(html) or ""


def run(pages: list[tuple[bytes, str, str]], fn) -> tuple[float, float, float, float]:
    ps, rs = [], []
    start = time.perf_counter()
    for html, url, truth in pages:
        p, r = score(fn(html, url), truth)
        ps.append(p)
        rs.append(r)
    elapsed = time.perf_counter() - start
    mp, mr = sum(ps) / len(ps), sum(rs) / len(rs)
    f1 = 2 * mp * mr / (mp + mr) if mp + mr else 0.0
    return mp, mr, f1, len(pages) / elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=0, help="only the first N pages (0: all)")
    args = ap.parse_args()
    data = os.environ.get("STORYWIRE_DATA")
    if not data:
        print("set STORYWIRE_DATA to the shared data folder", file=sys.stderr)
        return 2
    root = Path(data) / "extraction" / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    items = sorted(truth.items())[: args.pages or None]
    pages = [
        (
            gzip.decompress((root / "html" / f"{k}.html.gz").read_bytes()),
            v["url"],
            v.get("articleBody") or "",
        )
        for k, v in items
    ]
    print(f"{len(pages)} pages of article-extraction-benchmark\n")
    print(f"{'extractor':<34} {'precision':>9} {'recall':>7} {'F1':>7} {'pages/s':>8}")
    results = {}
    for name, fn in (("trafilatura.extract (defaults)", theirs), ("storywire extract_page", ours)):
        mp, mr, f1, rate = run(pages, fn)
        results[name] = f1
        print(f"{name:<34} {mp:9.3f} {mr:7.3f} {f1:7.3f} {rate:8.1f}")
    ok = results["storywire extract_page"] >= results["trafilatura.extract (defaults)"]
    print(f"\nstorywire F1 >= trafilatura F1: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
