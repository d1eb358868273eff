"""Worker processes that end with the main process, and a time limit per page.

``die_with(pid)``: a worker started for the main process ``pid`` ends as soon as that
process ends, ``kill -9`` included: a thread waits on a pidfd of the main process (Linux
5.3+; elsewhere it checks once a second), and on Linux the parent-death signal
(``prctl(PR_SET_PDEATHSIG)``) ends it with its own parent, the fork server.

``time_limit(seconds)``: a page that runs past ``seconds`` of wall-clock time is
interrupted with ``PageTimeout`` (SIGALRM, between Python bytecodes); one stuck in C
code that holds the interpreter (a runaway regular expression) gets no chance to
return, so a second timer on the process's CPU time (SIGPROF, whose default action ends
the process) ends the worker at twice the limit. The pool then replaces it.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

PR_SET_PDEATHSIG = 1


class PageTimeout(BaseException):
    """A page ran past its time limit (a BaseException: extraction code that catches
    every Exception must not swallow it)."""


def die_with(pid: int) -> None:
    """End this process when process ``pid`` ends (see the module docstring)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() == 1:  # the parent is gone already
        os._exit(1)
    threading.Thread(target=_watch, args=(pid,), daemon=True, name="lifeline").start()


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux 5.3+: look once a second
        while _alive(pid):
            time.sleep(1.0)
    else:
        select.select([fd], [], [])  # readable once the process has ended
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise PageTimeout


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (main thread of a worker only; 0: none)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.setitimer(signal.ITIMER_PROF, 2 * seconds)  # CPU time; SIGPROF ends the process
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGALRM, previous)
