"""State machines through boto3: create (idempotent), describe, update, list, delete, validate."""

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

LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:sfini:*"


def test_create_and_describe(sfn: Any, local: Any) -> None:
    name = unique("machine")
    created = sfn.create_state_machine(
        name=name,
        definition=PASS_DEFINITION,
        roleArn=ROLE_ARN,
        tags=[{"key": "team", "value": "x"}],
    )
    arn = created["stateMachineArn"]
    assert arn == f"arn:aws:states:{local.region}:{local.account_id}:stateMachine:{name}"
    described = sfn.describe_state_machine(stateMachineArn=arn)
    described.pop("ResponseMetadata")
    assert described == {
        "stateMachineArn": arn,
        "name": name,
        "status": "ACTIVE",
        "definition": PASS_DEFINITION,
        "roleArn": ROLE_ARN,
        "type": "STANDARD",
        "creationDate": created["creationDate"],
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": {"enabled": False},
    }
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "x"}]


def test_create_is_idempotent_for_the_same_definition(sfn: Any) -> None:
    name = unique("machine")
    first = sfn.create_state_machine(name=name, definition=PASS_DEFINITION, roleArn=ROLE_ARN)
    other_role = "arn:aws:iam::123456789012:role/other"
    again = sfn.create_state_machine(name=name, definition=PASS_DEFINITION, roleArn=other_role)
    assert (again["stateMachineArn"], again["creationDate"]) == (
        first["stateMachineArn"],
        first["creationDate"],
    )
    described = sfn.describe_state_machine(stateMachineArn=first["stateMachineArn"])
    assert described["roleArn"] == ROLE_ARN  # the repeated call changes nothing
    with pytest.raises(ClientError) as caught:
        sfn.create_state_machine(name=name, definition=WAIT_DEFINITION, roleArn=ROLE_ARN)
    assert caught.value.response["Error"] == {
        "Code": "StateMachineAlreadyExists",
        "Message": f"State Machine Already Exists: '{first['stateMachineArn']}'",
    }


def test_express_with_logging_and_tracing(sfn: Any) -> None:
    logging = {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}}],
    }
    arn = create_machine(
        sfn, type="EXPRESS", loggingConfiguration=logging, tracingConfiguration={"enabled": True}
    )
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["type"] == "EXPRESS"
    assert described["loggingConfiguration"] == logging
    assert described["tracingConfiguration"] == {"enabled": True}
    listed = sfn.list_state_machines(maxResults=1000)["stateMachines"]
    assert {"stateMachineArn", "name", "type", "creationDate"} == set(
        next(m for m in listed if m["stateMachineArn"] == arn)
    )


@pytest.mark.parametrize(
    "logging",
    [
        {"level": "ERROR"},
        {
            "level": "ALL",
            "destinations": [
                {"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}},
                {"cloudWatchLogsLogGroup": {"logGroupArn": LOG_GROUP}},
            ],
        },
        {"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "nope"}}]},
    ],
)
def test_invalid_logging_configuration(sfn: Any, logging: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as caught:
        create_machine(sfn, loggingConfiguration=logging)
    assert caught.value.response["Error"]["Code"] == "InvalidLoggingConfiguration"
    assert caught.value.response["Error"]["Message"].startswith("Invalid Logging Configuration:")


def test_update_sets_revision_and_keeps_what_is_not_given(sfn: Any) -> None:
    arn = create_machine(sfn)
    updated = sfn.update_state_machine(stateMachineArn=arn, definition=WAIT_DEFINITION)
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["definition"] == WAIT_DEFINITION
    assert described["roleArn"] == ROLE_ARN
    assert described["revisionId"] == updated["revisionId"]
    role = "arn:aws:iam::123456789012:role/next"
    second = sfn.update_state_machine(stateMachineArn=arn, roleArn=role)
    assert second["revisionId"] != updated["revisionId"]
    assert second["updateDate"] >= updated["updateDate"]
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["definition"], described["roleArn"]) == (WAIT_DEFINITION, role)


def test_update_needs_something_to_change(raw_sfn: Any) -> None:
    arn = create_machine(raw_sfn)
    with pytest.raises(ClientError) as caught:
        raw_sfn.update_state_machine(stateMachineArn=arn)
    assert caught.value.response["Error"]["Code"] == "MissingRequiredParameter"


def test_delete_then_describe(sfn: Any) -> None:
    arn = create_machine(sfn)
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as caught:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert caught.value.response["Error"] == {
        "Code": "StateMachineDoesNotExist",
        "Message": f"State Machine Does Not Exist: '{arn}'",
    }
    assert arn not in [
        m["stateMachineArn"] for m in sfn.list_state_machines(maxResults=1000)["stateMachines"]
    ]
    sfn.delete_state_machine(stateMachineArn=arn)  # idempotent, as on AWS


def test_list_paginates(sfn: Any) -> None:
    arns = [create_machine(sfn) for _ in range(3)]
    listed = [
        m["stateMachineArn"]
        for page in sfn.get_paginator("list_state_machines").paginate(
            PaginationConfig={"PageSize": 1}
        )
        for m in page["stateMachines"]
    ]
    assert [arn for arn in listed if arn in arns] == arns


def test_invalid_definition_is_rejected_naming_the_problem(sfn: Any) -> None:
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
    with pytest.raises(ClientError) as caught:
        create_machine(sfn, definition=definition)
    error = caught.value.response["Error"]
    assert error["Code"] == "InvalidDefinition"
    assert "Nowhere" in error["Message"]


def test_validate_state_machine_definition(sfn: Any) -> None:
    assert sfn.validate_state_machine_definition(definition=PASS_DEFINITION)["result"] == "OK"
    bad = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}})
    answer = sfn.validate_state_machine_definition(definition=bad)
    assert answer["result"] == "FAIL"
    assert answer["diagnostics"]
    assert all(d["severity"] == "ERROR" for d in answer["diagnostics"])
    assert answer["truncated"] is False
    one = sfn.validate_state_machine_definition(definition=bad, maxResults=1)
    assert len(one["diagnostics"]) == 1


def test_delete_with_running_executions_fails_them_at_their_next_transition(sfn: Any) -> None:
    """AWS: the machine is DELETING until its executions end; each fails with States.Runtime
    at its next state transition (one blocked in a Task stays until the Task ends)."""
    activity = sfn.create_activity(name=unique("deleted-machine-work"))["activityArn"]
    definition = {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Task", "Resource": activity, "Next": "After"},
            "After": {"Type": "Pass", "End": True},
        },
    }
    name = unique("doomed")
    machine = create_machine(sfn, json.dumps(definition), name=name)
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)
    sfn.delete_state_machine(stateMachineArn=machine)
    assert sfn.describe_state_machine(stateMachineArn=machine)["status"] == "DELETING"
    for call in (
        lambda: sfn.start_execution(stateMachineArn=machine),
        lambda: sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE_ARN
        ),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "StateMachineDeleting"
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    deadline = time.monotonic() + 10
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "States.Runtime",
        f"State machine {name} has been deleted.",
    )
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events][-3:] == [
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionFailed",
    ]
    while True:  # gone once its last execution has ended
        try:
            sfn.describe_state_machine(stateMachineArn=machine)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "StateMachineDoesNotExist"
            break
        assert time.monotonic() < deadline
        time.sleep(0.01)
