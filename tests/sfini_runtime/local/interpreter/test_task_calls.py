"""The seam between Task states and integrations, driven by scripted integrations: the events
each outcome writes (both Lambda forms and ``arn:aws:states:::`` resources), AWS's order when a
callback beats the service's answer, time-outs, heartbeats, late answers and aborts."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sfini_runtime.local.errors import TaskDoesNotExist
from sfini_runtime.local.interpreter import Engine
from sfini_runtime.local.interpreter.task_calls import TaskCall
from sfini_runtime.local.interpreter.task_resources import (
    ACTIVITY,
    LAMBDA_FUNCTION,
    REQUEST_RESPONSE,
    RUN_JOB,
    RUN_JOB_2,
    SERVICE,
    WAIT_FOR_TASK_TOKEN,
    parse_task_resource,
)

from ._engine_helpers import details, output, run, start, types

pytestmark = pytest.mark.engine

FUNCTION = "arn:aws:lambda:eu-west-1:123456789012:function:f"


class Scripted:
    """An integration host whose one integration runs ``script(call)``; remembers the calls."""

    def __init__(self, script: Callable[[TaskCall], None]) -> None:
        self.script = script
        self.calls: list[TaskCall] = []

    def mock_for(self, call: TaskCall) -> Any:
        return None

    def integration_for(self, call: TaskCall) -> Any:
        return self

    def invoke(self, call: TaskCall) -> None:
        self.calls.append(call)
        self.script(call)


@pytest.fixture
def make_engine() -> Iterator[Callable[..., Engine]]:
    engines: list[Engine] = []

    def make(script: Callable[[TaskCall], None], time_scale: float = 0.0) -> Engine:
        engine = Engine(time_scale=time_scale, integrations=Scripted(script))
        engine.start()
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()


def _machine(resource: str, **task: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **task}},
    }


@pytest.mark.parametrize(
    ("arn", "kind", "service", "action", "pattern", "resource_type", "resource"),
    [
        (
            "arn:aws:states:us-east-1:123456789012:activity:a",
            ACTIVITY,
            "",
            "",
            REQUEST_RESPONSE,
            "",
            "arn:aws:states:us-east-1:123456789012:activity:a",
        ),
        (FUNCTION, LAMBDA_FUNCTION, "", "", REQUEST_RESPONSE, "lambda", FUNCTION),
        (
            "arn:aws:states:::lambda:invoke",
            SERVICE,
            "lambda",
            "invoke",
            REQUEST_RESPONSE,
            "lambda",
            "invoke",
        ),
        (
            "arn:aws:states:::lambda:invoke.waitForTaskToken",
            SERVICE,
            "lambda",
            "invoke",
            WAIT_FOR_TASK_TOKEN,
            "lambda",
            "invoke.waitForTaskToken",
        ),
        (
            "arn:aws:states:::states:startExecution.sync",
            SERVICE,
            "states",
            "startExecution",
            RUN_JOB,
            "states",
            "startExecution.sync",
        ),
        (
            "arn:aws:states:::states:startExecution.sync:2",
            SERVICE,
            "states",
            "startExecution",
            RUN_JOB_2,
            "states",
            "startExecution.sync:2",
        ),
        (
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            SERVICE,
            "aws-sdk:dynamodb",
            "getItem",
            REQUEST_RESPONSE,
            "aws-sdk:dynamodb",
            "getItem",
        ),
        (
            "arn:aws:states:eu-west-1:123456789012:sqs:sendMessage.waitForTaskToken",
            SERVICE,
            "sqs",
            "sendMessage",
            WAIT_FOR_TASK_TOKEN,
            "sqs",
            "sendMessage.waitForTaskToken",
        ),
    ],
)
def test_resources_parse_into_what_history_records(
    arn: str,
    kind: str,
    service: str,
    action: str,
    pattern: str,
    resource_type: str,
    resource: str,
) -> None:
    parsed = parse_task_resource(arn)
    assert (parsed.kind, parsed.service, parsed.action, parsed.pattern) == (
        kind,
        service,
        action,
        pattern,
    )
    if kind != ACTIVITY:
        assert (parsed.resource_type, parsed.resource) == (resource_type, resource)


def test_function_arn_qualifier_and_sdk_service() -> None:
    parsed = parse_task_resource(FUNCTION + ":live")
    assert (parsed.function_name, parsed.qualifier, parsed.region) == ("f", "live", "eu-west-1")
    assert parse_task_resource("arn:aws:states:::aws-sdk:s3:listBuckets").sdk_service == "s3"
    assert parse_task_resource("arn:aws:states:::lambda:invoke").is_lambda
    assert parse_task_resource(FUNCTION).is_lambda


def test_request_response_events_and_result(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(lambda call: call.returned({"echo": call.parameters}))
    record = run(
        engine, _machine("arn:aws:states:::sns:publish", Parameters={"M.$": "$.m"}), {"m": 1}
    )
    assert output(record) == {"echo": {"M": 1}}
    assert types(record) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = details(record, "TaskScheduled")[0]
    assert scheduled == {
        "resourceType": "sns",
        "resource": "publish",
        "region": "us-east-1",
        "parameters": '{"M":1}',
    }
    assert details(record, "TaskStarted")[0] == {"resourceType": "sns", "resource": "publish"}
    succeeded = details(record, "TaskSucceeded")[0]
    assert json.loads(succeeded["output"]) == {"echo": {"M": 1}}
    assert succeeded["resourceType"] == "sns"


def test_legacy_lambda_form_writes_lambda_function_events(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(lambda call: call.returned(["r", call.parameters]))
    record = run(engine, _machine(FUNCTION, TimeoutSeconds=9), {"a": 1})
    assert output(record) == ["r", {"a": 1}]
    assert types(record)[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    assert details(record, "LambdaFunctionScheduled")[0] == {
        "resource": FUNCTION,
        "input": '{"a":1}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 9,
    }
    # the API gives LambdaFunctionStarted no details (TaskStarted names the resource)
    started = next(e for e in record.history if e["type"] == "LambdaFunctionStarted")
    assert sorted(started) == ["id", "previousEventId", "timestamp", "type"]


def test_failures_are_task_failures_for_retry_and_catch(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(lambda call: call.failed("Service.Boom", "it broke"))
    definition = _machine(
        FUNCTION,
        Retry=[{"ErrorEquals": ["Service.Boom"], "MaxAttempts": 2}],
        Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "C"}],
    )
    definition["States"]["T"].pop("End")
    definition["States"]["T"]["Next"] = "X"
    definition["States"]["X"] = {"Type": "Succeed"}
    definition["States"]["C"] = {"Type": "Pass", "End": True}
    record = run(engine, definition)
    assert output(record) == {"Error": "Service.Boom", "Cause": "it broke"}
    assert types(record).count("LambdaFunctionFailed") == 3
    assert details(record, "LambdaFunctionFailed")[0] == {
        "error": "Service.Boom",
        "cause": "it broke",
    }


def test_answers_from_another_thread_resume_the_execution(
    make_engine: Callable[..., Engine],
) -> None:
    def script(call: TaskCall) -> None:
        call.run_in_thread(lambda: call.returned({"thread": threading.current_thread().name}))

    record = run(make_engine(script), _machine("arn:aws:states:::sqs:sendMessage"))
    assert output(record)["thread"].startswith("sfini-task-io")


def test_an_integration_that_raises_in_its_thread_fails_the_task_as_runtime(
    make_engine: Callable[..., Engine],
) -> None:
    def script(call: TaskCall) -> None:
        call.run_in_thread(lambda: 1 / 0)

    record = run(make_engine(script), _machine("arn:aws:states:::sqs:sendMessage"))
    assert record.status == "FAILED"
    assert record.error == "States.Runtime"
    assert "ZeroDivisionError" in (record.cause or "")


def test_wait_for_task_token_submits_then_takes_the_callback(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(lambda call: call.returned({"MessageId": "m1"}))
    definition = _machine(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters={"MessageBody": {"token.$": "$$.Task.Token"}},
    )
    record = start(engine, definition)
    host: Scripted = engine.integrations  # type: ignore[assignment]
    _wait(lambda: "TaskSubmitted" in types(record))
    token = host.calls[0].parameters["MessageBody"]["token"]
    assert token == host.calls[0].token
    engine.send_task_success(token, '{"done": true}')
    assert record.done.wait(5)
    assert output(record) == {"done": True}
    assert types(record)[2:7] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    assert json.loads(details(record, "TaskSubmitted")[0]["output"]) == {"MessageId": "m1"}
    with pytest.raises(TaskDoesNotExist):  # answered once: spent, as an activity token
        engine.send_task_success(token, "{}")


def test_a_callback_before_the_service_answer_keeps_aws_order(
    make_engine: Callable[..., Engine],
) -> None:
    engine_box: list[Engine] = []

    def script(call: TaskCall) -> None:
        def work() -> None:
            engine_box[0].send_task_failure(call.token, "Worker.Error", "early")  # type: ignore[arg-type]
            call.returned({"sent": True})

        call.run_in_thread(work)

    engine = make_engine(script)
    engine_box.append(engine)
    record = run(engine, _machine("arn:aws:states:::lambda:invoke.waitForTaskToken"))
    assert record.error == "Worker.Error"
    assert types(record)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed"]
    assert details(record, "TaskFailed")[0] == {
        "resourceType": "lambda",
        "resource": "invoke.waitForTaskToken",
        "error": "Worker.Error",
        "cause": "early",
    }


def test_heartbeat_seconds_times_a_silent_callback_out(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(lambda call: call.returned({}), time_scale=0.01)
    definition = _machine(
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        HeartbeatSeconds=5,
        Retry=[{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1, "IntervalSeconds": 1}],
    )
    record = run(engine, definition)
    assert record.error == "States.HeartbeatTimeout"
    assert types(record).count("TaskTimedOut") == 2  # States.Timeout matches heartbeats too
    assert details(record, "TaskTimedOut")[0]["error"] == "States.HeartbeatTimeout"
    scheduled = details(record, "TaskScheduled")[0]
    assert scheduled["heartbeatInSeconds"] == 5


def test_heartbeats_keep_a_callback_alive(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(lambda call: call.returned({}), time_scale=0.01)
    record = start(
        engine,
        _machine("arn:aws:states:::sqs:sendMessage.waitForTaskToken", HeartbeatSeconds=10),
    )
    host: Scripted = engine.integrations  # type: ignore[assignment]
    _wait(lambda: "TaskSubmitted" in types(record))
    token = host.calls[0].token
    for _ in range(8):  # 8 x 50 ms = 4 heartbeat periods of 100 ms
        engine.send_task_heartbeat(token)  # type: ignore[arg-type]
        assert not record.done.wait(0.05)
    engine.send_task_success(token, '"ok"')  # type: ignore[arg-type]
    assert record.done.wait(5)
    assert output(record) == "ok"


def test_timeout_seconds_ends_a_call_that_never_answers_and_runs_its_cancel_hook(
    make_engine: Callable[..., Engine],
) -> None:
    cancelled = threading.Event()
    engine = make_engine(lambda call: call.on_cancel(cancelled.set), time_scale=0.01)
    record = run(engine, _machine("arn:aws:states:::glue:startJobRun.sync", TimeoutSeconds=3))
    assert record.error == "States.Timeout"
    assert details(record, "TaskTimedOut")[0] == {
        "resourceType": "glue",
        "resource": "startJobRun.sync",
        "error": "States.Timeout",
    }
    assert cancelled.wait(5)


def test_an_answer_after_the_execution_was_stopped_is_ignored(
    make_engine: Callable[..., Engine],
) -> None:
    calls: list[TaskCall] = []
    cancelled = threading.Event()

    def script(call: TaskCall) -> None:
        calls.append(call)
        call.on_cancel(cancelled.set)

    engine = make_engine(script)
    record = start(engine, _machine("arn:aws:states:::ecs:runTask.sync"))
    _wait(lambda: bool(calls))
    engine.stop_execution(record.execution_arn)
    assert cancelled.wait(5)
    calls[0].succeeded({"late": True})
    assert record.status == "ABORTED"
    assert types(record)[-2:] == ["TaskStateAborted", "ExecutionAborted"]


def test_sync_answers_twice(make_engine: Callable[..., Engine]) -> None:
    def script(call: TaskCall) -> None:
        call.submitted({"JobId": "j"})
        call.run_in_thread(lambda: call.succeeded({"JobId": "j", "Status": "DONE"}))

    record = run(make_engine(script), _machine("arn:aws:states:::batch:submitJob.sync"))
    assert output(record) == {"JobId": "j", "Status": "DONE"}
    assert types(record)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_a_result_over_256_kib_fails_the_task_catchably(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(lambda call: call.returned("x" * 300_000))
    definition = _machine(
        "arn:aws:states:::lambda:invoke",
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "C"}],
    )
    definition["States"]["T"].pop("End")
    definition["States"]["T"]["Next"] = "C"
    definition["States"]["C"] = {"Type": "Pass", "End": True}
    record = run(engine, definition)
    assert output(record)["Error"] == "States.DataLimitExceeded"
    assert "TaskSucceeded" not in types(record)


def test_invocation_index_counts_retries_per_state(make_engine: Callable[..., Engine]) -> None:
    seen: list[int] = []

    def script(call: TaskCall) -> None:
        seen.append(call.invocation_index)
        if call.invocation_index < 2:
            call.failed("Again", None)
        else:
            call.returned(call.invocation_index)

    definition = _machine(
        "arn:aws:states:::lambda:invoke",
        Retry=[{"ErrorEquals": ["Again"], "MaxAttempts": 5, "IntervalSeconds": 1}],
    )
    record = run(make_engine(script), definition)
    assert output(record) == 2
    assert seen == [0, 1, 2]


def test_jsonata_arguments_read_the_task_token(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(lambda call: call.returned({}))
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Arguments": {"MessageBody": "{% $states.context.Task.Token %}"},
                "End": True,
            }
        },
    }
    record = start(engine, definition)
    host: Scripted = engine.integrations  # type: ignore[assignment]
    _wait(lambda: "TaskSubmitted" in types(record))
    call = host.calls[0]
    assert call.parameters == {"MessageBody": call.token}
    engine.send_task_success(call.token, "{}")  # type: ignore[arg-type]
    assert record.done.wait(5) and record.status == "SUCCEEDED"


def _wait(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    event = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition not reached")
