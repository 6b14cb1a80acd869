"""Bad requests get AWS's error code and message, HTTP 400, never a 500 (table-driven)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sfini_runtime.local.service.helpers import PASS_DEFINITION, ROLE_ARN
from tests.sfini_runtime.local.service.test_protocol import post

ACCOUNT = "123456789012"
MISSING_MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:missing"
MISSING_ACTIVITY = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:missing"
MISSING_EXECUTION = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:missing:run"
NULL = "failed to satisfy constraint: Member must not be null"

CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # operation, request, error code, message
    (
        "CreateActivity",
        {},
        "ValidationException",
        f"1 validation error detected: Value null at 'name' {NULL}",
    ),
    (
        "CreateActivity",
        {"name": "x" * 81},
        "ValidationException",
        f"1 validation error detected: Value '{'x' * 81}' at 'name' failed to satisfy "
        "constraint: Member must have length less than or equal to 80",
    ),
    (
        "CreateActivity",
        {"name": 7},
        "ValidationException",
        "1 validation error detected: Value '7' at 'name' failed to satisfy constraint: "
        "Member must be of type string",
    ),
    ("CreateActivity", {"name": "has space"}, "InvalidName", "Invalid Name: 'has space'"),
    ("CreateActivity", {"name": "a/b"}, "InvalidName", "Invalid Name: 'a/b'"),
    ("CreateActivity", {"name": "tab\there"}, "InvalidName", "Invalid Name: 'tab\there'"),
    (
        "CreateStateMachine",
        {"definition": PASS_DEFINITION},
        "ValidationException",
        f"2 validation errors detected: Value null at 'name' {NULL}; "
        f"Value null at 'roleArn' {NULL}",
    ),
    (
        "CreateStateMachine",
        {"name": "m", "definition": PASS_DEFINITION, "roleArn": "not-an-arn"},
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: not-an-arn'",
    ),
    (
        "CreateStateMachine",
        {"name": "m", "definition": PASS_DEFINITION, "roleArn": ROLE_ARN, "type": "FAST"},
        "ValidationException",
        "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]",
    ),
    (
        "CreateStateMachine",
        {"name": "m", "definition": "{not json", "roleArn": ROLE_ARN},
        "InvalidDefinition",
        "",
    ),
    (
        "CreateStateMachine",
        {
            "name": "m",
            "definition": PASS_DEFINITION,
            "roleArn": ROLE_ARN,
            "versionDescription": "v",
        },
        "ValidationException",
        "Version description can only be set when publish is true",
    ),
    (
        "CreateStateMachine",
        {
            "name": "m",
            "definition": PASS_DEFINITION,
            "roleArn": ROLE_ARN,
            "tags": [{"key": "k", "value": 1}],
        },
        "ValidationException",
        "1 validation error detected: Value '1' at 'tags.1.member.value' failed to satisfy "
        "constraint: Member must be of type string",
    ),
    (
        "DescribeStateMachine",
        {"stateMachineArn": MISSING_MACHINE},
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{MISSING_MACHINE}'",
    ),
    (
        "DescribeStateMachine",
        {"stateMachineArn": "arn:aws:sqs:us-east-1:123456789012:queue"},
        "InvalidArn",
        "Invalid Arn: 'Invalid ARN prefix: arn:aws:sqs:us-east-1:123456789012:queue'",
    ),
    (
        "DescribeStateMachine",
        {"stateMachineArn": MISSING_ACTIVITY},
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: activity'",
    ),
    (
        "DescribeActivity",
        {"activityArn": MISSING_ACTIVITY},
        "ActivityDoesNotExist",
        f"Activity Does Not Exist: '{MISSING_ACTIVITY}'",
    ),
    (
        "DescribeActivity",
        {"activityArn": f"arn:aws:states:us-east-1:{ACCOUNT}:activity"},
        "InvalidArn",
        "Invalid Arn: 'Invalid Arn resource id: activity'",
    ),
    (
        "GetActivityTask",
        {"activityArn": MISSING_ACTIVITY},
        "ActivityDoesNotExist",
        f"Activity Does Not Exist: '{MISSING_ACTIVITY}'",
    ),
    (
        "DescribeExecution",
        {"executionArn": MISSING_EXECUTION},
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{MISSING_EXECUTION}'",
    ),
    (
        "DescribeExecution",
        {"executionArn": MISSING_MACHINE},
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: stateMachine'",
    ),
    (
        "GetExecutionHistory",
        {"executionArn": MISSING_EXECUTION},
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{MISSING_EXECUTION}'",
    ),
    (
        "StopExecution",
        {"executionArn": MISSING_EXECUTION},
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{MISSING_EXECUTION}'",
    ),
    (
        "DescribeStateMachineForExecution",
        {"executionArn": MISSING_EXECUTION},
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{MISSING_EXECUTION}'",
    ),
    (
        "StartExecution",
        {"stateMachineArn": MISSING_MACHINE},
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{MISSING_MACHINE}'",
    ),
    (
        "ListExecutions",
        {"stateMachineArn": MISSING_MACHINE, "statusFilter": "DONE"},
        "ValidationException",
        "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]",
    ),
    (
        "ListExecutions",
        {},
        "ValidationException",
        "1 validation error detected: Must provide a StateMachine ARN or MapRun ARN",
    ),
    (
        "ListExecutions",
        {"stateMachineArn": MISSING_MACHINE},
        "StateMachineDoesNotExist",
        f"State Machine Does Not Exist: '{MISSING_MACHINE}'",
    ),
    (
        "ListActivities",
        {"maxResults": 1001},
        "ValidationException",
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000",
    ),
    (
        "ListActivities",
        {"maxResults": True},
        "ValidationException",
        "1 validation error detected: Value 'true' at 'maxResults' failed to satisfy "
        "constraint: Member must be of type integer",
    ),
    ("ListStateMachines", {"nextToken": "forged"}, "InvalidToken", "Invalid Token: 'forged'"),
    (
        "SendTaskSuccess",
        {"taskToken": "t"},
        "ValidationException",
        f"1 validation error detected: Value null at 'output' {NULL}",
    ),
    (
        "TagResource",
        {"resourceArn": MISSING_ACTIVITY, "tags": []},
        "ResourceNotFound",
        f"Resource not found: '{MISSING_ACTIVITY}'",
    ),
    (
        "TagResource",
        {"resourceArn": MISSING_EXECUTION, "tags": []},
        "InvalidArn",
        "Invalid Arn: 'Resource type not valid in this context: execution'",
    ),
    (
        "ListTagsForResource",
        {"resourceArn": MISSING_MACHINE},
        "ResourceNotFound",
        f"Resource not found: '{MISSING_MACHINE}'",
    ),
    (
        "UntagResource",
        {"resourceArn": MISSING_MACHINE, "tagKeys": [""]},
        "ValidationException",
        "1 validation error detected: Value '' at 'tagKeys.1.member' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
    ),
    *[
        (
            "TagResource",
            {"resourceArn": MISSING_MACHINE, "tags": [{"key": key, "value": value}]},
            "ValidationException",
            f"1 validation error detected: Value '{bad}' at 'tags.1.member.{member}' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
        )
        for key, value, bad, member in [
            ("team#1", "ok", "team#1", "key"),
            ("team", "a|b", "a|b", "value"),
            ("tab\there", "", "tab\there", "key"),
        ]
    ],
    (
        "UntagResource",
        {"resourceArn": MISSING_MACHINE, "tagKeys": ["a*"]},
        "ValidationException",
        "1 validation error detected: Value 'a*' at 'tagKeys.1.member' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
    ),
]


def _method(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


@pytest.mark.parametrize(("operation", "request_", "code", "message"), CASES)
def test_bad_request(
    raw_sfn: Any, operation: str, request_: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(ClientError) as caught:
        getattr(raw_sfn, _method(operation))(**request_)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == code
    if message:
        assert response["Error"]["Message"] == message
    else:
        assert response["Error"]["Message"]


def test_invalid_execution_input(raw_sfn: Any) -> None:
    machine = raw_sfn.create_state_machine(
        name="bad-input-machine", definition=PASS_DEFINITION, roleArn=ROLE_ARN
    )["stateMachineArn"]
    deep = "[" * 100_000 + "]" * 100_000
    for text in ("{not json", "NaN", '{"a": Infinity}', "", "1e999", '{"a": [-1e400]}', deep):
        with pytest.raises(ClientError) as caught:
            raw_sfn.start_execution(stateMachineArn=machine, input=text)
        error = caught.value.response["Error"]
        assert error["Code"] == "InvalidExecutionInput", text
        assert error["Message"].startswith("Invalid State Machine Execution Input: '")
    too_big = '"' + "x" * (256 * 1024) + '"'
    with pytest.raises(ClientError) as caught:
        raw_sfn.start_execution(stateMachineArn=machine, input=too_big)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert (
        "at 'input' failed to satisfy constraint: Member must have length less than or "
        in (caught.value.response["Error"]["Message"])
    )


def test_tags_accept_unicode_letters_digits_spaces_and_the_allowed_symbols(sfn: Any) -> None:
    arn = sfn.create_activity(name="tag-characters")["activityArn"]
    tags = [{"key": "Équipe 1_.:/=+-@", "value": "données ٣ x"}, {"key": "empty", "value": ""}]
    sfn.tag_resource(resourceArn=arn, tags=tags)
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == tags


@pytest.mark.parametrize(
    ("operation", "feature"),
    [
        ("DescribeMapRun", "Distributed Map runs"),
        ("RedriveExecution", "execution redrives"),
    ],
)
def test_operations_the_engine_lacks_say_what_is_missing(
    local: Any, operation: str, feature: str
) -> None:
    status, document, _ = post(local, b"{}", f"AWSStepFunctions.{operation}")
    assert status == 400
    assert document["__type"] == "UnknownOperationException"
    assert document["message"] == (
        f"Operation {operation} is not supported by the local engine: {feature} are not "
        "implemented (AWS has them)"
    )


@pytest.mark.parametrize(
    ("definition", "problem", "where"),
    [
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}},
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere",
            "/States/A/Next",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Bogus", "End": True}}},
            'SCHEMA_VALIDATION_FAILED: The field "Type" should have one of these values',
            "/States/A/Type",
        ),
        (
            {"StartAt": "B", "States": {"A": {"Type": "Pass", "End": True}}},
            "MISSING_TRANSITION_TARGET: Missing 'Next' target: B",
            "/StartAt",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Task", "End": True}}},
            "SCHEMA_VALIDATION_FAILED: The field 'Resource' is required",
            "/States/A",
        ),
        (
            {
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "End": True, "Parameters": {"x.$": "States.Nope()"}}
                },
            },
            "States.Nope is not an intrinsic function",
            "/States/A/Parameters",
        ),
        ("{not json", "INVALID_JSON_DESCRIPTION", "/"),
    ],
)
def test_an_invalid_definition_names_the_state_and_the_problem(
    raw_sfn: Any, definition: Any, problem: str, where: str
) -> None:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(ClientError) as caught:
        raw_sfn.create_state_machine(name="invalid", definition=text, roleArn=ROLE_ARN)
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "InvalidDefinition"
    message = response["Error"]["Message"]
    assert message.startswith("Invalid State Machine Definition: '")
    assert problem in message
    assert f" at {where}" in message
