"""Nested state machines: ``arn:aws:states:::states:startExecution`` on this engine.

Request-response returns StartExecution's answer; ``.sync`` waits for the child and returns
DescribeExecution's fields with ``Input``/``Output`` as JSON text, ``.sync:2`` with them parsed;
``.waitForTaskToken`` starts the child and waits for SendTaskSuccess/Failure on the token the
parent passed it. A ``.sync`` child that does not succeed fails the Task with
``States.TaskFailed`` and the child's description as the cause; stopping the parent (or its
Task timing out) stops a ``.sync`` child. A refused StartExecution fails the Task with
``StepFunctions.<Code>Exception`` and AWS's cause.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sfini_runtime.local.errors import ServiceError
from sfini_runtime.local.integrations.responses import (
    epoch_millis,
    exception_cause,
    exception_name,
    with_sdk_metadata,
)
from sfini_runtime.local.interpreter.history import to_json
from sfini_runtime.local.interpreter.task_calls import TaskCall
from sfini_runtime.local.interpreter.task_resources import RUN_JOB_2

if TYPE_CHECKING:
    from sfini_runtime.local.interpreter.execution import ExecutionRecord
    from sfini_runtime.local.service.service import StepFunctionsService

_PARAMETERS = {
    "StateMachineArn": "stateMachineArn",
    "Name": "name",
    "Input": "input",
    "TraceHeader": "traceHeader",
}
_REDRIVE_REASON = {
    "SUCCEEDED": "Execution is SUCCEEDED and cannot be redriven",
    "RUNNING": "Execution is RUNNING and cannot be redriven",
}


def _request(parameters: Any) -> dict[str, Any]:
    """The StartExecution request a Task's parameters make."""
    if not isinstance(parameters, dict):
        raise _Refused(
            "ValidationException",
            "The Parameters of a states:startExecution Task must be an object",
        )
    request: dict[str, Any] = {}
    for key, value in parameters.items():
        name = _PARAMETERS.get(key)
        if name is None:
            continue
        if key == "Input":
            if value is None:
                continue
            value = value if isinstance(value, str) else to_json(value)
        request[name] = value
    return request


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def describe(record: ExecutionRecord, parsed: bool) -> dict[str, Any]:
    """The ``.sync`` (``parsed``: ``.sync:2``) result: DescribeExecution in the Java SDK's
    member names, dates in epoch milliseconds."""

    def data(text: str | None) -> Any:
        return json.loads(text) if parsed and text is not None else text

    result: dict[str, Any] = {
        "ExecutionArn": record.execution_arn,
        "Input": data(record.input),
        "InputDetails": {"Included": True},
        "Name": record.name,
    }
    if record.output is not None:
        result["Output"] = data(record.output)
        result["OutputDetails"] = {"Included": True}
    result["RedriveCount"] = 0
    reason = _REDRIVE_REASON.get(record.status)
    result["RedriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
    if reason:
        result["RedriveStatusReason"] = reason
    result["StartDate"] = epoch_millis(record.start_date)
    result["StateMachineArn"] = record.state_machine_arn
    result["Status"] = record.status
    if record.stop_date is not None:
        result["StopDate"] = epoch_millis(record.stop_date)
    if record.error is not None:
        result["Error"] = record.error
    if record.cause is not None:
        result["Cause"] = record.cause
    return with_sdk_metadata(result)


class NestedExecutions:
    """Runs ``states:startExecution`` Tasks against this engine's own service."""

    def __init__(self, service: StepFunctionsService) -> None:
        self.service = service

    def invoke(self, call: TaskCall) -> None:
        call.run_in_thread(lambda: self._start(call))

    def _start(self, call: TaskCall) -> None:
        if call.closed:
            return  # the parent stopped (or its Task timed out) before the pool got here
        try:
            request = _request(call.parameters)
            response = self.service.call("StartExecution", request)
        except _Refused as refused:
            call.failed(*self._error(refused.code, refused.message))
            return
        except ServiceError as error:
            call.failed(*self._error(error.code, error.message))
            return
        child_arn = response["executionArn"]
        started = with_sdk_metadata(
            {"ExecutionArn": child_arn, "StartDate": epoch_millis(response["startDate"])}
        )
        if not call.waits_for_job:
            call.returned(started)
            return
        engine = self.service.engine
        call.on_cancel(lambda: self._stop_child(child_arn))
        call.submitted(started)
        parsed = call.pattern == RUN_JOB_2
        engine.when_ended(child_arn, lambda record: self._child_ended(call, record, parsed))

    @staticmethod
    def _error(code: str, message: str) -> tuple[str, str]:
        return exception_name("StepFunctions", code), exception_cause(
            message, "AWSStepFunctions", 400, code
        )

    @staticmethod
    def _child_ended(call: TaskCall, record: ExecutionRecord, parsed: bool) -> None:
        result = describe(record, parsed)
        if record.status == "SUCCEEDED":
            call.succeeded(result)
        else:
            call.failed("States.TaskFailed", to_json(result))

    def _stop_child(self, child_arn: str) -> None:
        try:
            record = self.service.engine.get_execution(child_arn)
            if record.status == "RUNNING":
                self.service.engine.stop_execution(child_arn)
        except ServiceError:
            pass  # the child is gone already


__all__ = ["NestedExecutions", "describe"]
