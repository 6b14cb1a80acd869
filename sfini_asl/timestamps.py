"""RFC 3339 timestamps as Step Functions reads and writes them.

AWS accepts the ISO-8601 extended offset date-time format (``2016-03-14T01:59:00Z``,
``2016-03-14T01:59:00.123456789+01:00``): an uppercase ``T``, seconds optional, up to nine
fractional digits, and a zone that is ``Z`` or a numeric offset. Comparisons are between
instants, to the nanosecond.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = [
    "TimestampFormatError",
    "epoch_nanoseconds",
    "epoch_seconds",
    "format_timestamp",
    "is_timestamp",
    "parse_timestamp",
    "timestamp_problem",
]


class TimestampFormatError(ValueError):
    """A value that is not an ISO-8601 extended offset date-time string."""


_PATTERN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(?:(Z)|([+-])(\d{2}):(\d{2})(?::(\d{2}))?)"
)


def _fields(text: Any) -> tuple[datetime, int, int]:
    """(naive local datetime to the second, nanoseconds, offset in seconds)."""
    if type(text) is not str:
        raise TimestampFormatError(f"not a string: {text!r}")
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise TimestampFormatError(f"not an ISO-8601 extended offset date-time: {text}")
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    nanos = int((match.group(7) or "").ljust(9, "0"))
    offset = 0
    if match.group(8) is None:
        hours, minutes, seconds = (
            int(match.group(10)),
            int(match.group(11)),
            int(match.group(12) or 0),
        )
        if hours > 18 or minutes > 59 or seconds > 59:
            raise TimestampFormatError(f"invalid zone offset: {text}")
        offset = hours * 3600 + minutes * 60 + seconds
        if match.group(9) == "-":
            offset = -offset
    try:
        local = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise TimestampFormatError(f"{exc}: {text}") from None
    return local, nanos, offset


def epoch_nanoseconds(text: Any) -> int:
    """The instant ``text`` denotes, in nanoseconds since the Unix epoch."""
    local, nanos, offset = _fields(text)
    seconds = calendar.timegm(local.timetuple()) - offset
    return seconds * 1_000_000_000 + nanos


def epoch_seconds(text: Any) -> float:
    """The instant ``text`` denotes, in (float) seconds since the Unix epoch."""
    return epoch_nanoseconds(text) / 1_000_000_000


def parse_timestamp(text: Any) -> datetime:
    """The instant ``text`` denotes as an aware UTC datetime (to the microsecond)."""
    local, nanos, offset = _fields(text)
    utc = local - timedelta(seconds=offset) + timedelta(microseconds=nanos // 1000)
    return utc.replace(tzinfo=timezone.utc)


def is_timestamp(value: Any) -> bool:
    """Whether ``value`` is a string AWS accepts as a timestamp."""
    try:
        _fields(value)
    except TimestampFormatError:
        return False
    return True


_LOCAL_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?")


def timestamp_problem(value: Any) -> str | None:
    """Why AWS would not take ``value`` as a timestamp: ``"no time zone"`` for a date-time
    without one, ``"format"`` for anything else; ``None`` when it is one."""
    if is_timestamp(value):
        return None
    if type(value) is str and _LOCAL_PATTERN.fullmatch(value):
        try:
            _fields(value + "Z")
        except TimestampFormatError:
            return "format"
        return "no time zone"
    return "format"


def format_timestamp(moment: float | datetime) -> str:
    """``2024-01-01T00:00:00.123Z``: how AWS writes times into the context object."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        moment = moment.timestamp()
    millis = round(moment * 1000)
    seconds, millis = divmod(millis, 1000)
    text = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{millis:03d}Z"
