"""Text and JSON renderings of an execution's history."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sfini_runtime.execution.history import NOT_GIVEN, Event, StateEntered, StateExited

__all__ = ["ActiveStates", "active_states", "format_events", "history_to_json"]


def format_events(events: Iterable[Event], output: Any = NOT_GIVEN) -> str:
    """sfini 0.1.0's history format: one ``Type [id] @ time`` line per event, its details
    indented below, then ``Output: ...`` when the execution has an output."""
    lines = []
    for event in events:
        details = event.details_str
        lines.append(f"{event}:\n  {details}" if details else str(event))
    if output is not NOT_GIVEN:
        lines.append(f"Output: {json.dumps(output)}")
    return "\n".join(lines)


def history_to_json(events: Iterable[Event]) -> list[dict[str, Any]]:
    """The events as JSON-ready dictionaries (the API's field names)."""
    return [event.to_dict() for event in events]


class ActiveStates:
    """The states entered and not yet exited, kept up to date as events are fed in order."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def feed(self, events: Iterable[Event]) -> list[str]:
        """Apply ``events`` (oldest first); the names of the active states, in entry order."""
        for event in events:
            if isinstance(event, StateEntered) and not event.event_type.startswith("Fail"):
                self.names.append(event.state_name)
            elif isinstance(event, StateExited) and event.state_name in self.names:
                self.names.remove(event.state_name)
        return list(self.names)


def active_states(events: Iterable[Event]) -> list[str]:
    """Names of the states entered and not yet exited, in the order they were entered."""
    return ActiveStates().feed(events)
