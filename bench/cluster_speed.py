"""Clustering throughput and memory on the AllSides corpus, in publication order.

    python -m bench.cluster_speed [--data ../shared/data] [--articles N]

Reads all 37,554 AllSides articles (those without a date, about 4.4k, are skipped and
counted), sorts them by publication time and clusters them with storywire (pair model,
maintenance every 200 articles, stories retired after the late window) and with the
single-pass baseline (the walking skeleton's clusterer: hashed TF-IDF, one cosine
threshold against every story active in the window), each in its own forked process on
one core. Prints articles/s overall, for the first and the last 5,000 articles (flat cost
per article means similar rates), peak resident memory of that process (which
includes the articles loaded before forking, printed separately), and the three largest
stories with the days they span (the drift guard keeps stories to 7 days).

Then the whole process as a user runs it (without ``--articles``): ``storywire batch
--no-write`` on the gzipped corpus in a fresh process (Python start, reading and parsing
JSON, sorting, term counting and dedup keys in worker processes where there are cores to
spare, dedup, clustering, merging, writing the output), timed from outside, with its
peak memory (the largest of the process and its workers), its rate beside the in-loop
ones and the ratio to the single-pass baseline's in-loop rate of the same run, and the
ten largest stories of its output with the days they span, and its CPU time (user +
system, its workers included), which depends less on the machine's load than its wall
time. Rates depend on the machine's load (printed at the start and the end); the ratio
less so.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer

from storywire.cluster import Doc, OnlineClusterer, cluster_stream, doc_of
from storywire.ingest.corpus import BadLine, read_records, to_article

MAPPING = {"text": "content_original", "outlet": "source", "published": "date", "id": "ID"}
CHUNK = 5000
DOCS: list[Doc] = []


def load(data: Path, limit: int | None) -> tuple[list[Doc], int, int]:
    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    docs, undated, total = [], 0, 0
    for line, obj in read_records(path):
        total += 1
        a = obj if isinstance(obj, BadLine) else to_article(obj, MAPPING, line)
        if isinstance(a, BadLine):
            undated += 1
            continue
        docs.append(doc_of(a))
        if limit and len(docs) >= limit:
            break
    docs.sort(key=lambda d: d.published)
    return docs, undated, total


# -- the baseline: the walking skeleton's single-pass clusterer, kept verbatim here --------

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


@dataclass
class SinglePass:
    window: timedelta = timedelta(hours=72)
    threshold: float = 0.18
    stories: dict[int, list] = field(default_factory=dict)  # id -> [first, last, total]

    def __post_init__(self) -> None:
        self.hasher = HashingVectorizer(
            n_features=2**20, analyzer=_tokens, alternate_sign=False, norm=None
        )
        self.df = np.zeros(2**20, dtype=np.float32)
        self.n = 0

    def step(self, doc: Doc, new_id: int) -> int:
        counts = self.hasher.transform([f"{doc.title}\n{doc.title}\n{doc.text[:1200]}"]).tocsr()
        self.df[counts.indices] += 1
        self.n += 1
        idf = np.log((self.n + 1) / (self.df[counts.indices] + 1)) + 1.0
        data = (1.0 + np.log(counts.data)) * idf
        vec = sp.csr_matrix(
            (data / (np.linalg.norm(data) or 1.0), counts.indices, counts.indptr),
            shape=counts.shape,
        )
        lo, hi = doc.published - self.window, doc.published + self.window
        cands = [(k, s) for k, s in self.stories.items() if s[1] >= lo and s[0] <= hi]
        chosen = None
        if cands:
            totals = sp.vstack([s[2] for _, s in cands]).tocsr()
            norms = np.sqrt(np.asarray(totals.multiply(totals).sum(axis=1)).ravel())
            sims = np.asarray((totals @ vec.T).todense()).ravel() / np.maximum(norms, 1e-9)
            best = int(np.argmax(sims))
            chosen = cands[best][0] if sims[best] >= self.threshold else None
        if chosen is None:
            self.stories[new_id] = [doc.published, doc.published, vec]
            chosen = new_id
        else:
            s = self.stories[chosen]
            s[1], s[2] = max(s[1], doc.published), s[2] + vec
        if new_id % 500 == 0:  # retire stories past twice the window, as the pipeline does
            cut = doc.published - 2 * self.window
            for k in [k for k, s in self.stories.items() if s[1] < cut]:
                del self.stories[k]
        return chosen


# -- measurement ----------------------------------------------------------------------------


def largest(labels: list[int], k: int = 3) -> list[str]:
    """The ``k`` largest stories as "articles (days spanned)", smallest first."""
    _, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    days = np.array([d.published.timestamp() / 86400 for d in DOCS])
    out = []
    for s in np.argsort(sizes, kind="stable")[-k:]:
        when = days[inverse == s]
        out.append(f"{sizes[s]} ({when.max() - when.min():.0f}d)")
    return out


def _run(method: str, queue: mp.Queue) -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    marks: list[float] = []
    t0 = time.perf_counter()
    if method == "storywire":
        labels = cluster_stream(
            DOCS, OnlineClusterer(), progress=lambda n: marks.append(time.perf_counter())
        )
    else:
        sp_ = SinglePass()
        labels = []
        for n, d in enumerate(DOCS, 1):
            labels.append(sp_.step(d, n))
            if n % 1000 == 0:
                marks.append(time.perf_counter())
    total = time.perf_counter() - t0
    queue.put(
        (
            method,
            total,
            [t0, *marks],
            len(set(labels)),
            largest(labels),
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )


def main() -> None:
    global DOCS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--data", type=Path, default=Path(os.environ.get("STORYWIRE_DATA", "../shared/data"))
    )
    ap.add_argument("--articles", type=int, default=None, help="only the first N dated")
    args = ap.parse_args()
    DOCS, undated, total = load(args.data, args.articles)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{total} lines read, {len(DOCS)} articles clustered, {undated} skipped "
        f"(no valid date); {loaded:.0f} MiB resident after loading; "
        f"load average {_load()} ({os.cpu_count()} CPUs)"
    )
    n, k = len(DOCS), CHUNK // 1000
    print(
        f"\n{'method':<12} {'art/s':>8} {'first 5k':>9} {'last 5k':>9} {'stories':>8} "
        f"{'peak MiB':>9}  largest stories (days spanned)"
    )
    # First, while no child has run: its peak memory is then its own (and its workers').
    whole = whole_process(args.data) if args.articles is None else None
    ctx = mp.get_context("fork")
    rates = {}
    for method in ("storywire", "single-pass"):
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(method, queue))
        proc.start()
        name, secs, marks, stories, largest, peak = queue.get()
        proc.join()
        first = (k * 1000) / (marks[k] - marks[0]) if len(marks) > k else float("nan")
        last_n = (len(marks) - 1 - k) * 1000
        last = CHUNK / (marks[-1] - marks[-1 - k]) if len(marks) > 2 * k else float("nan")
        del last_n
        rates[name] = n / secs
        print(
            f"{name:<12} {n / secs:8.0f} {first:9.0f} {last:9.0f} {stories:8d} "
            f"{peak:9.0f}  {', '.join(largest)}"
        )

    if whole is not None:
        report_whole(args.data, n, rates["single-pass"], *whole)
    print(f"\nload average at the end: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


BATCH_FIELDS = ("id=ID", "text=content_original", "outlet=source", "published=date")


def whole_process(data: Path) -> tuple[float, float, float, list[list[str]]] | None:
    """``storywire batch --no-write`` on the whole corpus, timed as a user would see it:
    (seconds, CPU seconds (user + system, workers included), peak MiB, the stories'
    article ids)."""
    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    fields = [arg for f in BATCH_FIELDS for arg in ("--field", f)]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stories.jsonl"
        cmd = [sys.executable, "-m", "storywire", "batch", str(path), *fields]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            [*cmd, "--no-write", "--out", str(out)], capture_output=True, text=True
        )
        secs = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (usage.ru_utime + usage.ru_stime) - (before.ru_utime + before.ru_stime)
        peak = usage.ru_maxrss / 1024
        if done.returncode not in (0, 3):
            print(done.stderr[-2000:])
            return None
        stories = [json.loads(line)["article_ids"] for line in out.open(encoding="utf-8")]
    return secs, cpu, peak, stories


def report_whole(
    data: Path,
    n: int,
    baseline: float,
    secs: float,
    cpu: float,
    peak: float,
    stories: list[list[str]],
) -> None:
    print(
        f"{'whole batch':<12} {n / secs:8.0f} {'':>9} {'':>9} {len(stories):8d} {peak:9.0f}"
        f"  (storywire batch --no-write, {secs:.1f} s, {cpu:.1f} s CPU, "
        f"{n / secs / baseline:.2f} x the single-pass in-loop rate)"
    )
    days = dict(_dates(data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"))
    print("\nten largest stories of the whole batch (articles, days spanned):")
    for ids in sorted(stories, key=len, reverse=True)[:10]:
        when = [days[i] for i in ids if i in days]
        print(f"  {len(ids):4d} articles over {max(when) - min(when):.0f} days")


def _dates(path: Path):  # type: ignore[no-untyped-def]
    for line, obj in read_records(path):
        a = obj if isinstance(obj, BadLine) else to_article(obj, MAPPING, line)
        if not isinstance(a, BadLine):
            yield a.external_id, a.published.timestamp() / 86400


if __name__ == "__main__":
    main()
