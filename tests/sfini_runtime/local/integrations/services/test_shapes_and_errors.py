"""Tables: Java SDK 2.x names, request and result shaping by botocore's model, error names
and causes built from a service's error response."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfini_runtime.local.integrations.services.aws_sdk import botocore_name, sdk_operation
from sfini_runtime.local.integrations.services.endpoints import service_model
from sfini_runtime.local.integrations.services.errors import (
    ParameterError,
    java_v2_name,
    optimised_failure,
    sdk_failure,
)
from sfini_runtime.local.integrations.services.shapes import build_request, shape_result


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DynamoDB", "DynamoDb"),
        ("SFN", "Sfn"),
        ("ACM PCA", "AcmPca"),
        ("S3", "S3"),
        ("EC2", "Ec2"),
        ("EventBridge", "EventBridge"),
        ("CloudWatch Logs", "CloudWatchLogs"),
        ("Secrets Manager", "SecretsManager"),
        ("MD5OfMessageBody", "Md5OfMessageBody"),
        ("SSEKMSKeyId", "SsekmsKeyId"),
        ("ETag", "ETag"),
        ("KMSInvalidStateException", "KmsInvalidStateException"),
    ],
)
def test_java_v2_names(name: str, expected: str) -> None:
    assert java_v2_name(name) == expected


@pytest.mark.parametrize(
    ("sdk_service", "expected"),
    [
        ("dynamodb", "dynamodb"),
        ("sfn", "stepfunctions"),
        ("eventbridge", "events"),
        ("cloudwatchlogs", "logs"),
        ("s3", "s3"),
        ("lambda", "lambda"),
        ("secretsmanager", "secretsmanager"),
    ],
)
def test_sdk_service_names_map_to_botocore(sdk_service: str, expected: str) -> None:
    assert botocore_name(sdk_service) == expected


def test_sdk_operations_and_prefixes() -> None:
    operation = sdk_operation("sfn", "startExecution")
    assert operation is not None
    assert (operation.operation, operation.prefix) == ("StartExecution", "Sfn")
    assert sdk_operation("dynamodb", "getitem").operation == "GetItem"  # type: ignore[union-attr]
    assert sdk_operation("dynamodb", "noSuchAction") is None


def _input(service: str, operation: str) -> Any:
    return service_model(service).operation_model(operation).input_shape


def _output(service: str, operation: str) -> Any:
    return service_model(service).operation_model(operation).output_shape


def test_requests_drop_unknown_and_null_members_and_serialise_objects() -> None:
    request = build_request(
        {
            "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m",
            "Input": {"a": [1, 2]},
            "Name": None,
            "NotAMember": 1,
        },
        _input("stepfunctions", "StartExecution"),
    )
    assert request == {
        "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:m",
        "input": '{"a":[1,2]}',
    }


def test_requests_follow_the_allowed_members_and_decode_base64_blobs() -> None:
    request = build_request(
        {
            "TableName": "t",
            "Item": {"k": {"B": "aGk="}, "raw": {"B": "not base64!"}},
            "ReturnValues": "ALL_OLD",
        },
        _input("dynamodb", "PutItem"),
        allowed=frozenset({"TableName", "Item"}),
    )
    assert request == {"TableName": "t", "Item": {"k": {"B": b"hi"}, "raw": {"B": b"not base64!"}}}


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            {},
            "2 validation errors detected: Value null at 'tableName' failed to satisfy "
            "constraint: Member must not be null; Value null at 'key' failed to satisfy "
            "constraint: Member must not be null",
        ),
        ("text", "1 validation error detected: Value \"text\" at 'request' failed to satisfy"),
        ({"TableName": "t", "Key": {}, "ConsistentRead": "yes"}, "ConsistentRead"),
    ],
)
def test_bad_parameters_are_worded_like_a_validation_exception(
    parameters: Any, message: str
) -> None:
    with pytest.raises(ParameterError) as raised:
        build_request(parameters, _input("dynamodb", "GetItem"))
    assert message in raised.value.message


def test_results_differ_between_the_two_java_sdks() -> None:
    moment = datetime(2024, 3, 4, 10, 7, 26, 120000, tzinfo=timezone(timedelta(hours=2)))
    response = {
        "Buckets": [{"Name": "b", "CreationDate": moment}],
        "Owner": {"ID": "x"},
        "ResponseMetadata": {"RequestId": "r"},
    }
    shape = _output("s3", "ListBuckets")
    assert shape_result(response, shape, sdk=True) == {
        "Buckets": [{"Name": "b", "CreationDate": "2024-03-04T08:07:26.120Z"}],
        "Owner": {"Id": "x"},
    }
    assert shape_result(response, shape, sdk=False) == {
        "Buckets": [{"Name": "b", "CreationDate": int(moment.timestamp() * 1000)}],
        "Owner": {"ID": "x"},
    }
    whole_second = {"Buckets": [{"CreationDate": moment.replace(microsecond=0)}]}
    assert shape_result(whole_second, shape, sdk=True)["Buckets"][0]["CreationDate"] == (
        "2024-03-04T08:07:26Z"
    )


def test_map_keys_are_kept_as_they_are() -> None:
    response = {"Item": {"MD5OfThing": {"S": "v"}}}
    assert shape_result(response, _output("dynamodb", "GetItem"), sdk=True) == response


def _client_error(code: str, message: str, status: int, **extra: Any) -> ClientError:
    metadata = {"HTTPStatusCode": status, "RequestId": "req-1", **extra}
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": metadata}, "Op"
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ConditionalCheckFailedException", "DynamoDB.ConditionalCheckFailedException"),
        ("ValidationException", "DynamoDB.AmazonDynamoDBException"),
        ("UnrecognizedClientException", "DynamoDB.AmazonDynamoDBException"),
    ],
)
def test_optimised_error_names(code: str, expected: str) -> None:
    failure = optimised_failure(
        _client_error(code, "why", 400),
        prefix="DynamoDB",
        java_service="AmazonDynamoDBv2",
        base_exception="AmazonDynamoDBException",
        service_model=service_model("dynamodb"),
    )
    assert failure.error == expected
    assert failure.cause == (
        f"why (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: {code}; "
        "Request ID: req-1; Proxy: null)"
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [("NoSuchKey", "S3.NoSuchKeyException"), ("404", "S3.S3Exception")],
)
def test_sdk_error_names_and_the_extended_request_id(code: str, expected: str) -> None:
    failure = sdk_failure(
        _client_error(code, "gone", 404, HostId="host-1"),
        prefix="S3",
        service_model=service_model("s3"),
    )
    assert failure.error == expected
    assert failure.cause == (
        "gone (Service: S3, Status Code: 404, Request ID: req-1, Extended Request ID: host-1)"
    )
