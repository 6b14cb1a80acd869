"""Reading one history event into its class, and writing it back as the API's JSON: each
class's declared fields and details key do the work (no table of classes needed here)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfini_runtime import event_types

if TYPE_CHECKING:
    from sfini_runtime.execution.history.events import Event

__all__ = ["details_key", "event_to_dict", "read_event"]


def details_key(
    event_type: str,
    history_event: Mapping[str, Any] | None = None,
    event_class: type[Event] | None = None,
) -> str | None:
    """The key of ``event_type``'s details (``...EventDetails``), if any: the one
    ``event_class`` declares, else the event-type table's; when ``history_event`` lacks it,
    whatever details the event carries (a type newer than the table, say)."""
    key = event_class.EVENT_TYPES.get(event_type) if event_class is not None else None
    if key is None:
        key = event_types.details_key(event_type)
    if history_event is None or (key is not None and key in history_event):
        return key
    return next((other for other in history_event if other.endswith("EventDetails")), None)


def read_event(event_class: type[Event], history_event: Mapping[str, Any]) -> Event:
    """Parse a history event into ``event_class``: its declared fields, read from the details."""
    event_type = history_event["type"]
    key = details_key(event_type, history_event, event_class)
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


def _isoformat(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime.datetime, datetime.date)) else value


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as JSON-ready data (the API's own fields, timestamps in ISO 8601)."""
    data = {"timestamp": _isoformat(event.timestamp), "type": event.event_type}
    data["id"] = event.event_id
    if event.previous_event_id is not None:
        data["previousEventId"] = event.previous_event_id
    key = details_key(event.event_type, event.raw, type(event)) if event.raw else None
    if key and event.details:
        data[key] = event.details
    return data
