"""Readers for the labelled clustering sets of the shared evaluation data.

Used by the benchmarks, the training tool and the quality gate, so that all of them
see the same order. UCI's TIMESTAMP is the crawl time and leaks the gold labels (one
story's items were crawled within about 74 seconds), and its row order and IDs follow
the crawl: we keep only the day (rounded down) and shuffle the rows within each day
with a fixed seed.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storywire.cluster import Doc

UCI = Path("clustering/uci-news-aggregator/uci-news-aggregator.head6366.csv")
BASIL = Path("clustering/basil/articles")
SEMEVAL = Path("clustering/semeval2022-task8/training_set.csv")
SEED = 20140310


@dataclass(frozen=True)
class Labelled:
    name: str
    docs: list[Doc]  # in stream (publication) order
    gold: list[str]


def uci(data: Path, limit: int | None = None, seed: int = SEED) -> Labelled:
    with (data / UCI).open(encoding="utf-8", newline="") as fh:
        # The file is a head of the full set: its last line is cut short.
        rows = [r for r in csv.DictReader(fh) if (r["TIMESTAMP"] or "").isdigit() and r["STORY"]]
    rows = rows[:limit] if limit else rows
    day = {id(r): int(r["TIMESTAMP"]) // 86_400_000 for r in rows}
    rng = random.Random(seed)
    keyed = [(day[id(r)], rng.random(), r) for r in rows]
    keyed.sort(key=lambda k: (k[0], k[1]))
    docs = [
        Doc(
            title=r["TITLE"],
            text="",
            language="en",
            outlet=r["PUBLISHER"],
            url=r["URL"],
            published=datetime.fromtimestamp(d * 86400, UTC),
        )
        for d, _, r in keyed
    ]
    return Labelled("UCI", docs, [r["STORY"] for _, _, r in keyed])


def basil(data: Path, seed: int = SEED) -> Labelled:
    items = []
    for path in sorted((data / BASIL).glob("*/*.json")):
        a = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join(
            " ".join(p) if isinstance(p, list) else str(p) for p in a["body-paragraphs"]
        )
        when = datetime.fromisoformat(a["date"]).replace(tzinfo=UTC)
        items.append((when, a, text))
    rng = random.Random(seed)
    keyed = sorted(
        ((when, rng.random(), a, text) for when, a, text in items), key=lambda k: (k[0], k[1])
    )
    docs = [
        Doc(
            title=a["title"],
            text=text,
            published=when,
            language="en",
            outlet=a["source"],
            url=a.get("url") or "",
        )
        for when, _, a, text in keyed
    ]
    return Labelled("BASIL", docs, [a["triplet-uuid"] for _, _, a, _ in keyed])


@dataclass(frozen=True)
class Pair:
    a: Doc
    b: Doc
    same: bool  # Overall score 1-2 (at most 2.5 when averaged) = same story


def semeval(data: Path) -> list[Pair]:
    """SemEval-2022 Task 8 pairs; same published time, language left unknown (a third
    of the texts are machine translations, so the tags do not describe the text)."""
    when = datetime(2020, 1, 1, tzinfo=UTC)
    pairs = []
    with (data / SEMEVAL).open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            a, b = (_split(r["text1"]), _split(r["text2"]))
            pairs.append(
                Pair(Doc(a[0], a[1], when), Doc(b[0], b[1], when), float(r["Overall"]) <= 2.5)
            )
    return pairs


def _split(text: str) -> tuple[str, str]:
    """The files join title and body with two spaces."""
    title, sep, body = text.partition("  ")
    return (title, body) if sep else (text[:120], text)


# -- SemEval-2022 Task 8 as the issue defines it: texts begin with their headline -------

SAME_MAX = 1.5  # Overall at most this: the same story
DIFFERENT_MIN = 3.0  # Overall at least this: different stories


@dataclass(frozen=True)
class ScoredPair:
    a: Doc
    b: Doc
    overall: float  # 1 = same story ... 4 = unrelated (mean of the annotators)
    langs: tuple[str, str]

    @property
    def label(self) -> bool | None:
        """True: same story, False: different, None: in between (not scored)."""
        if self.overall <= SAME_MAX:
            return True
        return False if self.overall >= DIFFERENT_MIN else None


def semeval_texts(data: Path) -> list[ScoredPair]:
    """All 1,283 training pairs, each text whole as the body with no title (the files
    begin each text with its headline, not always set apart), tagged with the pair's
    languages, all published at one time."""
    when = datetime(2020, 1, 1, tzinfo=UTC)
    out = []
    with (data / SEMEVAL).open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            la, lb = r["lang1"], r["lang2"]
            out.append(
                ScoredPair(
                    Doc("", r["text1"].strip(), when, la),
                    Doc("", r["text2"].strip(), when, lb),
                    float(r["Overall"]),
                    (la, lb),
                )
            )
    return out


# -- NeuS roundups as a clustering set ---------------------------------------------------

NEUS = Path("summarization/neus")
ALLSIDES = Path("corpus/allsides-article-bias/articles.jsonl.gz")
_NEUS_ITEM = re.compile(r"TITLE=>(.*?)ARTICLE=>(.*)", re.S)


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.lower()))


def _allsides_by_title(data: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    with gzip.open(data / ALLSIDES, "rt", encoding="utf-8") as fh:
        for line in fh:
            a = json.loads(line)
            if re.fullmatch(r"\d{4}-\d\d-\d\d", a.get("date") or ""):  # a few are m/d/yy
                out.setdefault(_title_key(a.get("title") or ""), a)
    return out


def neus(data: Path, seed: int = SEED) -> Labelled:
    """NeuS train + val roundups (AllSides: three outlets' reports of one story each) as
    one stream. NeuS carries no dates, so a roundup is kept only when at least one of its
    articles is found by title in the AllSides corpus (about 70% are); all three take
    that article's date (the earliest if several match) and its outlet where matched.
    Rows are ordered by day, shuffled within a day with a fixed seed."""
    found = _allsides_by_title(data)
    items = []
    for split in ("train", "val"):
        lines = (data / NEUS / f"{split}.source").read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines):
            arts = [m.groups() for m in map(_NEUS_ITEM.search, line.split("[SEP]")) if m]
            hits = [found[k] for k in (_title_key(t) for t, _ in arts) if k in found]
            if not hits:
                continue
            day = min(datetime.fromisoformat(h["date"]) for h in hits).replace(tzinfo=UTC)
            for title, text in arts:
                hit = found.get(_title_key(title))
                outlet = hit.get("source", "") if hit else ""
                items.append(
                    (
                        day,
                        Doc(title.strip().rstrip("."), text.strip(), day, "en", outlet),
                        f"{split}{n}",
                    )
                )
    rng = random.Random(seed)
    keyed = sorted(((d, rng.random(), doc, g) for d, doc, g in items), key=lambda k: (k[0], k[1]))
    return Labelled("NeuS", [k[2] for k in keyed], [k[3] for k in keyed])
