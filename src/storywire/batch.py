"""``storywire batch``: cluster (or group) a JSON Lines file of articles into stories
and write them as JSON Lines, without a database. Format: docs/batch.md."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .cluster.engine import EngineConfig, MemoryLedger, StoryEngine, progress_every
from .cluster.prepare import auto_processes
from .ingest.corpus import BadLine, raw_lines, record, to_article
from .models import Article, Sentence, StoredArticle
from .text import plural

if TYPE_CHECKING:
    from .progress import AddBar
    from .write import ExtractiveWriter


@dataclass
class BatchReport:
    articles: int = 0
    stories: int = 0
    bad: list[BadLine] = field(default_factory=list)


Item = tuple[str, Article, str]  # input id, article, group value
READ_CHUNK = 512  # lines parsed together (by a worker or by the reader itself)
PARALLEL_BYTES = 1 << 20  # smaller files are parsed by the reader alone


def read_input(
    path: Path,
    group_by: str | None = None,
    mapping: dict[str, str] | None = None,
    processes: int = 0,
) -> tuple[list[Item], list[BadLine]]:
    """(input id, article, group value) per good line, and the bad lines. ``mapping``:
    storywire's field names to the file's own (as for ``storywire import --field``).

    ``processes`` > 0 and a file of ``PARALLEL_BYTES`` or more: that many forked workers
    parse chunks of lines (JSON, fields, headline) while this process reads on and
    parses the chunks they have no room for; the result is the same, in file order."""
    mapping = mapping or {}
    if processes > 0 and path.exists() and path.stat().st_size >= PARALLEL_BYTES:
        parts = _parse_parallel(path, group_by, mapping, processes)
    else:
        parts = [[_item(n, record(n, line), group_by, mapping) for n, line in raw_lines(path)]]
    good: list[Item] = []
    bad: list[BadLine] = []
    for part in parts:
        for item in part:
            if isinstance(item, BadLine):
                bad.append(item)
            else:
                good.append(item)
    return good, bad


def _item(
    line: int, obj: dict[str, Any] | BadLine, group_by: str | None, mapping: dict[str, str]
) -> Item | BadLine:
    if isinstance(obj, BadLine):
        return obj
    ident = obj.get(mapping.get("id", "id"))
    if ident is None or ident == "" or isinstance(ident, dict | list):
        return BadLine(line, "no id")
    group = obj.get(group_by) if group_by else ""
    if group_by and (group is None or group == ""):
        return BadLine(line, f"no {group_by!r} field to group by")
    item = to_article(obj, mapping, line)
    return item if isinstance(item, BadLine) else (str(ident), item, str(group))


def _parse(
    lines: list[tuple[int, str | None]], group_by: str | None, mapping: dict[str, str]
) -> list[Item | BadLine]:
    return [_item(n, record(n, line), group_by, mapping) for n, line in lines]


def _parse_parallel(
    path: Path, group_by: str | None, mapping: dict[str, str], processes: int
) -> list[list[Item | BadLine]]:
    """Chunks of parsed lines in file order: a chunk goes to the workers while fewer than
    two per worker wait there, else this process parses it (the reading itself, and
    inflating a .gz on its thread, stay here)."""
    parts: list[Future[list[Item | BadLine]] | list[Item | BadLine]] = []
    waiting: list[Future[list[Item | BadLine]]] = []
    # Forked before the file is opened (no reading thread yet); they parse what is sent.
    with ProcessPoolExecutor(processes, mp_context=get_context("fork")) as pool:
        pool.submit(len, ()).result()  # the pool forks its workers on the first task

        def hand_over(chunk: list[tuple[int, str | None]]) -> None:
            waiting[:] = [f for f in waiting if not f.done()]
            if len(waiting) < 2 * processes:
                waiting.append(pool.submit(_parse, chunk, group_by, mapping))
                parts.append(waiting[-1])
            else:
                parts.append(_parse(chunk, group_by, mapping))

        chunk: list[tuple[int, str | None]] = []
        for numbered in raw_lines(path):
            chunk.append(numbered)
            if len(chunk) == READ_CHUNK:
                hand_over(chunk)
                chunk = []
        if chunk:
            hand_over(chunk)
        return [p.result() if isinstance(p, Future) else p for p in parts]


def group(
    items: list[Item],
    group_by: str | None,
    progress: Callable[[int], None] | None = None,
    config: EngineConfig | None = None,
) -> tuple[list[list[int]], dict[int, int]]:
    """Indices of ``items`` per story, stories in order of their first article, and the
    duplicates found (index -> index of the article it copies).

    Clustering runs the story engine of the live pipeline (dedup included) over a ledger
    in memory, in publication order; an article whose URL came earlier in the input
    joins that article's story as its duplicate."""
    order = sorted(range(len(items)), key=lambda i: items[i][1].published)
    duplicates: dict[int, int] = {}
    if group_by:
        labels: list[Any] = [items[i][2] for i in order]
    else:
        ledger = MemoryLedger()
        engine = StoryEngine(ledger, config or EngineConfig())
        placed = engine.place(
            [items[i][1] for i in order],
            progress_every(1000, progress),
            processes=auto_processes(),
        )
        index_of: dict[int, int] = {}  # ledger article id -> item index
        ids = []
        for i, p in zip(order, placed, strict=True):
            if p is None:  # the URL came earlier: one article given twice
                ids.append(ledger.urls[items[i][1].url])
                duplicates[i] = index_of[ids[-1]]
                continue
            index_of[p.article_id] = i
            ids.append(p.article_id)
            if p.duplicate_of is not None:
                duplicates[i] = index_of[p.duplicate_of]
        labels = [ledger.story_of(a) for a in ids]
    stories: dict[Any, list[int]] = {}
    for i, label in zip(order, labels, strict=True):
        stories.setdefault(label, []).append(i)
    return list(stories.values()), duplicates


def _sentences(sents: tuple[Sentence, ...], ids: list[str]) -> list[dict[str, Any]]:
    return [{"text": s.text, "sources": [ids[k] for k in s.sources]} for s in sents]


def story_record(
    n: int,
    members: list[int],
    items: list[Item],
    writer: ExtractiveWriter | None,
    duplicates: dict[int, int] | None = None,
) -> dict[str, Any]:
    ids = [items[i][0] for i in members]
    record: dict[str, Any] = {"story_id": n, "article_ids": ids}
    dup = duplicates or {}
    copies = {items[i][0]: items[dup[i]][0] for i in members if i in dup}
    if copies:
        record["duplicates"] = copies
    derived = [items[i][0] for i in members if items[i][1].title_from_text]
    if derived:
        record["titles_from_text"] = derived
    if writer is None:
        return record
    stored = [StoredArticle(**{**vars(items[i][1]), "id": k}) for k, i in enumerate(members)]
    draft = writer.write(stored)
    record.update(
        title=draft.title,
        highlights=_sentences(draft.highlights, ids),
        body=_sentences(draft.body, ids),
        opinions=[{"article_id": ids[o.article_id], **o.as_text()} for o in draft.opinions],
    )
    return record


def run_batch(
    src: Path,
    out: IO[str],
    *,
    write: bool = True,
    words: int = 400,
    group_by: str | None = None,
    log: IO[str] | None = None,
    config: EngineConfig | None = None,
    mapping: dict[str, str] | None = None,
    add_bar: AddBar | None = None,
) -> BatchReport:
    """Read ``src``, write one JSON object per story to ``out``; bad lines are reported
    on ``log`` with their line number and skipped. ``config``: the engine's settings
    (clustering and dedup, as in the live pipeline). ``add_bar``: progress bars."""
    log = log or sys.stderr  # looked up now: click's test runner swaps it
    started = time.monotonic()
    items, bad = read_input(src, group_by, mapping, processes=auto_processes())
    for b in bad:
        print(f"{src}:{b.line}: skipped: {b.reason}", file=log)
    print(f"read {plural(len(items), 'article')} ({plural(len(bad), 'bad line')})", file=log)
    derived = sum(a.title_from_text for _, a, _ in items)
    if derived:
        untitled = plural(derived, "article")
        print(f"{untitled} without a title: headline taken from the text", file=log)
    cluster_bar = add_bar("cluster", len(items)) if add_bar else None
    done = 0

    def clustered(n: int) -> None:
        nonlocal done
        print(f"clustered {n}/{len(items)} articles", file=log)
        if cluster_bar:
            cluster_bar(n - done)
        done = n

    stories, duplicates = group(items, group_by, clustered, config)
    if cluster_bar:
        cluster_bar(len(items) - done)
    print(plural(len(stories), "story", "stories"), file=log)
    write_bar = add_bar("write stories", len(stories)) if add_bar else None
    writer = None
    if write:  # imported here: the writing stack costs ~1 s of start-up (openai, sklearn)
        from .write import ExtractiveWriter

        writer = ExtractiveWriter(words=words)
    for n, members in enumerate(stories, 1):
        out.write(
            json.dumps(story_record(n, members, items, writer, duplicates), ensure_ascii=False)
        )
        out.write("\n")
        if write_bar:
            write_bar(1)
        if writer is not None and n % 500 == 0:
            print(f"wrote {n}/{len(stories)} stories", file=log)
    print(f"done in {time.monotonic() - started:.1f}s", file=log)
    return BatchReport(len(items), len(stories), bad)
