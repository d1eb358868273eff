"""When to poll a feed next.

* Success: the interval adapts to how often the feed posts: half the mean gap
  between its newest entries (up to 20), so a new article waits on average a
  quarter of the gap. A feed without dated entries keeps its interval.
* Server hints are floors: ``Cache-Control: max-age``, RSS ``<ttl>`` (minutes)
  and ``Retry-After``; we never come back sooner than the server asked.
* Everything is bounded to [min_poll_interval, max_poll_interval].
* Errors back off exponentially from min_poll_interval (x2 per error in a row);
  after ``failing_after`` errors in a row the feed is *failing* and is retried
  only every max_poll_interval, until one poll succeeds. HTTP 410 Gone makes a
  feed failing at once.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..settings import Settings

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.I)
_TTL = re.compile(rb"<ttl>\s*(\d+)\s*</ttl>", re.I)


def _bound(seconds: float, settings: Settings) -> float:
    return min(max(seconds, settings.min_poll_interval), settings.max_poll_interval)


def posting_interval(published: list[datetime], current: float | None, settings: Settings) -> float:
    """Half the mean gap between the newest dated entries, bounded."""
    dates = sorted((d for d in published if d is not None), reverse=True)[:20]
    if len(dates) < 2:
        return _bound(current or settings.poll_interval, settings)
    gap = (dates[0] - dates[-1]).total_seconds() / (len(dates) - 1)
    return _bound(gap / 2, settings)


def server_floor(headers: dict[str, str], body: bytes = b"") -> float | None:
    """The shortest wait the server asked for: max-age, RSS ttl (minutes)."""
    floors = []
    if m := _MAX_AGE.search(headers.get("cache-control", "")):
        floors.append(float(m.group(1)))
    if body and (t := _TTL.search(body[:20_000])):
        floors.append(float(t.group(1)) * 60)
    return max(floors) if floors else None


def next_interval(
    published: list[datetime],
    current: float | None,
    headers: dict[str, str],
    body: bytes,
    settings: Settings,
) -> float:
    interval = posting_interval(published, current, settings)
    floor = server_floor(headers, body)
    return _bound(max(interval, floor or 0.0), settings)


def error_wait(
    errors_in_a_row: int, retry_after: float | None, settings: Settings, status: int | None = None
) -> tuple[float, bool]:
    """(seconds to wait, failing?) after the n-th error in a row (n >= 1). HTTP 410 Gone
    says the feed is gone for good: failing at once."""
    if errors_in_a_row >= settings.failing_after or status == 410:
        return settings.max_poll_interval, True
    backoff = settings.min_poll_interval * 2 ** min(errors_in_a_row - 1, 20)
    return _bound(max(backoff, retry_after or 0.0), settings), False
