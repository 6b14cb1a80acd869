"""Execution history: AWS's events, ids and ``previousEventId`` links, and its size limits.

An event is a plain dict shaped like one element of GetExecutionHistory's ``events``:
``{"timestamp": datetime, "type": str, "id": int, "previousEventId": int,
"<x>EventDetails": {...}}``; the key of an event type's details is the one
``sfini_runtime.event_types`` declares (the table the runtime's history parser reads too).
Inputs and outputs inside details are JSON text, as AWS stores them, serialised once.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from sfini_runtime.event_types import DETAILS_KEYS

#: AWS's quota on the number of events in one execution's history.
MAX_HISTORY_EVENTS = 25_000
#: AWS's quota on one payload (state input/output, task result), in bytes.
MAX_PAYLOAD_BYTES = 256 * 1024

NOT_TRUNCATED: dict[str, bool] = {"truncated": False}

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def to_json(value: Any) -> str:
    """Serialise a value to compact JSON text, the form AWS writes into history and outputs."""
    return _encode(value)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError(f"Number out of range: {text}")
    return number


def parse_json(text: str) -> Any:
    """Parse JSON text as strictly as AWS: no NaN/Infinity, no number beyond a double; too
    deep a nesting is a ``ValueError`` too (never a ``RecursionError``)."""
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def exceeds_payload_limit(text: str) -> bool:
    """True when ``text`` is larger than AWS's 256 KiB payload quota (UTF-8 bytes)."""
    n = len(text)
    if n <= MAX_PAYLOAD_BYTES // 4:
        return False
    if n > MAX_PAYLOAD_BYTES:
        return True
    return len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES


def to_milliseconds(moment: datetime) -> datetime:
    """``moment`` truncated to the millisecond, the precision of every date AWS returns."""
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: the last millisecond read and its datetime: events written within one millisecond (most of
#: a busy loop's) share one object instead of building a datetime each
_last_now: tuple[int, datetime] = (0, _EPOCH)


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, truncated to the millisecond (as AWS keeps dates)."""
    global _last_now
    millis = time.time_ns() // 1_000_000
    last = _last_now
    if last[0] == millis:
        return last[1]
    moment = _EPOCH + timedelta(milliseconds=millis)
    _last_now = (millis, moment)
    return moment


def format_timestamp(moment: datetime) -> str:
    """Format a time the way the context object shows it: ``2024-01-01T00:00:00.123Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class HistoryLimitExceeded(Exception):
    """The execution reached AWS's 25,000 event quota."""


class UndeclaredEvent(ValueError):
    """An event the API does not have: an unknown type, or details for a type without any."""


class History:
    """The ordered events of one execution; ids start at 1."""

    __slots__ = ("events", "limit")

    #: True while a resumed execution re-runs its recorded events (``replay.ReplayHistory``)
    replaying = False
    #: how many events were recorded before a restart (0: a new execution's history)
    recorded = 0

    def __init__(self, limit: int = MAX_HISTORY_EVENTS) -> None:
        self.events: list[dict[str, Any]] = []
        self.limit = limit

    def __len__(self) -> int:
        return len(self.events)

    @property
    def last_id(self) -> int:
        """Id of the newest event (0 when empty)."""
        return len(self.events)

    def add(
        self,
        event_type: str,
        previous_id: int,
        details: dict[str, Any] | None = None,
        *,
        final: bool = False,
        timestamp: datetime | None = None,
    ) -> int:
        """Append an event and return its id; ``details`` go under the type's details key.

        Raises :class:`HistoryLimitExceeded` when only the last slot is left and the event is
        not ``final`` (the slot is kept for the ExecutionFailed event that ends the execution),
        :class:`UndeclaredEvent` for a type the API does not have or details it gives the type
        none of. The timestamp is millisecond-precise and never earlier than the previous
        event's, even if the wall clock steps back.
        """
        try:
            details_key = DETAILS_KEYS[event_type]
        except KeyError:
            raise UndeclaredEvent(f"{event_type} is no history event type") from None
        events = self.events
        event_id = len(events) + 1
        if event_id >= self.limit and not final:
            raise HistoryLimitExceeded(event_type)
        moment = utc_now() if timestamp is None else to_milliseconds(timestamp)
        if events:
            previous = events[-1]["timestamp"]
            if moment is not previous and moment < previous:
                moment = previous
        event: dict[str, Any] = {
            "timestamp": moment,
            "type": event_type,
            "id": event_id,
            "previousEventId": previous_id,
        }
        if details is not None:
            if details_key is None:
                raise UndeclaredEvent(f"{event_type} events carry no details")
            event[details_key] = details
        events.append(event)
        return event_id


__all__ = [
    "MAX_HISTORY_EVENTS",
    "MAX_PAYLOAD_BYTES",
    "NOT_TRUNCATED",
    "History",
    "HistoryLimitExceeded",
    "UndeclaredEvent",
    "exceeds_payload_limit",
    "format_timestamp",
    "parse_json",
    "to_json",
    "to_milliseconds",
    "utc_now",
]
