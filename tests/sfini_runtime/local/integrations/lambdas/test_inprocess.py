"""In-process Lambda callables through boto3 over HTTP: both resource forms, the context, the
Invoke response, every error Lambda and Step Functions name, Retry/Catch on them."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine

from .._helpers import details, run, task_machine, types, wait_done

pytestmark = pytest.mark.engine

ACCOUNT, REGION = "123456789012", "us-east-1"
INVOKE = "arn:aws:states:::lambda:invoke"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def echo(event: Any, context: Any) -> Any:
    return {
        "event": event,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "client_context": context.client_context,
    }


class OrderError(Exception):
    pass


def fails(event: Any, context: Any) -> Any:
    raise OrderError(f"cannot take order {event.get('order')}")


def not_json(event: Any, context: Any) -> Any:
    return {"when": object()}


def prints(event: Any, context: Any) -> Any:
    print("a handler's print goes to the engine's stdout")
    return "printed"


release = threading.Event()


def hangs(event: Any, context: Any) -> Any:
    release.wait(30)
    return "late"


flaky_calls: list[int] = []


def flaky(event: Any, context: Any) -> Any:
    flaky_calls.append(1)
    if len(flaky_calls) < 3:
        raise ConnectionError("try again")
    return len(flaky_calls)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    handlers = {"echo": echo, function_arn("fails"): fails, "not-json": not_json}
    with LocalEngine(time_scale=0.01, lambdas=handlers) as engine:
        engine.register_lambda("prints", prints)  # also after start
        engine.register_lambda("hangs", hangs, timeout=0.3)  # Lambda's time-out
        engine.lambdas.register("flaky", flaky)
        yield engine
    release.set()


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


def invoke(function: str, **parameters: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": INVOKE,
        "Parameters": {"FunctionName": function, **parameters},
    }


def test_lambda_invoke_returns_the_invoke_response(sfn: Any) -> None:
    described = run(sfn, task_machine(sfn, invoke("echo", **{"Payload.$": "$"})), {"a": 1})
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert list(output) == [
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    ]
    assert (output["ExecutedVersion"], output["StatusCode"]) == ("$LATEST", 200)
    payload = output["Payload"]
    assert payload["event"] == {"a": 1}
    assert payload["function_name"] == "echo"
    assert payload["invoked_function_arn"] == function_arn("echo")
    assert payload["memory_limit_in_mb"] == "128"
    assert payload["log_group_name"] == "/aws/lambda/echo"
    assert 0 < payload["remaining"] <= 3000
    assert output["SdkResponseMetadata"]["RequestId"] == payload["request_id"]
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["x-amzn-RequestId"] == payload["request_id"]
    assert headers["X-Amz-Executed-Version"] == "$LATEST"
    assert types(sfn, described["executionArn"])[2:5] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
    ]


def test_the_function_arn_as_resource_returns_the_payload(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": function_arn("echo")}
    described = run(sfn, task_machine(sfn, state), {"b": 2})
    output = json.loads(described["output"])
    assert output["event"] == {"b": 2}
    arn = described["executionArn"]
    assert types(sfn, arn)[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    assert details(sfn, arn, "LambdaFunctionScheduled")[0]["resource"] == function_arn("echo")


@pytest.mark.parametrize(
    "reference",
    [
        "echo",
        "echo:live",
        "echo:7",
        f"{ACCOUNT}:function:echo",
        function_arn("echo"),
        function_arn("echo") + ":$LATEST",
    ],
)
def test_function_names_resolve_as_lambda_resolves_them(sfn: Any, reference: str) -> None:
    output = json.loads(run(sfn, task_machine(sfn, invoke(reference)))["output"])
    qualifier = reference.split(":")[-1] if reference.count(":") in (1, 7) else None
    expected_arn = function_arn("echo") + (f":{qualifier}" if qualifier else "")
    assert output["Payload"]["invoked_function_arn"] == expected_arn
    assert output["ExecutedVersion"] == ("7" if qualifier == "7" else "$LATEST")


def test_qualifier_parameter_and_client_context(sfn: Any) -> None:
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    task = invoke("echo", Qualifier="3", ClientContext=context)
    output = json.loads(run(sfn, task_machine(sfn, task))["output"])
    assert output["ExecutedVersion"] == "3"
    assert output["Payload"]["client_context"] == {"custom": {"k": "v"}}


def test_event_invocation_is_accepted_at_once(sfn: Any) -> None:
    output = json.loads(
        run(sfn, task_machine(sfn, invoke("echo", InvocationType="Event")))["output"]
    )
    assert (output["StatusCode"], output["Payload"]) == (202, "")


def test_dry_run(sfn: Any) -> None:
    output = json.loads(
        run(sfn, task_machine(sfn, invoke("echo", InvocationType="DryRun")))["output"]
    )
    assert output["StatusCode"] == 204


ERROR_CASES = [
    # (task, error, text in the cause)
    (invoke("fails", Payload={"order": 7}), "OrderError", '"errorMessage": "cannot take order 7"'),
    (
        {"Type": "Task", "Resource": function_arn("fails")},
        "OrderError",
        '"errorType": "OrderError"',
    ),
    (invoke("not-json"), "Runtime.MarshalError", "Unable to marshal response"),
    (invoke("hangs"), "Lambda.Unknown", "Task timed out after 0.30 seconds"),
    (
        invoke("hangs"),
        "Lambda.Unknown",
        "The cause could not be determined because Lambda did not return an error type. "
        'Returned payload: {"errorMessage":"',
    ),
    (
        invoke("nowhere"),
        "Lambda.ResourceNotFoundException",
        f"Function not found: {function_arn('nowhere')}",
    ),
    (
        {"Type": "Task", "Resource": function_arn("nowhere")},
        "Lambda.ResourceNotFoundException",
        "Error Code: ResourceNotFoundException",
    ),
    (invoke("echo", InvocationType="Later"), "Lambda.InvalidParameterValueException", "Later"),
    (invoke("not a name!"), "Lambda.ValidationException", "functionName"),
    (
        {"Type": "Task", "Resource": INVOKE, "Parameters": {"Payload": {}}},
        "Lambda.InvalidParameterValueException",
        "FunctionName is required",
    ),
]


@pytest.mark.parametrize(("task", "error", "cause"), ERROR_CASES)
def test_errors_have_aws_names_and_causes(
    sfn: Any, task: dict[str, Any], error: str, cause: str
) -> None:
    described = run(sfn, task_machine(sfn, task))
    assert described["status"] == "FAILED"
    assert described["error"] == error
    assert cause in described["cause"]
    failed = (
        "LambdaFunctionFailed" if task["Resource"].startswith("arn:aws:lambda") else "TaskFailed"
    )
    assert failed in types(sfn, described["executionArn"])


@pytest.mark.parametrize(("task", "error", "cause"), ERROR_CASES)
def test_task_failed_catches_every_lambda_error(
    sfn: Any, task: dict[str, Any], error: str, cause: str
) -> None:
    caught = {
        **task,
        "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
    }
    described = run(sfn, task_machine(sfn, caught, Caught={"Type": "Pass", "End": True}))
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["Error"] == error


def test_retry_sees_the_functions_error_type(sfn: Any) -> None:
    flaky_calls.clear()
    task = {
        **invoke("flaky"),
        "Retry": [{"ErrorEquals": ["ConnectionError"], "MaxAttempts": 3, "IntervalSeconds": 1}],
        "OutputPath": "$.Payload",
    }
    described = run(sfn, task_machine(sfn, task))
    assert json.loads(described["output"]) == 3
    assert types(sfn, described["executionArn"]).count("TaskFailed") == 2


def test_a_hanging_handler_does_not_hold_up_other_executions(sfn: Any) -> None:
    hanging = sfn.start_execution(stateMachineArn=task_machine(sfn, invoke("hangs")))
    started = time.monotonic()
    quick = run(sfn, task_machine(sfn, invoke("echo")))
    assert quick["status"] == "SUCCEEDED"
    assert time.monotonic() - started < 0.3 + 2  # not after the hanging one's time-out
    assert wait_done(sfn, hanging["executionArn"])["error"] == "Lambda.Unknown"


def test_a_printing_handler_works(sfn: Any, capsys: pytest.CaptureFixture[str]) -> None:
    described = run(sfn, task_machine(sfn, {**invoke("prints"), "OutputPath": "$.Payload"}))
    assert json.loads(described["output"]) == "printed"


def test_reserved_concurrency_throttles_as_lambda_does(local: LocalEngine, sfn: Any) -> None:
    gate = threading.Event()
    entered = threading.Event()

    def one_at_a_time(event: Any, context: Any) -> Any:
        entered.set()
        gate.wait(10)
        return "done"

    local.register_lambda("single", one_at_a_time, reserved_concurrency=1)
    machine = task_machine(sfn, invoke("single"))
    first = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert entered.wait(5)
    second = run(sfn, machine)
    assert second["error"] == "Lambda.TooManyRequestsException"
    assert "Rate Exceeded." in second["cause"]
    gate.set()
    assert wait_done(sfn, first)["status"] == "SUCCEEDED"


def test_wait_for_task_token_invokes_then_waits_for_the_callback(
    local: LocalEngine, sfn: Any
) -> None:
    tokens: list[str] = []

    def ask(event: Any, context: Any) -> Any:
        tokens.append(event["token"])
        return {"asked": True}

    local.register_lambda("ask", ask)
    task = {
        "Type": "Task",
        "Resource": INVOKE + ".waitForTaskToken",
        "Parameters": {"FunctionName": "ask", "Payload": {"token.$": "$$.Task.Token"}},
    }
    arn = sfn.start_execution(stateMachineArn=task_machine(sfn, task))["executionArn"]
    deadline = time.monotonic() + 5
    while not tokens and time.monotonic() < deadline:
        time.sleep(0.01)
    sfn.send_task_success(taskToken=tokens[0], output='{"approved": true}')
    described = wait_done(sfn, arn)
    assert json.loads(described["output"]) == {"approved": True}
    submitted = details(sfn, arn, "TaskSubmitted")[0]
    assert json.loads(submitted["output"])["Payload"] == {"asked": True}


def test_registering_a_bad_name_or_handler_is_refused(local: LocalEngine) -> None:
    with pytest.raises(ValueError, match="not a Lambda function name"):
        local.register_lambda("has spaces", echo)
    with pytest.raises(TypeError, match="must be callable"):
        local.register_lambda("x", "not callable")  # type: ignore[arg-type]
