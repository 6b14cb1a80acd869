"""Every operation, every member, hostile values: an AWS error code with HTTP 400 (or success),
never a 500, and the engine still serving afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine
from sfini_runtime.local.service.operations import OPERATIONS
from sfini_runtime.local.service.validation import input_shape
from tests.sfini_runtime.local.service.helpers import PASS_DEFINITION, ROLE_ARN, unique

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:states:us-east-1:{ACCOUNT}"
TARGET = "AWSStepFunctions."
API_ERRORS = {
    "ValidationException",
    "InvalidArn",
    "InvalidName",
    "InvalidToken",
    "InvalidDefinition",
    "InvalidExecutionInput",
    "InvalidOutput",
    "TaskDoesNotExist",
    "ActivityDoesNotExist",
    "StateMachineDoesNotExist",
    "StateMachineAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionAlreadyExists",
    "ResourceNotFound",
    "TooManyTags",
    "InvalidLoggingConfiguration",
    "InvalidTracingConfiguration",
    "StateMachineTypeNotSupported",
    "ActivityAlreadyExists",
    "SerializationException",
    "ConflictException",
    "ServiceQuotaExceededException",
}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    with LocalEngine(activity_poll_seconds=0.05) as engine:
        yield engine


@pytest.fixture
def engine(local: LocalEngine) -> tuple[LocalEngine, dict[str, str]]:
    """The engine and a fresh state machine, activity and execution (tests delete them)."""
    service, name = local.service, unique("r")
    machine = service.call(
        "CreateStateMachine", {"name": name, "definition": PASS_DEFINITION, "roleArn": ROLE_ARN}
    )["stateMachineArn"]
    activity = service.call("CreateActivity", {"name": name})["activityArn"]
    execution = service.call("StartExecution", {"stateMachineArn": machine, "name": "e"})[
        "executionArn"
    ]
    return local, {"machine": machine, "activity": activity, "execution": execution}


def _hostile(arns: dict[str, str]) -> list[Any]:
    machine, activity, execution = arns["machine"], arns["activity"], arns["execution"]
    return [
        None,
        "",
        "x" * 81,
        "x" * 300_000,
        "\x00",
        "\ud800",
        "arn:",
        machine,
        activity,
        execution,
        machine.replace("us-east-1", "eu-west-1"),
        machine.replace(ACCOUNT, "999999999999"),
        machine.replace("arn:aws:", "arn:aws-cn:"),
        machine + ":1",
        execution + ":extra",
        f"{PREFIX}:mapRun:m/x:y",
        f"{PREFIX}:execution::",
        "arn:aws:lambda:us-east-1:1:function:f",
        "eyJ4IjoxfQ==",
        "null",
        0,
        -1,
        10**30,
        1.5,
        True,
        [],
        [None],
        {},
        {"a": 1},
        [{"key": "k", "value": "v"}] * 60,
        [{"key": "a\x00", "value": "v"}],
    ]


def _base(member: str, arns: dict[str, str]) -> Any:
    return {
        "stateMachineArn": arns["machine"],
        "activityArn": arns["activity"],
        "executionArn": arns["execution"],
        "resourceArn": arns["machine"],
        "name": "n",
        "definition": PASS_DEFINITION,
        "roleArn": ROLE_ARN,
        "taskToken": "token",
    }.get(member)


def _body(request: dict[str, Any]) -> bytes:
    return json.dumps(request).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_hostile_members_get_aws_errors(
    engine: tuple[LocalEngine, dict[str, str]], operation: str
) -> None:
    local, arns = engine
    shape = input_shape(operation)
    members = list(shape.members) if shape is not None else []
    base = {m: _base(m, arns) for m in members if _base(m, arns) is not None}
    answered = 0
    for member in members:
        for value in _hostile(arns):
            request = {**base, member: value}
            status, body = local.service.handle(TARGET + operation, _body(request))
            document = json.loads(body)
            assert status in (200, 400), (operation, member, value, document)
            if status == 400:
                assert document["__type"] in API_ERRORS, (operation, member, value, document)
            answered += 1
    assert answered == len(members) * len(_hostile(arns))
    health = local.service.handle(TARGET + "ListActivities", b"{}")
    assert health[0] == 200


@pytest.mark.parametrize(
    ("operation", "member", "arn_of", "code"),
    [
        ("DescribeStateMachine", "stateMachineArn", "activity", "InvalidArn"),
        ("StartExecution", "stateMachineArn", "execution", "InvalidArn"),
        ("DescribeExecution", "executionArn", "machine", "InvalidArn"),
        ("GetExecutionHistory", "executionArn", "activity", "InvalidArn"),
        ("DescribeActivity", "activityArn", "machine", "InvalidArn"),
        ("GetActivityTask", "activityArn", "execution", "InvalidArn"),
        ("ListExecutions", "stateMachineArn", "activity", "InvalidArn"),
        ("ListTagsForResource", "resourceArn", "execution", "InvalidArn"),
        ("StopExecution", "executionArn", "machine", "InvalidArn"),
    ],
)
def test_an_arn_of_the_wrong_kind_is_invalid(
    engine: tuple[LocalEngine, dict[str, str]], operation: str, member: str, arn_of: str, code: str
) -> None:
    local, arns = engine
    status, body = local.service.handle(TARGET + operation, _body({member: arns[arn_of]}))
    assert (status, json.loads(body)["__type"]) == (400, code)


@pytest.mark.parametrize(
    ("region", "account", "partition"),
    [
        ("eu-west-1", ACCOUNT, "aws"),
        ("us-east-1", "999999999999", "aws"),
        ("us-east-1", ACCOUNT, "aws-cn"),
    ],
)
def test_an_arn_of_another_region_account_or_partition_does_not_exist(
    engine: tuple[LocalEngine, dict[str, str]], region: str, account: str, partition: str
) -> None:
    local, arns = engine
    machine_name = arns["machine"].rsplit(":", 1)[1]
    arn = f"arn:{partition}:states:{region}:{account}:stateMachine:{machine_name}"
    status, body = local.service.handle(
        TARGET + "DescribeStateMachine", _body({"stateMachineArn": arn})
    )
    assert (status, json.loads(body)["__type"]) == (400, "StateMachineDoesNotExist")
