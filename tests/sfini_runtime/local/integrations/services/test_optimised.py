"""Optimised integrations (SQS, SNS, DynamoDB, EventBridge) forwarded to moto's server: the
service sees the request AWS would send, the Task's result and errors are AWS's."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .._helpers import details, run, task_machine, types, unique

pytestmark = pytest.mark.engine

SUCCEEDED_TYPES = [
    "ExecutionStarted",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskSucceeded",
    "TaskStateExited",
    "ExecutionSucceeded",
]


def _task(resource: str, parameters: Any, **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"arn:aws:states:::{resource}",
        "Parameters": parameters,
        **fields,
    }


def _run_task(sfn: Any, resource: str, parameters: Any, payload: Any = None) -> dict[str, Any]:
    return run(sfn, task_machine(sfn, _task(resource, parameters)), payload)


def _assert_sdk_metadata(output: dict[str, Any]) -> None:
    metadata = output["SdkHttpMetadata"]
    assert metadata["HttpStatusCode"] == 200
    assert metadata["HttpHeaders"]["x-amzn-RequestId"] == output["SdkResponseMetadata"]["RequestId"]


def _failed(described: dict[str, Any]) -> tuple[str, str]:
    assert described["status"] == "FAILED", described
    return described["error"], described["cause"]


@pytest.fixture
def queue(aws: Any) -> str:
    return aws("sqs").create_queue(QueueName=unique("queue"))["QueueUrl"]


def _receive(aws: Any, queue_url: str) -> list[dict[str, Any]]:
    return (
        aws("sqs")
        .receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        )
        .get("Messages", [])
    )


@pytest.fixture
def table(aws: Any) -> str:
    name = unique("table")
    aws("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


# -- SQS ------------------------------------------------------------------------------------
def test_sqs_send_message_serialises_an_object_body_and_returns_the_java_shape(
    sfn: Any, aws: Any, endpoints: str, queue: str
) -> None:
    parameters = {
        "QueueUrl": queue,
        "MessageBody": {"order": 7, "items": ["a"]},
        "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "new"}},
        "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "x"}},
    }
    described = _run_task(sfn, "sqs:sendMessage", parameters)
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert set(output) == {
        "MD5OfMessageAttributes",
        "MD5OfMessageBody",
        "MessageId",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
    }
    _assert_sdk_metadata(output)
    [message] = _receive(aws, queue)
    assert message["MessageId"] == output["MessageId"]
    assert message["Body"] == '{"order":7,"items":["a"]}'
    assert message["MD5OfBody"] == output["MD5OfMessageBody"]
    assert message["MessageAttributes"]["kind"]["StringValue"] == "new"
    # a parameter the optimised integration does not pass on never reaches the service
    assert "AWSTraceHeader" not in message.get("Attributes", {})
    assert types(sfn, described["executionArn"]) == SUCCEEDED_TYPES
    scheduled = details(sfn, described["executionArn"], "TaskScheduled")[0]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("sqs", "sendMessage")


def test_sqs_missing_queue_is_queue_does_not_exist(sfn: Any, endpoints: str) -> None:
    url = f"{endpoints}/123456789012/{unique('missing')}"
    described = _run_task(sfn, "sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"})
    error, cause = _failed(described)
    assert error == "SQS.QueueDoesNotExistException"
    assert cause.startswith("The specified queue does not exist. (Service: AmazonSQS; ")
    assert "Status Code: 400; Error Code: AWS.SimpleQueueService.NonExistentQueue;" in cause
    assert cause.endswith("; Proxy: null)")
    failed = details(sfn, described["executionArn"], "TaskFailed")[0]
    assert failed == {
        "resourceType": "sqs",
        "resource": "sendMessage",
        "error": error,
        "cause": cause,
    }


def test_sqs_without_message_body_is_the_services_validation_error(
    sfn: Any, endpoints: str, queue: str
) -> None:
    described = _run_task(sfn, "sqs:sendMessage", {"QueueUrl": queue, "MessageBody": None})
    error, cause = _failed(described)
    assert error == "SQS.AmazonSQSException"
    assert cause.startswith(
        "1 validation error detected: Value null at 'messageBody' failed to satisfy "
        "constraint: Member must not be null (Service: AmazonSQS; Status Code: 400; "
        "Error Code: ValidationException;"
    )


# -- SNS ------------------------------------------------------------------------------------
def test_sns_publish_serialises_an_object_message(
    sfn: Any, aws: Any, endpoints: str, queue: str
) -> None:
    sns = aws("sns")
    topic = sns.create_topic(Name=unique("topic"))["TopicArn"]
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    described = _run_task(
        sfn,
        "sns:publish",
        {"TopicArn.$": "$.topic", "Message.$": "$.message", "Subject": "hello"},
        {"topic": topic, "message": {"message": "string-literal"}},
    )
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert set(output) == {"MessageId", "SdkHttpMetadata", "SdkResponseMetadata"}
    _assert_sdk_metadata(output)
    [message] = _receive(aws, queue)
    assert message["Body"] == '{"message":"string-literal"}'
    # the history keeps the parameters as written (the object), as AWS records them
    scheduled = details(sfn, described["executionArn"], "TaskScheduled")[0]
    assert json.loads(scheduled["parameters"]) == {
        "TopicArn": topic,
        "Message": {"message": "string-literal"},
        "Subject": "hello",
    }
    assert (scheduled["resourceType"], scheduled["resource"]) == ("sns", "publish")


def test_sns_missing_topic_is_not_found(sfn: Any, endpoints: str) -> None:
    topic = f"arn:aws:sns:us-east-1:123456789012:{unique('gone')}"
    described = _run_task(sfn, "sns:publish", {"TopicArn": topic, "Message": "x"})
    error, cause = _failed(described)
    assert error == "SNS.NotFoundException"
    assert "(Service: AmazonSNS; Status Code: 404; Error Code: NotFound; Request ID: " in cause


# -- DynamoDB -------------------------------------------------------------------------------
def test_dynamodb_put_get_update_delete_item(
    sfn: Any, aws: Any, endpoints: str, table: str
) -> None:
    key = {"id": {"S": "k1"}}
    put = _run_task(
        sfn,
        "dynamodb:putItem",
        {"TableName": table, "Item": {**key, "n": {"N": "1"}, "blob": {"B": "aGk="}}},
    )
    assert put["status"] == "SUCCEEDED", put
    put_output = json.loads(put["output"])
    assert set(put_output) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    stored = aws("dynamodb").get_item(TableName=table, Key=key)["Item"]
    assert stored["blob"]["B"] == b"hi"  # base64 in the definition, bytes in the table

    got = _run_task(sfn, "dynamodb:getItem", {"TableName": table, "Key": key})
    assert json.loads(got["output"])["Item"] == {**key, "n": {"N": "1"}, "blob": {"B": "aGk="}}

    updated = _run_task(
        sfn,
        "dynamodb:updateItem",
        {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET n = n + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            "ReturnValues": "UPDATED_NEW",
        },
    )
    assert json.loads(updated["output"])["Attributes"] == {"n": {"N": "2"}}

    deleted = _run_task(
        sfn, "dynamodb:deleteItem", {"TableName": table, "Key": key, "ReturnValues": "ALL_OLD"}
    )
    assert json.loads(deleted["output"])["Attributes"]["n"] == {"N": "2"}
    assert "Item" not in aws("dynamodb").get_item(TableName=table, Key=key)
    missing = _run_task(sfn, "dynamodb:getItem", {"TableName": table, "Key": key})
    assert set(json.loads(missing["output"])) == {"SdkHttpMetadata", "SdkResponseMetadata"}


def test_dynamodb_conditional_put_fails_with_conditional_check_failed(
    sfn: Any, aws: Any, endpoints: str, table: str
) -> None:
    aws("dynamodb").put_item(TableName=table, Item={"id": {"S": "taken"}})
    described = _run_task(
        sfn,
        "dynamodb:putItem",
        {
            "TableName": table,
            "Item": {"id": {"S": "taken"}},
            "ConditionExpression": "attribute_not_exists(id)",
        },
    )
    error, cause = _failed(described)
    assert error == "DynamoDB.ConditionalCheckFailedException"
    assert "(Service: AmazonDynamoDBv2; Status Code: 400; " in cause
    assert "Error Code: ConditionalCheckFailedException;" in cause


@pytest.mark.parametrize(
    ("action", "parameters"),
    [
        ("getItem", {"Key": {"id": {"S": "x"}}}),
        ("updateItem", {"Key": {"id": {"S": "x"}}, "UpdateExpression": "SET a = :a"}),
        ("deleteItem", {"Key": {"id": {"S": "x"}}}),
    ],
)
def test_dynamodb_missing_table_is_resource_not_found(
    sfn: Any, endpoints: str, action: str, parameters: dict[str, Any]
) -> None:
    if action == "updateItem":
        parameters = {**parameters, "ExpressionAttributeValues": {":a": {"S": "v"}}}
    described = _run_task(
        sfn, f"dynamodb:{action}", {"TableName": unique("no-table"), **parameters}
    )
    error, cause = _failed(described)
    assert error == "DynamoDB.ResourceNotFoundException"
    assert "Error Code: ResourceNotFoundException;" in cause


def test_dynamodb_null_item_is_the_validation_error_aws_records(
    sfn: Any, endpoints: str, table: str
) -> None:
    described = _run_task(
        sfn,
        "dynamodb:putItem",
        {"TableName": table, "Key": None, "Item.$": "$.item"},
        {"item": None},
    )
    error, cause = _failed(described)
    assert error == "DynamoDB.AmazonDynamoDBException"
    assert cause.startswith(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
        "Member must not be null (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: "
        "ValidationException; Request ID: "
    )


# -- EventBridge ----------------------------------------------------------------------------
def test_events_put_events_serialises_detail_and_names_the_execution(
    sfn: Any, aws: Any, endpoints: str, queue: str
) -> None:
    events = aws("events")
    detail_type = unique("detail-type")
    rule = unique("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"detail-type": [detail_type]}))
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn["Attributes"]["QueueArn"]}])
    entries = [
        {"Detail": {"Message": "one"}, "DetailType": detail_type, "Source": "some.source"},
        {
            "Detail": json.dumps({"Message": "two"}),
            "DetailType": detail_type,
            "Source": "some.source",
            "Resources": ["arn:aws:s3:::mine"],
        },
    ]
    described = _run_task(sfn, "events:putEvents", {"Entries.$": "$.Entries"}, {"Entries": entries})
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])
    assert output["FailedEntryCount"] == 0
    assert [set(entry) for entry in output["Entries"]] == [{"EventId"}, {"EventId"}]
    _assert_sdk_metadata(output)
    delivered = sorted(
        (json.loads(message["Body"]) for message in _receive(aws, queue)),
        key=lambda event: event["detail"]["Message"],
    )
    assert [event["detail"] for event in delivered] == [{"Message": "one"}, {"Message": "two"}]
    machine_arn = described["stateMachineArn"]
    execution_arn = described["executionArn"]
    assert delivered[0]["resources"] == [machine_arn, execution_arn]
    assert delivered[1]["resources"] == ["arn:aws:s3:::mine", machine_arn, execution_arn]
    scheduled = details(sfn, execution_arn, "TaskScheduled")[0]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("events", "putEvents")


def test_events_failed_entry_fails_the_task(sfn: Any, endpoints: str) -> None:
    entries = [{"Detail": {"a": 1}, "DetailType": "no-source"}]
    described = _run_task(sfn, "events:putEvents", {"Entries": entries})
    error, cause = _failed(described)
    assert error == "EventBridge.FailedEntry"
    failed = json.loads(cause)
    assert failed["FailedEntryCount"] == 1
    assert failed["Entries"][0]["ErrorCode"] == "InvalidArgument"


# -- what is not an optimised integration -----------------------------------------------------
@pytest.mark.parametrize(
    "resource",
    [
        "dynamodb:getItem.waitForTaskToken",  # DynamoDB is request-response only
        "dynamodb:query",  # an AWS SDK integration, not an optimised one
        "sqs:receiveMessage",
        "sns:publish.sync",
    ],
)
def test_an_action_or_pattern_aws_has_not_is_not_recognised(
    sfn: Any, endpoints: str, resource: str
) -> None:
    described = _run_task(sfn, resource, {"TableName": "t"})
    error, cause = _failed(described)
    assert error == "States.Runtime"
    assert cause == (
        f"The resource provided arn:aws:states:::{resource} not recognized. The value is not "
        "a valid resource ARN, or the resource is not available in this region."
    )


def test_an_optimised_integration_the_engine_does_not_forward_says_what_to_do(
    sfn: Any, endpoints: str
) -> None:
    described = _run_task(sfn, "glue:startJobRun.sync", {"JobName": "j"})
    error, cause = _failed(described)
    assert error == "Glue.AWSException"
    assert "mock configuration" in cause
    assert "arn:aws:states:::aws-sdk:glue:startJobRun" in cause
