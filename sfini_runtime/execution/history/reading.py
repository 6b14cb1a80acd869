"""Reading one history event into its class, and writing it back as the API's JSON: each
class's declared fields and details key do the work (no table of classes needed here)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfini_runtime.execution.history.fields import default_details_key

if TYPE_CHECKING:
    from sfini_runtime.execution.history.events import Event

__all__ = ["event_to_dict", "read_event"]


def _details_key(
    event_class: type[Event], event_type: str, history_event: Mapping[str, Any] | None
) -> str | None:
    """The key of the event's details: the one its class declares for ``event_type`` (else
    the API's naming), or whatever ``...EventDetails`` the event carries."""
    key = event_class.EVENT_TYPES.get(event_type) or default_details_key(event_type)
    if history_event is None or key in history_event:
        return key
    return next((other for other in history_event if other.endswith("EventDetails")), None)


def read_event(event_class: type[Event], history_event: Mapping[str, Any]) -> Event:
    """Parse a history event into ``event_class``: its declared fields, read from the details."""
    event_type = history_event["type"]
    key = _details_key(event_class, event_type, history_event)
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
    key = _details_key(type(event), event.event_type, event.raw) if event.raw else None
    if key and event.details:
        data[key] = event.details
    return data
