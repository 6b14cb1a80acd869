"""Hostile input to the Task/integration seam, nested executions, callbacks and mock
configurations: every refusal is AWS's error (HTTP 400 on the API, the Java SDK's exception
name in a workflow), nothing hangs, and after each one a normal execution still succeeds."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sfini_runtime.local import LocalEngine
from sfini_runtime.local.integrations.mocks import MockConfigError, MockConfiguration
from sfini_runtime.local.interpreter import Engine
from sfini_runtime.local.interpreter.task_calls import TaskCall
from sfini_runtime.local.interpreter.task_resources import (
    ACTIVITY,
    LAMBDA_FUNCTION,
    SERVICE,
    parse_task_resource,
)

from ._helpers import history, machine, run, task_machine, types, unique, wait_done, wait_for_event

pytestmark = pytest.mark.engine

ACCOUNT = "123456789012"
PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
WAITING = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
PUBLISH = {
    "Type": "Task",
    "Resource": "arn:aws:states:::sns:publish",
    "Parameters": {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:t", "Message": "m"},
    "End": True,
}
MOCKS = {
    "StateMachines": {
        "adv-huge-range": {"TestCases": {"T": {"Pub": "Forever"}}},
        "adv-map": {"TestCases": {"T": {"Pub": "Forever"}}},
        "adv-express": {"TestCases": {"T": {"Pub": "Forever"}, "odd/é #case": {"Pub": "Forever"}}},
        "adv-standard": {"TestCases": {"T": {"Pub": "Forever"}}},
    },
    "MockedResponses": {
        "Forever": {
            "0-999999999": {"Return": {"MessageId": "m-1"}},
            "1000000000-99999999999999999999": {"Throw": {"Error": "Late"}},
        }
    },
}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    with LocalEngine(time_scale=0.01, mock_config=MOCKS) as engine:
        yield engine


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


@pytest.fixture(scope="module")
def raw(local: LocalEngine) -> Any:
    """A client that sends what boto3 would refuse, and never retries."""
    return local.client(config=Config(parameter_validation=False, retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def pass_machine(sfn: Any) -> str:
    return machine(sfn, PASS)


def _healthy(sfn: Any, pass_machine: str) -> None:
    """The engine still runs a normal execution to its end."""
    assert run(sfn, pass_machine)["status"] == "SUCCEEDED"


def _start_task(pattern: str, parameters: Any, **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"arn:aws:states:::states:{pattern}",
        "Parameters": parameters,
        **fields,
    }


def _api_error(call: Callable[..., Any], **kwargs: Any) -> tuple[int, str]:
    """(HTTP status, error code) of a call that must be refused."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def _all_executions(sfn: Any, machine_arn: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"stateMachineArn": machine_arn, "maxResults": 1000}
    while True:
        page = sfn.list_executions(**kwargs)
        found.extend(page["executions"])
        if not page.get("nextToken"):
            return found
        kwargs["nextToken"] = page["nextToken"]


def _until(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {seconds} s")
        time.sleep(0.02)


# -- hostile states:startExecution Parameters ---------------------------------------------------
def _targets(sfn: Any) -> dict[str, str]:
    child = machine(sfn, PASS)
    activity = sfn.create_activity(name=unique("adv-activity"))["activityArn"]
    finished = run(sfn, child)["executionArn"]
    return {
        "child": child,
        "other-region": child.replace(":us-east-1:", ":eu-west-1:"),
        "activity": activity,
        "execution": finished,
    }


HOSTILE_PARAMETERS: list[tuple[str, Callable[[dict[str, str]], Any], str, str]] = [
    ("not an object", lambda t: [t["child"]], "ValidationException", "must be an object"),
    ("a string", lambda t: "x", "ValidationException", "must be an object"),
    (
        "Input invalid JSON text",
        lambda t: {"StateMachineArn": t["child"], "Input": "{nope"},
        "InvalidExecutionInputException",
        "Invalid State Machine Execution Input",
    ),
    ("no StateMachineArn", lambda t: {"Input": {}}, "ValidationException", "must not be null"),
    (
        "StateMachineArn a number",
        lambda t: {"StateMachineArn": 5},
        "ValidationException",
        "must be of type string",
    ),
    (
        "another region",
        lambda t: {"StateMachineArn": t["other-region"]},
        "StateMachineDoesNotExistException",
        "State Machine Does Not Exist",
    ),
    (
        "an activity ARN",
        lambda t: {"StateMachineArn": t["activity"]},
        "InvalidArnException",
        "activity",
    ),
    (
        "an execution ARN",
        lambda t: {"StateMachineArn": t["execution"]},
        "InvalidArnException",
        "execution",
    ),
    ("not an ARN", lambda t: {"StateMachineArn": "x"}, "InvalidArnException", "Invalid Arn"),
    (
        "Name with spaces",
        lambda t: {"StateMachineArn": t["child"], "Name": "a b<c"},
        "InvalidNameException",
        "Invalid Name",
    ),
    (
        "Name of 81 characters",
        lambda t: {"StateMachineArn": t["child"], "Name": "n" * 81},
        "ValidationException",
        "length less than or equal to 80",
    ),
    (
        "Name a number",
        lambda t: {"StateMachineArn": t["child"], "Name": 12},
        "ValidationException",
        "must be of type string",
    ),
    (
        "an unknown test case",
        lambda t: {"StateMachineArn": t["child"] + "#Nope"},
        "ValidationException",
        "Nope",
    ),
]


@pytest.mark.parametrize("pattern", ["startExecution", "startExecution.sync:2"])
def test_hostile_start_execution_parameters_fail_the_task_as_aws(
    sfn: Any, pass_machine: str, pattern: str
) -> None:
    targets = _targets(sfn)
    for label, parameters, exception, fragment in HOSTILE_PARAMETERS:
        parent = task_machine(sfn, _start_task(pattern, parameters(targets)))
        described = run(sfn, parent)
        assert (described["status"], described["error"]) == (
            "FAILED",
            f"StepFunctions.{exception}",
        ), label
        assert fragment in described["cause"], (label, described["cause"])
        assert "Status Code: 400" in described["cause"], label
        assert types(sfn, described["executionArn"])[-2:] == ["TaskFailed", "ExecutionFailed"]
        _healthy(sfn, pass_machine)


@pytest.mark.parametrize(
    ("given", "child_input"),
    [(5, "5"), ([1, "a"], '[1,"a"]'), ("7", "7"), ({"x": None}, '{"x":null}')],
)
def test_input_that_is_not_an_object_is_the_childs_json_input(
    sfn: Any, given: Any, child_input: str
) -> None:
    child = machine(sfn, PASS)
    parent = task_machine(
        sfn, _start_task("startExecution.sync", {"StateMachineArn": child, "Input": given})
    )
    described = run(sfn, parent)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert (output["Input"], output["Output"]) == (child_input, child_input)


def test_parameters_over_256_kib_fail_before_any_child_starts(sfn: Any) -> None:
    child = machine(sfn, PASS)
    big = {"StateMachineArn": child, "Input": {"blob": "x" * (256 * 1024)}}
    described = run(sfn, task_machine(sfn, _start_task("startExecution", big)))
    assert (described["status"], described["error"]) == ("FAILED", "States.DataLimitExceeded")
    assert "TaskScheduled" not in types(sfn, described["executionArn"])
    assert _all_executions(sfn, child) == []


def test_an_express_child_runs_to_its_end_under_sync(sfn: Any) -> None:
    child = machine(sfn, PASS, type="EXPRESS")
    parent = task_machine(sfn, _start_task("startExecution.sync:2", {"StateMachineArn": child}))
    described = run(sfn, parent)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert ":express:" in output["ExecutionArn"] and output["Status"] == "SUCCEEDED"


def test_deleting_the_child_machine_mid_run_fails_the_sync_task(sfn: Any) -> None:
    child = machine(
        sfn,
        {
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 20, "Next": "P"}, "P": PASS["States"]["P"]},
        },
    )
    parent = task_machine(sfn, _start_task("startExecution.sync", {"StateMachineArn": child}))
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    wait_for_event(sfn, arn, "TaskSubmitted")
    sfn.delete_state_machine(stateMachineArn=child)
    described = wait_done(sfn, arn)
    assert (described["status"], described["error"]) == ("FAILED", "States.TaskFailed")
    assert json.loads(described["cause"])["Status"] == "FAILED"


# -- many children, recursion, stopping ---------------------------------------------------------
def _map_of(child: str, pattern: str) -> dict[str, Any]:
    task = _start_task(pattern, {"StateMachineArn": child, "Input.$": "$"}, End=True)
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 0,
                "Iterator": {"StartAt": "S", "States": {"S": task}},
                "End": True,
            }
        },
    }


def test_a_map_of_200_sync_children_collects_every_output(sfn: Any) -> None:
    child = machine(sfn, PASS)
    parent = machine(sfn, _map_of(child, "startExecution.sync:2"))
    arn = sfn.start_execution(stateMachineArn=parent, input=json.dumps(list(range(200))))
    described = wait_done(sfn, arn["executionArn"], 30)
    assert described["status"] == "SUCCEEDED"
    assert [item["Output"] for item in json.loads(described["output"])] == list(range(200))


def test_stopping_a_parent_of_200_starting_children_stops_them_all(
    sfn: Any, pass_machine: str
) -> None:
    child = machine(sfn, WAITING)
    parent = machine(sfn, _map_of(child, "startExecution.sync"))
    arn = sfn.start_execution(stateMachineArn=parent, input=json.dumps(list(range(200))))
    arn = arn["executionArn"]
    _until(lambda: len(_all_executions(sfn, child)) >= 10)
    sfn.stop_execution(executionArn=arn)
    assert wait_done(sfn, arn)["status"] == "ABORTED"
    _until(lambda: all(e["status"] == "ABORTED" for e in _all_executions(sfn, child)))
    _healthy(sfn, pass_machine)


def test_a_child_started_just_after_its_parent_stopped_is_stopped_too(
    local: LocalEngine, sfn: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the I/O thread is inside StartExecution when the parent stops, and registers
    the child's cancel hook only after the call ended."""
    child = machine(sfn, WAITING)
    parent = task_machine(sfn, _start_task("startExecution.sync", {"StateMachineArn": child}))
    entered, release = threading.Event(), threading.Event()
    service_call = local.service.call

    def slow_start(operation: str, request: dict[str, Any]) -> Any:
        if operation == "StartExecution" and request.get("stateMachineArn") == child:
            entered.set()
            release.wait(10)
        return service_call(operation, request)

    monkeypatch.setattr(local.service, "call", slow_start)
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    assert entered.wait(10)
    sfn.stop_execution(executionArn=arn)
    release.set()
    _until(lambda: len(_all_executions(sfn, child)) == 1)
    _until(lambda: _all_executions(sfn, child)[0]["status"] == "ABORTED")


def test_a_machine_that_starts_itself_stays_stoppable_and_the_engine_responsive(
    sfn: Any, pass_machine: str
) -> None:
    name = unique("adv-recursive")
    own_arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{name}"
    task = _start_task("startExecution.sync:2", {"StateMachineArn": own_arn}, End=True)
    recursive = machine(sfn, {"StartAt": "T", "States": {"T": task}}, name=name)
    root = sfn.start_execution(stateMachineArn=recursive)["executionArn"]
    _until(lambda: len(_all_executions(sfn, recursive)) >= 30)
    _healthy(sfn, pass_machine)  # while the chain grows
    sfn.stop_execution(executionArn=root)
    _until(lambda: all(e["status"] == "ABORTED" for e in _all_executions(sfn, recursive)))
    count = len(_all_executions(sfn, recursive))
    _healthy(sfn, pass_machine)
    assert len(_all_executions(sfn, recursive)) == count  # nothing started after the stop


# -- callbacks ----------------------------------------------------------------------------------
def _callback_parent(sfn: Any, holder: str, **fields: Any) -> str:
    parameters = {"StateMachineArn": holder, "Input": {"token.$": "$$.Task.Token"}}
    return task_machine(sfn, _start_task("startExecution.waitForTaskToken", parameters, **fields))


def _token_of_child(sfn: Any, parent_arn: str) -> str:
    submitted = wait_for_event(sfn, parent_arn, "TaskSubmitted")
    child_arn = json.loads(submitted["taskSubmittedEventDetails"]["output"])["ExecutionArn"]
    return json.loads(sfn.describe_execution(executionArn=child_arn)["input"])["token"]


def _forged(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


TOKEN = "<the live token>"
OVER_QUOTA = json.dumps("x" * 262_144)
# 100,002 characters but 300,002 UTF-8 bytes: the quota is in bytes
OVER_QUOTA_UTF8 = json.dumps("\u20ac" * 100_000, ensure_ascii=False)
BAD_CALLBACKS: list[tuple[str, str, dict[str, Any], str]] = [
    ("unknown", "send_task_success", {"taskToken": "nope", "output": "{}"}, "InvalidToken"),
    ("forged", "send_task_success", {"taskToken": "<forged>", "output": "{}"}, "InvalidToken"),
    ("2,000 chars", "send_task_heartbeat", {"taskToken": "t" * 2000}, "InvalidToken"),
    ("empty", "send_task_failure", {"taskToken": ""}, "ValidationException"),
    ("a number", "send_task_success", {"taskToken": 5, "output": "{}"}, "ValidationException"),
    ("invalid JSON", "send_task_success", {"taskToken": TOKEN, "output": "{x"}, "InvalidOutput"),
    ("NaN", "send_task_success", {"taskToken": TOKEN, "output": "NaN"}, "InvalidOutput"),
    (
        "too deep",
        "send_task_success",
        {"taskToken": TOKEN, "output": "[" * 100_000},
        "InvalidOutput",
    ),
    (
        "over 256 KiB",
        "send_task_success",
        {"taskToken": TOKEN, "output": OVER_QUOTA},
        "ValidationException",
    ),
    (
        "over 256 KiB of UTF-8",
        "send_task_success",
        {"taskToken": TOKEN, "output": OVER_QUOTA_UTF8},
        "ValidationException",
    ),
    (
        "output a number",
        "send_task_success",
        {"taskToken": TOKEN, "output": 5},
        "ValidationException",
    ),
    (
        "cause a number",
        "send_task_failure",
        {"taskToken": TOKEN, "cause": 5},
        "ValidationException",
    ),
    (
        "error of 257",
        "send_task_failure",
        {"taskToken": TOKEN, "error": "e" * 257},
        "ValidationException",
    ),
]


def test_bad_callbacks_are_refused_and_the_token_still_works(
    sfn: Any, raw: Any, pass_machine: str
) -> None:
    holder = machine(sfn, WAITING)
    parent = sfn.start_execution(stateMachineArn=_callback_parent(sfn, holder))["executionArn"]
    token = _token_of_child(sfn, parent)
    for label, operation, given, code in BAD_CALLBACKS:
        swap = {TOKEN: token, "<forged>": _forged(token)}
        kwargs = {key: swap.get(value, value) for key, value in given.items()}
        assert _api_error(getattr(raw, operation), **kwargs) == (400, code), label
    raw.send_task_heartbeat(taskToken=token)
    raw.send_task_success(taskToken=token, output='{"ok": true}')
    described = wait_done(sfn, parent)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"ok": True})
    for operation, kwargs in [
        ("send_task_success", {"output": "{}"}),
        ("send_task_failure", {}),
        ("send_task_heartbeat", {}),
    ]:
        spent = _api_error(getattr(raw, operation), taskToken=token, **kwargs)
        assert spent == (400, "TaskDoesNotExist"), operation
    _healthy(sfn, pass_machine)


def test_a_callback_after_timeout_seconds_is_task_timed_out(sfn: Any, raw: Any) -> None:
    holder = machine(sfn, WAITING)
    parent = sfn.start_execution(stateMachineArn=_callback_parent(sfn, holder, TimeoutSeconds=5))
    token = _token_of_child(sfn, parent["executionArn"])
    described = wait_done(sfn, parent["executionArn"])
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert types(sfn, described["executionArn"])[-2:] == ["TaskTimedOut", "ExecutionFailed"]
    for operation, kwargs in [("send_task_success", {"output": "{}"}), ("send_task_heartbeat", {})]:
        late = _api_error(getattr(raw, operation), taskToken=token, **kwargs)
        assert late == (400, "TaskTimedOut"), operation


def test_a_stopped_parent_leaves_its_callback_child_running(sfn: Any, raw: Any) -> None:
    holder = machine(sfn, WAITING)
    parent = sfn.start_execution(stateMachineArn=_callback_parent(sfn, holder))["executionArn"]
    token = _token_of_child(sfn, parent)
    sfn.stop_execution(executionArn=parent)
    assert wait_done(sfn, parent)["status"] == "ABORTED"
    (child,) = _all_executions(sfn, holder)
    assert child["status"] == "RUNNING"  # AWS stops only .sync children with their parent
    late = _api_error(raw.send_task_success, taskToken=token, output="{}")
    assert late == (400, "TaskTimedOut")
    sfn.stop_execution(executionArn=child["executionArn"])


# -- mock configurations ------------------------------------------------------------------------
def test_a_huge_invocation_range_and_a_map_of_1000_mocked_iterations(sfn: Any) -> None:
    single = machine(sfn, {"StartAt": "Pub", "States": {"Pub": PUBLISH}}, name="adv-huge-range")
    described = run(sfn, single + "#T")
    assert (described["status"], json.loads(described["output"])) == (
        "SUCCEEDED",
        {"MessageId": "m-1"},
    )
    iterator = {"StartAt": "Pub", "States": {"Pub": PUBLISH}}
    mapped = machine(
        sfn,
        {
            "StartAt": "M",
            "States": {
                "M": {"Type": "Map", "MaxConcurrency": 0, "Iterator": iterator, "End": True}
            },
        },
        name="adv-map",
    )
    started = sfn.start_execution(stateMachineArn=mapped + "#T", input=json.dumps([0] * 1000))
    described = wait_done(sfn, started["executionArn"], 30)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == [{"MessageId": "m-1"}] * 1000
    assert (
        sum(e["type"] == "TaskSucceeded" for e in history(sfn, described["executionArn"])) == 1000
    )


SYNC_TEST_CASES: list[tuple[str, Any]] = [
    ("#T", "SUCCEEDED"),
    ("#odd/é #case", "SUCCEEDED"),
    ("#", "ValidationException"),
    ("#Nope", "ValidationException"),
    ("#T#T", "ValidationException"),
    ("#T\x00", "ValidationException"),
    ("#" + "x" * 300, "ValidationException"),  # over the ARN's 256 characters
    (":1#T", "StateMachineDoesNotExist"),  # no version 1 was published
]


def test_test_cases_on_start_sync_execution(sfn: Any, raw: Any, pass_machine: str) -> None:
    express = machine(
        sfn, {"StartAt": "Pub", "States": {"Pub": PUBLISH}}, name="adv-express", type="EXPRESS"
    )
    for suffix, expected in SYNC_TEST_CASES:
        if expected == "SUCCEEDED":
            answer = raw.start_sync_execution(stateMachineArn=express + suffix)
            assert (answer["status"], answer["output"]) == (expected, '{"MessageId":"m-1"}')
        else:
            refused = _api_error(raw.start_sync_execution, stateMachineArn=express + suffix)
            assert refused == (400, expected), suffix
    with pytest.raises(ClientError) as caught:
        raw.start_sync_execution(stateMachineArn=express + "#Nope")
    assert "mock configuration mock configuration" not in str(caught.value)
    standard = machine(sfn, {"StartAt": "Pub", "States": {"Pub": PUBLISH}}, name="adv-standard")
    refused = _api_error(raw.start_sync_execution, stateMachineArn=standard + "#T")
    assert refused == (400, "StateMachineTypeNotSupported")
    _healthy(sfn, pass_machine)


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        ({"Throw": {"Error": "E", "Cause": {"not": "text"}}}, 'R."0".Throw.Cause', "string"),
        ({"Throw": {"Error": "E", "Cause": 5}}, 'R."0".Throw.Cause', "string"),
        ({"Throw": {"Error": 5}}, 'R."0".Throw.Error', "Error"),
    ],
)
def test_a_throw_with_a_non_string_error_or_cause_is_a_load_error(
    answer: Any, field: str, message: str
) -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load({"MockedResponses": {"R": {"0": answer}}})
    assert field in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize("key", ["\u0661", "0\n", "0-1\n", " 0", "0-", "-1", "1-0"])
def test_invocation_keys_are_ascii_numbers_or_ranges(key: str) -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load({"MockedResponses": {"R": {key: {"Return": 1}}}})
    assert "MockedResponses.R." in str(caught.value)


def test_a_missing_invocation_names_the_configuration_once() -> None:
    config = MockConfiguration.load(
        {"StateMachines": {"m": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": {}}}
    )
    with pytest.raises(ValueError) as caught:
        config.check_test_case("m", "Nope", json.dumps(PASS))
    assert "is not in the mock configuration (its test cases" in str(caught.value)


# -- the seam, driven directly ------------------------------------------------------------------
class _Scripted:
    def __init__(self, script: Callable[[TaskCall], None]) -> None:
        self.script = script

    def mock_for(self, call: TaskCall) -> Any:
        return None

    def integration_for(self, call: TaskCall) -> Any:
        return self

    def invoke(self, call: TaskCall) -> None:
        self.script(call)


def _run_scripted(script: Callable[[TaskCall], None], resource: str, **task: Any) -> Any:
    engine = Engine(time_scale=0.01, integrations=_Scripted(script))
    engine.start()
    try:
        definition = {
            "StartAt": "T",
            "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **task}},
        }
        record = engine.start_execution(
            definition=engine.compile(json.dumps(definition)),
            execution_arn=f"arn:aws:states:us-east-1:{ACCOUNT}:execution:m:{unique('e')}",
            state_machine_arn=f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m",
            state_machine_name="m",
            execution_name="e",
            input_text="{}",
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/r",
        )
        assert record.done.wait(10), "the execution hangs"
        return record
    finally:
        engine.close()


SNS = "arn:aws:states:::sns:publish"
SYNC = "arn:aws:states:::glue:startJobRun.sync"


@pytest.mark.parametrize(
    ("script", "resource", "status", "error", "cause"),
    [
        # a request-response call has nothing after TaskSubmitted: fail it, do not hang
        (lambda c: c.submitted({"x": 1}), SNS, "FAILED", "States.Runtime", "'submitted'"),
        # AWS's error and cause are always strings
        (lambda c: c.failed(5, {"a": 1}), SNS, "FAILED", "5", '{"a":1}'),
        (lambda c: c.failed("E", ["x"]), SNS, "FAILED", "E", '["x"]'),
        (lambda c: c.run_in_thread(lambda: c.failed(7, 8)), SNS, "FAILED", "7", "8"),
        (lambda c: (c.submitted(1), c.submitted(2), c.succeeded(3)), SYNC, "SUCCEEDED", None, None),
    ],
)
def test_integration_misuse_ends_the_task_instead_of_hanging(
    script: Callable[[TaskCall], None], resource: str, status: str, error: Any, cause: Any
) -> None:
    record = _run_scripted(script, resource)
    assert (record.status, record.error) == (status, error)
    if cause is not None:
        assert cause in record.cause
    submitted = [e for e in record.history if e["type"] == "TaskSubmitted"]
    assert len(submitted) == (1 if resource == SYNC else 0)


def test_a_cancel_hook_given_after_the_call_ended_still_runs() -> None:
    ran = threading.Event()

    def script(call: TaskCall) -> None:
        def late() -> None:
            _until(lambda: call.closed)
            call.on_cancel(ran.set)

        call.run_in_thread(late)

    record = _run_scripted(script, SYNC, TimeoutSeconds=1)
    assert (record.status, record.error) == ("FAILED", "States.Timeout")
    assert ran.wait(5)


@pytest.mark.parametrize(
    ("arn", "kind"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:function:f", LAMBDA_FUNCTION),
        ("arn:aws:lambda:us-east-1:123456789012:function:f\n", SERVICE),
        ("arn:aws:lambda:us-east-1:\u0661" + "2" * 11 + ":function:f", SERVICE),
        ("arn:aws:states:us-east-1:123456789012:activity:a", ACTIVITY),
        ("arn:aws:states:us-east-1:123456789012:activity:a\n", SERVICE),
    ],
)
def test_resources_are_matched_whole(arn: str, kind: str) -> None:
    assert parse_task_resource(arn).kind == kind


def test_a_trailing_newline_is_not_a_pattern_suffix() -> None:
    parsed = parse_task_resource("arn:aws:states:::lambda:invoke.waitForTaskToken\n")
    assert parsed.pattern == "REQUEST_RESPONSE" and not parsed.is_lambda
