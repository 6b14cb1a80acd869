"""Helpers of the integration tests: machines, waiting for an execution, reading history."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/sfini-integrations"
_names = itertools.count()


def unique(prefix: str) -> str:
    """A name no other test of the process uses."""
    return f"{prefix}-{next(_names)}"


def machine(sfn: Any, definition: dict[str, Any], name: str | None = None, **kwargs: Any) -> str:
    """Create a state machine; returns its ARN."""
    return sfn.create_state_machine(
        name=name or unique("m"), roleArn=ROLE_ARN, definition=json.dumps(definition), **kwargs
    )["stateMachineArn"]


def task_machine(sfn: Any, state: dict[str, Any], **others: dict[str, Any]) -> str:
    """A machine whose start state ``T`` is ``state`` (ending the machine unless it has Next)."""
    if "Next" not in state and "End" not in state:
        state = {**state, "End": True}
    return machine(sfn, {"StartAt": "T", "States": {"T": state, **others}})


def wait_done(sfn: Any, execution_arn: str, seconds: float = 10.0) -> dict[str, Any]:
    """DescribeExecution once the execution has ended (fails the test after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        if time.monotonic() > deadline:
            raise AssertionError(f"{execution_arn} still RUNNING after {seconds} s")
        time.sleep(0.01)


def wait_for_event(
    sfn: Any, execution_arn: str, event_type: str, seconds: float = 10.0
) -> dict[str, Any]:
    """The first event of ``event_type`` once it is in the history."""
    deadline = time.monotonic() + seconds
    while True:
        for event in history(sfn, execution_arn):
            if event["type"] == event_type:
                return event
        if time.monotonic() > deadline:
            raise AssertionError(f"no {event_type} in {execution_arn} after {seconds} s")
        time.sleep(0.01)


def run(sfn: Any, machine_arn: str, payload: Any = None, **kwargs: Any) -> dict[str, Any]:
    """Start an execution and wait for its end."""
    started = sfn.start_execution(
        stateMachineArn=machine_arn, input=json.dumps({} if payload is None else payload), **kwargs
    )
    return wait_done(sfn, started["executionArn"])


def history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    """Every event of an execution."""
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def types(sfn: Any, execution_arn: str) -> list[str]:
    """The event types of an execution, in order."""
    return [event["type"] for event in history(sfn, execution_arn)]


def details(sfn: Any, execution_arn: str, event_type: str) -> list[dict[str, Any]]:
    """The details of every ``event_type`` event."""
    key = event_type[0].lower() + event_type[1:] + "EventDetails"
    return [
        event.get(key, {}) for event in history(sfn, execution_arn) if event["type"] == event_type
    ]
