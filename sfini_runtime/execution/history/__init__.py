"""State-machine execution history events.

``parse_history`` turns GetExecutionHistory's events into event objects. ``EVENT_CLASSES`` maps
every ``HistoryEventType`` of the Step Functions API (botocore's service model; a test keeps the
two in step) to the class that parses it; a type it does not know becomes a plain ``Event``.

Each class declares its event types, the fields it reads from their details and its details
line (``events``); one parser (``parsing``) and one formatter (``formatting``) serve them all.
The details keys and the kinds of their fields are ``sfini_runtime.event_types``' table, the
one the local engine writes its events with.

Use ``sfini_runtime.execution.Execution.format_history`` for nice history printing.
"""

from __future__ import annotations

from sfini_asl._lazy import lazy_exports

_EVENTS = "sfini_runtime.execution.history.events"
_FIELDS = "sfini_runtime.execution.history.fields"
_PARSING = "sfini_runtime.execution.history.parsing"

# public name -> module that defines it (imported on first use)
_EXPORTS = {
    "EVENT_CLASSES": _PARSING,
    "NOT_GIVEN": _FIELDS,
    "REQUIRED": _FIELDS,
    "Field": _FIELDS,
    "ActivityScheduled": _EVENTS,
    "ActivityStarted": _EVENTS,
    "EvaluationFailed": _EVENTS,
    "Event": _EVENTS,
    "ExecutionRedriven": _EVENTS,
    "ExecutionStarted": _EVENTS,
    "Failed": _EVENTS,
    "LambdaFunctionScheduled": _EVENTS,
    "MapIterationEvent": _EVENTS,
    "MapRunRedriven": _EVENTS,
    "MapRunStarted": _EVENTS,
    "MapStateStarted": _EVENTS,
    "ObjectSucceeded": _EVENTS,
    "Progress": _EVENTS,
    "StateEntered": _EVENTS,
    "StateExited": _EVENTS,
    "TaskFailed": _EVENTS,
    "TaskScheduled": _EVENTS,
    "TaskStarted": _EVENTS,
    "TaskSubmitted": _EVENTS,
    "TaskSucceeded": _EVENTS,
    "details_key": _PARSING,
    "parse_event": _PARSING,
    "parse_history": _PARSING,
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
