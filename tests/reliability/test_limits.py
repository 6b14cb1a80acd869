"""AWS's documented limits, at and just past each bound, with the error AWS gives.

Payloads (256 KiB, counted in UTF-8 bytes) at every entry point: execution input, activity
results (SendTaskSuccess), Lambda results, state output, Map results, variables; SendTaskFailure's
error and cause; histories over 25,000 events; 1,000 pollers on one activity; names (1-80
characters, AWS's forbidden characters) and tags (50 a resource, keys 128, values 256).
"""

from __future__ import annotations

import json
import resource
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sfini_runtime.local import LocalEngine
from sfini_runtime.local.errors import ActivityWorkerLimitExceeded
from sfini_runtime.local.interpreter import MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES
from sfini_runtime.local.service.connections import DEFAULT_MAX_CONNECTIONS
from sfini_runtime.local.service.operations.pollers import MAX_POLLERS_PER_ACTIVITY, Pollers
from tests.reliability.fuzzing import ROLE_ARN, RawClient, check_answer

pytestmark = [pytest.mark.reliability, pytest.mark.engine]

LIMIT = 262_144
DATA_LIMIT = "States.DataLimitExceeded"


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalEngine]:
    lambdas = {
        "echo": lambda event, context: event,
        "big": lambda event, context: "x" * LIMIT,
    }
    with LocalEngine(time_scale=0.0, activity_poll_seconds=0.2, lambdas=lambdas) as local:
        yield local


@pytest.fixture(scope="module")
def sfn(engine: LocalEngine) -> Any:
    return engine.client(config=Config(parameter_validation=False, retries={"max_attempts": 1}))


_names = iter(range(10**6))


def machine(sfn: Any, states: dict[str, Any], start: str | None = None, **extra: Any) -> str:
    definition = {"StartAt": start or next(iter(states)), "States": states, **extra}
    return str(
        sfn.create_state_machine(
            name=f"limits-{next(_names)}", definition=json.dumps(definition), roleArn=ROLE_ARN
        )["stateMachineArn"]
    )


def run(sfn: Any, machine_arn: str, execution_input: str = "{}") -> dict[str, Any]:
    arn = sfn.start_execution(stateMachineArn=machine_arn, input=execution_input)["executionArn"]
    deadline = time.monotonic() + 60
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return dict(described)
        assert time.monotonic() < deadline, described
        time.sleep(0.01)


def error_of(call: Any, **request: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return dict(caught.value.response["Error"])


def string_of_bytes(size: int, char: str = "x") -> str:
    """A JSON string document of exactly ``size`` UTF-8 bytes (quotes included)."""
    width = len(char.encode())
    body = (size - 2) // width
    return '"' + char * body + "x" * (size - 2 - body * width) + '"'


PASS = {"P": {"Type": "Pass", "End": True}}


# -- payloads --------------------------------------------------------------------------------


def test_the_limits_are_awss() -> None:
    assert MAX_PAYLOAD_BYTES == LIMIT
    assert MAX_HISTORY_EVENTS == 25_000


@pytest.mark.parametrize("char", ["x", "é", "€"])
def test_execution_input_at_the_limit_runs_and_one_byte_more_is_refused(
    sfn: Any, char: str
) -> None:
    arn = machine(sfn, PASS)
    at_limit = string_of_bytes(LIMIT, char)
    assert len(at_limit.encode()) == LIMIT
    described = run(sfn, arn, at_limit)
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == at_limit
    over = string_of_bytes(LIMIT + 1, char)
    error = error_of(sfn.start_execution, stateMachineArn=arn, input=over)
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144"
    )


def test_express_sync_input_past_the_limit_is_refused(sfn: Any) -> None:
    arn = sfn.create_state_machine(
        name="limits-express",
        definition=json.dumps({"StartAt": "P", "States": PASS}),
        roleArn=ROLE_ARN,
        type="EXPRESS",
    )["stateMachineArn"]
    answered = sfn.start_sync_execution(stateMachineArn=arn, input=string_of_bytes(LIMIT))
    assert answered["status"] == "SUCCEEDED"
    error = error_of(
        sfn.start_sync_execution, stateMachineArn=arn, input=string_of_bytes(LIMIT + 1)
    )
    assert error["Code"] == "ValidationException"


def test_a_state_output_past_the_limit_fails_the_execution_uncaught_by_states_all(
    sfn: Any,
) -> None:
    half = "x" * (LIMIT // 2)
    arn = machine(
        sfn,
        {
            "Double": {
                "Type": "Pass",
                "Parameters": {"a.$": "$.s", "b.$": "$.s"},
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    )
    described = run(sfn, arn, json.dumps({"s": half}))
    assert (described["status"], described["error"]) == ("FAILED", DATA_LIMIT)
    assert described["cause"] == (
        "The state/task 'Double' returned a result with a size exceeding the maximum number of "
        "bytes service limit."
    )


def test_a_lambda_result_past_the_limit_is_a_task_failure_states_all_catches(sfn: Any) -> None:
    """As recorded against AWS: the task itself fails (LambdaFunctionFailed / TaskFailed with
    States.DataLimitExceeded), which a States.ALL catcher catches."""
    arn = machine(
        sfn,
        {
            "Grow": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "big"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    )
    described = run(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["Error"] == DATA_LIMIT
    events = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    failed = [e for e in events if e["type"] == "TaskFailed"]
    assert failed[0]["taskFailedEventDetails"]["error"] == DATA_LIMIT


def _activity_run(sfn: Any, engine: LocalEngine, name: str) -> tuple[str, str]:
    activity = sfn.create_activity(name=name)["activityArn"]
    work = {
        "Type": "Task",
        "Resource": activity,
        "ResultPath": "$.r",
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None, "Next": "Caught"}],
        "End": True,
    }
    arn = machine(sfn, {"Work": work, "Caught": {"Type": "Pass", "End": True}})
    execution = sfn.start_execution(stateMachineArn=arn, input='{"in": 1}')["executionArn"]
    deadline = time.monotonic() + 10
    while True:
        task = sfn.get_activity_task(activityArn=activity)
        if task.get("taskToken"):
            return execution, task["taskToken"]
        assert time.monotonic() < deadline


def test_send_task_success_past_the_limit_is_refused_and_the_task_stays_open(
    sfn: Any, engine: LocalEngine
) -> None:
    execution, token = _activity_run(sfn, engine, "limits-result")
    error = error_of(sfn.send_task_success, taskToken=token, output=string_of_bytes(LIMIT + 1))
    assert error["Code"] == "ValidationException"
    assert (
        "at 'output' failed to satisfy constraint: Member must have length less than or "
        in (error["Message"])
    )
    # still open: the worker can send a result within the limit, which the ResultPath merge
    # then takes past it (the state's output is input plus result): terminal, uncaught
    sfn.send_task_success(taskToken=token, output=string_of_bytes(LIMIT - 10))
    deadline = time.monotonic() + 10
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert (described["status"], described["error"]) == ("FAILED", DATA_LIMIT)


def test_send_task_failure_error_and_cause_bounds(sfn: Any, engine: LocalEngine) -> None:
    execution, token = _activity_run(sfn, engine, "limits-failure")
    error = error_of(sfn.send_task_failure, taskToken=token, error="e" * 257)
    assert error["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 256" in error["Message"]
    error = error_of(sfn.send_task_failure, taskToken=token, cause="c" * 32_769)
    assert error["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 32768" in error["Message"]
    sfn.send_task_failure(taskToken=token, error="e" * 256, cause="c" * 32_768)
    deadline = time.monotonic() + 10
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert described["status"] == "SUCCEEDED"  # caught by the Task's States.ALL catcher
    events = sfn.get_execution_history(executionArn=execution)["events"]
    [failed] = [e["activityFailedEventDetails"] for e in events if e["type"] == "ActivityFailed"]
    assert (failed["error"], failed["cause"]) == ("e" * 256, "c" * 32_768)


def test_a_lambda_result_past_the_limit_fails_the_task(sfn: Any) -> None:
    arn = machine(
        sfn,
        {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "big"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    )
    described = run(sfn, arn)
    assert (described["status"], described["error"]) == ("FAILED", DATA_LIMIT)


def test_map_results_past_the_limit_fail_the_map_uncaught_by_states_all(sfn: Any) -> None:
    """The results array counts even when ResultPath discards it."""
    item = "x" * (LIMIT // 8)
    arn = machine(
        sfn,
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Echo",
                    "States": {"Echo": {"Type": "Pass", "Parameters": {"v": item}, "End": True}},
                },
                "ResultPath": None,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    )
    within = run(sfn, arn, json.dumps({"items": list(range(7))}))
    assert within["status"] == "SUCCEEDED"
    over = run(sfn, arn, json.dumps({"items": list(range(9))}))
    assert (over["status"], over["error"]) == ("FAILED", DATA_LIMIT)


def test_a_variable_past_the_limit_fails_the_state(sfn: Any) -> None:
    arn = machine(
        sfn,
        {
            "Keep": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Assign": {"big": "{% $states.input.s %}"},
                "Output": {},
                "End": True,
            }
        },
    )
    within = run(sfn, arn, json.dumps({"s": "x" * (LIMIT - 100)}))
    assert within["status"] == "SUCCEEDED"
    over_arn = machine(
        sfn,
        {
            "Keep": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Assign": {"a": "{% $states.input.s %}", "b": "{% $states.input.s %}"},
                "Output": {},
                "End": True,
            }
        },
    )
    over = run(sfn, over_arn, json.dumps({"s": "x" * (LIMIT // 2)}))
    assert (over["status"], over["error"]) == ("FAILED", DATA_LIMIT)


def test_the_variables_of_an_execution_past_ten_mebibytes_fail_it(sfn: Any) -> None:
    count = 42  # each Assign just within 256 KiB: the 41st takes the total past 10 MiB
    states = {
        f"S{i}": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Assign": {f"v{i}": "{% $states.input.s %}"},
            **({"Next": f"S{i + 1}"} if i < count - 1 else {"End": True}),
        }
        for i in range(count)
    }
    described = run(sfn, machine(sfn, states), json.dumps({"s": "x" * (LIMIT - 1000)}))
    assert (described["status"], described["error"]) == ("FAILED", DATA_LIMIT)
    assert "'S40'" in described["cause"]
    assert "would exceed the maximum of 10485760 bytes" in described["cause"]


def test_an_activity_task_input_past_the_limit_fails_before_it_is_scheduled(sfn: Any) -> None:
    activity = sfn.create_activity(name="limits-input")["activityArn"]
    arn = machine(
        sfn,
        {
            "Work": {
                "Type": "Task",
                "Resource": activity,
                "Parameters": {"a.$": "$.s", "b.$": "$.s"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    )
    described = run(sfn, arn, json.dumps({"s": "x" * (LIMIT // 2)}))
    assert (described["status"], described["error"]) == ("FAILED", DATA_LIMIT)
    events = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    assert "ActivityScheduled" not in [e["type"] for e in events]
    assert sfn.get_activity_task(activityArn=activity).get("taskToken") is None


def test_a_request_over_one_megabyte_is_answered_413(engine: LocalEngine) -> None:
    raw = RawClient(engine.endpoint_url)
    try:
        answer = raw.post("AWSStepFunctions.ListActivities", b" " * 1_049_601)
        assert answer.status == 413
        assert answer.body == b"HTTP content length exceeded 1049600 bytes."
        assert check_answer(raw.call("ListActivities", {}))["activities"] is not None
    finally:
        raw.close()


# -- history ---------------------------------------------------------------------------------


def test_a_history_past_25000_events_fails_the_execution(sfn: Any) -> None:
    arn = machine(
        sfn,
        {
            "Spin": {"Type": "Pass", "Next": "Again"},
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "Done"}],
                "Default": "Spin",
            },
            "Done": {"Type": "Succeed"},
        },
    )
    described = run(sfn, arn)
    assert described["status"] == "FAILED"
    assert (described["error"], described["cause"]) == (
        "States.Runtime",
        "The execution reached the maximum number of history events (25000).",
    )
    newest = sfn.get_execution_history(
        executionArn=described["executionArn"], maxResults=2, reverseOrder=True
    )
    # ids count from 1 without gaps, so the newest id is the number of events
    assert [e["id"] for e in newest["events"]] == [MAX_HISTORY_EVENTS, MAX_HISTORY_EVENTS - 1]
    assert newest["events"][0]["type"] == "ExecutionFailed"
    oldest = sfn.get_execution_history(executionArn=described["executionArn"], maxResults=1)
    assert oldest["events"][0]["id"] == 1


# -- pollers ---------------------------------------------------------------------------------


def _poll_bytes(activity: str) -> bytes:
    body = json.dumps({"activityArn": activity}).encode()
    return (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.GetActivityTask\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


def test_pollers_are_counted_per_activity_and_freed_when_done() -> None:
    pollers = Pollers(limit=2)
    with pollers.polling("a"), pollers.polling("a"), pollers.polling("b"):
        assert (pollers.count("a"), pollers.count("b")) == (2, 1)
        with pytest.raises(ActivityWorkerLimitExceeded), pollers.polling("a"):
            pass
        assert pollers.count("a") == 2  # the refused poll took no place
    assert (pollers.count("a"), pollers.count("b")) == (0, 0)
    with pytest.raises(RuntimeError), pollers.polling("a"):
        raise RuntimeError("a poll that fails frees its place too")
    assert pollers.count("a") == 0


@pytest.fixture
def descriptors() -> Iterator[None]:
    """Room for two thousand sockets (both ends of a thousand connections live here)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.usefixtures("descriptors")
def test_a_thousand_pollers_on_one_activity_and_the_next_is_refused() -> None:
    assert MAX_POLLERS_PER_ACTIVITY == 1000
    assert DEFAULT_MAX_CONNECTIONS > MAX_POLLERS_PER_ACTIVITY  # room for the 1,001st call
    with LocalEngine(time_scale=0.0, activity_poll_seconds=30.0) as engine:
        sfn = engine.client()
        activity = sfn.create_activity(name="crowded")["activityArn"]
        other = sfn.create_activity(name="quiet")["activityArn"]
        raw = RawClient(engine.endpoint_url)
        sockets = []
        try:
            request = _poll_bytes(activity)
            for _ in range(MAX_POLLERS_PER_ACTIVITY):
                sock = socket.create_connection((raw.host, raw.port))
                sock.sendall(request)
                sockets.append(sock)
            deadline = time.monotonic() + 60
            while engine.service.pollers.count(activity) < MAX_POLLERS_PER_ACTIVITY:
                assert time.monotonic() < deadline, engine.service.pollers.count(activity)
                time.sleep(0.05)
            refused = check_answer(raw.call("GetActivityTask", {"activityArn": activity}))
            assert refused == {
                "__type": "ActivityWorkerLimitExceeded",
                "message": "The maximum number of workers concurrently polling for activity "
                "tasks has been reached.",
            }
            # another activity's pollers are counted apart
            sock = socket.create_connection((raw.host, raw.port))
            sock.sendall(_poll_bytes(other))
            sockets.append(sock)
            # a task goes to exactly one of the thousand, which then stops counting
            machine_arn = sfn.create_state_machine(
                name="crowded-work",
                definition=json.dumps(
                    {
                        "StartAt": "W",
                        "States": {"W": {"Type": "Task", "Resource": activity, "End": True}},
                    }
                ),
                roleArn=ROLE_ARN,
            )["stateMachineArn"]
            sfn.start_execution(stateMachineArn=machine_arn, input='{"n": 1}')
            while engine.service.pollers.count(activity) != MAX_POLLERS_PER_ACTIVITY - 1:
                assert time.monotonic() < deadline, engine.service.pollers.count(activity)
                time.sleep(0.05)
            sock = socket.create_connection((raw.host, raw.port))  # a place is free again
            sock.sendall(request)
            sockets.append(sock)
            while engine.service.pollers.count(activity) != MAX_POLLERS_PER_ACTIVITY:
                assert time.monotonic() < deadline, engine.service.pollers.count(activity)
                time.sleep(0.05)
        finally:
            for sock in sockets:
                sock.close()
            raw.close()
    # stopping the engine answered every waiting poll (with no task) and freed its place
    assert engine.service.pollers.count(activity) == 0


# -- names and tags --------------------------------------------------------------------------

FORBIDDEN = [" ", "?", "*", "<", ">", "{", "}", "[", "]", '"', "#", "%", "\\", "^", "|", "~"]
FORBIDDEN += ["`", "$", "&", ",", ";", ":", "/", "\x00", "\x1f", "\x7f", "\x9f"]


def _named(sfn: Any, kind: str, name: str) -> Any:
    if kind == "activity":
        return sfn.create_activity(name=name)
    if kind == "state machine":
        return sfn.create_state_machine(
            name=name, definition=json.dumps({"StartAt": "P", "States": PASS}), roleArn=ROLE_ARN
        )
    target = _named(sfn, "state machine", f"names-{next(_names)}")["stateMachineArn"]
    return sfn.start_execution(stateMachineArn=target, name=name)


@pytest.mark.parametrize("kind", ["activity", "state machine", "execution"])
def test_names_at_their_bounds(sfn: Any, kind: str) -> None:
    suffix = f"{next(_names)}-"
    _named(sfn, kind, (suffix + "n" * 80)[:80])
    _named(sfn, kind, suffix + "ünïcødé-名前_ok.1")
    too_long = error_of(_named, sfn=sfn, kind=kind, name=suffix + "n" * (81 - len(suffix)))
    assert too_long["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 80" in too_long["Message"]
    if kind != "execution":  # an execution without a name gets a generated one
        empty = error_of(_named, sfn=sfn, kind=kind, name="")
        assert empty["Code"] == "ValidationException"
    for char in FORBIDDEN:
        name = f"{suffix}bad{char}name"
        refused = error_of(_named, sfn=sfn, kind=kind, name=name)
        assert (refused["Code"], refused["Message"]) == ("InvalidName", f"Invalid Name: '{name}'")


def test_tags_at_their_bounds(sfn: Any) -> None:
    arn = sfn.create_activity(
        name="tagged", tags=[{"key": f"k{i}", "value": "v"} for i in range(50)]
    )["activityArn"]
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "k0", "value": "replaced"}])  # no new key
    error = error_of(sfn.tag_resource, resourceArn=arn, tags=[{"key": "k50", "value": "v"}])
    assert error["Code"] == "TooManyTags"
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50  # nothing applied
    error = error_of(
        sfn.create_activity,
        name="too-many-tags",
        tags=[{"key": f"k{i}", "value": "v"} for i in range(51)],
    )
    assert error["Code"] == "TooManyTags"
    sfn.untag_resource(resourceArn=arn, tagKeys=["k1"])
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "K" * 128, "value": "V" * 256}])
    for tag, bound in (
        ({"key": "K" * 129, "value": "v"}, "less than or equal to 128"),
        ({"key": "k", "value": "V" * 257}, "less than or equal to 256"),
        ({"key": "", "value": "v"}, "greater than or equal to 1"),
    ):
        error = error_of(sfn.tag_resource, resourceArn=arn, tags=[tag])
        assert error["Code"] == "ValidationException"
        assert f"Member must have length {bound}" in error["Message"]
    error = error_of(sfn.tag_resource, resourceArn=arn, tags=[{"value": "no key"}])
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy "
        "constraint: Member must not be null",
    )


def test_state_machine_tags_and_state_names_at_their_bounds(sfn: Any) -> None:
    definition = json.dumps({"StartAt": "s" * 80, "States": {"s" * 80: {"Type": "Succeed"}}})
    tags = [{"key": f"k{i}", "value": "v"} for i in range(50)]
    arn = sfn.create_state_machine(
        name="limits-tagged", definition=definition, roleArn=ROLE_ARN, tags=tags
    )["stateMachineArn"]
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    error = error_of(
        sfn.create_state_machine,
        name="limits-overtagged",
        definition=definition,
        roleArn=ROLE_ARN,
        tags=[*tags, {"key": "k50", "value": "v"}],
    )
    assert error["Code"] == "TooManyTags"
    long_state = json.dumps({"StartAt": "s" * 81, "States": {"s" * 81: {"Type": "Succeed"}}})
    error = error_of(
        sfn.create_state_machine, name="limits-long-state", definition=long_state, roleArn=ROLE_ARN
    )
    assert error["Code"] == "InvalidDefinition"


def test_a_definition_over_one_megabyte_is_refused(sfn: Any) -> None:
    padding = "c" * (1_048_576 - 100)
    definition = json.dumps({"Comment": padding, "StartAt": "P", "States": PASS})
    assert len(definition.encode()) < 1_048_576
    sfn.create_state_machine(name="limits-big", definition=definition, roleArn=ROLE_ARN)
    too_big = json.dumps({"Comment": padding + "c" * 100, "StartAt": "P", "States": PASS})
    error = error_of(
        sfn.create_state_machine, name="limits-too-big", definition=too_big, roleArn=ROLE_ARN
    )
    assert error["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 1048576" in error["Message"]
