"""Progress bars on stderr for long commands (``poll``, ``import``, ``batch``, ``export``).

Drawn with rich only while stderr is a terminal; otherwise (a pipe, a file, a test
runner, cron) nothing is drawn at all. Long-running code takes an ``AddBar`` (no rich
import): ``bar = add_bar("write stories", total)`` then ``bar(n)`` after n more items.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["AddBar", "Advance", "progress_bars"]

Advance = Callable[[int], None]  # n more items done
AddBar = Callable[[str, int | None], Advance]  # label, total (None: unknown)


class _Bars:
    def __init__(self, progress: Progress):
        self.progress = progress

    def add(self, label: str, total: int | None) -> Advance:
        task: TaskID = self.progress.add_task(label, total=total)

        def advance(n: int = 1) -> None:
            self.progress.advance(task, n)

        return advance


@contextmanager
def progress_bars(console: Console | None = None) -> Iterator[AddBar]:
    """Yields ``add_bar(label, total)``; every bar is a no-op when stderr is no terminal."""
    console = console or Console(stderr=True)
    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    before = sys.stderr
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        # Log lines go above the bars (through rich's stderr proxy), not through them.
        moved = [
            (h, h.setStream(sys.stderr))
            for h in logging.getLogger().handlers
            if isinstance(h, logging.StreamHandler)
            and h.stream is before
            and sys.stderr is not before
        ]
        try:
            yield _Bars(progress).add
        finally:
            for handler, stream in moved:
                handler.setStream(stream)
