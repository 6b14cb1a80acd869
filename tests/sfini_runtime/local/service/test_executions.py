"""Executions through boto3: start (idempotent), describe, list, stop, history, sync."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sfini_runtime.local.service.helpers import (
    PASS_DEFINITION,
    ROLE_ARN,
    WAIT_DEFINITION,
    create_machine,
    unique,
)


def wait_until_done(sfn: Any, arn: str) -> dict[str, Any]:
    for _ in range(1000):
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.01)
    raise AssertionError(f"{arn} did not end")


def test_start_and_describe(sfn: Any, local: Any) -> None:
    machine = create_machine(sfn)
    name = unique("run")
    started = sfn.start_execution(stateMachineArn=machine, name=name, input='{"a": 1}')
    machine_name = machine.rsplit(":", 1)[1]
    assert started["executionArn"] == (
        f"arn:aws:states:{local.region}:{local.account_id}:execution:{machine_name}:{name}"
    )
    described = wait_until_done(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert described["name"] == name
    assert described["stateMachineArn"] == machine
    assert described["startDate"] == started["startDate"]
    assert described["stopDate"] >= described["startDate"]
    assert json.loads(described["input"]) == {"a": 1}
    assert json.loads(described["output"]) == {"a": 1}
    assert described["inputDetails"] == {"included": True}
    assert described["outputDetails"] == {"included": True}
    assert "error" not in described


def test_default_name_is_a_uuid_and_default_input_is_an_empty_object(sfn: Any) -> None:
    machine = create_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    name = arn.rsplit(":", 1)[1]
    assert len(name) == 36 and name.count("-") == 4
    assert wait_until_done(sfn, arn)["input"] == "{}"


def test_start_is_idempotent_while_running_with_the_same_input(sfn: Any) -> None:
    machine = create_machine(sfn, definition=WAIT_DEFINITION)
    name = unique("run")
    first = sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    again = sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    assert (again["executionArn"], again["startDate"]) == (
        first["executionArn"],
        first["startDate"],
    )
    with pytest.raises(ClientError) as caught:
        sfn.start_execution(stateMachineArn=machine, name=name, input='{"other": 1}')
    assert caught.value.response["Error"] == {
        "Code": "ExecutionAlreadyExists",
        "Message": f"Execution Already Exists: '{first['executionArn']}'",
    }
    sfn.stop_execution(executionArn=first["executionArn"])
    with pytest.raises(ClientError) as caught:  # a closed execution's name stays taken
        sfn.start_execution(stateMachineArn=machine, name=name, input="{}")
    assert caught.value.response["Error"]["Code"] == "ExecutionAlreadyExists"


def test_stop_aborts_with_error_and_cause(sfn: Any) -> None:
    machine = create_machine(sfn, definition=WAIT_DEFINITION)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    running = sfn.describe_execution(executionArn=arn)
    assert running["status"] == "RUNNING"
    assert "stopDate" not in running and "output" not in running
    assert running["redriveStatus"] == "NOT_REDRIVABLE"
    stopped = sfn.stop_execution(executionArn=arn, error="Halt", cause="by the test")
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "ABORTED"
    assert described["stopDate"] == stopped["stopDate"]
    assert (described["error"], described["cause"]) == ("Halt", "by the test")
    assert sfn.get_execution_history(executionArn=arn, reverseOrder=True)["events"][0]["type"] == (
        "ExecutionAborted"
    )
    again = sfn.stop_execution(executionArn=arn)  # stopping a closed execution changes nothing
    assert again["stopDate"] == stopped["stopDate"]


def test_list_executions_newest_first_with_status_filter_and_pages(sfn: Any) -> None:
    machine = create_machine(sfn, definition=WAIT_DEFINITION)
    arns = [sfn.start_execution(stateMachineArn=machine)["executionArn"] for _ in range(5)]
    sfn.stop_execution(executionArn=arns[1])
    pages = list(
        sfn.get_paginator("list_executions").paginate(
            stateMachineArn=machine, PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["executions"]) for p in pages] == [2, 2, 1]
    listed = [e["executionArn"] for p in pages for e in p["executions"]]
    assert listed == list(reversed(arns))
    aborted = sfn.list_executions(stateMachineArn=machine, statusFilter="ABORTED")["executions"]
    assert [e["executionArn"] for e in aborted] == [arns[1]]
    assert aborted[0]["status"] == "ABORTED" and "stopDate" in aborted[0]
    running = sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]
    assert len(running) == 4
    assert set(running[0]) == {"executionArn", "stateMachineArn", "name", "status", "startDate"}
    for arn in arns:
        sfn.stop_execution(executionArn=arn)


def test_a_new_execution_does_not_shift_the_next_page(sfn: Any) -> None:
    machine = create_machine(sfn, definition=WAIT_DEFINITION)
    arns = [sfn.start_execution(stateMachineArn=machine)["executionArn"] for _ in range(3)]
    first = sfn.list_executions(stateMachineArn=machine, maxResults=1)
    sfn.start_execution(stateMachineArn=machine)
    rest = sfn.list_executions(stateMachineArn=machine, nextToken=first["nextToken"])
    assert [e["executionArn"] for e in rest["executions"]] == [arns[1], arns[0]]
    with pytest.raises(ClientError) as caught:  # a token belongs to its own listing
        sfn.list_executions(
            stateMachineArn=machine, statusFilter="RUNNING", nextToken=first["nextToken"]
        )
    assert caught.value.response["Error"]["Code"] == "InvalidToken"


def test_history_pages_order_and_execution_data(sfn: Any) -> None:
    machine = create_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=machine, input='{"x": 1}')["executionArn"]
    wait_until_done(sfn, arn)
    everything = sfn.get_execution_history(executionArn=arn)["events"]
    assert everything[0]["type"] == "ExecutionStarted"
    assert everything[-1]["type"] == "ExecutionSucceeded"
    assert [e["id"] for e in everything] == list(range(1, len(everything) + 1))
    paged = [
        e
        for page in sfn.get_paginator("get_execution_history").paginate(
            executionArn=arn, PaginationConfig={"PageSize": 1}
        )
        for e in page["events"]
    ]
    assert paged == everything
    reverse = [
        e
        for page in sfn.get_paginator("get_execution_history").paginate(
            executionArn=arn, reverseOrder=True, PaginationConfig={"PageSize": 2}
        )
        for e in page["events"]
    ]
    assert reverse == list(reversed(everything))
    bare = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    started = bare[0]["executionStartedEventDetails"]
    assert "input" not in started
    assert started["roleArn"] == ROLE_ARN
    assert "output" not in bare[-1]["executionSucceededEventDetails"]
    assert json.loads(everything[0]["executionStartedEventDetails"]["input"]) == {"x": 1}


def test_describe_state_machine_for_execution_shows_the_revision_it_ran(sfn: Any) -> None:
    machine = create_machine(sfn)
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    sfn.update_state_machine(stateMachineArn=machine, definition=WAIT_DEFINITION)
    described = sfn.describe_state_machine_for_execution(executionArn=arn)
    assert described["definition"] == PASS_DEFINITION
    assert described["stateMachineArn"] == machine
    assert described["roleArn"] == ROLE_ARN
    assert "updateDate" in described and "revisionId" not in described
    later = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    now_described = sfn.describe_state_machine_for_execution(executionArn=later)
    assert now_described["definition"] == WAIT_DEFINITION
    assert "revisionId" in now_described
    sfn.stop_execution(executionArn=later)


def test_start_sync_execution_on_express(sfn: Any) -> None:
    machine = create_machine(sfn, type="EXPRESS")
    answer = sfn.start_sync_execution(stateMachineArn=machine, name="sync", input='{"k": "v"}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"k": "v"}
    assert ":express:" in answer["executionArn"]
    assert answer["stateMachineArn"] == machine
    assert answer["stopDate"] >= answer["startDate"]
    assert answer["billingDetails"]["billedMemoryUsedInMB"] == 64
    assert answer["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0
    again = sfn.start_sync_execution(stateMachineArn=machine, name="sync", input="{}")
    assert again["executionArn"] != answer["executionArn"]  # EXPRESS names are reusable


def test_express_machines_have_no_execution_list(sfn: Any) -> None:
    machine = create_machine(sfn, type="EXPRESS")
    with pytest.raises(ClientError) as caught:
        sfn.list_executions(stateMachineArn=machine)
    assert caught.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_start_sync_execution_refuses_standard(sfn: Any) -> None:
    machine = create_machine(sfn)
    with pytest.raises(ClientError) as caught:
        sfn.start_sync_execution(stateMachineArn=machine)
    assert caught.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_only_the_newest_finished_executions_are_retained() -> None:
    from sfini_runtime.local import LocalEngine

    with LocalEngine(time_scale=1, retained_executions=3) as engine:
        sfn = engine.client()
        machine = create_machine(sfn)
        endless = create_machine(sfn, WAIT_DEFINITION)  # a 600 s Wait: runs throughout
        waiting = sfn.start_execution(stateMachineArn=endless, name="waiting")
        arns = []
        for k in range(5):
            arn = sfn.start_execution(stateMachineArn=machine, name=f"run-{k}")["executionArn"]
            wait_until_done(sfn, arn)
            arns.append(arn)

        def listed() -> list[str]:
            listing = sfn.list_executions(stateMachineArn=machine)["executions"]
            return [e["name"] for e in listing]

        deadline = time.monotonic() + 10  # forgetting happens just after an execution ends
        while listed() != ["run-4", "run-3", "run-2"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert listed() == ["run-4", "run-3", "run-2"]
        for forgotten in arns[:2]:
            with pytest.raises(ClientError) as caught:
                sfn.describe_execution(executionArn=forgotten)
            assert caught.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
        # a running execution is never forgotten, and a forgotten name can be used again
        described = sfn.describe_execution(executionArn=waiting["executionArn"])
        assert described["status"] == "RUNNING"
        again = sfn.start_execution(stateMachineArn=machine, name="run-0")["executionArn"]
        assert again == arns[0]
        assert wait_until_done(sfn, again)["status"] == "SUCCEEDED"
