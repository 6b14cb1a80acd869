"""The optimised integrations forwarded to a service: which actions and patterns each has,
the parameters Step Functions passes on, and how a result differs from the API's response.

From the Step Functions developer guide ("Optimized integrations", one page per service):
SQS ``sendMessage``, SNS ``publish`` and EventBridge ``putEvents`` take request-response and
``.waitForTaskToken``; DynamoDB has ``getItem``/``putItem``/``updateItem``/``deleteItem``,
request-response only (``query``/``scan`` are AWS SDK integrations). Every result carries the
``SdkHttpMetadata``/``SdkResponseMetadata`` of the Java SDK. EventBridge appends the state
machine's and the execution's ARNs to each entry's ``Resources`` and fails the Task with
``EventBridge.FailedEntry`` when ``FailedEntryCount`` is not zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sfini_runtime.local.interpreter.history import to_json
from sfini_runtime.local.interpreter.task_calls import TaskCall
from sfini_runtime.local.interpreter.task_resources import REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN

from .errors import TaskFailure

CALLBACK_PATTERNS = frozenset({REQUEST_RESPONSE, WAIT_FOR_TASK_TOKEN})
_DYNAMODB_WRITE = frozenset(
    {
        "ConditionalOperator",
        "ConditionExpression",
        "Expected",
        "ExpressionAttributeNames",
        "ExpressionAttributeValues",
        "ReturnConsumedCapacity",
        "ReturnItemCollectionMetrics",
        "ReturnValues",
    }
)


def _append_task_resources(request: dict[str, Any], call: TaskCall) -> dict[str, Any]:
    """EventBridge: each entry names the state machine and the execution in ``Resources``."""
    for entry in request.get("Entries", []):
        if isinstance(entry, dict):
            resources = list(entry.get("Resources") or [])
            entry["Resources"] = [*resources, call.state_machine_arn, call.execution_arn]
    return request


def _fail_on_failed_entries(result: dict[str, Any]) -> dict[str, Any]:
    if result.get("FailedEntryCount", 0):
        raise TaskFailure("EventBridge.FailedEntry", to_json(result))
    return result


@dataclass(frozen=True)
class OptimisedService:
    """An optimised integration's service: its error prefix, the Java SDK 1.x names that
    its errors carry, and its actions with the parameters each passes on."""

    name: str  # as in the Resource: ``sqs``, ``events``
    botocore_name: str
    prefix: str  # error names: ``SQS.``, ``EventBridge.``
    java_service: str  # causes: ``(Service: AmazonSQS; ...)``
    base_exception: str  # an undeclared error: ``SQS.AmazonSQSException``
    actions: Mapping[str, frozenset[str]]
    patterns: frozenset[str] = CALLBACK_PATTERNS
    prepare: Mapping[str, Callable[[dict[str, Any], TaskCall], dict[str, Any]]] = field(
        default_factory=dict
    )
    check: Mapping[str, Callable[[dict[str, Any]], dict[str, Any]]] = field(default_factory=dict)

    def operation(self, action: str) -> str:
        """The API operation of an action (``sendMessage`` -> ``SendMessage``)."""
        return action[:1].upper() + action[1:]


OPTIMISED_SERVICES: dict[str, OptimisedService] = {
    service.name: service
    for service in (
        OptimisedService(
            "sqs",
            "sqs",
            "SQS",
            "AmazonSQS",
            "AmazonSQSException",
            {
                "sendMessage": frozenset(
                    {
                        "DelaySeconds",
                        "MessageAttributes",
                        "MessageBody",
                        "MessageDeduplicationId",
                        "MessageGroupId",
                        "QueueUrl",
                    }
                )
            },
        ),
        OptimisedService(
            "sns",
            "sns",
            "SNS",
            "AmazonSNS",
            "AmazonSNSException",
            {
                "publish": frozenset(
                    {
                        "Message",
                        "MessageAttributes",
                        "MessageDeduplicationId",
                        "MessageGroupId",
                        "MessageStructure",
                        "PhoneNumber",
                        "Subject",
                        "TargetArn",
                        "TopicArn",
                    }
                )
            },
        ),
        OptimisedService(
            "dynamodb",
            "dynamodb",
            "DynamoDB",
            "AmazonDynamoDBv2",
            "AmazonDynamoDBException",
            {
                "getItem": frozenset(
                    {
                        "Key",
                        "TableName",
                        "AttributesToGet",
                        "ConsistentRead",
                        "ExpressionAttributeNames",
                        "ProjectionExpression",
                        "ReturnConsumedCapacity",
                    }
                ),
                "putItem": frozenset({"Item", "TableName"}) | _DYNAMODB_WRITE,
                "deleteItem": frozenset({"Key", "TableName"}) | _DYNAMODB_WRITE,
                "updateItem": frozenset(
                    {"Key", "TableName", "AttributeUpdates", "UpdateExpression"}
                )
                | _DYNAMODB_WRITE,
            },
            patterns=frozenset({REQUEST_RESPONSE}),
        ),
        OptimisedService(
            "events",
            "events",
            "EventBridge",
            "AmazonEventBridge",
            "AmazonEventBridgeException",
            {"putEvents": frozenset({"Entries"})},
            prepare={"putEvents": _append_task_resources},
            check={"putEvents": _fail_on_failed_entries},
        ),
    )
}


def not_recognised(arn: str) -> TaskFailure:
    """AWS's answer to a Resource it has no integration for (CreateStateMachine refuses it;
    an engine that runs the definition anyway fails the Task with it)."""
    return TaskFailure(
        "States.Runtime",
        f"The resource provided {arn} not recognized. The value is not a valid resource ARN, "
        "or the resource is not available in this region.",
    )


__all__ = ["CALLBACK_PATTERNS", "OPTIMISED_SERVICES", "OptimisedService", "not_recognised"]
