"""At most N of a kind of request at once per process, the others served in arrival order.

Searches differ in cost: about half are answered from the search windows, the others
also read the full index (several times the work). Fifty searches in one process at
once share the CPU (threads taking turns under the GIL, or as many database backends):
each takes as long as the whole crowd's work during its stay, so a costly one took many
times the mean, which made the 99th percentile. Through a ``FifoGate`` only a few run at
once, about as many as there are cores to keep busy, and the rest wait in the order they
came: the same throughput, and a request's time is about its wait in the line, the same
for everyone.

The gate is entered two ways, sharing one line: ``async with gate`` by a coroutine on the
event loop (the search routes: a request waits in line as a suspended coroutine and only
the admitted ones take a thread-pool thread for their store work), ``with gate`` by a
thread (the search feeds, made in the thread pool by the page cache). When the search
routes were plain ``def``s, each of 50 requests took a pool thread (40 of them) and most
blocked there in the gate: thread switches and GIL hand-offs cost ~1 ms of CPU per search.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from types import TracebackType


class _Turn:
    """A waiter's place in line: a lock its thread blocks on, or a future its coroutine
    awaits on its event loop."""

    __slots__ = ("lock", "loop", "future")

    def __init__(
        self,
        lock: threading.Lock | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        future: asyncio.Future[None] | None = None,
    ):
        self.lock, self.loop, self.future = lock, loop, future


class FifoGate:
    """A counting semaphore that hands a freed place to the longest waiting thread or
    coroutine (``threading.Semaphore`` lets a newly arriving thread take it instead)."""

    def __init__(self, places: int):
        if places < 1:
            raise ValueError("a gate needs at least one place")
        self.places = places
        self._lock = threading.Lock()
        self._free = places
        self._waiting: deque[_Turn] = deque()

    def _take_or_queue(self, turn: _Turn) -> bool:
        """True: a place was free and is now taken; False: ``turn`` is in line."""
        with self._lock:
            if self._free > 0 and not self._waiting:
                self._free -= 1
                return True
            self._waiting.append(turn)
            return False

    def _release(self) -> None:
        """Give a place back: to the first in line (the place passes on, still taken),
        else to the free count. Callable from any thread."""
        with self._lock:
            if not self._waiting:
                self._free += 1
                return
            turn = self._waiting.popleft()
        if turn.lock is not None:
            turn.lock.release()
        else:
            assert turn.loop is not None and turn.future is not None
            turn.loop.call_soon_threadsafe(self._grant, turn.future)

    def _grant(self, future: asyncio.Future[None]) -> None:
        """On the waiter's loop: wake it, or, when it was cancelled meanwhile, pass the
        place on."""
        if future.done():
            self._release()
        else:
            future.set_result(None)

    # -- threads -------------------------------------------------------------------

    def __enter__(self) -> FifoGate:
        turn = _Turn(lock=threading.Lock())
        assert turn.lock is not None
        turn.lock.acquire()
        if not self._take_or_queue(turn):
            turn.lock.acquire()  # released by the holder whose place this takes over
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._release()

    # -- coroutines ----------------------------------------------------------------

    async def __aenter__(self) -> FifoGate:
        loop = asyncio.get_running_loop()
        turn = _Turn(loop=loop, future=loop.create_future())
        if self._take_or_queue(turn):
            return self
        assert turn.future is not None
        try:
            await turn.future
        except asyncio.CancelledError:
            with self._lock:
                queued = turn in self._waiting
                if queued:
                    self._waiting.remove(turn)
            # Not in line any more: the place was handed to this waiter. If the hand-over
            # already woke it, give the place back here; else ``_grant`` finds the future
            # cancelled and passes it on (both run on this loop, so never both).
            if not queued and turn.future.done() and not turn.future.cancelled():
                self._release()
            raise
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._release()

    def waiting(self) -> int:
        """Threads and coroutines waiting for a place now."""
        with self._lock:
            return len(self._waiting)
