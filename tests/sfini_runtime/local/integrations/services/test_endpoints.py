"""Where forwarded calls go: the variables read when the call is made, a Task that has no
endpoint failing at once, and endpoints that refuse or never answer failing the Task the way
AWS's Java SDK fails it (retried as Retry says, the engine unharmed)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine
from sfini_runtime.local.integrations.services import (
    ServiceForwarder,
    endpoint_for,
    endpoint_variable,
)

from .._helpers import details, run, task_machine, types, unique

pytestmark = pytest.mark.engine

SEND = "arn:aws:states:::sqs:sendMessage"


def _send_task(queue_url: str, **fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": SEND,
        "Parameters": {"QueueUrl": queue_url, "MessageBody": "hello"},
        **fields,
    }


@pytest.fixture
def no_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_DYNAMODB"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("service_id", "variable"),
    [
        ("SQS", "AWS_ENDPOINT_URL_SQS"),
        ("DynamoDB", "AWS_ENDPOINT_URL_DYNAMODB"),
        ("EventBridge", "AWS_ENDPOINT_URL_EVENTBRIDGE"),
        ("SFN", "AWS_ENDPOINT_URL_SFN"),
        ("CloudWatch Logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"),
    ],
)
def test_endpoint_variable_follows_boto3s_service_id_rule(service_id: str, variable: str) -> None:
    assert endpoint_variable(service_id) == variable
    assert endpoint_for(service_id, {variable: "http://own", "AWS_ENDPOINT_URL": "http://all"}) == (
        "http://own"
    )
    assert endpoint_for(service_id, {"AWS_ENDPOINT_URL": "http://all"}) == "http://all"
    assert endpoint_for(service_id, {}) is None


def test_no_endpoint_fails_at_once_saying_how_to_provide_one(sfn: Any, no_endpoints: None) -> None:
    described = run(sfn, task_machine(sfn, _send_task("http://nowhere/1/q")))
    assert described["status"] == "FAILED"
    assert described["error"] == "SQS.AWSException"
    cause = described["cause"]
    assert "no endpoint is configured for SQS" in cause
    assert "AWS_ENDPOINT_URL_SQS" in cause and "AWS_ENDPOINT_URL)" in cause
    assert "mock configuration" in cause and "'T'" in cause
    sdk = run(
        sfn,
        task_machine(
            sfn,
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:listTables",
                "Parameters": {},
            },
        ),
    )
    assert sdk["error"] == "DynamoDb.AWSException"
    assert "AWS_ENDPOINT_URL_DYNAMODB" in sdk["cause"]


def test_the_services_own_variable_wins_and_is_read_per_call(
    sfn: Any, aws: Any, monkeypatch: pytest.MonkeyPatch, moto_server: str, closed_port: int
) -> None:
    queue = aws("sqs").create_queue(QueueName=unique("routed"))["QueueUrl"]
    machine = task_machine(sfn, _send_task(queue))
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", moto_server)
    assert run(sfn, machine)["status"] == "SUCCEEDED"
    monkeypatch.delenv("AWS_ENDPOINT_URL_SQS")
    assert run(sfn, machine)["error"] == "SQS.SdkClientException"


def test_a_refused_connection_is_sdk_client_exception_retried_as_retry_says(
    sfn: Any, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    state = _send_task(
        f"{endpoint}/123456789012/q",
        Retry=[{"ErrorEquals": ["SQS.SdkClientException"], "MaxAttempts": 2}],
    )
    described = run(sfn, task_machine(sfn, state))
    assert described["status"] == "FAILED"
    assert described["error"] == "SQS.SdkClientException"
    assert described["cause"] == (
        f"Unable to execute HTTP request: Connect to 127.0.0.1:{closed_port} [/127.0.0.1] "
        "failed: Connection refused"
    )
    failures = details(sfn, described["executionArn"], "TaskFailed")
    assert len(failures) == 3
    assert {failure["error"] for failure in failures} == {"SQS.SdkClientException"}


def test_service_errors_are_caught_by_name_and_by_states_task_failed(
    sfn: Any, endpoints: str
) -> None:
    missing = f"{endpoints}/123456789012/{unique('absent')}"
    for error_equals in (["SQS.QueueDoesNotExistException"], ["States.TaskFailed"]):
        state = _send_task(
            missing,
            Catch=[{"ErrorEquals": error_equals, "ResultPath": "$.error", "Next": "Handled"}],
        )
        machine = task_machine(sfn, state, Handled={"Type": "Pass", "End": True})
        described = run(sfn, machine)
        assert described["status"] == "SUCCEEDED", (error_equals, described)
        caught = json.loads(described["output"])["error"]
        assert caught["Error"] == "SQS.QueueDoesNotExistException"


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_an_endpoint_that_never_answers_times_out_and_the_engine_keeps_running(
    monkeypatch: pytest.MonkeyPatch, silent_endpoint: str
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    with LocalEngine(time_scale=0.01) as engine:
        engine.integrations.services = ServiceForwarder(
            region=engine.region, account_id=engine.account_id, read_timeout=0.2
        )
        sfn = engine.client()
        described = run(sfn, task_machine(sfn, _send_task(f"{silent_endpoint}/1/q")))
        assert described["error"] == "SQS.SdkClientException"
        assert described["cause"] == "Unable to execute HTTP request: Read timed out"
        other = task_machine(sfn, {"Type": "Pass", "Result": 1})
        assert run(sfn, other)["status"] == "SUCCEEDED"
        assert types(sfn, described["executionArn"])[-1] == "ExecutionFailed"
