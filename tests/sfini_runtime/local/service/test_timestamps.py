"""Every date the engine returns is millisecond-precise and ordered, as AWS's are."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine
from sfini_runtime.local.interpreter.history import History, to_milliseconds
from sfini_runtime.local.service.protocol import encode, epoch_seconds
from tests.sfini_runtime.local.service.helpers import (
    WAIT_DEFINITION,
    create_machine,
    unique,
)

DATE_KEYS = frozenset(
    {"timestamp", "startDate", "stopDate", "creationDate", "updateDate", "redriveDate"}
)

#: a few states, branches that finish at nearly the same moment, and a Map
BUSY_DEFINITION = json.dumps(
    {
        "StartAt": "Fan",
        "States": {
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": f"B{i}", "States": {f"B{i}": {"Type": "Pass", "End": True}}}
                    for i in range(3)
                ],
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "ItemsPath": "$",
                "ItemProcessor": {
                    "StartAt": "Item",
                    "States": {"Item": {"Type": "Pass", "End": True}},
                },
                "Next": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
)


@pytest.fixture(scope="module")
def recording(local: LocalEngine) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
    """A boto3 client and the raw JSON bodies of its responses, numbers kept as written."""
    client = local.client()
    bodies: list[tuple[str, dict[str, Any]]] = []

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        if http_response.content:
            bodies.append((model.name, json.loads(http_response.content, parse_float=Decimal)))

    client.meta.events.register("after-call.states.*", keep)
    return client, bodies


def _dates(document: Any) -> list[tuple[str, Decimal]]:
    found: list[tuple[str, Decimal]] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key in DATE_KEYS and not isinstance(value, (dict, list)):
                found.append((key, Decimal(value)))
            else:
                found.extend(_dates(value))
    elif isinstance(document, list):
        for item in document:
            found.extend(_dates(item))
    return found


def _wait_until_done(sfn: Any, arn: str) -> dict[str, Any]:
    waiter_deadline = datetime.now(timezone.utc) + timedelta(seconds=30)
    while datetime.now(timezone.utc) < waiter_deadline:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.01)
    raise AssertionError(f"{arn} did not end within 30 s")


def test_every_date_on_the_wire_has_at_most_three_decimals(recording: Any) -> None:
    sfn, bodies = recording
    sfn.create_activity(name=unique("stamp-activity"))
    sfn.list_activities()
    machine = create_machine(sfn, BUSY_DEFINITION)
    sfn.update_state_machine(stateMachineArn=machine, definition=BUSY_DEFINITION)
    sfn.describe_state_machine(stateMachineArn=machine)
    sfn.list_state_machines()
    arn = sfn.start_execution(stateMachineArn=machine, input="[1, 2, 3]")["executionArn"]
    _wait_until_done(sfn, arn)
    sfn.describe_state_machine_for_execution(executionArn=arn)
    sfn.get_execution_history(executionArn=arn)
    sfn.list_executions(stateMachineArn=machine)
    waiting = create_machine(sfn, WAIT_DEFINITION)
    running = sfn.start_execution(stateMachineArn=waiting)["executionArn"]
    sfn.stop_execution(executionArn=running)
    sfn.describe_execution(executionArn=running)
    sfn.start_sync_execution(stateMachineArn=create_machine(sfn, type="EXPRESS"), input="{}")
    seen: dict[str, set[str]] = {}
    for operation, body in bodies:
        for key, value in _dates(body):
            seen.setdefault(operation, set()).add(key)
            assert value == value.quantize(Decimal("0.001")), (operation, key, value)
    assert seen["GetExecutionHistory"] == {"timestamp"}
    assert {"startDate", "stopDate"} <= seen["DescribeExecution"]
    assert seen["StopExecution"] == {"stopDate"}
    assert {"startDate", "stopDate"} <= seen["StartSyncExecution"]
    assert seen["UpdateStateMachine"] == {"updateDate"}
    for operation in ("CreateActivity", "ListActivities", "CreateStateMachine"):
        assert seen[operation] == {"creationDate"}, operation


def test_history_dates_are_ordered_and_bracketed_by_start_and_stop(sfn: Any) -> None:
    machine = create_machine(sfn, BUSY_DEFINITION)
    arn = sfn.start_execution(stateMachineArn=machine, input="[1, 2, 3, 4, 5]")["executionArn"]
    described = _wait_until_done(sfn, arn)
    assert described["status"] == "SUCCEEDED"
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    stamps = [event["timestamp"] for event in events]
    assert len(stamps) > 20
    assert all(stamp.microsecond % 1000 == 0 for stamp in stamps)
    assert stamps == sorted(stamps)
    assert stamps[0] == described["startDate"]
    assert stamps[-1] == described["stopDate"]
    assert described["stopDate"] >= described["startDate"]
    assert described["startDate"].microsecond % 1000 == 0


def test_a_stopped_execution_stops_at_its_last_event(sfn: Any) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, WAIT_DEFINITION))["executionArn"]
    stopped = sfn.stop_execution(executionArn=arn)["stopDate"]
    described = sfn.describe_execution(executionArn=arn)
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert events[-1]["type"] == "ExecutionAborted"
    assert stopped == described["stopDate"] == events[-1]["timestamp"]
    assert described["startDate"] <= stopped
    listed = sfn.list_executions(stateMachineArn=described["stateMachineArn"])["executions"]
    assert listed[0]["stopDate"] == stopped


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 26, 2, 0, 0, 694127, tzinfo=timezone.utc), "1795658400.694"),
        (datetime(2026, 11, 26, 2, 0, 0, 999999, tzinfo=timezone.utc), "1795658400.999"),
        (datetime(2026, 11, 26, 2, 0, 0, 1000, tzinfo=timezone.utc), "1795658400.001"),
        (datetime(2026, 11, 26, 2, 0, 0, 0, tzinfo=timezone.utc), "1795658400.0"),
        (datetime(1970, 1, 1, 0, 0, 0, 123456, tzinfo=timezone.utc), "0.123"),
    ],
)
def test_dates_are_written_truncated_to_the_millisecond(moment: datetime, expected: str) -> None:
    assert repr(epoch_seconds(moment)) == expected
    assert encode({"startDate": moment}) == b'{"startDate":' + expected.encode() + b"}"


def test_history_never_steps_back_when_the_clock_does() -> None:
    history = History()
    first = datetime(2026, 11, 26, 2, 0, 0, 500999, tzinfo=timezone.utc)
    history.add("ExecutionStarted", 0, timestamp=first)
    history.add("PassStateEntered", 1, timestamp=first - timedelta(seconds=1))
    history.add("PassStateExited", 2)
    stamps = [event["timestamp"] for event in history.events]
    assert stamps[0] == stamps[1] == to_milliseconds(first)
    assert stamps[0].microsecond == 500000
    assert stamps[2] >= stamps[1] and stamps[2].microsecond % 1000 == 0
