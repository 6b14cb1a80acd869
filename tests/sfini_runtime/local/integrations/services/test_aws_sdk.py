"""AWS SDK integrations (``arn:aws:states:::aws-sdk:SERVICE:ACTION``) forwarded to moto's
server: results without SDK metadata, members and dates as the Java SDK 2.x writes them,
error names with the 2.x client's prefix."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from .._helpers import details, run, task_machine, unique

pytestmark = pytest.mark.engine

ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3,6})?Z$")


def _run_sdk(sfn: Any, resource: str, parameters: Any, **fields: Any) -> dict[str, Any]:
    state = {
        "Type": "Task",
        "Resource": f"arn:aws:states:::aws-sdk:{resource}",
        "Parameters": parameters,
        **fields,
    }
    return run(sfn, task_machine(sfn, state))


def _failed(described: dict[str, Any]) -> tuple[str, str]:
    assert described["status"] == "FAILED", described
    return described["error"], described["cause"]


@pytest.fixture
def table(aws: Any) -> str:
    name = unique("sdk-table")
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def test_dynamodb_put_and_get_item(sfn: Any, endpoints: str, table: str) -> None:
    item = {"id": {"S": "id1"}, "data": {"S": "HelloWorld"}}
    put = _run_sdk(sfn, "dynamodb:putItem", {"TableName": table, "Item": item})
    assert put["status"] == "SUCCEEDED", put
    assert json.loads(put["output"]) == {}  # no SdkHttpMetadata on SDK integrations
    got = _run_sdk(sfn, "dynamodb:getItem", {"TableName": table, "Key": {"id": {"S": "id1"}}})
    assert json.loads(got["output"]) == {"Item": item}
    scheduled = details(sfn, got["executionArn"], "TaskScheduled")[0]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("aws-sdk:dynamodb", "getItem")
    succeeded = details(sfn, got["executionArn"], "TaskSucceeded")[0]
    assert succeeded["resourceType"] == "aws-sdk:dynamodb"


def test_dynamodb_errors_carry_the_java_v2_prefix(sfn: Any, endpoints: str, table: str) -> None:
    missing = _run_sdk(
        sfn, "dynamodb:getItem", {"TableName": unique("gone"), "Key": {"id": {"S": "x"}}}
    )
    error, cause = _failed(missing)
    assert error == "DynamoDb.ResourceNotFoundException"
    assert re.fullmatch(
        r"Requested resource not found \(Service: DynamoDb, Status Code: 400, Request ID: \S+\)",
        cause,
    ), cause
    invalid = _run_sdk(sfn, "dynamodb:putItem", {"TableName": table, "Key": None, "Item": None})
    error, cause = _failed(invalid)
    assert error == "DynamoDb.DynamoDbException"
    assert cause.startswith(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
        "Member must not be null (Service: DynamoDb, Status Code: 400, Request ID: "
    )


def test_dynamodb_query_is_an_sdk_integration(
    sfn: Any, aws: Any, endpoints: str, table: str
) -> None:
    aws("dynamodb").put_item(TableName=table, Item={"id": {"S": "q"}, "n": {"N": "5"}})
    described = _run_sdk(
        sfn,
        "dynamodb:query",
        {
            "TableName": table,
            "KeyConditionExpression": "id = :id",
            "ExpressionAttributeValues": {":id": {"S": "q"}},
        },
    )
    output = json.loads(described["output"])
    assert output["Count"] == 1
    assert output["Items"] == [{"id": {"S": "q"}, "n": {"N": "5"}}]


def test_s3_list_buckets_and_get_object(sfn: Any, aws: Any, endpoints: str) -> None:
    s3 = aws("s3")
    bucket = unique("sdk-bucket")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="file.txt", Body=b"text data")
    listed = json.loads(_run_sdk(sfn, "s3:listBuckets", {})["output"])
    [mine] = [entry for entry in listed["Buckets"] if entry["Name"] == bucket]
    assert ISO_INSTANT.match(mine["CreationDate"]), mine
    assert "ResponseMetadata" not in listed and "SdkHttpMetadata" not in listed
    got = json.loads(_run_sdk(sfn, "s3:getObject", {"Bucket": bucket, "Key": "file.txt"})["output"])
    assert got["Body"] == "text data"
    assert got["ContentLength"] == 9
    assert ISO_INSTANT.match(got["LastModified"]), got
    assert got["ETag"].strip('"')


def test_s3_missing_bucket_and_key(sfn: Any, aws: Any, endpoints: str) -> None:
    error, cause = _failed(_run_sdk(sfn, "s3:listObjectsV2", {"Bucket": unique("nobucket")}))
    assert error == "S3.NoSuchBucketException"
    assert cause.startswith("The specified bucket does not exist (Service: S3, Status Code: 404")
    bucket = unique("keyless")
    aws("s3").create_bucket(Bucket=bucket)
    error, _ = _failed(_run_sdk(sfn, "s3:getObject", {"Bucket": bucket, "Key": "nothing"}))
    assert error == "S3.NoSuchKeyException"


def test_sqs_results_spell_members_the_java_v2_way(sfn: Any, aws: Any, endpoints: str) -> None:
    queue = aws("sqs").create_queue(QueueName=unique("sdk-queue"))["QueueUrl"]
    described = _run_sdk(sfn, "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": {"a": 1}})
    output = json.loads(described["output"])
    assert set(output) == {"Md5OfMessageBody", "MessageId"}
    body = aws("sqs").receive_message(QueueUrl=queue)["Messages"][0]["Body"]
    assert body == '{"a":1}'


def test_retry_and_catch_see_sdk_errors(sfn: Any, endpoints: str) -> None:
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
        "Parameters": {"Bucket": unique("never")},
        "Retry": [
            {"ErrorEquals": ["S3.NoSuchBucketException"], "MaxAttempts": 2, "IntervalSeconds": 1}
        ],
        "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Handled"}],
        "Next": "Handled",
    }
    machine = task_machine(sfn, state, Handled={"Type": "Pass", "End": True})
    described = run(sfn, machine)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["Error"] == "S3.NoSuchBucketException"
    assert len(details(sfn, described["executionArn"], "TaskFailed")) == 3


def test_unknown_action_and_bad_parameter_types(sfn: Any, endpoints: str) -> None:
    error, cause = _failed(_run_sdk(sfn, "dynamodb:doTheThing", {}))
    assert error == "States.Runtime"
    assert "arn:aws:states:::aws-sdk:dynamodb:doTheThing not recognized" in cause
    error, cause = _failed(_run_sdk(sfn, "nosuchservice:listThings", {}))
    assert error == "States.Runtime"
    assert "arn:aws:states:::aws-sdk:nosuchservice:listThings not recognized" in cause
    error, cause = _failed(_run_sdk(sfn, "s3:listObjectsV2", {"Bucket": "b", "MaxKeys": "ten"}))
    assert error == "S3.S3Exception"
    assert "MaxKeys" in cause and "(Service: S3, Status Code: 400" in cause


def test_sfn_calls_reach_this_engine_when_its_endpoint_is_named(
    sfn: Any, local: Any, monkeypatch: pytest.MonkeyPatch, endpoints: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", local.endpoint_url)
    described = _run_sdk(sfn, "sfn:listStateMachines", {"MaxResults": 1000})
    assert described["status"] == "SUCCEEDED", described
    machines = json.loads(described["output"])["StateMachines"]
    [me] = [entry for entry in machines if entry["StateMachineArn"] == described["stateMachineArn"]]
    assert ISO_INSTANT.match(me["CreationDate"]), me
    error, cause = _failed(
        _run_sdk(sfn, "sfn:sendTaskSuccess", {"TaskToken": "NoSuchTaskToken", "Output": "{}"})
    )
    assert error == "Sfn.InvalidTokenException"
    assert "(Service: Sfn, Status Code: 400, Request ID: " in cause
