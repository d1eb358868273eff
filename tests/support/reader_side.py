"""Reader-side measures of written stories: what a reader notices, sentence by sentence
(bench/write_quality.py prints them; tests/test_write_reader.py holds the writer to them).

Written apart from the writer's rules (its own tokens, opener lists and checks; the
repeated-fact test uses Porter stems, as the writer's paraphrase test now does), so the
writer does not pass by calling its judge.

- repeated fact: two Story sentences sharing >= 60% of the shorter one's content
  words (stems; the shorter has at least 4 content words);
- near-repeat (reported, no target): two Story sentences sharing 50-60% of the shorter
  one's content words; about half of such pairs state one claim twice ("A Dallas jury
  has found ... Guyger guilty of murder" / "... a Dallas jury convicted ... Guyger of
  murder"), the other half are distinct facts on one topic, so word overlap cannot tell
  them apart (the writer merging at 50% cost NeuS train R-2 0.38);
- highlight repeated in the Story: >= 80% of the highlight's words, in order, inside
  one Story sentence (a shortened copy of a Story sentence counts as a repeat);
- dangling opener: a Story sentence that opens on a pronoun or a connective and does
  not directly follow, in the Story, the sentence that preceded it in an article (so
  its referent is not in the previous sentence); broken quote: unbalanced quote marks
  or a sentence opening in lower case;
- leaning on missing context: a Story sentence that, anywhere, points back at something
  it does not name ("those rulings", "the latter", "the same day", "such a move", "the
  two", "both men") and does not directly follow, in the Story, its article's sentence
  before it; a demonstrative whose noun the sentence names earlier ("two rulings ...
  those rulings") or a time ("this week", "these days") does not count;
- referent unnamed: a Story sentence with "that" + noun used as a demonstrative
  ("Wal-Mart calls that evidence unrepresentative") or a pronoun inside it ("... at stake
  if it is allowed to go forward") that names nothing before it to stand for, judged
  by noun phrases (a determiner and a word, a capitalised word after the first), not
  the writer's word lists; not counted right after its article's sentence before it;
- highlight mostly quoted: at least half of a highlight's words inside quote marks (a
  fragment of an exchange, not a key fact);
- non-headline title: a label of <= 3 words, a listicle ("7 takeaways ..."), an
  explainer ("..., explained", "what we know"), a question, a format tag ("VIDEO:",
  "WATCH:"), or an opinion piece's headline;
- Story words by story size (articles).
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from storywire.extract.kind import classify
from storywire.models import Kind, StoredArticle

from .reader_refs import unnamed, unnamed_referent
from .reader_words import NOT_NOUN as _NOT_NOUN
from .reader_words import QUOTE as _QUOTE
from .reader_words import STOP as _STOP
from .reader_words import TIMES as _TIMES
from .reader_words import content, tokens

__all__ = ["content", "tokens", "unnamed_referent"]

PRONOUNS = {
    "he", "she", "it", "they", "this", "these", "that", "those", "his", "her", "their",
    "its", "him", "them", "there", "such", "both", "the latter", "the former",
}  # fmt: skip
CONNECTIVES = {
    "but", "however", "and", "also", "meanwhile", "still", "yet", "so", "thus",
    "therefore", "instead", "moreover", "furthermore", "additionally", "nevertheless",
    "nonetheless", "in addition", "as a result", "even so", "then", "besides", "otherwise",
    "in response", "at the same time", "that's", "it's", "he's", "she's", "they're",
    "likewise", "similarly", "by contrast", "in contrast", "on the other hand", "again",
}  # fmt: skip
_OPENERS = sorted(PRONOUNS | CONNECTIVES, key=len, reverse=True)
_LISTICLE = re.compile(r"^\s*(\d+|five|four|three|six|seven|eight|nine|ten)\s+\w+", re.I)
_LIST_NOUN = re.compile(
    r"^\s*\S+\s+(\w+\s+)?(takeaways?|things|ways|reasons|questions|moments|lessons|facts"
    r"|highlights|winners|losers|signs|tips)\b",
    re.I,
)
_EXPLAINER = re.compile(
    r"(,?\s*explained\b|\bexplainer\b|\bwhat (we|you) (know|need to know)|^here'?s\b"
    r"|\bwhat to know\b|\bwhat it means\b|^how\b|^why\b|^what\b|^who\b)",
    re.I,
)
_TAG = re.compile(r"^\s*(video|watch|live|breaking|opinion|photos?|listen)\s*[:|]", re.I)


def repeated_fact(a: str, b: str) -> bool:
    ca, cb = content(a), content(b)
    short = min(len(ca), len(cb))
    return short >= 4 and len(ca & cb) >= 0.6 * short


def has_repeated_fact(body: Sequence[str]) -> bool:
    return any(repeated_fact(a, body[j]) for i, a in enumerate(body) for j in range(i))


def near_repeat(a: str, b: str) -> bool:
    ca, cb = content(a), content(b)
    short = min(len(ca), len(cb))
    return short >= 4 and 0.5 * short <= len(ca & cb) < 0.6 * short


def has_near_repeat(body: Sequence[str]) -> bool:
    return any(near_repeat(a, body[j]) for i, a in enumerate(body) for j in range(i))


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def highlight_repeated(highlight: str, body: Sequence[str]) -> bool:
    h = tokens(highlight)
    return bool(h) and any(_lcs(h, tokens(s)) >= 0.8 * len(h) for s in body)


def opener(sentence: str) -> str:
    """The pronoun or connective a sentence opens on, else ''."""
    head = sentence.lstrip("\"'“‘(").lower().replace("’", "'")
    for word in _OPENERS:
        if head.startswith(word) and not head[len(word) : len(word) + 1].isalnum():
            return word
    return ""


def broken_quote(sentence: str) -> bool:
    s = sentence.strip()
    straight = s.count('"') % 2 == 1
    curly = s.count("“") != s.count("”")
    return straight or curly or s[:1].islower()


_GROUPS = (
    r"men|women|leaders|countries|nations|companies|candidates|governments|firms|teams"
    r"|players|senators|presidents|cases|rulings|incidents|attacks|bills|deals|reports"
)
_BACK = re.compile(
    rf"\b(the same (?:day|week|month|year|night|morning|afternoon|evening)(?=\W*$|\s*[,.;:])"
    rf"|the others?(?=\W*$|\s*[,.;:])"
    rf"|(?P<two>the latter|the former(?=\W*$|\s*[,.;:]|\s+(?:is|was|has|had|would|will|said)\b)"
    rf"|the two(?= (?:{_GROUPS})\b|\W*$|\s*[,.;:]|\s+(?:are|were|have|had)\b)"
    rf"|both (?:{_GROUPS})))\b",
    re.I,
)
_DEMONSTRATIVE = re.compile(r"\b([Tt]his|[Tt]hese|[Tt]hose|[Ss]uch an?)\s+([A-Za-z][a-z'-]+)")
_NAME = re.compile(r"\b[A-Z][A-Za-z]+")


def leans_back(sentence: str) -> str:
    """The phrase by which a sentence points back at something it does not name, or ''.
    Not counted: "the two"/"both"/"the latter" after two names, "the same day" before
    the clause that says which ("the same day the council voted"), a demonstrative in
    quoted words (the speaker's), before a name, a time or a word that is no noun
    ("those seeking")."""
    text = sentence.replace("’", "'")
    for m in _BACK.finditer(text):
        names = {w for w in _NAME.findall(text[: m.start()]) if w.lower() not in _STOP}
        if not (m.group("two") and len(names) >= 2):
            return m.group(0)
    unquoted = _QUOTE.sub(" ", text)
    for m in _DEMONSTRATIVE.finditer(unquoted):
        noun = m.group(2).lower().removesuffix("'s")
        if noun in _STOP or noun in _TIMES or _NOT_NOUN.search(noun) or m.group(2)[0].isupper():
            continue
        if content(noun) & content(unquoted[: m.start()]):
            continue  # named before it in the sentence: "two rulings ... those rulings"
        return m.group(0)
    return ""


def missing_context(body: Sequence[str], follows: dict[str, set[str]]) -> list[bool]:
    """Per Story sentence: leans on context the Story does not give (see the module doc)."""
    return [
        bool(leans_back(s)) and (i == 0 or body[i - 1] not in follows.get(s, set()))
        for i, s in enumerate(body)
    ]


def mostly_quoted(highlight: str) -> bool:
    """At least half of the highlight's words inside quote marks."""
    quoted = sum(len(m.group(0).split()) for m in _QUOTE.finditer(highlight))
    return quoted >= 0.5 * max(1, len(highlight.split()))


def dangling(body: Sequence[str], follows: dict[str, set[str]]) -> list[bool]:
    """Per Story sentence: dangling opener or broken quote. ``follows[s]`` holds the
    sentences that directly precede s in some article."""
    out = []
    for i, s in enumerate(body):
        bad = broken_quote(s)
        if opener(s) and (i == 0 or body[i - 1] not in follows.get(s, set())):
            bad = True
        out.append(bad)
    return out


def predecessors(articles: Sequence[StoredArticle]) -> dict[str, set[str]]:
    from storywire.write.sentences import split_sentences

    out: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        sents = split_sentences(a.text or a.summary)
        for prev, cur in zip(sents, sents[1:], strict=False):
            out[cur].add(prev)
    return out


def non_headline(title: str, articles: Sequence[StoredArticle]) -> str:
    """Why a title is not a headline of the event ('' when it is one)."""
    words = title.split()
    if len(words) <= 3:
        return "label"
    if _LISTICLE.match(title) and _LIST_NOUN.match(title):
        return "listicle"
    if _EXPLAINER.search(title):
        return "explainer"
    if title.rstrip().endswith("?"):
        return "question"
    if _TAG.match(title):
        return "tag"
    key = " ".join(tokens(title))
    for a in articles:
        opinion = a.kind != Kind.NEWS or classify(url=a.url, title=a.title) != Kind.NEWS
        if opinion and key and key in " ".join(tokens(a.title)):
            return "opinion"
    return ""


@dataclass
class Tally:
    stories: int = 0
    repeated: int = 0
    near: int = 0
    highlights: int = 0
    highlights_repeated: int = 0
    sentences: int = 0
    dangling: int = 0
    context: int = 0
    referent: int = 0
    highlights_quoted: int = 0
    titles_bad: int = 0

    def __post_init__(self) -> None:
        self.highlight_words: list[int] = []
        self.words_by_size: dict[str, list[int]] = defaultdict(list)
        self.bad_titles: list[tuple[str, str]] = []
        self.examples: dict[str, list[str]] = defaultdict(list)

    def add(self, articles: Sequence[StoredArticle], draft: object) -> None:
        body = [s.text for s in draft.body]  # type: ignore[attr-defined]
        highs = [s.text for s in draft.highlights]  # type: ignore[attr-defined]
        self.stories += 1
        if has_repeated_fact(body):
            self.repeated += 1
            self.examples["repeated"].append(" || ".join(body[:6]))
        self.near += has_near_repeat(body)
        for h in highs:
            self.highlights += 1
            self.highlight_words.append(len(h.split()))
            if highlight_repeated(h, body):
                self.highlights_repeated += 1
            if mostly_quoted(h):
                self.highlights_quoted += 1
                self.examples["quoted"].append(h)
        follows = predecessors(articles)
        flags = dangling(body, follows)
        leaning = missing_context(body, follows)
        self.context += sum(leaning)
        self.examples["context"].extend(s for s, f in zip(body, leaning, strict=True) if f)
        lone = unnamed(body, follows)
        self.referent += sum(lone)
        self.examples["referent"].extend(s for s, f in zip(body, lone, strict=True) if f)
        self.sentences += len(body)
        self.dangling += sum(flags)
        self.examples["dangling"].extend(s for s, f in zip(body, flags, strict=True) if f)
        why = non_headline(draft.title, articles)  # type: ignore[attr-defined]
        if why:
            self.titles_bad += 1
            self.bad_titles.append((why, draft.title))  # type: ignore[attr-defined]
        self.words_by_size[size_bucket(len(articles))].append(sum(len(s.split()) for s in body))

    def rows(self) -> list[tuple[str, str, str]]:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / max(1, b):.1f}%"

        med = statistics.median(self.highlight_words) if self.highlight_words else 0
        out = [
            ("stories with a repeated fact", pct(self.repeated, self.stories), "<= 5%"),
            ("stories with a near-repeat (50-60%)", pct(self.near, self.stories), "reported"),
            (
                "highlights repeated in the Story",
                pct(self.highlights_repeated, self.highlights),
                "0%",
            ),
            ("Story sentences dangling/broken quote", pct(self.dangling, self.sentences), "<= 2%"),
            ("Story sentences missing context", pct(self.context, self.sentences), "<= 1%"),
            ("Story sentences, referent unnamed", pct(self.referent, self.sentences), "<= 1%"),
            ("highlights mostly quoted", pct(self.highlights_quoted, self.highlights), "0%"),
            ("median highlight words", f"{med:.0f}", "<= 22"),
            ("non-headline titles", pct(self.titles_bad, self.stories), "<= 1%"),
        ]
        for bucket in SIZES:
            words = self.words_by_size.get(bucket)
            if words:
                out.append(
                    (
                        f"Story words, {bucket} articles (n={len(words)})",
                        f"{statistics.median(words):.0f}",
                        "grows",
                    )
                )
        return out


SIZES = ("2", "3-4", "5-9", "10-19", "20+")


def size_bucket(n: int) -> str:
    if n <= 2:
        return "2"
    if n <= 4:
        return "3-4"
    if n <= 9:
        return "5-9"
    return "10-19" if n <= 19 else "20+"


def print_table(columns: dict[str, Tally]) -> None:
    names = list(columns)
    rows = {k: t.rows() for k, t in columns.items()}
    labels: list[str] = []
    for k in names:
        labels += [r[0].split(" (n=")[0] for r in rows[k] if r[0].split(" (n=")[0] not in labels]
    print(f"\n  {'measure':40s} " + " ".join(f"{n:>18s}" for n in names) + "  target")
    for label in labels:
        cells, target = [], ""
        for k in names:
            found = [r for r in rows[k] if r[0].split(" (n=")[0] == label]
            cell = found[0][1] if found else "-"
            if found and "(n=" in found[0][0]:
                cell += " (n=" + found[0][0].split("(n=")[1]
            cells.append(f"{cell:>18s}")
            target = found[0][2] if found else target
        print(f"  {label:40s} " + " ".join(cells) + f"  {target}")


def allsides_clustered(
    data: Path, year: str = "2019", min_articles: int = 3
) -> list[list[StoredArticle]]:
    """The corpus's articles of one year clustered as ``storywire batch`` does (its
    ``group``: the live story engine, dedup included, in publication order); the
    stories of at least ``min_articles`` articles, copies marked ``duplicate_of``."""
    from storywire.batch import group
    from storywire.models import Article

    path = data / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    items: list[tuple[str, Article, str]] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            rec = json.loads(line)
            if not (rec.get("date") or "").startswith(year) or not rec.get("content_original"):
                continue
            try:
                day = datetime.strptime(rec["date"], "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                continue
            article = Article(
                url=rec["url"],
                title=rec["title"],
                text=rec["content_original"],
                published=day,
                outlet=rec["source"],
                author=rec.get("authors", ""),
                kind=classify(url=rec["url"], title=rec["title"]),
            )
            items.append((str(n + 1), article, ""))
    stories, duplicates = group(items, None)
    out = []
    for members in stories:
        if len(members) < min_articles:
            continue
        out.append(
            [
                StoredArticle(
                    **vars(items[i][1]),
                    id=i + 1,
                    duplicate_of=duplicates[i] + 1 if i in duplicates else None,
                )
                for i in members
            ]
        )
    return out
