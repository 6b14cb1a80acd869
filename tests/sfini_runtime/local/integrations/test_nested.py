"""Nested state machines (``states:startExecution`` in every pattern) run on the engine itself,
reached through boto3 over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine

from ._helpers import details, history, machine, run, task_machine, types, unique, wait_done

pytestmark = pytest.mark.engine

CHILD = {
    "StartAt": "P",
    "States": {"P": {"Type": "Pass", "Parameters": {"got.$": "$"}, "End": True}},
}
FAILING = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "ChildError", "Cause": "why"}}}
WAITING = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalEngine]:
    with LocalEngine(time_scale=0.01) as engine:
        yield engine


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


def _start_task(resource: str, target: str, **parameters: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": f"arn:aws:states:::states:{resource}",
        "Parameters": {"StateMachineArn": target, **parameters},
    }


def test_request_response_returns_the_start_and_the_child_runs(sfn: Any) -> None:
    child = machine(sfn, CHILD)
    parent = task_machine(sfn, _start_task("startExecution", child, Input={"a": 1}))
    described = run(sfn, parent)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert set(output) == {"ExecutionArn", "StartDate", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert isinstance(output["StartDate"], int)
    assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
    child_run = wait_done(sfn, output["ExecutionArn"])
    assert child_run["stateMachineArn"] == child
    assert json.loads(child_run["output"]) == {"got": {"a": 1}}
    assert types(sfn, described["executionArn"]) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = details(sfn, described["executionArn"], "TaskScheduled")[0]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("states", "startExecution")
    assert json.loads(scheduled["parameters"]) == {"StateMachineArn": child, "Input": {"a": 1}}


@pytest.mark.parametrize(("suffix", "parsed"), [(".sync", False), (".sync:2", True)])
def test_sync_waits_for_the_child_and_returns_its_description(
    sfn: Any, suffix: str, parsed: bool
) -> None:
    child = machine(sfn, CHILD)
    name = unique("child-run")
    task = _start_task(f"startExecution{suffix}", child, Input={"a": 1}, Name=name)
    described = run(sfn, task_machine(sfn, task))
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["Status"] == "SUCCEEDED"
    assert output["Name"] == name
    assert output["StateMachineArn"] == child
    assert output["InputDetails"] == output["OutputDetails"] == {"Included": True}
    assert isinstance(output["StartDate"], int) and output["StopDate"] >= output["StartDate"]
    if parsed:
        assert output["Input"] == {"a": 1} and output["Output"] == {"got": {"a": 1}}
    else:
        assert json.loads(output["Input"]) == {"a": 1}
        assert json.loads(output["Output"]) == {"got": {"a": 1}}
    arn = described["executionArn"]
    assert types(sfn, arn)[2:7] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
    ]
    submitted = details(sfn, arn, "TaskSubmitted")[0]
    assert submitted["resource"] == f"startExecution{suffix}"
    assert json.loads(submitted["output"])["ExecutionArn"] == output["ExecutionArn"]


def test_sync_child_failure_is_states_task_failed_with_the_child_as_cause(sfn: Any) -> None:
    child = machine(sfn, FAILING)
    task = {
        **_start_task("startExecution.sync:2", child),
        "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}],
    }
    parent = task_machine(sfn, task, Caught={"Type": "Pass", "End": True})
    described = run(sfn, parent)
    assert described["status"] == "SUCCEEDED"
    caught = json.loads(described["output"])
    assert caught["Error"] == "States.TaskFailed"
    cause = json.loads(caught["Cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "ChildError", "why")
    assert "Output" not in cause


def test_stopping_the_parent_stops_a_sync_child(sfn: Any) -> None:
    child = machine(sfn, WAITING)
    parent = task_machine(sfn, _start_task("startExecution.sync", child))
    arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
    child_arn = _submitted_child(sfn, arn)
    sfn.stop_execution(executionArn=arn)
    assert wait_done(sfn, arn)["status"] == "ABORTED"
    assert wait_done(sfn, child_arn)["status"] == "ABORTED"
    assert types(sfn, arn)[-2:] == ["TaskStateAborted", "ExecutionAborted"]


def test_a_fire_and_forget_child_outlives_its_parent(sfn: Any) -> None:
    child = machine(sfn, WAITING)
    described = run(sfn, task_machine(sfn, _start_task("startExecution", child)))
    child_arn = json.loads(described["output"])["ExecutionArn"]
    assert sfn.describe_execution(executionArn=child_arn)["status"] == "RUNNING"
    sfn.stop_execution(executionArn=child_arn)


def test_task_timeout_on_sync_stops_the_child(local: LocalEngine, sfn: Any) -> None:
    child = machine(sfn, WAITING)
    task = {**_start_task("startExecution.sync", child), "TimeoutSeconds": 5}
    arn = sfn.start_execution(stateMachineArn=task_machine(sfn, task))["executionArn"]
    child_arn = _submitted_child(sfn, arn)
    described = wait_done(sfn, arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Timeout"
    assert "TaskTimedOut" in types(sfn, arn)
    assert wait_done(sfn, child_arn)["status"] == "ABORTED"


def test_a_missing_state_machine_is_a_retriable_step_functions_error(sfn: Any) -> None:
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nowhere"
    task = {
        **_start_task("startExecution.sync", missing),
        "Retry": [
            {
                "ErrorEquals": ["StepFunctions.StateMachineDoesNotExistException"],
                "MaxAttempts": 2,
                "IntervalSeconds": 1,
            }
        ],
    }
    described = run(sfn, task_machine(sfn, task))
    assert described["status"] == "FAILED"
    assert described["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert "State Machine Does Not Exist" in described["cause"]
    assert "(Service: AWSStepFunctions; Status Code: 400" in described["cause"]
    assert types(sfn, described["executionArn"]).count("TaskFailed") == 3


def test_a_child_name_used_twice_is_execution_already_exists(sfn: Any) -> None:
    child = machine(sfn, CHILD)
    name = unique("twice")
    first = run(sfn, task_machine(sfn, _start_task("startExecution.sync", child, Name=name)))
    assert first["status"] == "SUCCEEDED"
    again = _start_task("startExecution", child, Name=name, Input={"other": True})
    described = run(sfn, task_machine(sfn, again))
    assert described["error"] == "StepFunctions.ExecutionAlreadyExistsException"


def test_started_by_execution_id_reaches_the_child_as_given(sfn: Any) -> None:
    child = machine(sfn, CHILD)
    task = _start_task(
        "startExecution.sync:2",
        child,
        Input={"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id", "x": 1},
    )
    described = run(sfn, task_machine(sfn, task))
    output = json.loads(described["output"])
    assert output["Output"] == {
        "got": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": described["executionArn"], "x": 1}
    }


def test_input_given_as_json_text_is_the_childs_input(sfn: Any) -> None:
    child = machine(sfn, CHILD)
    task = _start_task("startExecution.sync:2", child, Input='{"text": true}')
    output = json.loads(run(sfn, task_machine(sfn, task))["output"])
    assert output["Output"] == {"got": {"text": True}}


def _submitted_child(sfn: Any, parent_arn: str) -> str:
    """The child ARN once the parent's TaskSubmitted is recorded."""
    from ._helpers import wait_for_event

    event = wait_for_event(sfn, parent_arn, "TaskSubmitted")
    return json.loads(event["taskSubmittedEventDetails"]["output"])["ExecutionArn"]


def test_history_of_a_sync_failure_has_no_state_exit(sfn: Any) -> None:
    child = machine(sfn, FAILING)
    described = run(sfn, task_machine(sfn, _start_task("startExecution.sync", child)))
    assert described["status"] == "FAILED"
    assert [e["type"] for e in history(sfn, described["executionArn"])][-2:] == [
        "TaskFailed",
        "ExecutionFailed",
    ]
