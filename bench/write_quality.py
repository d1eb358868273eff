"""Story writing quality and speed: storywire's writer against baselines, one run.

    python -m bench.write_quality [--words 56] [--split val] [--limit N] [--speed-stories N]
                                  [--quick]

1. NeuS (summarization/neus/<split>): each row is three outlets' articles and the
   editor-written neutral title + summary. ROUGE-1/2/L F1 (rouge-score, stemming)
   for story and title separately: storywire's extractive writer, and baselines with
   the same word budget -- lead of the first source, LexRank and TextRank (sumy),
   TF-IDF centroid + MMR; titles: first source's title, shortest, most central.
   Baselines marked "cut at N words" end mid-sentence at exactly the budget (the way
   the issue's reference numbers were measured: lead 14.4 reproduces only so); the
   others, like storywire, keep whole sentences within the budget.
   Also the fraction of story sentences with at least one supporting article.
2. BASIL (clustering/basil): titles against the neutral `main-event` title.
3. Reader side (``tests/support/reader_side.py``): what a reader notices on NeuS val
   and on the AllSides corpus's 2019 articles clustered as ``storywire batch`` does (stories of >= 3
   articles), written with the default word budget: repeated facts, highlights
   repeated in the Story, dangling openers and broken quotes, sentences that lean on
   context the Story does not give ("those rulings"), "that" + noun and pronouns whose
   referent the sentence does not name ("calls that evidence", "... if it is allowed"),
   highlights mostly quoted words,
   highlight length, non-headline titles, Story words by story size.
4. Speed on the AllSides corpus (corpus/allsides-article-bias): stories = articles
   sharing topic + date (a cheap stand-in for clustering; chunks of <= 20), 400 of them
   spread over sizes (--speed-stories 0: all ~6,000), and 50 stories of exactly 20
   articles (topic + month); median and p95 wall and CPU milliseconds per story.

NeuS articles carry no times, so they are given one time: the body's chronology then
falls back to place in the article, then centrality.

Needs the `bench` extra (rouge-score, sumy) and $STORYWIRE_DATA (or --data).
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer
from sklearn.feature_extraction.text import TfidfVectorizer
from sumy.nlp.stemmers import Stemmer
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from storywire.models import Kind, StoredArticle
from storywire.settings import Settings
from storywire.write import ExtractiveWriter
from storywire.write.sentences import split_sentences, word_count

from tests.support import reader_side

T0 = datetime(2020, 1, 1, 12, tzinfo=UTC)
SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)


# ------------------------------------------------------------------ data


def neus_rows(
    data: Path, split: str, limit: int | None
) -> list[tuple[list[StoredArticle], str, str]]:
    folder = data / "summarization" / "neus"
    sources = (folder / f"{split}.source").read_text(encoding="utf-8").splitlines()
    targets = (folder / f"{split}.target").read_text(encoding="utf-8").splitlines()
    rows = []
    for n, (src, tgt) in enumerate(zip(sources, targets, strict=True)):
        arts = []
        for i, part in enumerate(src.split("[SEP]")):
            title, text = _title_article(part)
            arts.append(
                StoredArticle(
                    url=f"https://example.org/{n}/{i}",
                    title=title,
                    text=text,
                    published=T0,
                    outlet=("Left", "Center", "Right")[i % 3],
                    kind=Kind.NEWS,
                    id=n * 10 + i + 1,
                )
            )
        ref_title, ref_story = _title_article(tgt)
        rows.append((arts, ref_title, ref_story))
    return rows[:limit] if limit else rows


def _title_article(part: str) -> tuple[str, str]:
    title, _, article = part.partition("ARTICLE=>")
    return title.replace("TITLE=>", "").strip(), article.strip()


def basil_events(data: Path) -> list[tuple[list[StoredArticle], str]]:
    outlets = {"fox": "Fox News", "nyt": "The New York Times", "hpo": "HuffPost"}
    events: dict[str, list[StoredArticle]] = defaultdict(list)
    neutral: dict[str, str] = {}
    for n, file in enumerate(sorted((data / "clustering" / "basil" / "articles").glob("*/*.json"))):
        rec = json.loads(file.read_text(encoding="utf-8"))
        raw = rec["body-paragraphs"]
        paras = ast.literal_eval(raw) if isinstance(raw, str) else raw
        text = "\n".join(" ".join(p) if isinstance(p, list) else str(p) for p in paras)
        events[rec["triplet-uuid"]].append(
            StoredArticle(
                url=rec["url"],
                title=rec["title"],
                text=text,
                kind=Kind.NEWS,
                id=n + 1,
                published=datetime.strptime(rec["date"], "%Y-%m-%d").replace(tzinfo=UTC),
                outlet=outlets.get(rec["source"].lower(), rec["source"]),
            )
        )
        neutral[rec["triplet-uuid"]] = rec["main-event"]
    return [(events[k], neutral[k]) for k in sorted(events)]


Stories = list[list[StoredArticle]]


def allsides_stories(
    data: Path, cap: int, size: int = 20, twenty: int = 50
) -> tuple[Stories, Stories]:
    """(stories, twenty-article stories). Stories: articles sharing topic and date (the
    corpus has topics, not story labels), in chunks of at most `size`; `cap` of them
    spread over all sizes (0: all). Twenty-article stories: topic and month, for the
    speed target (topic+date groups rarely reach 20)."""
    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    by_day: dict[tuple[str, str], list[StoredArticle]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            rec = json.loads(line)
            try:
                day = datetime.strptime(rec.get("date") or "", "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                continue
            if not rec.get("content_original"):
                continue
            group = by_day[(rec["topic"], rec["date"])]
            group.append(
                StoredArticle(
                    url=rec["url"],
                    title=rec["title"],
                    text=rec["content_original"],
                    published=day + timedelta(minutes=len(group)),
                    outlet=rec["source"],
                    author=rec.get("authors", ""),
                    kind=Kind.NEWS,
                    id=n + 1,
                )
            )
    stories = [
        arts[i : i + size]
        for _, arts in sorted(by_day.items())
        for i in range(0, len(arts), size)
        if len(arts[i : i + size]) >= 2
    ]
    if cap > 0:
        stories = stories[:: max(1, len(stories) // cap)][:cap]
    by_month: dict[tuple[str, str], list[StoredArticle]] = defaultdict(list)
    for (topic, date), arts in sorted(by_day.items()):
        by_month[(topic, date[:7])].extend(arts)
    big = [
        arts[i : i + size]
        for _, arts in sorted(by_month.items())
        for i in range(0, len(arts) - size + 1, size)
    ]
    return stories, big[:: max(1, len(big) // twenty)][:twenty]


# ------------------------------------------------------------------ baselines


class _Tokenizer:
    """sumy tokenizer on storywire's splitter (no NLTK data download needed)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return split_sentences(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return re.findall(r"[A-Za-z0-9']+", sentence)


def fit(ranked: list[str], budget: int) -> list[str]:
    """Sentences in rank order while they fit the budget (at least one)."""
    out, used = [], 0
    for s in ranked:
        w = word_count(s)
        if used + w <= budget or not out:
            out.append(s)
            used += w
    return out


def lead(arts: list[StoredArticle], budget: int) -> str:
    out, used = [], 0
    for s in split_sentences(arts[0].text):
        if out and used + word_count(s) > budget:
            break
        out.append(s)
        used += word_count(s)
    return " ".join(out)


def sumy_rank(arts: list[StoredArticle], summarizer, budget: int) -> str:
    text = "\n".join(a.text for a in arts)
    doc = PlaintextParser.from_string(text, _Tokenizer()).document
    n = len(doc.sentences)
    if n == 0:
        return ""
    ranked: list[str] = []
    for k in range(1, n + 1):  # top-k sets are nested; their growth is the ranking
        for s in summarizer(doc, k):
            if str(s) not in ranked:
                ranked.append(str(s))
        if sum(word_count(s) for s in ranked) > 3 * budget:
            break
    chosen = set(fit(ranked, budget))
    return " ".join(str(s) for s in doc.sentences if str(s) in chosen)


def cut(text: str, budget: int) -> str:
    """The first `budget` words, ending mid-sentence (how the issue's baselines were cut)."""
    return " ".join(text.split()[:budget])


def centroid_mmr(arts: list[StoredArticle], budget: int, whole: bool = True) -> str:
    sents = [s for a in arts for s in split_sentences(a.text)]
    if not sents:
        return ""
    X = TfidfVectorizer(stop_words="english").fit_transform(sents)
    c = np.asarray(X.mean(axis=0)).ravel()
    c /= np.linalg.norm(c) or 1
    score = X @ c
    sim = (X @ X.T).toarray()
    chosen: list[int] = []
    pool = set(range(len(sents)))
    while pool:
        best = max(
            pool, key=lambda i: 0.7 * score[i] - 0.3 * max((sim[i, j] for j in chosen), default=0)
        )
        pool.discard(best)
        chosen.append(best)
    if not whole:
        return cut(" ".join(sents[i] for i in chosen), budget)
    return " ".join(fit([sents[i] for i in chosen], budget))


def most_central_title(arts: list[StoredArticle]) -> str:
    titles = [a.title for a in arts]
    X = TfidfVectorizer().fit_transform(titles)
    c = np.asarray((X @ X.T).sum(axis=1)).ravel()
    return titles[int(np.argmax(c))]


# ------------------------------------------------------------------ scoring


def rouge(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    acc = np.zeros(3)
    for ref, hyp in pairs:
        s = SCORER.score(ref, hyp)
        acc += [s["rouge1"].fmeasure, s["rouge2"].fmeasure, s["rougeL"].fmeasure]
    return tuple(100 * acc / max(1, len(pairs)))  # type: ignore[return-value]


def table(title: str, rows: list[tuple[str, tuple[float, ...], str]]) -> None:
    print(f"\n{title}")
    print(f"  {'system':38s} {'R-1':>6s} {'R-2':>6s} {'R-L':>6s}  words")
    for name, (r1, r2, rl), words in rows:
        print(f"  {name:38s} {r1:6.1f} {r2:6.1f} {rl:6.1f}  {words}")


def neus_report(data: Path, split: str, budget: int, limit: int | None) -> None:
    rows = neus_rows(data, split, limit)
    stemmer = Stemmer("english")
    lex, tex = LexRankSummarizer(stemmer), TextRankSummarizer(stemmer)
    lex.stop_words = tex.stop_words = get_stop_words("english")
    writer = ExtractiveWriter(words=budget)
    stories: dict[str, list[tuple[str, str]]] = defaultdict(list)
    titles: dict[str, list[tuple[str, str]]] = defaultdict(list)
    supported = total = 0
    for arts, ref_title, ref_story in rows:
        draft = writer.write(arts)
        supported += sum(1 for s in draft.body if s.sources)
        total += len(draft.body)
        stories["storywire extractive"].append((ref_story, " ".join(s.text for s in draft.body)))
        stories["lead of first source"].append((ref_story, lead(arts, budget)))
        stories["LexRank (sumy)"].append((ref_story, sumy_rank(arts, lex, budget)))
        stories["TextRank (sumy)"].append((ref_story, sumy_rank(arts, tex, budget)))
        stories["TF-IDF centroid + MMR"].append((ref_story, centroid_mmr(arts, budget)))
        stories[f"lead, cut at {budget} words"].append((ref_story, cut(arts[0].text, budget)))
        stories[f"centroid + MMR, cut at {budget} words"].append(
            (ref_story, centroid_mmr(arts, budget, whole=False))
        )
        titles["storywire title"].append((ref_title, draft.title))
        titles["first source's title"].append((ref_title, arts[0].title))
        titles["shortest title"].append((ref_title, min((a.title for a in arts), key=len)))
        titles["most central title (TF-IDF)"].append((ref_title, most_central_title(arts)))

    def words(pairs: list[tuple[str, str]]) -> str:
        return f"{statistics.mean(word_count(h) for _, h in pairs):.0f}"

    head = f"NeuS {split}: {len(rows)} stories, budget {budget} words, ROUGE F1 x100 (stemmed)"
    table(f"{head} -- STORY", [(k, rouge(v), words(v)) for k, v in stories.items()])
    table(f"{head} -- TITLE", [(k, rouge(v), words(v)) for k, v in titles.items()])
    print(
        f"\n  story sentences with >= 1 supporting article: {supported}/{total} "
        f"({100 * supported / max(1, total):.1f}%)"
    )


def basil_report(data: Path) -> None:
    events = basil_events(data)
    writer = ExtractiveWriter()
    titles: dict[str, list[tuple[str, str]]] = defaultdict(list)
    leaks = 0
    for arts, neutral in events:
        t = writer.write(arts).title
        leaks += any(o.lower() in t.lower() for o in ("fox news", "new york times", "huffpost"))
        titles["storywire title"].append((neutral, t))
        titles["first source's title"].append((neutral, arts[0].title))
        titles["shortest title"].append((neutral, min((a.title for a in arts), key=len)))
        titles["most central title (TF-IDF)"].append((neutral, most_central_title(arts)))
    table(
        f"BASIL: {len(events)} events -- TITLE vs main-event",
        [
            (k, rouge(v), f"{statistics.mean(word_count(h) for _, h in v):.0f}")
            for k, v in titles.items()
        ],
    )
    print(f"  storywire titles naming an outlet: {leaks}")


def reader_report(data: Path, split: str, limit: int | None, allsides: bool) -> None:
    words = Settings().story_words
    writer = ExtractiveWriter(words=words)
    columns: dict[str, list[list[StoredArticle]]] = {
        f"NeuS {split}": [arts for arts, _, _ in neus_rows(data, split, limit)]
    }
    if allsides:
        t = time.perf_counter()
        columns["AllSides 2019 >=3"] = reader_side.allsides_clustered(data)
        print(f"\n(AllSides 2019 clustered in {time.perf_counter() - t:.0f} s)")
    tallies = {}
    for name, stories in columns.items():
        tally = reader_side.Tally()
        for arts in stories:
            tally.add(arts, writer.write(arts))
        tallies[f"{name} ({len(stories)})"] = tally
    print(f"\nReader side: default budget {words} words (story_words), stories per column")
    reader_side.print_table(tallies)
    for name, tally in tallies.items():
        print(f"  {name}: non-headline titles: {tally.bad_titles[:8]}")
        print(f"  {name}: missing context: {tally.examples['context'][:3]}")
        print(f"  {name}: referent unnamed: {tally.examples['referent'][:3]}")
        print(f"  {name}: highlights mostly quoted: {tally.examples['quoted'][:3]}")


def speed_report(data: Path, n: int, budget: int) -> None:
    t = time.perf_counter()
    stories, twenty = allsides_stories(data, n)
    load_s = time.perf_counter() - t
    writer = ExtractiveWriter(words=budget)
    sizes = [len(s) for s in stories]
    print(
        f"\nSpeed (AllSides corpus; load {load_s:.0f} s; budget {budget} words; "
        f"wall and CPU ms per story; CPU is this process only, fairer on a busy machine)"
    )
    print(
        f"  {'stories':34s} {'n':>5s} {'wall med':>9s} {'wall p95':>9s} {'cpu med':>8s} "
        f"{'cpu p95':>8s}"
    )
    groups = [
        (f"topic+date, <=20 (median {statistics.median(sizes):.0f} articles)", stories),
        ("20 articles, topic+month (<100 ms)", twenty),
    ]
    for name, group in groups:
        wall: list[float] = []
        cpu: list[float] = []
        for arts in group:
            t, c = time.perf_counter(), time.process_time()
            writer.write(arts)
            wall.append(1000 * (time.perf_counter() - t))
            cpu.append(1000 * (time.process_time() - c))
        if group:
            wall.sort()
            cpu.sort()
            print(
                f"  {name:34s} {len(group):5d} {statistics.median(wall):9.1f} {_p95(wall):9.1f} "
                f"{statistics.median(cpu):8.1f} {_p95(cpu):8.1f}"
            )


def _p95(values: list[float]) -> float:
    return values[int(0.95 * (len(values) - 1))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=os.environ.get("STORYWIRE_DATA"))
    p.add_argument("--words", type=int, default=56, help="story word budget (NeuS median: 56)")
    p.add_argument("--split", default="val")
    p.add_argument("--limit", type=int, default=None, help="first N NeuS rows only")
    p.add_argument(
        "--speed-stories",
        type=int,
        default=400,
        help="stories timed: all 20-article ones up to a quarter, the rest spread "
        "over sizes; 0 = every story of the corpus",
    )
    p.add_argument(
        "--speed-words", type=int, default=Settings().story_words, help="budget for the speed run"
    )
    p.add_argument("--quick", action="store_true", help="100 NeuS rows, 100 speed stories")
    p.add_argument(
        "--skip", nargs="*", default=[], choices=["neus", "basil", "reader", "allsides", "speed"]
    )
    args = p.parse_args(argv)
    if not args.data or not Path(args.data).is_dir():
        print("set STORYWIRE_DATA or --data to the shared data folder", file=sys.stderr)
        return 2
    if args.quick:
        args.limit, args.speed_stories = args.limit or 100, 100
    start = time.perf_counter()
    if "neus" not in args.skip:
        neus_report(args.data, args.split, args.words, args.limit)
    if "basil" not in args.skip:
        basil_report(args.data)
    if "reader" not in args.skip:
        reader_report(args.data, args.split, args.limit, "allsides" not in args.skip)
    if "speed" not in args.skip:
        speed_report(args.data, args.speed_stories, args.speed_words)
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
