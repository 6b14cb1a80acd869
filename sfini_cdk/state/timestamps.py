"""Timestamps as ASL writes them: RFC 3339 with an uppercase ``T`` and ``Z`` (AWS's profile)."""

from __future__ import annotations

import datetime
import re

_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$", re.ASCII
)


def parse_timestamp(text: str) -> datetime.datetime | None:
    """Parse an ASL timestamp such as ``2016-08-18T17:33:00Z``.

    Returns:
        the time, naive when ``text`` has no offset (ASL requires one: check ``tzinfo``);
        ``None`` when ``text`` is not of that form or names no real date and time
    """
    match = _RFC3339.match(text)
    if match is None:
        return None
    date, time, fraction, offset = match.groups()
    # fromisoformat takes at most microseconds; ASL allows more digits (nanoseconds)
    micro = (fraction or ".0")[1:7].ljust(6, "0")
    offset = "+00:00" if offset == "Z" else offset or ""
    try:
        return datetime.datetime.fromisoformat(f"{date}T{time}.{micro}{offset}")
    except ValueError:
        return None
