"""State-machine execution history events.

``parse_history`` turns GetExecutionHistory's events into event objects. ``EVENT_CLASSES`` maps
every ``HistoryEventType`` of the Step Functions API (botocore's service model; a test keeps the
two in step) to the class that parses it; a type it does not know becomes a plain ``Event``.

Use ``sfini_runtime.execution.Execution.format_history`` for nice history printing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

__all__ = [
    "EVENT_CLASSES",
    "NOT_GIVEN",
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
    "details_key",
    "parse_history",
]


class _NotGiven:
    """A value the event did not carry (``None`` would mean JSON null)."""

    _instance: ClassVar[_NotGiven | None] = None

    def __new__(cls) -> _NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def details_key(event_type: str, history_event: Mapping[str, Any] | None = None) -> str | None:
    """The key of ``event_type``'s details in a history event (``...EventDetails``), if any."""
    if event_type.endswith("StateEntered"):
        candidates = ["stateEnteredEventDetails"]
    elif event_type.endswith("StateExited"):
        candidates = ["stateExitedEventDetails"]
    else:
        candidates = [_lower_first(event_type) + "EventDetails"]
    if history_event is None:
        return candidates[0]
    for key in candidates:
        if key in history_event:
            return key
    # Whatever details the event carries (a type newer than this table, say).
    return next((key for key in history_event if key.endswith("EventDetails")), None)


def _json_or_raw(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


class Event:
    """An execution history event.

    Args:
        timestamp: event time-stamp
        event_type: type of event
        event_id: identifying index of event
        previous_event_id: identifying index of causal event
    """

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

    def __str__(self) -> str:
        return f"{self.event_type} [{self.event_id}] @ {self.timestamp}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.event_type!r}, id={self.event_id})"

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor arguments taken from the event's details."""
        return {}

    @classmethod
    def from_history_event(cls, history_event: Mapping[str, Any]) -> Event:
        """Parse a history event, as returned by GetExecutionHistory."""
        event_type = history_event["type"]
        key = details_key(event_type, history_event)
        details = dict(history_event.get(key) or {}) if key else {}
        event = cls(
            history_event.get("timestamp"),  # always sent by AWS; absent in some recordings
            event_type,
            history_event["id"],
            previous_event_id=history_event.get("previousEventId"),
            **cls._kwargs(details),
        )
        event.details = details
        event.raw = dict(history_event)
        return event

    @property
    def details_str(self) -> str:
        """The event details, formatted as a string ("" if none worth printing)."""
        return ""

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (the API's own fields, timestamps in ISO 8601)."""
        data = {"timestamp": _isoformat(self.timestamp), "type": self.event_type}
        data["id"] = self.event_id
        if self.previous_event_id is not None:
            data["previousEventId"] = self.previous_event_id
        key = details_key(self.event_type, self.raw) if self.raw else None
        if key and self.details:
            data[key] = self.details
        return data


class Progress(Event):
    """A step that carries no details: a Map or Parallel state started, succeeded or was
    aborted, a Task or Wait state aborted, a Lambda function started, a Map Run ended."""


def _isoformat(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime.datetime, datetime.date)) else value


class Failed(Event):
    """An execution history failure event (error and cause)."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        error: str | None = None,
        cause: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.error = error
        self.cause = cause

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"error": details.get("error"), "cause": details.get("cause")}

    @property
    def details_str(self) -> str:
        return f"error: {self.error}"


class LambdaFunctionScheduled(Event):
    """An execution history AWS Lambda task-schedule event."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        resource: str,
        previous_event_id: int | None = None,
        task_input: Any = NOT_GIVEN,
        timeout: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.resource = resource
        self.task_input = task_input
        self.timeout = timeout

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"resource": details.get("resource")}
        if "input" in details:
            kwargs["task_input"] = _json_or_raw(details["input"])
        kwargs["timeout"] = details.get("timeoutInSeconds")
        return kwargs

    @property
    def details_str(self) -> str:
        return f"resource: {self.resource}"


class ActivityScheduled(LambdaFunctionScheduled):
    """An execution history activity task-schedule event."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        resource: str,
        previous_event_id: int | None = None,
        task_input: Any = NOT_GIVEN,
        timeout: int | None = None,
        heartbeat: int | None = None,
    ) -> None:
        super().__init__(
            timestamp, event_type, event_id, resource, previous_event_id, task_input, timeout
        )
        self.heartbeat = heartbeat

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {**super()._kwargs(details), "heartbeat": details.get("heartbeatInSeconds")}


class ActivityStarted(Event):
    """An execution history activity task-start event."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        worker_name: str | None,
        previous_event_id: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.worker_name = worker_name

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"worker_name": details.get("workerName")}

    @property
    def details_str(self) -> str:
        return f"worker: {self.worker_name}"


class ObjectSucceeded(Event):
    """An execution history succeed event (the output of an activity, task or execution)."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        output: Any = NOT_GIVEN,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.output = output

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"output": _json_or_raw(details["output"])} if "output" in details else {}


class ExecutionStarted(Event):
    """An execution history execution-start event."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        execution_input: Any = NOT_GIVEN,
        role_arn: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.execution_input = execution_input
        self.role_arn = role_arn

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"role_arn": details.get("roleArn")}
        if "input" in details:
            kwargs["execution_input"] = _json_or_raw(details["input"])
        return kwargs


class StateEntered(Event):
    """An execution history state-enter event."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        state_name: str,
        previous_event_id: int | None = None,
        state_input: Any = NOT_GIVEN,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.state_name = state_name
        self.state_input = state_input

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"state_name": details.get("name")}
        if "input" in details:
            kwargs["state_input"] = _json_or_raw(details["input"])
        return kwargs

    @property
    def details_str(self) -> str:
        return f"name: {self.state_name}"


class StateExited(Event):
    """An execution history state-exit event."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        state_name: str,
        previous_event_id: int | None = None,
        output: Any = NOT_GIVEN,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.state_name = state_name
        self.output = output

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"state_name": details.get("name")}
        if "output" in details:
            kwargs["output"] = _json_or_raw(details["output"])
        return kwargs

    @property
    def details_str(self) -> str:
        return f"name: {self.state_name}"


class _HasTaskResource:
    """Mix-in for service-integration task events: ``resource_type`` and ``resource``."""

    resource_type: str | None
    resource: str | None

    @property
    def details_str(self) -> str:
        return f"resource: {self.resource_type}:{self.resource}"


class TaskScheduled(_HasTaskResource, Event):
    """A service-integration task was scheduled (resource, region, parameters, timeouts)."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        resource_type: str | None = None,
        resource: str | None = None,
        region: str | None = None,
        parameters: Any = NOT_GIVEN,
        timeout: int | None = None,
        heartbeat: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.resource_type = resource_type
        self.resource = resource
        self.region = region
        self.parameters = parameters
        self.timeout = timeout
        self.heartbeat = heartbeat

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "resource_type": details.get("resourceType"),
            "resource": details.get("resource"),
            "region": details.get("region"),
            "timeout": details.get("timeoutInSeconds"),
            "heartbeat": details.get("heartbeatInSeconds"),
        }
        if "parameters" in details:
            kwargs["parameters"] = _json_or_raw(details["parameters"])
        return kwargs


class TaskStarted(_HasTaskResource, Event):
    """A service-integration task started."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        resource_type: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.resource_type = resource_type
        self.resource = resource

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"resource_type": details.get("resourceType"), "resource": details.get("resource")}


class TaskSucceeded(_HasTaskResource, ObjectSucceeded):
    """A service-integration task succeeded, with its output."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        output: Any = NOT_GIVEN,
        resource_type: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id, output)
        self.resource_type = resource_type
        self.resource = resource

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super()._kwargs(details),
            "resource_type": details.get("resourceType"),
            "resource": details.get("resource"),
        }


class TaskSubmitted(TaskSucceeded):
    """A service-integration task was submitted (``.sync``/``.waitForTaskToken`` patterns)."""


class TaskFailed(Failed):
    """A service-integration task failed, timed out, or failed to start or submit."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        error: str | None = None,
        cause: str | None = None,
        resource_type: str | None = None,
        resource: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id, error, cause)
        self.resource_type = resource_type
        self.resource = resource

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super()._kwargs(details),
            "resource_type": details.get("resourceType"),
            "resource": details.get("resource"),
        }


class EvaluationFailed(Failed):
    """An expression (JSONata, paths, intrinsics) failed to evaluate in ``state``."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        error: str | None = None,
        cause: str | None = None,
        location: str | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id, error, cause)
        self.location = location
        self.state = state

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **super()._kwargs(details),
            "location": details.get("location"),
            "state": details.get("state"),
        }


class MapStateStarted(Event):
    """A Map state started its iterations (``length`` items)."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.length = length

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"length": details.get("length")}

    @property
    def details_str(self) -> str:
        return f"length: {self.length}"


class MapIterationEvent(Event):
    """A Map iteration started, succeeded, failed or was aborted."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        name: str | None = None,
        index: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.name = name
        self.index = index

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"name": details.get("name"), "index": details.get("index")}

    @property
    def details_str(self) -> str:
        return f"name: {self.name}, index: {self.index}"


class MapRunStarted(Event):
    """A distributed Map state started a Map Run."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        map_run_arn: str | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.map_run_arn = map_run_arn

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"map_run_arn": details.get("mapRunArn")}

    @property
    def details_str(self) -> str:
        return f"map run: {self.map_run_arn}"


class ExecutionRedriven(Event):
    """The execution was redriven (``redrive_count`` times so far)."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        redrive_count: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id)
        self.redrive_count = redrive_count

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {"redrive_count": details.get("redriveCount")}

    @property
    def details_str(self) -> str:
        return f"redrive count: {self.redrive_count}"


class MapRunRedriven(MapRunStarted):
    """A Map Run was redriven."""

    def __init__(
        self,
        timestamp: datetime.datetime,
        event_type: str,
        event_id: int,
        previous_event_id: int | None = None,
        map_run_arn: str | None = None,
        redrive_count: int | None = None,
    ) -> None:
        super().__init__(timestamp, event_type, event_id, previous_event_id, map_run_arn)
        self.redrive_count = redrive_count

    @classmethod
    def _kwargs(cls, details: Mapping[str, Any]) -> dict[str, Any]:
        return {**super()._kwargs(details), "redrive_count": details.get("redriveCount")}


def _table() -> dict[str, type[Event]]:
    table: dict[str, type[Event]] = {}
    for kind in ("Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait"):
        table[f"{kind}StateEntered"] = StateEntered
        if kind != "Fail":
            table[f"{kind}StateExited"] = StateExited
        if kind in ("Map", "Parallel", "Task", "Wait"):
            table[f"{kind}StateAborted"] = Progress
    for kind in ("Map", "Parallel"):
        table[f"{kind}StateFailed"] = Failed
        table[f"{kind}StateStarted"] = Progress
        table[f"{kind}StateSucceeded"] = Progress
    table["MapStateStarted"] = MapStateStarted
    for outcome in ("Started", "Succeeded", "Failed", "Aborted"):
        table[f"MapIteration{outcome}"] = MapIterationEvent
    table.update(
        {
            "ActivityFailed": Failed,
            "ActivityScheduleFailed": Failed,
            "ActivityScheduled": ActivityScheduled,
            "ActivityStarted": ActivityStarted,
            "ActivitySucceeded": ObjectSucceeded,
            "ActivityTimedOut": Failed,
            "ExecutionAborted": Failed,
            "ExecutionFailed": Failed,
            "ExecutionRedriven": ExecutionRedriven,
            "ExecutionStarted": ExecutionStarted,
            "ExecutionSucceeded": ObjectSucceeded,
            "ExecutionTimedOut": Failed,
            "EvaluationFailed": EvaluationFailed,
            "LambdaFunctionFailed": Failed,
            "LambdaFunctionScheduleFailed": Failed,
            "LambdaFunctionScheduled": LambdaFunctionScheduled,
            "LambdaFunctionStartFailed": Failed,
            "LambdaFunctionStarted": Progress,
            "LambdaFunctionSucceeded": ObjectSucceeded,
            "LambdaFunctionTimedOut": Failed,
            "MapRunAborted": Progress,
            "MapRunFailed": Failed,
            "MapRunRedriven": MapRunRedriven,
            "MapRunStarted": MapRunStarted,
            "MapRunSucceeded": Progress,
            "TaskFailed": TaskFailed,
            "TaskScheduled": TaskScheduled,
            "TaskStartFailed": TaskFailed,
            "TaskStarted": TaskStarted,
            "TaskSubmitFailed": TaskFailed,
            "TaskSubmitted": TaskSubmitted,
            "TaskSucceeded": TaskSucceeded,
            "TaskTimedOut": TaskFailed,
        }
    )
    return table


#: Event type -> the class that parses it (every ``HistoryEventType`` of the API).
EVENT_CLASSES: dict[str, type[Event]] = _table()


def parse_event(history_event: Mapping[str, Any]) -> Event:
    """Parse one history event; an unknown type becomes a plain ``Event``."""
    event_class = EVENT_CLASSES.get(history_event.get("type", ""), Event)
    return event_class.from_history_event(history_event)


def parse_history(history_events: Iterable[Mapping[str, Any]]) -> list[Event]:
    """List the execution history: parse GetExecutionHistory's events, in order."""
    return [parse_event(history_event) for history_event in history_events]
