"""GetExecutionHistory's events to event objects and back: one parser for every class.

``EVENT_CLASSES`` maps every ``HistoryEventType`` of the Step Functions API (botocore's service
model; a test keeps the two in step) to the class that declares it; a type it does not know
becomes a plain ``Event``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sfini_runtime.execution.history import events
from sfini_runtime.execution.history.events import Event
from sfini_runtime.execution.history.reading import details_key, event_to_dict, read_event

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


def parse_event(history_event: Mapping[str, Any]) -> Event:
    """Parse one history event; an unknown type becomes a plain ``Event``."""
    return read_event(EVENT_CLASSES.get(history_event.get("type", ""), Event), history_event)


def parse_history(history_events: Iterable[Mapping[str, Any]]) -> list[Event]:
    """List the execution history: parse GetExecutionHistory's events, in order."""
    return [parse_event(history_event) for history_event in history_events]
