"""A learned sentence score for the extractive writer, judged by 5-fold CV on NeuS train.

    python -m bench.write_cv [--lead] [--target r2f|r2r|r2p] [--temperature 30]
                             [--blend 1.0] [--drop FEATURE...] [--limit N] [--val]

Issue 11: the hand-weighted sentence score (``scoring.Weights``: 0.5 consensus + 1.0
centrality + 0.3 position) replaced by a linear model over cheap per-sentence features
(``FEATURES``: the three hand terms, first sentence, length, cover of the outlets'
headlines (mean and best), quoted share, digit and capitalised-word density, share of
articles supporting it, share of articles with a paraphrase of it, its article's mean
centrality). Fitted on the candidates that stand alone, features centred per story
(only the order within a story matters):

- ridge (default): the sentence's own ROUGE-2 against the reference (F1, recall or
  precision; z-scored per story);
- ``--lead``: listwise (conditional logit): which sentence should lead, the target
  distribution the softmax of the sentences' ROUGE-2 x temperature.

The fitted score is rescaled to the hand score's within-story spread (MMR and the
wording choice add it to other terms), ``--blend`` mixes it with the hand weights
(``b x learned + (1 - b) x hand``) and ``--drop`` zeroes features. Folds are NeuS train
rows by index mod 5: fit on four, write the fifth with the learned score, and compare
the whole writer's Story ROUGE (56 words) story by story with main (paired difference
+- one SE, and per fold); also the ROUGE-2 of each story's top-scored sentence. NeuS
val is read only with ``--val`` (fit on all of train, write val: the one look after a
choice, never for choosing). Results: docs/benchmarks.md ("a learned sentence score").

Features and targets are cached under --cache (/tmp). Needs the `bench` extra and
$STORYWIRE_DATA (or --data).
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import sys
import time
from pathlib import Path

import numpy as np
from rouge_score import rouge_scorer

from storywire.models import StoredArticle
from storywire.write import ExtractiveWriter
from storywire.write import extractive as ex
from storywire.write.facts import paraphrase
from storywire.write.grounding import supporters
from storywire.write.readable import quoted_share, stands_alone
from storywire.write.scoring import Candidate, _centrality, article_concepts, candidates, concepts

from bench.write_quality import neus_rows

SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
R2 = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
FEATURES = (
    "consensus",
    "central",
    "position",
    "first",
    "words",
    "headline",
    "quoted",
    "numbers",
    "names",
    "support",
    "paraphrased",
    "head_max",
    "art_central",
)
_NUMBER = re.compile(r"\d")
_NAME = re.compile(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+")


def features(
    cands: list[Candidate], news: list[StoredArticle], support=None, same=None
) -> np.ndarray:
    """Per candidate: the hand score's three terms and cheap extras."""
    n_articles = len(news)
    if support is None:
        _, sim = _centrality(cands)
        support = supporters(cands, sim, news, news, article_concepts(cands, n_articles))
        same = paraphrase(cands, sim)
    art = np.array([c.article for c in cands])
    per = article_concepts(cands, n_articles)
    df: dict[str, int] = {}
    for concept_set in per:
        for c in concept_set:
            df[c] = df.get(c, 0) + 1
    others = max(1, n_articles - 1)
    heads = [{k for k in concepts(a.title) if " " not in k} for a in news]
    rows = []
    central, _ = _centrality(cands)
    art_central = {a: central[art == a].mean() for a in set(art.tolist())}
    for i, (c, cen) in enumerate(zip(cands, central, strict=True)):
        uni = {k for k in c.concepts if " " not in k}
        toks = c.text.split()
        rows.append(
            (
                sum(df[k] - 1 for k in c.concepts) / others / (c.words**0.5 * 4),
                cen,
                1.0 / (1 + c.position) ** 0.5,
                float(c.position == 0),
                c.words / 30,
                np.mean([len(uni & h) / max(1, len(h)) for h in heads]),
                quoted_share(c.text),
                sum(bool(_NUMBER.search(t)) for t in toks) / max(1, len(toks)),
                len(_NAME.findall(c.text)) / max(1, len(toks)),
                len(set(support[i]) | {news[c.article].id}) / n_articles,
                len(set(art[same[i]].tolist()) | {c.article}) / n_articles,
                max(len(uni & h) / max(1, len(h)) for h in heads),
                art_central[c.article],
            )
        )
    return np.array(rows, dtype=float).reshape(len(cands), len(FEATURES))


HAND = np.array([0.5, 1.0, 0.3] + [0.0] * (len(FEATURES) - 3))


class LearnedWriter(ExtractiveWriter):
    """The writer with the sentence score ``features @ coef`` instead of the hand sum."""

    def __init__(self, coef: np.ndarray, words: int = 56):
        super().__init__(words=words)
        self.coef = coef

    def _material(self, news, everyone, cands):  # type: ignore[no-untyped-def]
        m = super()._material(news, everyone, cands)
        scores = features(cands, news, m.support, m.same) @ self.coef
        facts = ex.group_facts(cands, scores, m.same, m.support, news)
        return ex._Material(news, cands, scores, m.sim, m.shared, m.same, m.support, m.held, facts)


def prepare(rows: list, cache: Path) -> list[dict]:
    """Per row: candidate features and ROUGE-2 targets, and main's Story and ROUGE."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    out = []
    main = ExtractiveWriter(words=56)
    t = time.perf_counter()
    for n, (arts, _title, ref) in enumerate(rows):
        cands = candidates(arts)
        X = features(cands, arts) if cands else np.zeros((0, len(FEATURES)))
        r2 = [R2.score(ref, c.text)["rouge2"] for c in cands]
        story = " ".join(s.text for s in main.write(arts).body)
        s = SCORER.score(ref, story)
        out.append(
            {
                "X": X,
                "r2f": np.array([x.fmeasure for x in r2]),
                "r2r": np.array([x.recall for x in r2]),
                "ok": np.array([stands_alone(c.text) for c in cands], dtype=bool),
                "main": story,
                "main_rouge": np.array([s[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")]),
            }
        )
        if n % 500 == 0:
            print(f"  prepared {n} rows, {time.perf_counter() - t:.0f} s", file=sys.stderr)
    cache.write_bytes(pickle.dumps(out))
    return out


def _target(row: dict, target: str) -> np.ndarray:
    """r2f / r2r as stored; r2p: the sentence's ROUGE-2 precision (from F1 and recall)."""
    if target != "r2p":
        return row[target]
    f, r = row["r2f"], row["r2r"]
    return np.where(2 * r > f, f * r / np.maximum(2 * r - f, 1e-9), 0.0)


def fit(prepared: list[dict], rows: list[int], target: str, alpha: float) -> np.ndarray:
    """Ridge on per-story centred features and target; scaled to the hand score's
    within-story spread."""
    Xs, ys = [], []
    for r in rows:
        ok = prepared[r]["ok"]
        X, y = prepared[r]["X"][ok], _target(prepared[r], target)[ok]
        if len(y) < 2:
            continue
        Xs.append(X - X.mean(axis=0))
        ys.append((y - y.mean()) / (y.std() or 1.0))
    X, y = np.vstack(Xs), np.concatenate(ys)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    Z = X / sd
    coef = np.linalg.solve(Z.T @ Z + alpha * len(y) / 1000 * np.eye(Z.shape[1]), Z.T @ y) / sd
    spread = (X @ coef).std()
    hand = (X @ HAND).std()
    return coef * hand / spread


def fit_lead(
    prepared: list[dict], rows: list[int], target: str, alpha: float, temperature: float
) -> np.ndarray:
    """Listwise (conditional logit): which sentence of the story should lead. The
    target distribution is the softmax of the sentences' ROUGE-2 (x temperature)."""
    from scipy.optimize import minimize

    stories = []
    for r in rows:
        ok = prepared[r]["ok"]
        X, y = prepared[r]["X"][ok], _target(prepared[r], target)[ok]
        if len(y) < 2 or y.max() <= 0:
            continue
        t = np.exp(temperature * (y - y.max()))
        stories.append((X - X.mean(axis=0), t / t.sum()))
    X = np.vstack([s[0] for s in stories])
    P = np.concatenate([s[1] for s in stories])
    bounds = np.cumsum([0] + [len(s[1]) for s in stories])
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    Z = X / sd
    starts = bounds[:-1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = Z @ w
        mx = np.maximum.reduceat(s, starts)
        e = np.exp(s - np.repeat(mx, np.diff(bounds)))
        tot = np.add.reduceat(e, starts)
        logz = np.log(tot) + mx
        q = e / np.repeat(tot, np.diff(bounds))
        val = -(P * (s - np.repeat(logz, np.diff(bounds)))).sum() + alpha * (w @ w)
        grad = Z.T @ (q - P) + 2 * alpha * w
        return val / len(stories), grad / len(stories)

    w = minimize(loss, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B").x / sd
    return w * (X @ HAND).std() / (X @ w).std()


def model(prepared: list[dict], rows: list[int], args: argparse.Namespace) -> np.ndarray:
    """The coefficients fitted on ``rows``, blended with the hand weights."""
    if args.lead:
        coef = fit_lead(prepared, rows, args.target, args.alpha, args.temperature)
    else:
        coef = fit(prepared, rows, args.target, args.alpha)
    for f in args.drop:
        coef[FEATURES.index(f)] = 0.0  # (the spread scaling is not redone)
    out: np.ndarray = args.blend * args.scale * coef + (1 - args.blend) * HAND
    return out


def paired(
    prepared: list[dict], rows: list, folds: list[tuple[np.ndarray, list[int]]]
) -> tuple[np.ndarray, int]:
    """Per-story ROUGE F1 differences (x100) against main, each row written with the
    coefficients of its fold; and how many Stories changed."""
    diffs = np.zeros((len(rows), 3))
    changed = 0
    for coef, members in folds:
        writer = LearnedWriter(coef)
        for r in members:
            arts, _title, ref = rows[r]
            story = " ".join(s.text for s in writer.write(arts).body)
            if story != prepared[r]["main"]:
                changed += 1
                s = SCORER.score(ref, story)
                got = np.array([s[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")])
                diffs[r] = 100 * (got - prepared[r]["main_rouge"])
    return diffs, changed


def report(prepared: list[dict], diffs: np.ndarray, changed: int, by_fold: bool) -> None:
    n = len(diffs)
    base = 100 * np.mean([x["main_rouge"] for x in prepared], axis=0)
    mean, se = diffs.mean(axis=0), diffs.std(axis=0, ddof=1) / np.sqrt(n)
    print(f"  main (hand score): R-1/2/L {base[0]:.3f} / {base[1]:.3f} / {base[2]:.3f}")
    for k, name in enumerate(("R-1", "R-2", "R-L")):
        line = f"  {name}: {mean[k]:+.3f} +- {se[k]:.3f}  ({mean[k] / (se[k] or 1):+.1f} SE)"
        if by_fold:
            line += "; by fold " + ", ".join(f"{diffs[f::5, k].mean():+.3f}" for f in range(5))
        print(line)
    print(f"  stories changed: {changed}/{n}")


def lead_hits(prepared: list[dict], folds: list[tuple[np.ndarray, list[int]]]) -> None:
    """Sentence level: the mean ROUGE-2 F1 (x100) of each story's top-scored candidate
    that stands alone, hand score against learned (the best possible last)."""
    hand, learned, best = [], [], []
    for coef, members in folds:
        for r in members:
            ok = prepared[r]["ok"]
            X, y = prepared[r]["X"][ok], prepared[r]["r2f"][ok]
            if len(y):
                hand.append(y[np.argmax(X @ HAND)])
                learned.append(y[np.argmax(X @ coef)])
                best.append(y.max())
    d = 100 * (np.array(learned) - np.array(hand))
    print(
        f"  top sentence R-2 F1: hand {100 * np.mean(hand):.2f}, learned "
        f"{100 * np.mean(learned):.2f} ({d.mean():+.2f} +- {d.std(ddof=1) / np.sqrt(len(d)):.2f}),"
        f" best {100 * np.mean(best):.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=os.environ.get("STORYWIRE_DATA"))
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--target", default="r2f", choices=["r2f", "r2r", "r2p"])
    p.add_argument("--lead", action="store_true", help="listwise: which sentence leads")
    p.add_argument("--temperature", type=float, default=30.0, help="listwise target sharpness")
    p.add_argument("--alpha", type=float, default=1.0, help="L2 penalty")
    p.add_argument("--scale", type=float, default=1.0, help="times the hand score's spread")
    p.add_argument("--blend", type=float, default=1.0, help="share of learned vs hand")
    p.add_argument("--drop", nargs="*", default=[], choices=FEATURES, help="features left out")
    p.add_argument("--corroboration", type=float, default=ex.CORROBORATION)
    p.add_argument("--cache", type=Path, default=Path("/tmp"), help="folder for features")
    p.add_argument(
        "--val",
        action="store_true",
        help="the one look: fit on all of train, write NeuS val (no choice is made here)",
    )
    args = p.parse_args(argv)
    if not args.data or not Path(args.data).is_dir():
        print("set STORYWIRE_DATA or --data to the shared data folder", file=sys.stderr)
        return 2
    ex.CORROBORATION = args.corroboration
    tag = f"{args.limit or 'all'}.pkl"
    rows = neus_rows(args.data, "train", args.limit)
    prepared = prepare(rows, args.cache / f"write_cv_train_{tag}")
    n = len(rows)
    print(f"NeuS train {n} rows; {vars(args)}")
    print("  fold  " + " ".join(f"{f:>9s}" for f in FEATURES))
    if args.val:
        coef = model(prepared, list(range(n)), args)
        print("   all  " + " ".join(f"{c:9.3f}" for c in coef))
        rows = neus_rows(args.data, "val", None)
        prepared = prepare(rows, args.cache / "write_cv_val.pkl")
        folds = [(coef, list(range(len(rows))))]
        print(f"NeuS val {len(rows)} rows, written with the coefficients fitted on all of train")
        report(prepared, *paired(prepared, rows, folds), by_fold=False)
        lead_hits(prepared, folds)
        return 0
    folds = []
    for fold in range(5):
        coef = model(prepared, [r for r in range(n) if r % 5 != fold], args)
        print(f"  {fold:4d}  " + " ".join(f"{c:9.3f}" for c in coef), flush=True)
        folds.append((coef, list(range(fold, n, 5))))
    report(prepared, *paired(prepared, rows, folds), by_fold=True)
    lead_hits(prepared, folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
