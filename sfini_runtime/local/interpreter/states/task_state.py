"""The Task state: activities, Lambda functions and service integrations.

Activities are queued for workers by the activity broker. Everything else is a
:class:`~..task_calls.TaskCall` handed to the integration the engine's host chooses (a mock
when the mock configuration names the state); the call's outcomes become AWS's events:
``LambdaFunction*`` for a function ARN as Resource, ``Task*`` for ``arn:aws:states:::...``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfini_asl.jsonpath import compile_path

from ..failures import StatesError
from ..history import NOT_TRUNCATED, exceeds_payload_limit, to_json
from ..jsonata.fields import JsonataResultMixin
from ..task_calls import FAILED, SUBMITTED, SUCCEEDED, TIMED_OUT, CallbackTask, TaskCall
from ..task_resources import ACTIVITY, LAMBDA_FUNCTION, WAIT_FOR_TASK_TOKEN, parse_task_resource
from ..variables import CONTEXT_KEY
from .base import JSONATA, CompiledState, RunResult, lookup, runtime_error, user_error

if TYPE_CHECKING:
    from ..execution import Frame


def _task_failure(error: str | None, cause: str | None) -> StatesError:
    err = user_error(error, cause)  # type: ignore[arg-type]
    err.task_failure = True
    return err


def _too_large(name: str) -> StatesError:
    # As AWS records a result over 256 KiB: the task fails (no Succeeded event), the cause
    # names the Task's resource, and Retry/Catch apply.
    err = StatesError(
        "States.DataLimitExceeded",
        f"The state/task '{name}' returned a result with a size exceeding the "
        "maximum number of bytes service limit.",
    )
    err.task_failure = True
    return err


def _set_task_token(context: Any, token: str) -> None:
    """Put ``$$.Task.Token`` into the state's context object."""
    if context is None:
        return
    target = context.get(CONTEXT_KEY, context)
    target["Task"] = {"Token": token}


class TaskState(CompiledState):
    """``Type: Task``."""

    type_name = "Task"

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        spec = self.spec
        self.resource: str = spec["Resource"]
        self.task_resource = parse_task_resource(self.resource)
        self.is_activity = self.task_resource.kind == ACTIVITY
        self.credentials = spec.get("Credentials")
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
        resource = self.task_resource
        token = None
        if resource.pattern == WAIT_FOR_TASK_TOKEN and resource.kind != ACTIVITY:
            token = frame.execution.host.activities.new_token()
            _set_task_token(context, token)
        task_input = self.task_input(frame, raw_input, context)
        timeout, heartbeat = self.timeouts(frame, raw_input, context)
        call = TaskCall(
            frame,
            state_name=self.name,
            resource=resource,
            parameters=task_input,
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            token=token,
            invocation_index=frame.execution.count_invocation(self.name),
            credentials=self.credentials,
        )
        if self.is_activity:
            mock = frame.execution.host.integrations.mock_for(call)
            if mock is None:
                return (yield from self._activity(frame, task_input, timeout, heartbeat))
            return (yield from self._mocked_activity(frame, call, mock))
        return (yield from self._integration(frame, call))

    # -- activities -------------------------------------------------------------------------
    def _activity_scheduled(
        self, frame: Frame, text: str, timeout: int | None, heartbeat: int | None
    ) -> None:
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
        frame.add_event("ActivityScheduled", details)

    def _activity(
        self, frame: Frame, task_input: Any, timeout: int | None, heartbeat: int | None
    ) -> RunResult:
        host = frame.execution.host
        if not host.activity_exists(self.resource):
            raise runtime_error(f"The activity {self.resource} does not exist.")
        text = to_json(task_input)
        self._activity_scheduled(frame, text, timeout, heartbeat)
        task = host.schedule_activity(frame, self.resource, text, timeout, heartbeat)
        outcome = yield frame.park_instruction()
        del task
        return self._activity_outcome(frame, outcome)

    def _activity_outcome(self, frame: Frame, outcome: tuple[Any, ...]) -> Any:
        kind = outcome[0]
        if kind == SUCCEEDED:
            output_text = outcome[1]
            if exceeds_payload_limit(output_text):
                err = _too_large(self.resource)
                frame.add_event("ActivityFailed", {"error": err.error, "cause": err.cause})
                raise err
            frame.add_event(
                "ActivitySucceeded", {"output": output_text, "outputDetails": NOT_TRUNCATED}
            )
            return json.loads(output_text)
        error, cause = outcome[1], outcome[2]
        details = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        if kind == TIMED_OUT:
            frame.add_event("ActivityTimedOut", details)
        else:
            frame.add_event("ActivityFailed", details)
        raise user_error(error, cause)

    def _mocked_activity(self, frame: Frame, call: TaskCall, mock: Any) -> RunResult:
        """An activity answered by the mock configuration: the events a worker would cause."""
        text = to_json(call.parameters)
        self._activity_scheduled(frame, text, call.timeout_seconds, call.heartbeat_seconds)
        frame.add_event("ActivityStarted", {})
        frame.blocker = call
        try:
            call.invoke(mock)
            outcome = yield from call.next_outcome()
        finally:
            call.close()
            frame.blocker = None
        if outcome[0] == SUCCEEDED:
            outcome = (SUCCEEDED, to_json(outcome[1]))
        return self._activity_outcome(frame, outcome)

    # -- Lambda functions and service integrations ------------------------------------------
    def _integration(self, frame: Frame, call: TaskCall) -> RunResult:
        host = frame.execution.host
        resource = call.resource
        legacy = resource.kind == LAMBDA_FUNCTION
        text = to_json(call.parameters)
        if exceeds_payload_limit(text):
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state/task '{self.name}' returned a result with a size exceeding the "
                "maximum number of bytes service limit.",
            )
        event = "LambdaFunction" if legacy else "Task"
        tagged: dict[str, Any] = {}
        if not legacy:
            tagged = {"resourceType": resource.resource_type, "resource": resource.resource}
        details: dict[str, Any]
        if legacy:
            details = {"resource": resource.arn, "input": text, "inputDetails": NOT_TRUNCATED}
            if call.timeout_seconds is not None:
                details["timeoutInSeconds"] = call.timeout_seconds
        else:
            details = {**tagged, "region": call.region, "parameters": text}
            if call.timeout_seconds is not None:
                details["timeoutInSeconds"] = call.timeout_seconds
            if call.heartbeat_seconds is not None:
                details["heartbeatInSeconds"] = call.heartbeat_seconds
        frame.add_event(f"{event}Scheduled", details)
        integration = host.integrations.mock_for(call) or host.integrations.integration_for(call)
        # LambdaFunctionStarted has no details; TaskStarted names the resource
        frame.add_event(f"{event}Started", None if legacy else dict(tagged))
        frame.blocker = call
        frame.execution.tasks.add(call)
        if call.timeout_seconds is not None:
            delay = host.timeout_delay(call.timeout_seconds)
            if delay is not None:
                call.timeout_timer = host.scheduler.call_later(
                    delay, call.accept, (TIMED_OUT, "States.Timeout", None)
                )
        if call.token is not None:
            call.callback_task = CallbackTask(call, call.token)
            host.activities.register_callback(call.callback_task)
        try:
            call.invoke(integration)
            while True:
                outcome = yield from call.next_outcome()
                kind = outcome[0]
                if kind == SUBMITTED:
                    submitted = {**tagged}
                    submitted["output"] = to_json(outcome[1])
                    submitted["outputDetails"] = NOT_TRUNCATED
                    frame.add_event("TaskSubmitted", submitted)
                    continue
                if kind == SUCCEEDED:
                    value = outcome[1]
                    output_text = to_json(value)
                    if exceeds_payload_limit(output_text):
                        err = _too_large(self.resource)
                        frame.add_event(
                            f"{event}Failed", {**tagged, "error": err.error, "cause": err.cause}
                        )
                        raise err
                    frame.add_event(
                        f"{event}Succeeded",
                        {**tagged, "output": output_text, "outputDetails": NOT_TRUNCATED},
                    )
                    return value
                error, cause = outcome[1], outcome[2]
                failed = dict(tagged)
                if error is not None:
                    failed["error"] = error
                if cause is not None:
                    failed["cause"] = cause
                if kind == TIMED_OUT:
                    frame.add_event(f"{event}TimedOut", failed)
                    raise user_error(error, cause)  # type: ignore[arg-type]
                assert kind == FAILED
                frame.add_event(f"{event}Failed", failed)
                raise _task_failure(error, cause)
        finally:
            call.close()
            if frame.blocker is call:
                frame.blocker = None


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
