"""GetExecutionHistory's events to event objects and back: one parser for every class.

``EVENT_CLASSES`` maps every ``HistoryEventType`` of the Step Functions API (botocore's service
model; a test keeps the two in step) to the class that declares it; a type it does not know
becomes a plain ``Event``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from sfini_runtime.execution.history import events
from sfini_runtime.execution.history.events import Event
from sfini_runtime.execution.history.fields import default_details_key

__all__ = [
    "EVENT_CLASSES",
    "details_key",
    "event_to_dict",
    "parse_event",
    "parse_history",
    "read_event",
]


class DuplicateEventType(TypeError):
    """Two event classes declare the same event type."""


def _table(classes: Iterable[type[Event]]) -> dict[str, type[Event]]:
    table: dict[str, type[Event]] = {}
    for event_class in classes:
        for event_type in event_class.EVENT_TYPES:
            if event_type in table:
                raise DuplicateEventType(
                    f"{event_type} is declared by {table[event_type].__name__} "
                    f"and {event_class.__name__}"
                )
            table[event_type] = event_class
    return table


#: Event type -> the class that parses it (every ``HistoryEventType`` of the API).
EVENT_CLASSES: dict[str, type[Event]] = _table(
    getattr(events, name) for name in events.__all__ if name != "Event"
)

#: Event type -> the key of its details, as its class declares it.
_DETAILS_KEYS = {
    event_type: event_class.EVENT_TYPES[event_type]
    for event_type, event_class in EVENT_CLASSES.items()
}


def details_key(event_type: str, history_event: Mapping[str, Any] | None = None) -> str | None:
    """The key of ``event_type``'s details in a history event (``...EventDetails``), if any."""
    key = _DETAILS_KEYS.get(event_type) or default_details_key(event_type)
    if history_event is None or key in history_event:
        return key
    # Whatever details the event carries (a type newer than this table, say).
    return next((other for other in history_event if other.endswith("EventDetails")), None)


def read_event(event_class: type[Event], history_event: Mapping[str, Any]) -> Event:
    """Parse a history event into ``event_class``: its declared fields, read from the details."""
    event_type = history_event["type"]
    key = details_key(event_type, history_event)
    details = dict(history_event.get(key) or {}) if key else {}
    event = event_class(
        history_event.get("timestamp"),  # always sent by AWS; absent in some recordings
        event_type,
        history_event["id"],
        previous_event_id=history_event.get("previousEventId"),
        **{field.name: field.read(details) for field in event_class.fields},
    )
    event.details = details
    event.raw = dict(history_event)
    return event


def parse_event(history_event: Mapping[str, Any]) -> Event:
    """Parse one history event; an unknown type becomes a plain ``Event``."""
    return read_event(EVENT_CLASSES.get(history_event.get("type", ""), Event), history_event)


def parse_history(history_events: Iterable[Mapping[str, Any]]) -> list[Event]:
    """List the execution history: parse GetExecutionHistory's events, in order."""
    return [parse_event(history_event) for history_event in history_events]


def _isoformat(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime.datetime, datetime.date)) else value


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as JSON-ready data (the API's own fields, timestamps in ISO 8601)."""
    data = {"timestamp": _isoformat(event.timestamp), "type": event.event_type}
    data["id"] = event.event_id
    if event.previous_event_id is not None:
        data["previousEventId"] = event.previous_event_id
    key = details_key(event.event_type, event.raw) if event.raw else None
    if key and event.details:
        data[key] = event.details
    return data
