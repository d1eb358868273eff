"""Term counters that hang on a page whose title says so, to test the extraction
timeout: picklable module-level functions, run in the extraction workers."""

from __future__ import annotations

import re
import time


def count(title: str, text: str, url: str) -> int:
    if "SLEEPS" in title:
        time.sleep(3600)  # blocked, no CPU: the soft (wall-clock) timeout ends it
    if "SPINS" in title:  # catastrophic backtracking: C code holding the GIL
        re.match(r"(a+)+$", "a" * 64 + "b")
    return len(text)
