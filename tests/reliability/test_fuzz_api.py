"""Random and mutated requests to the engine's HTTP API: every answer is one AWS could give (a
JSON object, or a 4xx whose ``__type`` is an error code of the operation), never a 500, the
engine logs no internal error, and valid requests are served afterwards.

Hypothesis runs derandomized with fixed example counts, so CI fuzzes the same requests each run;
``FUZZED`` counts them (printed at the end of the module with ``-s``).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfini_asl.intrinsics import FUNCTIONS
from sfini_runtime.local import LocalEngine
from sfini_runtime.local.service.operations import OPERATIONS
from sfini_runtime.local.service.validation import input_shape, service_model
from tests.reliability.fuzzing import (
    CONTENT_TYPE,
    ROLE_ARN,
    TARGET_PREFIX,
    RawClient,
    check_answer,
    describe,
    engine_errors,
    hostile_text,
    json_values,
    mutated_document,
    mutation_of,
    send_raw,
    statuses,
)

pytestmark = [pytest.mark.reliability, pytest.mark.engine]

FUZZED: Counter[str] = Counter()
#: what the fuzzed definitions and expressions did (accepted or refused, how executions ended)
OUTCOMES: Counter[str] = Counter()


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _activity_machine(activity: str) -> dict[str, Any]:
    return {
        "StartAt": "Work",
        "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}},
    }


class World:
    """The engine and the resources the fuzzed requests aim at."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine
        self.sfn = engine.client()
        self.raw = RawClient(engine.endpoint_url)
        sfn = self.sfn
        self.activity = sfn.create_activity(name="fuzz-activity")["activityArn"]
        self.machine = sfn.create_state_machine(
            name="fuzz-pass", definition=json.dumps(PASS), roleArn=ROLE_ARN
        )["stateMachineArn"]
        self.task_machine = sfn.create_state_machine(
            name="fuzz-task",
            definition=json.dumps(_activity_machine(self.activity)),
            roleArn=ROLE_ARN,
        )["stateMachineArn"]
        self.express = sfn.create_state_machine(
            name="fuzz-express", definition=json.dumps(PASS), roleArn=ROLE_ARN, type="EXPRESS"
        )["stateMachineArn"]
        self.executions = [
            sfn.start_execution(stateMachineArn=self.machine, name=f"e{i}")["executionArn"]
            for i in range(3)
        ]
        self.task_execution = sfn.start_execution(stateMachineArn=self.task_machine, name="held")[
            "executionArn"
        ]
        self.token = self._poll()
        for i in range(3):
            sfn.create_activity(name=f"fuzz-more-{i}")
        self.updatable = sfn.create_state_machine(
            name="fuzz-updatable", definition=json.dumps(PASS), roleArn=ROLE_ARN
        )["stateMachineArn"]
        self.dataflow = sfn.create_state_machine(
            name="fuzz-dataflow", definition=json.dumps(DATAFLOW), roleArn=ROLE_ARN
        )["stateMachineArn"]

    def _poll(self) -> str:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            task = self.sfn.get_activity_task(activityArn=self.activity)
            if task.get("taskToken"):
                return str(task["taskToken"])
        raise AssertionError("no activity task")

    @property
    def arns(self) -> list[str]:
        return [self.activity, self.machine, self.task_machine, self.express, *self.executions]

    def still_serves(self) -> None:
        """Valid requests after the fuzzing: a new execution runs to SUCCEEDED, the held task's
        token still works, listings answer."""
        sfn = self.sfn
        arn = sfn.start_execution(stateMachineArn=self.machine, input='{"after": "fuzz"}')[
            "executionArn"
        ]
        deadline = time.monotonic() + 10
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        described = sfn.describe_execution(executionArn=arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"after": "fuzz"}
        sfn.send_task_heartbeat(taskToken=self.token)
        assert sfn.describe_execution(executionArn=self.task_execution)["status"] == "RUNNING"
        names = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
        assert {"fuzz-pass", "fuzz-task", "fuzz-express"} <= names
        assert sfn.describe_activity(activityArn=self.activity)["name"] == "fuzz-activity"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with (
        engine_errors() as records,
        LocalEngine(time_scale=0.01, activity_poll_seconds=0.05) as engine,
    ):
        world = World(engine)
        yield world
        world.raw.close()
    total = sum(FUZZED.values())
    print(f"\nfuzzed {total} requests: {dict(FUZZED)}; outcomes: {dict(OUTCOMES)}")
    assert not records, describe(records)  # logged after the last test's own check


@pytest.fixture(autouse=True)
def no_internal_errors(world: World) -> Iterator[None]:
    with engine_errors() as records:
        yield
        world.still_serves()
    assert not records, describe(records)


# -- targets, bodies, headers ----------------------------------------------------------------

OPERATION_NAMES = sorted(service_model().operation_names)
targets = st.one_of(
    st.sampled_from([TARGET_PREFIX + name for name in OPERATION_NAMES]),
    st.sampled_from(OPERATION_NAMES).flatmap(lambda name: mutation_of(TARGET_PREFIX + name)),
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=0, max_size=40
    ),
    st.sampled_from(
        ["", "AWSStepFunctions.", "AWSStepFunctions", "awsstepfunctions.ListActivities"]
    ),
    st.none(),
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.text(max_size=15), json_values, max_size=5).map(
        lambda value: json.dumps(value).encode()
    ),
    st.sampled_from(
        [b"", b"{}", b"[]", b"null", b"{", b'{"a":NaN}', b"\xff\xfe", b'{"a":1e999}', b"[" * 5000]
    ),
)


def _operation_of(target: str | None) -> str | None:
    if target and target.startswith(TARGET_PREFIX):
        name = target[len(TARGET_PREFIX) :]
        if name in OPERATION_NAMES:
            return name
    return None


@fuzz_settings(100)
@given(target=targets, body=bodies)
def test_random_targets_and_bodies(world: World, target: str | None, body: bytes) -> None:
    FUZZED["targets and bodies"] += 1
    answer = world.raw.post(target, body)
    check_answer(answer, _operation_of(target))


header_names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
    min_size=1,
    max_size=20,
).filter(lambda name: name.lower() not in {"content-length", "transfer-encoding", "host"})
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
).map(str.strip)
content_types = st.one_of(
    st.none(),
    st.sampled_from(
        [
            CONTENT_TYPE,
            "application/x-amz-json-1.1",
            "application/json",
            "application/x-amz-json-1.0; charset=utf-8",
            "APPLICATION/X-AMZ-JSON-1.0",
            "text/plain",
            "",
            ";",
            "application/cbor",
        ]
    ),
    header_values,
)


@fuzz_settings(80)
@given(
    operation=st.sampled_from(["ListActivities", "DescribeActivity", "ListStateMachines"]),
    content_type=content_types,
    extra=st.dictionaries(header_names, header_values, max_size=4),
    method=st.sampled_from(["POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"]),
)
def test_random_headers_and_methods(
    world: World, operation: str, content_type: str | None, extra: dict[str, str], method: str
) -> None:
    FUZZED["headers and methods"] += 1
    extra.pop("X-Amz-Target", None)
    extra = {k: v for k, v in extra.items() if k.lower() not in {"x-amz-target", "content-type"}}
    body = json.dumps({"activityArn": world.activity}).encode()
    answer = world.raw.post(
        TARGET_PREFIX + operation, body, extra, content_type=content_type, method=method
    )
    check_answer(answer, operation)


# -- requests shaped by the service model ----------------------------------------------------


def _value_for(shape: Any, world: World, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for a botocore shape: mostly of its type (in and out of its bounds), sometimes
    the real ARNs the world holds, sometimes anything at all."""
    anything = json_values
    kind = shape.type_name
    if kind == "string":
        typed: st.SearchStrategy[Any] = st.one_of(
            hostile_text,
            st.sampled_from(world.arns),
            st.sampled_from(world.arns).flatmap(mutation_of),
            st.just(json.dumps(PASS)),
            st.sampled_from(shape.enum) if shape.enum else st.text(max_size=5),
        )
    elif kind in ("integer", "long"):
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 1000)
        typed = st.integers(min_value=low - 2, max_value=high + 2) | st.integers()
    elif kind == "boolean":
        typed = st.booleans()
    elif kind == "timestamp":
        typed = st.floats(allow_nan=False) | st.text(max_size=10)
    elif kind == "list" and depth < 3:
        typed = st.lists(_value_for(shape.member, world, depth + 1), max_size=3)
    elif kind == "map" and depth < 3:
        typed = st.dictionaries(st.text(max_size=8), _value_for(shape.value, world, depth + 1))
    elif kind == "structure" and depth < 3:
        typed = _structure_for(shape, world, depth + 1)
    else:
        typed = anything
    return st.one_of(typed, typed, typed, anything)


def _structure_for(shape: Any, world: World, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    members = {name: _value_for(member, world, depth) for name, member in shape.members.items()}
    required = set(shape.required_members)
    return st.fixed_dictionaries(
        {name: value for name, value in members.items() if name in required},
        optional={name: value for name, value in members.items() if name not in required},
    )


MODEL_OPERATIONS = sorted(OPERATIONS)


def _sparing(world: World, operation: str, request: Any) -> Any:
    """``request``, kept off the resources ``World.still_serves`` checks afterwards: they are
    not deleted, stopped or updated (a fuzzed call may name them)."""
    if not isinstance(request, dict):
        return request
    if operation in ("DeleteStateMachine", "DeleteActivity"):
        return {k: v for k, v in request.items() if v not in world.arns}
    if operation == "StopExecution" and request.get("executionArn") == world.task_execution:
        return {k: v for k, v in request.items() if k != "executionArn"}
    if operation == "UpdateStateMachine" and request.get("stateMachineArn") in world.arns:
        return {**request, "stateMachineArn": world.updatable}
    return request


@fuzz_settings(120)
@given(data=st.data(), operation=st.sampled_from(MODEL_OPERATIONS))
def test_requests_shaped_by_the_service_model(
    world: World, data: st.DataObject, operation: str
) -> None:
    FUZZED["shaped by the model"] += 1
    shape = input_shape(operation)
    request = data.draw(_structure_for(shape, world)) if shape is not None else {}
    answer = world.raw.call(operation, _sparing(world, operation, request))
    check_answer(answer, operation)


def _valid_requests(world: World) -> dict[str, dict[str, Any]]:
    return {
        "CreateActivity": {"name": "fuzz-created", "tags": [{"key": "k", "value": "v"}]},
        "DescribeActivity": {"activityArn": world.activity},
        "ListActivities": {"maxResults": 2},
        "CreateStateMachine": {
            "name": "fuzz-created",
            "definition": json.dumps(PASS),
            "roleArn": ROLE_ARN,
            "type": "STANDARD",
            "loggingConfiguration": {"level": "OFF"},
            "tracingConfiguration": {"enabled": False},
            "tags": [{"key": "k", "value": "v"}],
        },
        "DescribeStateMachine": {"stateMachineArn": world.machine},
        "UpdateStateMachine": {
            "stateMachineArn": world.updatable,
            "definition": json.dumps(PASS),
            "roleArn": ROLE_ARN,
        },
        "ListStateMachines": {"maxResults": 1},
        "StartExecution": {"stateMachineArn": world.machine, "input": '{"a": 1}'},
        "StartSyncExecution": {"stateMachineArn": world.express, "input": "[1, 2]"},
        "DescribeExecution": {"executionArn": world.executions[0]},
        "DescribeStateMachineForExecution": {"executionArn": world.executions[1]},
        "ListExecutions": {"stateMachineArn": world.machine, "statusFilter": "SUCCEEDED"},
        "GetExecutionHistory": {
            "executionArn": world.executions[2],
            "maxResults": 2,
            "reverseOrder": True,
            "includeExecutionData": False,
        },
        "GetActivityTask": {"activityArn": world.activity, "workerName": "fuzzer"},
        "TagResource": {"resourceArn": world.activity, "tags": [{"key": "a", "value": "b"}]},
        "UntagResource": {"resourceArn": world.activity, "tagKeys": ["a"]},
        "ListTagsForResource": {"resourceArn": world.task_machine},
        "ValidateStateMachineDefinition": {"definition": json.dumps(PASS), "type": "STANDARD"},
    }


@fuzz_settings(120)
@given(data=st.data())
def test_mutated_valid_requests(world: World, data: st.DataObject) -> None:
    FUZZED["mutated valid requests"] += 1
    valid = _valid_requests(world)
    operation = data.draw(st.sampled_from(sorted(valid)))
    replacements = st.one_of(json_values, hostile_text, st.sampled_from(world.arns))
    request = data.draw(mutated_document(valid[operation], replacements))
    if not isinstance(request, dict):
        request = {"": request}
    answer = world.raw.call(operation, _sparing(world, operation, request))
    check_answer(answer, operation)


# -- task tokens and pagination tokens -------------------------------------------------------

TOKEN_ERRORS = {"InvalidToken", "TaskDoesNotExist", "TaskTimedOut", "ValidationException"}


@fuzz_settings(100)
@given(data=st.data(), operation=st.sampled_from(["SendTaskSuccess", "SendTaskFailure"]))
def test_mutated_task_tokens(world: World, data: st.DataObject, operation: str) -> None:
    FUZZED["task tokens"] += 1
    token = data.draw(
        st.one_of(mutation_of(world.token), hostile_text, st.sampled_from(world.arns))
    )
    if token == world.token:
        return  # the identity mutation (swapcase of a digit-only stretch): nothing to check
    request: dict[str, Any] = {"taskToken": token}
    if operation == "SendTaskSuccess":
        request["output"] = data.draw(st.sampled_from(["{}", "[1]", "{", "x" * 10]))
    answer = world.raw.call(operation, request)
    document = check_answer(answer, operation)
    assert answer.status == 400 and document["__type"] in TOKEN_ERRORS, document
    heartbeat = check_answer(world.raw.call("SendTaskHeartbeat", {"taskToken": token}))
    assert heartbeat["__type"] in TOKEN_ERRORS, heartbeat


def _page_tokens(world: World) -> dict[str, tuple[str, dict[str, Any]]]:
    """A real nextToken of each listing, with the request it continues."""
    requests = {
        "ListActivities": {"maxResults": 1},
        "ListStateMachines": {"maxResults": 1},
        "ListExecutions": {"stateMachineArn": world.machine, "maxResults": 1},
        "GetExecutionHistory": {"executionArn": world.executions[0], "maxResults": 1},
    }
    tokens = {}
    for operation, request in requests.items():
        document = check_answer(world.raw.call(operation, request), operation)
        tokens[operation] = (document["nextToken"], request)
    return tokens


@pytest.fixture(scope="module")
def page_tokens(world: World) -> dict[str, tuple[str, dict[str, Any]]]:
    return _page_tokens(world)


@fuzz_settings(100)
@given(data=st.data())
def test_mutated_pagination_tokens(
    world: World, page_tokens: dict[str, tuple[str, dict[str, Any]]], data: st.DataObject
) -> None:
    FUZZED["pagination tokens"] += 1
    operation = data.draw(st.sampled_from(sorted(page_tokens)))
    _, request = page_tokens[operation]
    source = data.draw(st.sampled_from(sorted(page_tokens)))  # tokens of other listings too
    original = page_tokens[source][0]
    token = data.draw(st.one_of(mutation_of(original), hostile_text, st.just(original)))
    answer = world.raw.call(operation, {**request, "nextToken": token})
    document = check_answer(answer, operation)
    if token == original and source == operation:
        assert answer.status == 200, document
    elif answer.status != 200:
        assert document["__type"] in {"InvalidToken", "ValidationException"}, document


# -- definitions -----------------------------------------------------------------------------


def _seed_definitions(world: World) -> list[dict[str, Any]]:
    activity = world.activity
    return [
        PASS,
        _activity_machine(activity),
        {
            "Comment": "choice, wait, fail",
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "W"},
                        {
                            "And": [
                                {"Variable": "$.s", "IsPresent": True},
                                {"Not": {"Variable": "$.s", "StringMatches": "a*"}},
                            ],
                            "Next": "F",
                        },
                    ],
                    "Default": "S",
                },
                "W": {"Type": "Wait", "Seconds": 1, "Next": "S"},
                "F": {"Type": "Fail", "Error": "E", "Cause": "c"},
                "S": {"Type": "Succeed"},
            },
        },
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": 2,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "I",
                        "States": {
                            "I": {
                                "Type": "Pass",
                                "Parameters": {"v.$": "$", "f.$": "States.Format('{}', $)"},
                                "End": True,
                            }
                        },
                    },
                    "ResultPath": "$.out",
                    "Next": "P",
                },
                "P": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                        {
                            "StartAt": "B",
                            "States": {"B": {"Type": "Pass", "Result": [1], "End": True}},
                        },
                    ],
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                    "Next": "Done",
                },
                "Done": {"Type": "Succeed"},
            },
        },
        {
            "QueryLanguage": "JSONata",
            "StartAt": "J",
            "States": {
                "J": {
                    "Type": "Pass",
                    "Assign": {"total": "{% $sum($states.input.items) %}"},
                    "Output": {"t": "{% $total %}", "n": "{% $count($states.input.items) %}"},
                    "Next": "K",
                },
                "K": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $total > 2 %}", "Next": "End"}],
                    "Default": "End",
                },
                "End": {"Type": "Succeed", "Output": "{% $states.input %}"},
            },
        },
    ]


inputs = st.sampled_from(
    ['{"n": 2, "s": "b", "items": [1, 2, 3]}', '{"items": []}', "{}", '{"items": "x"}', "[]"]
)


@fuzz_settings(100)
@given(data=st.data(), execution_input=inputs)
def test_mutated_definitions(world: World, data: st.DataObject, execution_input: str) -> None:
    """Each definition is refused with InvalidDefinition by both CreateStateMachine and
    ValidateStateMachineDefinition, or accepted by both and runnable: its execution ends (or
    waits) without an internal error."""
    FUZZED["definitions"] += 1
    seed = data.draw(st.sampled_from(_seed_definitions(world)))
    definition = data.draw(st.one_of(mutated_document(seed), json_values, st.just(seed)))
    text = json.dumps(definition)
    validated = check_answer(
        world.raw.call("ValidateStateMachineDefinition", {"definition": text}),
        "ValidateStateMachineDefinition",
    )
    name = f"fuzz-def-{FUZZED['definitions']}"
    created = check_answer(
        world.raw.call(
            "CreateStateMachine", {"name": name, "definition": text, "roleArn": ROLE_ARN}
        ),
        "CreateStateMachine",
    )
    if "__type" in created:
        assert created["__type"] == "InvalidDefinition", created
        assert validated["result"] == "FAIL", (validated, created)
        return
    assert validated["result"] == "OK", (validated, definition)
    arn = created["stateMachineArn"]
    started = check_answer(
        world.raw.call("StartExecution", {"stateMachineArn": arn, "input": execution_input}),
        "StartExecution",
    )
    described = check_answer(
        world.raw.call("DescribeExecution", {"executionArn": started["executionArn"]})
    )
    assert described["status"] in {"RUNNING", "SUCCEEDED", "FAILED"}, described
    assert "Internal engine error" not in described.get("cause", ""), described
    world.raw.call("DeleteStateMachine", {"stateMachineArn": arn})


# -- bytes on the wire -----------------------------------------------------------------------


def _request_bytes(world: World) -> bytes:
    body = json.dumps({"activityArn": world.activity}).encode()
    return (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.DescribeActivity\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


@fuzz_settings(60)
@given(data=st.data())
def test_random_and_mutated_bytes_on_the_wire(world: World, data: st.DataObject) -> None:
    """Raw bytes: each response the server writes is a 2xx/4xx (a malformed request gets a JSON
    4xx, then the connection closes), never a 5xx; the server keeps accepting connections."""
    FUZZED["raw connections"] += 1
    valid = _request_bytes(world)

    def mutate(raw: bytes) -> bytes:
        index = data.draw(st.integers(0, len(raw) - 1))
        kind = data.draw(st.sampled_from(["replace", "delete", "insert", "truncate", "repeat"]))
        byte = data.draw(st.binary(min_size=1, max_size=4))
        if kind == "replace":
            return raw[:index] + byte + raw[index + 1 :]
        if kind == "delete":
            return raw[:index] + raw[index + 1 :]
        if kind == "insert":
            return raw[:index] + byte + raw[index:]
        if kind == "truncate":
            return raw[:index]
        return raw[:index] * 2

    raw = data.draw(
        st.one_of(st.binary(max_size=300), st.just(valid).map(mutate), st.just(valid + valid))
    )
    host, port = world.raw.host, world.raw.port
    received = send_raw(host, port, raw, timeout=2.0)
    codes = statuses(received)
    assert all(code < 500 for code in codes), received[:500]


# -- execution input -------------------------------------------------------------------------

DATAFLOW = {
    "StartAt": "Shape",
    "States": {
        "Shape": {
            "Type": "Pass",
            "Parameters": {
                "all.$": "$",
                "first.$": "States.ArrayGetItem(States.Array($), 0)",
                "text.$": "States.JsonToString($)",
                "hash.$": "States.Hash(States.JsonToString($), 'SHA-256')",
                "ctx.$": "$$.Execution.Input",
            },
            "ResultPath": "$",
            "Next": "Route",
        },
        "Route": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.all.n", "NumericGreaterThan": 1, "Next": "Each"},
                {"Variable": "$.all.s", "StringMatches": "a*", "Next": "Each"},
                {
                    "Variable": "$.all.t",
                    "TimestampLessThan": "2030-01-01T00:00:00Z",
                    "Next": "Each",
                },
            ],
            "Default": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.all.items",
            "ItemSelector": {"item.$": "$$.Map.Item.Value", "at.$": "$$.Map.Item.Index"},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Len",
                "States": {
                    "Len": {
                        "Type": "Pass",
                        "Parameters": {"n.$": "States.ArrayLength($.item)"},
                        "End": True,
                    }
                },
            },
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Jsonata"}],
            "ResultPath": "$.lengths",
            "Next": "Jsonata",
        },
        "Jsonata": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Output": {"keys": "{% $keys($states.input) %}", "n": "{% $count($states.input) %}"},
            "End": True,
        },
    },
}


def run_to_end(world: World, arn: str, value: Any) -> dict[str, Any]:
    """Start ``arn`` with ``value`` as input (raw requests) and its description once ended."""
    started = check_answer(
        world.raw.call("StartExecution", {"stateMachineArn": arn, "input": json.dumps(value)}),
        "StartExecution",
    )
    deadline = time.monotonic() + 10
    while True:
        described = check_answer(
            world.raw.call("DescribeExecution", {"executionArn": started["executionArn"]})
        )
        if described["status"] != "RUNNING":
            return described
        assert time.monotonic() < deadline, described
        time.sleep(0.005)


@fuzz_settings(80)
@given(value=json_values | st.dictionaries(st.sampled_from(["n", "s", "t", "items"]), json_values))
def test_random_execution_input(world: World, value: Any) -> None:
    """Any JSON input runs a data-heavy definition to SUCCEEDED or to a States.* failure."""
    FUZZED["execution inputs"] += 1
    arn = world.dataflow
    described = run_to_end(world, arn, value)
    assert described["status"] in {"SUCCEEDED", "FAILED"}, described
    if described["status"] == "FAILED":
        assert described["error"].startswith("States."), described
        assert "Internal engine error" not in described.get("cause", ""), described


# -- expressions: intrinsic functions and JSONata ---------------------------------------------

#: intrinsic functions and their argument counts (the checker refuses other counts); at most 4
#: arguments where any number is allowed
INTRINSICS = {name: (low, 4 if high is None else high) for name, (low, high) in FUNCTIONS.items()}
intrinsic_arguments = st.one_of(
    st.sampled_from(["$.a", "$.b", "$.list", "$.n", "$", "$$.Execution.Name", "$.missing"]),
    st.integers(-3, 3).map(str),
    st.sampled_from(["1000000", "-1", "0.5", "1e3", "true", "false", "null"]),
    st.sampled_from(["'{}'", "'x'", "''", "'SHA-256'", "'MD5'", "'a,b'", "','", "'{} {}'"]),
)


@st.composite
def intrinsic_calls(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(sorted(INTRINSICS)))
    low, high = INTRINSICS[name]
    count = draw(st.integers(low, high) | st.integers(0, 4))
    argument = intrinsic_arguments
    if depth < 2:
        argument = st.one_of(intrinsic_arguments, intrinsic_calls(depth + 1))
    arguments = [draw(argument) for _ in range(count)]
    return f"{name}({', '.join(arguments)})"


expression_inputs = st.fixed_dictionaries(
    {},
    optional={
        "a": json_values,
        "b": json_values,
        "list": st.lists(json_values, max_size=5),
        "n": st.integers(-5, 2000) | st.floats(allow_nan=False, allow_infinity=False),
    },
)


def _run_expression_machine(world: World, definition: dict[str, Any], value: Any) -> None:
    name = f"fuzz-expr-{sum(FUZZED.values())}"
    created = check_answer(
        world.raw.call(
            "CreateStateMachine",
            {"name": name, "definition": json.dumps(definition), "roleArn": ROLE_ARN},
        ),
        "CreateStateMachine",
    )
    if "__type" in created:
        assert created["__type"] == "InvalidDefinition", created
        OUTCOMES["refused"] += 1
        return
    arn = created["stateMachineArn"]
    described = run_to_end(world, arn, value)
    assert described["status"] in {"SUCCEEDED", "FAILED"}, described
    OUTCOMES[described["status"]] += 1
    if described["status"] == "FAILED":
        OUTCOMES[described["error"]] += 1
        assert described["error"].startswith("States."), described
        assert "Internal engine error" not in described.get("cause", ""), described
    world.raw.call("DeleteStateMachine", {"stateMachineArn": arn})


@fuzz_settings(80)
@given(call=intrinsic_calls(), value=expression_inputs)
def test_random_intrinsic_function_calls(world: World, call: str, value: Any) -> None:
    """Any intrinsic call the checker accepts evaluates, or fails the execution with a
    States.* error (States.IntrinsicFailure, States.Runtime), on any input."""
    FUZZED["intrinsic calls"] += 1
    definition = {
        "StartAt": "Call",
        "States": {"Call": {"Type": "Pass", "Parameters": {"r.$": call}, "End": True}},
    }
    _run_expression_machine(world, definition, value)


JSONATA_ATOMS = st.sampled_from(
    [
        "$states.input",
        "$states.input.a",
        "$states.input.b",
        "$states.input.list",
        "$states.input.n",
        "$states.input.list[0]",
        "$states.input.list[-1]",
        "$states.context.Execution.Name",
        "1",
        "0",
        "-1",
        "2.5",
        "1e308",
        "9007199254740993",
        "'x'",
        "''",
        "'2024-01-01T00:00:00Z'",
        "true",
        "false",
        "null",
        "[1, 'a', null]",
        "[]",
        "{'k': 1}",
        "{}",
    ]
)
JSONATA_OPERATORS = ["+", "-", "*", "/", "%", "&", "=", "!=", "<", ">=", "and", "or", "in"]
JSONATA_FUNCTIONS = {
    "$sum": 1,
    "$count": 1,
    "$max": 1,
    "$average": 1,
    "$string": 1,
    "$number": 1,
    "$boolean": 1,
    "$not": 1,
    "$keys": 1,
    "$length": 1,
    "$uppercase": 1,
    "$trim": 1,
    "$sort": 1,
    "$reverse": 1,
    "$distinct": 1,
    "$exists": 1,
    "$type": 1,
    "$abs": 1,
    "$floor": 1,
    "$sqrt": 1,
    "$parse": 1,
    "$toMillis": 1,
    "$fromMillis": 1,
    "$base64encode": 1,
    "$substring": 2,
    "$split": 2,
    "$join": 2,
    "$append": 2,
    "$lookup": 2,
    "$power": 2,
    "$round": 2,
    "$contains": 2,
    "$pad": 2,
    "$formatNumber": 2,
    "$formatBase": 2,
    "$partition": 2,
    "$hash": 2,
    "$range": 2,
    "$merge": 1,
    "$zip": 2,
    "$random": 0,
    "$uuid": 0,
    "$now": 0,
    "$millis": 0,
}


@st.composite
def jsonata_expressions(draw: st.DrawFn, depth: int = 0) -> str:
    """A JSONata expression: atoms, operators, calls, conditions, filters, lambdas."""
    if depth >= 3:
        return draw(JSONATA_ATOMS)
    kind = draw(
        st.sampled_from(["atom", "binary", "call", "call", "condition", "filter", "map", "block"])
    )
    inner = jsonata_expressions(depth + 1)
    if kind == "atom":
        return draw(JSONATA_ATOMS)
    if kind == "binary":
        operator = draw(st.sampled_from(JSONATA_OPERATORS))
        return f"({draw(inner)} {operator} {draw(inner)})"
    if kind == "call":
        name = draw(st.sampled_from(sorted(JSONATA_FUNCTIONS)))
        count = draw(st.just(JSONATA_FUNCTIONS[name]) | st.integers(0, 3))
        return f"{name}({', '.join(draw(inner) for _ in range(count))})"
    if kind == "condition":
        return f"({draw(inner)} ? {draw(inner)} : {draw(inner)})"
    if kind == "filter":
        return f"{draw(inner)}[{draw(inner)}]"
    if kind == "map":
        function = draw(st.sampled_from(["$map", "$filter", "$reduce"]))
        parameters = "$a, $b" if function == "$reduce" else "$x"
        body = draw(st.sampled_from(["$x", "$a & $b", "$x * 2", "$string($x)", "$b"]))
        return f"{function}({draw(inner)}, function({parameters}){{ {body} }})"
    return f"($v := {draw(inner)}; [$v, {draw(inner)}])"


@fuzz_settings(80)
@given(expression=jsonata_expressions(), value=expression_inputs)
def test_random_jsonata_expressions(world: World, expression: str, value: Any) -> None:
    """Any JSONata the checker accepts evaluates, or fails the execution with a States.* error
    (States.QueryEvaluationError, States.Runtime), on any input."""
    FUZZED["JSONata expressions"] += 1
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Eval",
        "States": {
            "Eval": {
                "Type": "Pass",
                "Assign": {"v": "{% " + expression + " %}"},
                "Output": {"r": "{% " + expression + " %}"},
                "End": True,
            }
        },
    }
    _run_expression_machine(world, definition, value)


# -- message framing: Content-Length and chunk sizes -------------------------------------------

_HEAD = (
    b"POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\n"
)
framing_text = st.text(alphabet="0123456789abcdefABCDEF+-_ x;", max_size=6)


def _answer_of(world: World, request: bytes) -> bytes:
    """The first response to ``request`` on a connection the client keeps open (a server
    waiting for bytes the framing promised would time the read out: a failure)."""
    with socket.create_connection((world.raw.host, world.raw.port), timeout=5) as sock:
        sock.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            assert chunk, "closed without an answer"
            received += chunk
        return received


@fuzz_settings(60)
@given(value=framing_text, chunked=st.booleans())
def test_content_lengths_and_chunk_sizes(world: World, value: str, chunked: bool) -> None:
    """A framing value that is not digits (hex digits for a chunk) is a 400 at once, never a
    wait for bytes that never come; a valid one is read as that many bytes."""
    FUZZED["framing"] += 1
    digits = "0123456789abcdefABCDEF" if chunked else "0123456789"
    # a chunk size may carry extensions after ';' (RFC 9112)
    text = (value.split(";", 1)[0] if chunked else value).strip()
    valid = bool(text) and all(c in digits for c in text)
    size = int(text, 16 if chunked else 10) if valid else 2
    if size > 1000:
        return  # a large valid size: the server rightly waits for the bytes
    body = b"{}".ljust(size)[:size]
    if chunked:
        request = _HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + value.encode() + b"\r\n"
        request += body + b"\r\n0\r\n\r\n"
    else:
        request = _HEAD + b"Content-Length: " + value.encode() + b"\r\n\r\n" + body
    status = statuses(_answer_of(world, request))[0]
    if not valid:
        assert status == 400
    else:
        assert status in (200, 400)  # 400: a body of one byte is not JSON


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: -1\r\n\r\n{}",
        b"Content-Length: +2\r\n\r\n{}",
        b"Content-Length: 2_0\r\n\r\n{}",
        b"Content-Length: 0x2\r\n\r\n{}",
        b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{} ",
        b"Transfer-Encoding: chunked\r\n\r\n-1\r\n{}\r\n0\r\n\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n1_0\r\n{}\r\n0\r\n\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n+2\r\n{}\r\n0\r\n\r\n",
    ],
)
def test_malformed_framing_is_a_serialization_exception_at_once(
    world: World, framing: bytes
) -> None:
    answer = _answer_of(world, _HEAD + framing)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in head
    assert body.startswith(b'{"__type":"SerializationException"')


# -- concurrent random calls -----------------------------------------------------------------

CONCURRENT_THREADS = 6
CONCURRENT_CALLS = 60  # per thread


def _random_call(world: World, rng: random.Random, tokens: list[str]) -> tuple[str, dict[str, Any]]:
    """One random call on a small set of names, so that threads collide on the same resources."""
    prefix = f"arn:aws:states:{world.engine.region}:{world.engine.account_id}"
    name = rng.choice(["race-a", "race-b", "race-c"])
    machine = f"{prefix}:stateMachine:{name}"
    activity = f"{prefix}:activity:{name}"
    execution = f"{prefix}:execution:{name}:{rng.choice(['x', 'y'])}"
    definitions = [
        json.dumps(PASS),
        json.dumps(_activity_machine(activity)),
        json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}),
    ]
    choices: list[tuple[str, dict[str, Any]]] = [
        (
            "CreateStateMachine",
            {"name": name, "definition": rng.choice(definitions), "roleArn": ROLE_ARN},
        ),
        ("UpdateStateMachine", {"stateMachineArn": machine, "definition": rng.choice(definitions)}),
        ("DeleteStateMachine", {"stateMachineArn": machine}),
        ("StartExecution", {"stateMachineArn": machine, "name": execution.rsplit(":", 1)[1]}),
        ("StopExecution", {"executionArn": execution}),
        ("DescribeExecution", {"executionArn": execution}),
        ("GetExecutionHistory", {"executionArn": execution, "maxResults": 2}),
        ("ListExecutions", {"stateMachineArn": machine, "maxResults": 1}),
        ("DescribeStateMachineForExecution", {"executionArn": execution}),
        ("CreateActivity", {"name": name}),
        ("DeleteActivity", {"activityArn": activity}),
        ("GetActivityTask", {"activityArn": activity}),
        ("TagResource", {"resourceArn": machine, "tags": [{"key": name, "value": "v"}]}),
        ("UntagResource", {"resourceArn": activity, "tagKeys": [name]}),
        ("ListTagsForResource", {"resourceArn": rng.choice([machine, activity])}),
        ("ListStateMachines", {"maxResults": 2}),
    ]
    if tokens:
        token = rng.choice(tokens)
        choices.append(("SendTaskSuccess", {"taskToken": token, "output": "{}"}))
        choices.append(("SendTaskHeartbeat", {"taskToken": token}))
    return rng.choice(choices)


def test_concurrent_random_calls_on_shared_resources(world: World) -> None:
    """Threads racing on the same few state machines, activities and executions: every answer
    is an AWS answer, and the engine logs no internal error (checked after the test)."""
    tokens: list[str] = []
    problems: list[str] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        raw = RawClient(world.engine.endpoint_url)
        try:
            for _ in range(CONCURRENT_CALLS):
                operation, request = _random_call(world, rng, tokens)
                answer = raw.call(operation, request)
                try:
                    document = check_answer(answer, operation)
                except AssertionError as error:
                    problems.append(f"{operation} {request}: {error}")
                    continue
                if operation == "GetActivityTask" and document.get("taskToken"):
                    tokens.append(document["taskToken"])
        finally:
            raw.close()

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(CONCURRENT_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    FUZZED["concurrent calls"] += CONCURRENT_THREADS * CONCURRENT_CALLS
    assert not any(thread.is_alive() for thread in threads)
    assert not problems, problems[:5]
