"""Would shorter sentences lift the story's ROUGE? Compression variants against the
unchanged extractive writer on the same NeuS rows, one run.

    python -m bench.compression_ceiling [--split train] [--limit N] [--words 56]

storywire prints whole extracted sentences (about 47 of 56 words on NeuS). This
measures whether cutting non-restrictive material from candidate sentences *before*
selection (so selection sees the shorter lengths), or filling the leftover budget
with a clause, gets more of what the editor wrote into the budget:

  rules        grammatical deletions: leading discourse markers ("But", "Meanwhile,")
               and time adverbials ("On Tuesday,"), asides in brackets or between
               dashes, non-restrictive relative clauses (", who ... ,", ", which ..."),
               appositives after names (", a ... ,"), trailing participial and
               "including" phrases
  consensus    the trailing comma clause (participial, relative, appositive or
               conjunction) when fewer than 40% of its content words appear in any
               other outlet's sentences (editors summarise what all outlets report)
  fill         the leftover budget filled with the longest comma-bounded opening of
               the best unchosen, non-redundant sentence
  ceiling      NOT a method: the rules plus any trailing or inner comma clause, each
               applied only when the words it drops hold no bigram of the reference
               summary -- an upper bound on what deletion of this kind could give

No deletion ever touches a span holding a number, a quote, a negation or a verb of
saying/reporting (a claim must never be turned into a fact). Each row prints ROUGE
F1 x100 (rouge-score, stemmed), words used and the paired R-2 change against the
unchanged writer with a 95% bootstrap interval over stories.

Choices were made on the train split; `--split val` is for the one final check.
Needs the `bench` extra and $STORYWIRE_DATA (or --data).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from nltk.stem import porter
from rouge_score import tokenize

import storywire.write.extractive as extractive
from storywire.models import StoredArticle
from storywire.write import ExtractiveWriter, scoring
from storywire.write.sentences import word_count

from bench.write_quality import SCORER, neus_rows

# A span holding any of these is never dropped.
_KEEP = re.compile(
    r"\d|[\"“”‘’]|n[’']t\b|\b(?:not|no|never|nor|none|nobody|nothing|neither|without|cannot"
    r"|said|say|says|saying|told|tells?|according|accord\w*|report\w*|announc\w*|confirm\w*"
    r"|testif\w*|wrote|writes?|add(?:s|ed|ing)?|not(?:ed|es|ing)|stat(?:ed|es|ing)"
    r"|show(?:s|ed|n)?|found|finds?|reveal\w*|claim\w*|alleg\w*|argu\w*|insist\w*|den(?:y|ies|ied)"
    r"|acknowledg\w*|admit\w*|estimat\w*|predict\w*|warn\w*|cit(?:ed|es|ing)|call(?:s|ed|ing)"
    r"|describ\w*|quot\w*|explain\w*|suggest\w*|indicat\w*|disclos\w*|familiar|sources?"
    r"|statement|per|believ\w*|think\w*|thought|expect\w*|accus\w*|charg\w*|contend\w*"
    r"|assert\w*|maintain\w*|repl\w*|respond\w*|tweet\w*|post(?:s|ed)|ask(?:s|ed)?)\b",
    re.I,
)
_END = r"(?=[.!]['\"”’)\]]*$)"
_LEAD = re.compile(
    r"^(?:But|And|However|Meanwhile|Still|Also|In addition|Additionally|Moreover"
    r"|Instead|So|Now|Then|Indeed|Yet)\b,?\s+(?=[A-Za-z])"
)
_TIME = re.compile(
    r"^(?:On (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?: (?:morning|afternoon|evening|night))?|(?:Earlier|Later|Last|This) "
    r"(?:this |that |last )?(?:week|month|year|weekend)),\s+"
)
_ASIDES = (  # (pattern, replacement): the dropped span is the group "span"
    (re.compile(r"\s*\((?P<span>[^()]*)\)"), ""),
    (re.compile(r"\s+[—–]\s+(?P<span>[^—–]+?)\s+[—–]\s+"), " "),
    (
        re.compile(
            r",\s+(?P<span>(?:who|which|whose)\s+[^,;:()—–]+?),\s+(?=[a-z])"
            r"(?!and\b|or\b|but\b)"
        ),
        " ",
    ),
    (re.compile(r",\s+(?P<span>(?:who|which|whose|where)\s+[^,;:()—–]+?)" + _END), ""),
    # an appositive after a name inside the sentence; not a list ("a French national and ...")
    (
        re.compile(
            r"(?<=\s)(?P<keep>[A-Z][a-z]+),\s+(?P<span>(?:a|an|the|one of)\s+"
            r"(?:(?!\band\b|\bor\b)[^,;:()—–])+?),\s+(?=[a-z])"
            r"(?!and\b|or\b|but\b|who\b|which\b)"
        ),
        " ",
    ),
    (re.compile(r",\s+(?P<span>[a-z]+ing\b[^;:()—–]*?)" + _END), ""),
)
_TAIL = re.compile(r",\s+([^,;]+?)" + _END)
_INNER = re.compile(r",\s+([^,;]+?),\s+(?=[a-z])")
_OPENER = re.compile(
    r"^(?:[a-z]+(?:ing|ed)|which|who|whose|where|when|a|an|the|one|some|most|many|his|her"
    r"|their|its|and|but|while|though|although|as|after|before|despite|amid|even|with"
    r"|including|up|down|well|far|more|less|compared|in|on|at|for|from|to|by|than|so|just"
    r"|plus)\b"
)
_CLAUSE_AFTER_CONJ = re.compile(
    r"^(?:and|or|but)\s+(?:he|she|it|they|we|i|there|the|a|an|his|her"
    r"|their|its|this|that|these|those)\b"
)
CONSENSUS_SHARE = 0.4


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tidy(text: str, original: str) -> str:
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text if word_count(text) >= scoring.MIN_WORDS else original


def _drop(m: re.Match[str], rep: str) -> str:
    if _KEEP.search(m.group("span")):
        return m.group(0)
    return (m.groupdict().get("keep") or "") + rep


def rules(text: str) -> str:
    t = text
    for lead in (_LEAD, _TIME):
        if m := lead.match(t):
            t = _capital(t[m.end() :])
    for pattern, rep in _ASIDES:
        t = pattern.sub(lambda m, rep=rep: _drop(m, rep), t)
    return _tidy(t, text)


def droppable_tail(span: str, head: str) -> bool:
    """A trailing clause whose loss changes nothing said before it."""
    if word_count(span) < 3 or not span[:1].islower() or _KEEP.search(span):
        return False
    if not _OPENER.match(span) or word_count(head) < scoring.MIN_WORDS:
        return False
    first = span.split()[0]
    if first in ("and", "or", "but"):  # an independent clause, not a list's last item
        return "," not in head and bool(_CLAUSE_AFTER_CONJ.match(span))
    determiner = re.match(r"^(?:a|an|the|one|some|most|many|his|her|their|its)\b", span)
    return not (determiner and re.search(r"\b(?:and|or)\b", span))


def _content(text: str) -> set[str]:
    return {k for k in scoring.concepts(text) if " " not in k}


def consensus_rewrite(cands: list[scoring.Candidate]) -> list[str]:
    per = scoring.article_concepts(cands, 1 + max(c.article for c in cands))
    out = []
    for c in cands:
        others = set().union(*(p for k, p in enumerate(per) if k != c.article))
        t = c.text
        m = _TAIL.search(t)
        if m and droppable_tail(m.group(1), t[: m.start()]):
            words = _content(m.group(1))
            if words and len(words & others) < CONSENSUS_SHARE * len(words):
                t = t[: m.start()] + t[m.end() :]
        out.append(_tidy(t, c.text))
    return out


_STEM = porter.PorterStemmer()


def _bigrams(text: str) -> set[tuple[str, str]]:
    toks = [_STEM.stem(t) for t in tokenize.tokenize(text, None)]
    return set(zip(toks, toks[1:], strict=False))


def ceiling_rewrite(cands: list[scoring.Candidate], reference: set[tuple[str, str]]) -> list[str]:
    out = []
    for c in cands:
        t = c.text
        for step in (rules, lambda s: _TAIL.sub("", s), lambda s: _INNER.sub(" ", s)):
            shorter = _tidy(step(t), t)
            if not (_bigrams(t) - _bigrams(shorter)) & reference:
                t = shorter
        out.append(t)
    return out


@contextmanager
def rewritten(rewrite: Callable[[list[scoring.Candidate]], list[str]]) -> Iterator[None]:
    """The writer with its candidate sentences rewritten before scoring and selection."""
    original = extractive.candidates

    def candidates(articles: Sequence[StoredArticle]) -> list[scoring.Candidate]:
        cands = original(articles)
        if not cands:
            return cands
        return [
            scoring.Candidate(t, c.article, c.position, word_count(t), scoring.concepts(t))
            for c, t in zip(cands, rewrite(cands), strict=True)
        ]

    extractive.candidates = candidates
    try:
        yield
    finally:
        extractive.candidates = original


def fill(articles: list[StoredArticle], body: list[str], budget: int) -> list[str]:
    """Add the longest comma-bounded opening of the best unchosen sentence that fits."""
    room = budget - sum(word_count(s) for s in body)
    cands = scoring.candidates(articles)
    if room < scoring.MIN_WORDS or not cands:
        return body
    scores, sim = scoring.score(cands, len(articles))
    chosen = [i for i, c in enumerate(cands) if c.text in body]
    for j in np.argsort(-scores):
        if j in chosen or (chosen and sim[j, chosen].max() > 0.6):
            continue
        heads = [cands[j].text[: m.start()] for m in re.finditer(r",\s", cands[j].text)]
        fits = [h for h in heads if scoring.MIN_WORDS <= word_count(h) <= room]
        if fits:
            return [*body, fits[-1] + "."]
    return body


def score_rows(pairs: list[tuple[str, str]]) -> np.ndarray:
    out = []
    for ref, hyp in pairs:
        s = SCORER.score(ref, hyp)
        out.append(
            [
                s["rouge1"].fmeasure,
                s["rouge2"].fmeasure,
                s["rougeL"].fmeasure,
                word_count(hyp) / 100,
            ]
        )
    return 100 * np.array(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=os.environ.get("STORYWIRE_DATA"))
    p.add_argument("--words", type=int, default=56)
    p.add_argument("--split", default="train")
    p.add_argument("--limit", type=int, default=None, help="first N NeuS rows only")
    args = p.parse_args(argv)
    if not args.data or not Path(args.data).is_dir():
        print("set STORYWIRE_DATA or --data to the shared data folder", file=sys.stderr)
        return 2
    start = time.perf_counter()
    rows = neus_rows(args.data, args.split, args.limit)
    writer = ExtractiveWriter(words=args.words)

    def run(
        extra: Callable[[list[StoredArticle], list[str], int], list[str]] | None = None,
    ) -> list[tuple[str, str]]:
        pairs = []
        for arts, _, ref in rows:
            body = [s.text for s in writer.write(arts).body]
            pairs.append((ref, " ".join(extra(arts, body, args.words) if extra else body)))
        return pairs

    results = {"unchanged writer": score_rows(run())}
    with rewritten(lambda cands: [rules(c.text) for c in cands]):
        results["rules"] = score_rows(run())
    with rewritten(consensus_rewrite):
        results["consensus (trailing clause)"] = score_rows(run())
    results["fill leftover with a clause"] = score_rows(run(fill))
    ceiling = []
    for arts, _, ref in rows:
        grams = _bigrams(ref)
        with rewritten(lambda cands, grams=grams: ceiling_rewrite(cands, grams)):
            ceiling.append((ref, " ".join(s.text for s in writer.write(arts).body)))
    results["ceiling (knows the reference)"] = score_rows(ceiling)

    base = results["unchanged writer"]
    rng = np.random.default_rng(0)
    draws = rng.integers(0, len(rows), (2000, len(rows)))
    print(
        f"NeuS {args.split}: {len(rows)} stories, budget {args.words} words, "
        "ROUGE F1 x100 (stemmed)"
    )
    print(
        f"  {'variant':32s} {'R-1':>6s} {'R-2':>6s} {'R-L':>6s} {'words':>6s}   R-2 change [95% CI]"
    )
    for name, r in results.items():
        d = r[:, 1] - base[:, 1]
        lo, hi = np.percentile(d[draws].mean(axis=1), [2.5, 97.5])
        r1, r2, rl, words = r.mean(axis=0)
        print(
            f"  {name:32s} {r1:6.2f} {r2:6.2f} {rl:6.2f} {words:6.1f}"
            f"   {d.mean():+.2f} [{lo:+.2f}, {hi:+.2f}]"
        )
    print(f"\n(total {time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
