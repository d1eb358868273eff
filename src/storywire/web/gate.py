"""At most N of a kind of request at once per process, the others served in arrival order.

Searches differ in cost: about half are answered from the search windows, the others
also read the full index (several times the work). Fifty searches in one process at
once share the CPU (threads taking turns under the GIL, or as many database backends):
each takes as long as the whole crowd's work during its stay, so a costly one took many
times the mean, which made the 99th percentile. Through a ``FifoGate`` only a few run at
once, about as many as there are cores to keep busy, and the rest wait in the order they
came: the same throughput, and a request's time is about its wait in the line, the same
for everyone.
"""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class FifoGate:
    """A counting semaphore that hands a freed place to the longest waiting thread
    (``threading.Semaphore`` lets a newly arriving thread take it instead)."""

    def __init__(self, places: int):
        if places < 1:
            raise ValueError("a gate needs at least one place")
        self.places = places
        self._lock = threading.Lock()
        self._free = places
        self._waiting: deque[threading.Lock] = deque()

    def __enter__(self) -> FifoGate:
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by __exit__ of the thread whose place this takes over
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # the place passes on, still taken
            else:
                self._free += 1

    def waiting(self) -> int:
        """Threads waiting for a place now."""
        with self._lock:
            return len(self._waiting)
