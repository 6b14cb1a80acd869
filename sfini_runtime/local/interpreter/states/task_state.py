"""The Task state. Activities run here; other resources fail the way AWS fails them when the
execution role may not call them (service integrations come with part 2)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..history import NOT_TRUNCATED, exceeds_payload_limit, to_json
from ..paths import compile_path
from .base import JSONATA, CompiledState, RunResult, lookup, runtime_error, user_error
from .jsonata_fields import JsonataResultMixin

if TYPE_CHECKING:
    from ..execution import Frame

_ACTIVITY = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]+$")


class TaskState(CompiledState):
    """``Type: Task``."""

    type_name = "Task"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        spec = self.spec
        self.resource: str = spec["Resource"]
        self.is_activity = bool(_ACTIVITY.match(self.resource))
        if self.query_language == JSONATA:
            return
        self.timeout_seconds: int | None = spec.get("TimeoutSeconds")
        self.heartbeat_seconds: int | None = spec.get("HeartbeatSeconds")
        self.timeout_path = (
            compile_path(spec["TimeoutSecondsPath"]) if "TimeoutSecondsPath" in spec else None
        )
        self.heartbeat_path = (
            compile_path(spec["HeartbeatSecondsPath"]) if "HeartbeatSecondsPath" in spec else None
        )

    def _seconds(self, path: Any, field: str, value: Any, context: Any) -> int:
        seconds = lookup(path, value, context)
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
            raise runtime_error(
                f"The {field} field refers to value {to_json(seconds)} which is not a valid "
                f"positive integer: {path.source}"
            )
        return seconds

    def task_input(self, frame: Frame, raw_input: Any, context: Any) -> Any:
        """What the task is given: InputPath and Parameters."""
        return self.dataflow.effective_input(raw_input, context)

    def timeouts(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, Any]:
        """(TimeoutSeconds, HeartbeatSeconds) of this attempt (None when not set)."""
        timeout = self.timeout_seconds
        heartbeat = self.heartbeat_seconds
        if self.timeout_path is not None:
            timeout = self._seconds(self.timeout_path, "TimeoutSecondsPath", raw_input, context)
        if self.heartbeat_path is not None:
            heartbeat = self._seconds(
                self.heartbeat_path, "HeartbeatSecondsPath", raw_input, context
            )
        return timeout, heartbeat

    def attempt(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        task_input = self.task_input(frame, raw_input, context)
        if not self.is_activity:
            return (yield from self._unsupported(frame, task_input))
        return (yield from self._activity(frame, raw_input, task_input, context))

    def _activity(self, frame: Frame, raw_input: Any, task_input: Any, context: Any) -> RunResult:
        engine = frame.execution.engine
        if not engine.activity_exists(self.resource):
            raise runtime_error(f"The activity {self.resource} does not exist.")
        timeout, heartbeat = self.timeouts(frame, raw_input, context)
        text = to_json(task_input)
        if exceeds_payload_limit(text):
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state/task '{self.name}' returned a result with a size exceeding the "
                "maximum number of bytes service limit.",
            )
        details: dict[str, Any] = {
            "resource": self.resource,
            "input": text,
            "inputDetails": NOT_TRUNCATED,
        }
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        frame.add_event("ActivityScheduled", "activityScheduledEventDetails", details)
        task = engine.schedule_activity(frame, self.resource, text, timeout, heartbeat)
        outcome = yield frame.park_instruction()
        kind = outcome[0]
        if kind == "succeeded":
            output_text = outcome[1]
            if exceeds_payload_limit(output_text):
                # As AWS records a Lambda result over 256 KiB: the task fails (no Succeeded
                # event), the cause names the Task's resource, and Retry/Catch apply.
                result_error = StatesError(
                    "States.DataLimitExceeded",
                    f"The state/task '{self.resource}' returned a result with a size "
                    "exceeding the maximum number of bytes service limit.",
                )
                result_error.task_failure = True
                frame.add_event(
                    "ActivityFailed",
                    "activityFailedEventDetails",
                    {"error": result_error.error, "cause": result_error.cause},
                )
                raise result_error
            frame.add_event(
                "ActivitySucceeded",
                "activitySucceededEventDetails",
                {"output": output_text, "outputDetails": NOT_TRUNCATED},
            )
            return json.loads(output_text)
        error, cause = outcome[1], outcome[2]
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        if kind == "timed_out":
            frame.add_event("ActivityTimedOut", "activityTimedOutEventDetails", details)
        else:
            frame.add_event("ActivityFailed", "activityFailedEventDetails", details)
        del task
        raise user_error(error, cause)

    def _unsupported(self, frame: Frame, task_input: Any) -> RunResult:
        """Lambda and service integrations: not callable from this engine (yet)."""
        resource_type, resource = _split_resource(self.resource)
        details: dict[str, Any] = {
            "resourceType": resource_type,
            "resource": resource,
            "region": frame.execution.engine.region_of(self.resource),
            "parameters": to_json(task_input),
        }
        frame.add_event("TaskScheduled", "taskScheduledEventDetails", details)
        error = f"{_service_prefix(resource_type)}.AWSException"
        cause = (
            f"The local engine cannot call {self.resource}: only activity tasks run locally "
            "(service integrations are not supported yet)."
        )
        frame.add_event(
            "TaskFailed",
            "taskFailedEventDetails",
            {"resourceType": resource_type, "resource": resource, "error": error, "cause": cause},
        )
        raise user_error(error, cause)
        yield  # pragma: no cover


class JsonataTaskState(JsonataResultMixin, TaskState):
    """``Type: Task`` in a JSONata state: Arguments (default: the input), TimeoutSeconds and
    HeartbeatSeconds (constants or expressions), Output (default: the result), Assign."""

    query_language = JSONATA
    dataflow_fields = ()

    def task_input(self, frame: Frame, raw_input: Any, context: Any) -> Any:
        return self.jsonata.effective_input(raw_input, context, frame.variables)

    def timeouts(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, Any]:
        flow, variables = self.jsonata, frame.variables
        return (
            flow.timeout_seconds_value(raw_input, context, variables),
            flow.heartbeat_seconds_value(raw_input, context, variables),
        )


def _split_resource(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "states" and parts[5]:
        # arn:aws:states:::lambda:invoke(.waitForTaskToken)
        return parts[5], ":".join(parts[6:])
    if len(parts) >= 7 and parts[2] == "lambda":
        return "lambda", "invoke"
    return (parts[2] if len(parts) > 2 else "unknown"), arn


def _service_prefix(resource_type: str) -> str:
    return {"lambda": "Lambda", "sqs": "SQS", "sns": "SNS", "dynamodb": "DynamoDB"}.get(
        resource_type, resource_type[:1].upper() + resource_type[1:]
    )
