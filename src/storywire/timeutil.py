"""UTC timestamps and their text form in the store (ISO 8601, sortable as text)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import dateutil.parser

log = logging.getLogger(__name__)

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The sane window for a news date: a date outside it is refused (the caller falls back
# to another date or skips the record), never stored: one article dated 9999 would move
# the clustering horizon and retire every live story.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
_H = 3600
# Time zone abbreviations seen in feeds and corpora (dateutil knows only UTC/GMT and
# would drop the others, reading "11:05 EST" as 11:05 UTC).
TZ_ABBREVIATIONS = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": _H, "BST": _H,
    "CET": _H, "CEST": 2 * _H, "MET": _H, "MEST": 2 * _H, "EET": 2 * _H, "EEST": 3 * _H,
    "MSK": 3 * _H, "IST": 5 * _H + 1800, "PKT": 5 * _H, "ICT": 7 * _H, "WIB": 7 * _H,
    "HKT": 8 * _H, "SGT": 8 * _H, "AWST": 8 * _H, "JST": 9 * _H, "KST": 9 * _H,
    "ACST": 9 * _H + 1800, "AEST": 10 * _H, "AEDT": 11 * _H, "NZST": 12 * _H,
    "NZDT": 13 * _H, "EST": -5 * _H, "EDT": -4 * _H, "CST": -6 * _H, "CDT": -5 * _H,
    "MST": -7 * _H, "MDT": -6 * _H, "PST": -8 * _H, "PDT": -7 * _H, "AKST": -9 * _H,
    "AKDT": -8 * _H, "HST": -10 * _H, "AST": -4 * _H, "ADT": -3 * _H, "NST": -3 * _H - 1800,
    "BRT": -3 * _H, "ART": -3 * _H,
}  # fmt: skip
# Two defaults far apart: a date part missing from the text ("5", "June") shows up as a
# difference between the two parses, and such a text is refused as a date.
_DEFAULTS = (datetime(2001, 2, 3), datetime(2002, 4, 5))


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


def from_iso(value: str) -> datetime:
    """A stored time (``to_iso``'s form) back to an aware datetime. ``fromisoformat``
    for that exact form (~20x cheaper than strptime, which was the largest Python cost
    of a search request: a listing reads two times per row); strptime's checks else."""
    if len(value) == 20 and value[10] == "T" and value[19] == "Z" and value[:4].isdigit():
        return datetime.fromisoformat(value)
    return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)


def parse_time(value: object, now: datetime | None = None) -> datetime | None:
    """Best-effort parse of a date from a feed or corpus (ISO, RFC 822, epoch seconds/ms),
    time-zone aware; None when absent, unreadable or outside the sane window (logged)."""
    found, reason = read_time(value, now)
    if reason:
        log.info("date %.60r refused: %s", value, reason)
    return found


def read_time(value: object, now: datetime | None = None) -> tuple[datetime | None, str]:
    """(aware time, "") or (None, why not); an absent value is (None, "")."""
    if value is None or value == "" or isinstance(value, bool):
        return None, ""
    try:
        parsed = _parse(value)
    except (ValueError, OverflowError, OSError, TypeError) as exc:
        return None, f"not a date ({exc})"
    if parsed is None:
        return None, "not a date"
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:  # kept in its own offset (stable identities of URL-less corpus lines)
        utc = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None, "beyond the calendar in UTC"
    return (None, problem) if (problem := date_problem(utc, now)) else (parsed, "")


def date_problem(value: datetime, now: datetime | None = None) -> str:
    """Why ``value`` is no news date ("" when it is): before 1990, or more than a day
    after ``now`` (the clock)."""
    if value < EARLIEST:
        return f"{to_iso(value)} is before {EARLIEST.year}"
    if value > (now or utcnow()) + FUTURE_SLACK:
        return f"{to_iso(value)} is more than a day in the future"
    return ""


def _parse(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)  # NaN, beyond the calendar: raise
    if not isinstance(value, str):
        raise TypeError(f"a {type(value).__name__}, not text or a number")
    text = value.strip()
    if len(text) > 100:
        raise ValueError("longer than any date")
    if fast := _fast_iso(text):
        return fast
    first, second = (
        dateutil.parser.parse(text, default=d, tzinfos=TZ_ABBREVIATIONS) for d in _DEFAULTS
    )
    if first.date() != second.date():
        raise ValueError("no full date (year, month and day)")
    return first


def _fast_iso(text: str) -> datetime | None:
    """ISO 8601 without dateutil's cost (most corpus and feed dates)."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def display_time(iso: str) -> str:
    """'Aug 1, 2025, 4:13 PM UTC' from a stored timestamp, as on the story page."""
    t = from_iso(iso)
    hour = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {hour}:{t:%M} {'AM' if t.hour < 12 else 'PM'} UTC"
