"""The execution history event classes, each declared as data.

A class declares the event types it parses (``EVENT_TYPES``: each type with the key of its
``...EventDetails``), the fields it reads from those details (``FIELDS``, added to its base
class's) and its one-line details (``SUMMARY``). From those, the class gets its constructor
(sfini 0.1.0's arguments: ``timestamp, event_type, event_id``, the required fields,
``previous_event_id``, the optional fields); one parser (``parsing.read_event``) and one
formatter (``formatting.format_details``) serve every class.

The details keys and the kinds of the fields (JSON text is decoded) are those of
``sfini_runtime.event_types``, the table the local engine writes its events with.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, ClassVar

from sfini_runtime.event_types import FIELD_KINDS, JSON_TEXT, NUMBER, TEXT, details_key
from sfini_runtime.execution.history.constructors import declared_init
from sfini_runtime.execution.history.fields import NOT_GIVEN, REQUIRED, Field
from sfini_runtime.execution.history.formatting import format_details
from sfini_runtime.execution.history.reading import event_to_dict, read_event

__all__ = [
    "ActivityScheduled",
    "ActivityStarted",
    "EvaluationFailed",
    "Event",
    "ExecutionRedriven",
    "ExecutionStarted",
    "Failed",
    "LambdaFunctionScheduled",
    "MapIterationEvent",
    "MapRunRedriven",
    "MapRunStarted",
    "MapStateStarted",
    "ObjectSucceeded",
    "Progress",
    "StateEntered",
    "StateExited",
    "TaskFailed",
    "TaskScheduled",
    "TaskStarted",
    "TaskSubmitted",
    "TaskSucceeded",
]


def _types(*event_types: str) -> dict[str, str | None]:
    """Each event type with the key of its details (None: the type has none)."""
    return {event_type: details_key(event_type) for event_type in event_types}


#: a field's type by its kind: when optional, and when the constructor requires it
_OPTIONAL_TYPES: dict[str, Any] = {TEXT: str | None, NUMBER: int | None}
_REQUIRED_TYPES: dict[str, Any] = {TEXT: str, NUMBER: int}


def _field(name: str, key: str, *, required: bool = False) -> Field:
    """The attribute ``name``, read from the details field ``key`` as its kind says: JSON text
    is decoded (``NOT_GIVEN`` if the event leaves it out); else ``None`` when absent."""
    kind = FIELD_KINDS[key]
    if kind == JSON_TEXT:
        return Field(name, key, Any, NOT_GIVEN, json_text=True)
    if required:
        return Field(name, key, _REQUIRED_TYPES.get(kind, Any), REQUIRED)
    return Field(name, key, _OPTIONAL_TYPES.get(kind, Any))


def _fields_of(cls: type) -> tuple[Field, ...]:
    """Every field of ``cls``: its base classes' (in order) and its own ``FIELDS``."""
    fields: dict[str, Field] = {}
    for klass in reversed(cls.__mro__):
        for field in vars(klass).get("FIELDS", ()):
            fields[field.name] = field
    return tuple(fields.values())


class Event:
    """An execution history event.

    Args:
        timestamp: event time-stamp
        event_type: type of event
        event_id: identifying index of event
        previous_event_id: identifying index of causal event
    """

    #: The event types the class parses, each with the key of its details (None: none).
    EVENT_TYPES: ClassVar[Mapping[str, str | None]] = {}
    #: The fields the class reads from the details, added to its base classes'.
    FIELDS: ClassVar[tuple[Field, ...]] = ()
    #: ``details_str``: a ``str.format`` template of the event's attributes ("" for none).
    SUMMARY: ClassVar[str] = ""
    #: Every field of the class, its base classes' first (derived from ``FIELDS``).
    fields: ClassVar[tuple[Field, ...]] = ()

    def __init__(
        self,
        timestamp: datetime.datetime | None,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
    ) -> None:
        self.timestamp = timestamp
        self.event_type = event_type
        self.event_id = event_id
        self.previous_event_id = previous_event_id
        self.details: dict[str, Any] = {}
        self.raw: dict[str, Any] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.fields = _fields_of(cls)
        if "__init__" not in vars(cls):  # a subclass may still write its own
            cls.__init__ = declared_init(  # type: ignore[method-assign]
                cls.__qualname__, cls.__module__, cls.fields, Event.__init__
            )

    def __str__(self) -> str:
        return f"{self.event_type} [{self.event_id}] @ {self.timestamp}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.event_type!r}, id={self.event_id})"

    @classmethod
    def from_history_event(cls, history_event: Mapping[str, Any]) -> Event:
        """Parse a history event, as returned by GetExecutionHistory."""
        return read_event(cls, history_event)

    @property
    def details_str(self) -> str:
        """The event details, formatted as a string ("" if none worth printing)."""
        return format_details(self)

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (the API's own fields, timestamps in ISO 8601)."""
        return event_to_dict(self)


_STATE_KINDS = ("Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait")
_TASK_RESOURCE = (_field("resource_type", "resourceType"), _field("resource", "resource"))
_TASK_SUMMARY = "resource: {resource_type}:{resource}"


class Progress(Event):
    """A step that carries no details: a Map or Parallel state started, succeeded or was
    aborted, a Task or Wait state aborted, a Lambda function started, a Map Run ended."""

    EVENT_TYPES = _types(
        *(f"{kind}StateAborted" for kind in ("Map", "Parallel", "Task", "Wait")),
        "ParallelStateStarted",
        "MapStateSucceeded",
        "ParallelStateSucceeded",
        "LambdaFunctionStarted",
        "MapRunAborted",
        "MapRunSucceeded",
    )


class Failed(Event):
    """An execution history failure event (error and cause)."""

    EVENT_TYPES = _types(
        "ActivityFailed",
        "ActivityScheduleFailed",
        "ActivityTimedOut",
        "ExecutionAborted",
        "ExecutionFailed",
        "ExecutionTimedOut",
        "LambdaFunctionFailed",
        "LambdaFunctionScheduleFailed",
        "LambdaFunctionStartFailed",
        "LambdaFunctionTimedOut",
        "MapRunFailed",
        "MapStateFailed",
        "ParallelStateFailed",
    )
    FIELDS = (_field("error", "error"), _field("cause", "cause"))
    SUMMARY = "error: {error}"


class LambdaFunctionScheduled(Event):
    """An execution history AWS Lambda task-schedule event."""

    EVENT_TYPES = _types("LambdaFunctionScheduled")
    FIELDS = (
        _field("resource", "resource", required=True),
        _field("task_input", "input"),
        _field("timeout", "timeoutInSeconds"),
    )
    SUMMARY = "resource: {resource}"


class ActivityScheduled(LambdaFunctionScheduled):
    """An execution history activity task-schedule event."""

    EVENT_TYPES = _types("ActivityScheduled")
    FIELDS = (_field("heartbeat", "heartbeatInSeconds"),)


class ActivityStarted(Event):
    """An execution history activity task-start event."""

    EVENT_TYPES = _types("ActivityStarted")
    FIELDS = (_field("worker_name", "workerName", required=True),)
    SUMMARY = "worker: {worker_name}"


class ObjectSucceeded(Event):
    """An execution history succeed event (the output of an activity, task or execution)."""

    EVENT_TYPES = _types("ActivitySucceeded", "ExecutionSucceeded", "LambdaFunctionSucceeded")
    FIELDS = (_field("output", "output"),)


class ExecutionStarted(Event):
    """An execution history execution-start event."""

    EVENT_TYPES = _types("ExecutionStarted")
    FIELDS = (_field("execution_input", "input"), _field("role_arn", "roleArn"))


class StateEntered(Event):
    """An execution history state-enter event."""

    EVENT_TYPES = _types(*(f"{kind}StateEntered" for kind in _STATE_KINDS))
    FIELDS = (_field("state_name", "name", required=True), _field("state_input", "input"))
    SUMMARY = "name: {state_name}"


class StateExited(Event):
    """An execution history state-exit event."""

    EVENT_TYPES = _types(*(f"{kind}StateExited" for kind in _STATE_KINDS if kind != "Fail"))
    FIELDS = (_field("state_name", "name", required=True), _field("output", "output"))
    SUMMARY = "name: {state_name}"


class TaskScheduled(Event):
    """A service-integration task was scheduled (resource, region, parameters, timeouts)."""

    EVENT_TYPES = _types("TaskScheduled")
    FIELDS = (
        *_TASK_RESOURCE,
        _field("region", "region"),
        _field("parameters", "parameters"),
        _field("timeout", "timeoutInSeconds"),
        _field("heartbeat", "heartbeatInSeconds"),
    )
    SUMMARY = _TASK_SUMMARY


class TaskStarted(Event):
    """A service-integration task started."""

    EVENT_TYPES = _types("TaskStarted")
    FIELDS = _TASK_RESOURCE
    SUMMARY = _TASK_SUMMARY


class TaskSucceeded(ObjectSucceeded):
    """A service-integration task succeeded, with its output."""

    EVENT_TYPES = _types("TaskSucceeded")
    FIELDS = _TASK_RESOURCE
    SUMMARY = _TASK_SUMMARY


class TaskSubmitted(TaskSucceeded):
    """A service-integration task was submitted (``.sync``/``.waitForTaskToken`` patterns)."""

    EVENT_TYPES = _types("TaskSubmitted")


class TaskFailed(Failed):
    """A service-integration task failed, timed out, or failed to start or submit."""

    EVENT_TYPES = _types("TaskFailed", "TaskStartFailed", "TaskSubmitFailed", "TaskTimedOut")
    FIELDS = _TASK_RESOURCE


class EvaluationFailed(Failed):
    """An expression (JSONata, paths, intrinsics) failed to evaluate in ``state``."""

    EVENT_TYPES = _types("EvaluationFailed")
    FIELDS = (_field("location", "location"), _field("state", "state"))


class MapStateStarted(Event):
    """A Map state started its iterations (``length`` items)."""

    EVENT_TYPES = _types("MapStateStarted")
    FIELDS = (_field("length", "length"),)
    SUMMARY = "length: {length}"


class MapIterationEvent(Event):
    """A Map iteration started, succeeded, failed or was aborted."""

    EVENT_TYPES = _types(
        *(f"MapIteration{outcome}" for outcome in ("Started", "Succeeded", "Failed", "Aborted"))
    )
    FIELDS = (_field("name", "name"), _field("index", "index"))
    SUMMARY = "name: {name}, index: {index}"


class MapRunStarted(Event):
    """A distributed Map state started a Map Run."""

    EVENT_TYPES = _types("MapRunStarted")
    FIELDS = (_field("map_run_arn", "mapRunArn"),)
    SUMMARY = "map run: {map_run_arn}"


class ExecutionRedriven(Event):
    """The execution was redriven (``redrive_count`` times so far)."""

    EVENT_TYPES = _types("ExecutionRedriven")
    FIELDS = (_field("redrive_count", "redriveCount"),)
    SUMMARY = "redrive count: {redrive_count}"


class MapRunRedriven(MapRunStarted):
    """A Map Run was redriven."""

    EVENT_TYPES = _types("MapRunRedriven")
    FIELDS = (_field("redrive_count", "redriveCount"),)
