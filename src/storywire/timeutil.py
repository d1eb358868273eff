"""UTC timestamps and their text form in the store (ISO 8601, sortable as text)."""

from __future__ import annotations

from datetime import UTC, datetime

import dateutil.parser

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
MIN_YEAR = 1900


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


def from_iso(value: str) -> datetime:
    return datetime.strptime(value, _FORMAT).replace(tzinfo=UTC)


def parse_time(value: object) -> datetime | None:
    """Best-effort parse of a date from a feed or corpus (ISO, RFC 822, epoch seconds/ms)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (ValueError, OverflowError, OSError):  # NaN, or beyond the calendar
            return None
    text = str(value).strip()
    try:
        parsed = _fast_iso(text) or dateutil.parser.parse(text)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if parsed.year >= MIN_YEAR else None  # "0001-01-01": a missing date


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
