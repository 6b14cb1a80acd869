""".waitForTaskToken on forwarded integrations: the token travels in the message moto's SQS
queue holds, a worker answers the engine with SendTaskSuccess/Failure over HTTP, and
HeartbeatSeconds ends a callback nobody answers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from .._helpers import details, task_machine, types, unique, wait_done

pytestmark = pytest.mark.engine


def _callback_task(queue_url: str, **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {
            "QueueUrl": queue_url,
            "MessageBody": {"Order.$": "$.order", "TaskToken.$": "$$.Task.Token"},
        },
        **fields,
    }


def _start(sfn: Any, state: dict[str, Any], payload: Any) -> str:
    machine = task_machine(sfn, state)
    return sfn.start_execution(stateMachineArn=machine, input=json.dumps(payload))["executionArn"]


def _next_message(aws: Any, queue_url: str, seconds: float = 10.0) -> dict[str, Any]:
    """The first message the queue delivers (the worker's side of the callback)."""
    sqs = aws("sqs")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")
        if messages:
            return json.loads(messages[0]["Body"])
    raise AssertionError(f"no message in {queue_url} after {seconds} s")


@pytest.fixture
def queue(aws: Any) -> str:
    return aws("sqs").create_queue(QueueName=unique("callbacks"))["QueueUrl"]


def test_send_task_success_on_the_token_from_the_queue(
    sfn: Any, aws: Any, endpoints: str, queue: str
) -> None:
    execution = _start(sfn, _callback_task(queue), {"order": 42})
    body = _next_message(aws, queue)
    assert body["Order"] == 42
    sfn.send_task_success(taskToken=body["TaskToken"], output=json.dumps({"approved": True}))
    described = wait_done(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"approved": True}
    assert types(sfn, execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    submitted = details(sfn, execution, "TaskSubmitted")[0]
    assert (submitted["resourceType"], submitted["resource"]) == (
        "sqs",
        "sendMessage.waitForTaskToken",
    )
    sent = json.loads(submitted["output"])
    assert {"MD5OfMessageBody", "MessageId", "SdkHttpMetadata"} <= set(sent)
    scheduled = details(sfn, execution, "TaskScheduled")[0]
    assert json.loads(scheduled["parameters"])["MessageBody"]["TaskToken"] == body["TaskToken"]


def test_send_task_failure_fails_the_task_with_the_workers_error(
    sfn: Any, aws: Any, endpoints: str, queue: str
) -> None:
    state = _callback_task(
        queue,
        Catch=[{"ErrorEquals": ["Failure error"], "ResultPath": "$.caught", "Next": "Caught"}],
    )
    machine = task_machine(sfn, state, Caught={"Type": "Pass", "End": True})
    execution = sfn.start_execution(stateMachineArn=machine, input='{"order": 1}')["executionArn"]
    body = _next_message(aws, queue)
    sfn.send_task_failure(taskToken=body["TaskToken"], error="Failure error", cause="Failure cause")
    described = wait_done(sfn, execution)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["caught"] == {
        "Error": "Failure error",
        "Cause": "Failure cause",
    }
    assert details(sfn, execution, "TaskFailed") == [
        {
            "resourceType": "sqs",
            "resource": "sendMessage.waitForTaskToken",
            "error": "Failure error",
            "cause": "Failure cause",
        }
    ]
    event_types = types(sfn, execution)
    assert event_types.index("TaskSubmitted") < event_types.index("TaskFailed")


def test_a_callback_without_heartbeats_times_out(
    sfn: Any, aws: Any, endpoints: str, queue: str
) -> None:
    execution = _start(sfn, _callback_task(queue, HeartbeatSeconds=1), {"order": 3})
    body = _next_message(aws, queue)  # the message was sent; nobody answers it
    described = wait_done(sfn, execution)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.HeartbeatTimeout"
    assert details(sfn, execution, "TaskTimedOut") == [
        {
            "resourceType": "sqs",
            "resource": "sendMessage.waitForTaskToken",
            "error": "States.HeartbeatTimeout",
        }
    ]
    scheduled = details(sfn, execution, "TaskScheduled")[0]
    assert scheduled["heartbeatInSeconds"] == 1
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=body["TaskToken"], output="{}")


def test_a_failed_send_never_waits_for_the_token(sfn: Any, endpoints: str) -> None:
    missing = f"{endpoints}/123456789012/{unique('nobody')}"
    execution = _start(sfn, _callback_task(missing, HeartbeatSeconds=3600), {"order": 0})
    described = wait_done(sfn, execution)
    assert described["error"] == "SQS.QueueDoesNotExistException"
    assert "TaskSubmitted" not in types(sfn, execution)


def test_sns_and_events_callbacks_submit_their_response(sfn: Any, aws: Any, endpoints: str) -> None:
    topic = aws("sns").create_topic(Name=unique("callback-topic"))["TopicArn"]
    for resource, parameters in [
        ("sns:publish", {"TopicArn": topic, "Message": {"Token.$": "$$.Task.Token"}}),
        (
            "events:putEvents",
            {
                "Entries": [
                    {"Detail": {"Token.$": "$$.Task.Token"}, "DetailType": "d", "Source": "s"}
                ]
            },
        ),
    ]:
        state = {
            "Type": "Task",
            "Resource": f"arn:aws:states:::{resource}.waitForTaskToken",
            "Parameters": parameters,
        }
        execution = _start(sfn, state, {})
        deadline = time.monotonic() + 10
        while not details(sfn, execution, "TaskSubmitted"):
            assert time.monotonic() < deadline, f"{resource}: no TaskSubmitted"
            time.sleep(0.01)
        submitted = json.loads(details(sfn, execution, "TaskSubmitted")[0]["output"])
        assert "SdkHttpMetadata" in submitted
        token = json.loads(details(sfn, execution, "TaskScheduled")[0]["parameters"])
        token_value = (
            token["Message"]["Token"]
            if resource == "sns:publish"
            else token["Entries"][0]["Detail"]["Token"]
        )
        sfn.send_task_success(taskToken=token_value, output='"done"')
        described = wait_done(sfn, execution)
        assert (described["status"], described["output"]) == ("SUCCEEDED", '"done"'), resource
