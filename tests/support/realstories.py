"""Real multi-outlet stories as StoredArticle lists, for writer tests.

BASIL: three outlets (Fox, NYT, HuffPost) per real event. AllSides corpus: articles
grouped by topic + date (several outlets on one topic that day).
"""

from __future__ import annotations

import ast
import gzip
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storywire.models import Kind, StoredArticle

BASIL_OUTLETS = {"fox": "Fox News", "nyt": "The New York Times", "hpo": "HuffPost"}


def basil_stories(
    data_dir: Path, limit: int | None = None
) -> list[tuple[list[StoredArticle], str]]:
    """(articles, neutral main-event title) per BASIL event, in file order."""
    events: dict[str, list[StoredArticle]] = defaultdict(list)
    neutral: dict[str, str] = {}
    files = sorted((data_dir / "clustering" / "basil" / "articles").glob("*/*.json"))
    for n, file in enumerate(files):
        rec = json.loads(file.read_text(encoding="utf-8"))
        raw = rec["body-paragraphs"]
        paras = ast.literal_eval(raw) if isinstance(raw, str) else raw
        text = "\n".join(" ".join(p) if isinstance(p, list) else str(p) for p in paras)
        source = str(rec["source"]).lower()
        day = datetime.strptime(rec["date"], "%Y-%m-%d").replace(tzinfo=UTC)
        events[rec["triplet-uuid"]].append(
            StoredArticle(
                url=rec["url"],
                title=rec["title"],
                text=text,
                kind=Kind.NEWS,
                id=n + 1,
                published=day + timedelta(minutes=n % 3),
                outlet=BASIL_OUTLETS[source],
                author="Staff",
            )
        )
        neutral[rec["triplet-uuid"]] = rec["main-event"]
    keys = sorted(events)[:limit]
    return [(events[k], neutral[k]) for k in keys]


def allsides_stories(
    data_dir: Path, lines: int = 4000, size: int = 20
) -> list[list[StoredArticle]]:
    """Groups of 3..size articles sharing topic and date, from the first `lines` lines."""
    path = data_dir / "corpus" / "allsides-article-bias" / "articles.jsonl.gz"
    groups: dict[tuple[str, str], list[StoredArticle]] = defaultdict(list)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n >= lines:
                break
            rec = json.loads(line)
            try:
                day = datetime.strptime(rec["date"], "%Y-%m-%d").replace(tzinfo=UTC)
            except (ValueError, TypeError):
                continue
            group = groups[(rec["topic"], rec["date"])]
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
    return [g[:size] for _, g in sorted(groups.items()) if len(g) >= 3]
