"""A durable local engine (``LocalEngine(state_dir=...)``): what it kept after a restart, and
the state directories it refuses.

Each test stops an engine and starts a new one on the same directory, in this process, and
looks at everything through boto3 as a client would.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine
from sfini_runtime.local.persistence import SCHEMA_VERSION, StateDirError
from sfini_runtime.local.persistence.state_dir import DATABASE_NAME, LOCK_NAME

ROLE_ARN = "arn:aws:iam::123456789012:role/sfini-test"
SCALE = 0.01  # a Wait of 100 s takes 1 s


def definition(states: dict[str, Any], start: str, **top: Any) -> str:
    return json.dumps({"StartAt": start, "States": states, **top})


PASS = definition({"P": {"Type": "Pass", "Result": {"done": True}, "End": True}}, "P")


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[Callable[..., LocalEngine]]:
    """Start engines on one state directory (``tmp_path / "state"``); stopped at teardown."""
    started: list[LocalEngine] = []

    def start(**options: Any) -> LocalEngine:
        options.setdefault("time_scale", SCALE)
        options.setdefault("activity_poll_seconds", 2.0)
        engine = LocalEngine(state_dir=tmp_path / "state", **options).start()
        started.append(engine)
        return engine

    yield start
    for engine in started:
        engine.stop()


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def status(sfn: Any, arn: str) -> str:
    return sfn.describe_execution(executionArn=arn)["status"]


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    for event in events:
        event.pop("timestamp")  # boto3 gives them in local time; ids and order are compared
    return events


def types(sfn: Any, arn: str) -> list[str]:
    return [event["type"] for event in history(sfn, arn)]


def assert_linked(events: list[dict[str, Any]]) -> None:
    """Ids run 1..n without gaps or repeats."""
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))


# -- resources and finished executions -------------------------------------------------------
def test_resources_tags_and_finished_executions_survive_a_restart(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity = sfn.create_activity(name="work", tags=[{"key": "team", "value": "a"}])
    activity_arn = activity["activityArn"]
    sfn.create_activity(name="gone")
    sfn.delete_activity(activityArn=activity_arn.replace("work", "gone"))
    machine_arn = sfn.create_state_machine(
        name="machine", roleArn=ROLE_ARN, definition=PASS, tags=[{"key": "k", "value": "v"}]
    )["stateMachineArn"]
    sfn.tag_resource(resourceArn=machine_arn, tags=[{"key": "extra", "value": "1"}])
    sfn.untag_resource(resourceArn=machine_arn, tagKeys=["k"])
    first_run = sfn.start_execution(stateMachineArn=machine_arn, name="first", input='{"a":1}')
    wait_for(lambda: status(sfn, first_run["executionArn"]) == "SUCCEEDED")
    updated = definition({"Q": {"Type": "Pass", "End": True}}, "Q")
    revision = sfn.update_state_machine(stateMachineArn=machine_arn, definition=updated)
    second_run = sfn.start_execution(stateMachineArn=machine_arn, name="second")
    wait_for(lambda: status(sfn, second_run["executionArn"]) == "SUCCEEDED")
    before = {
        "describe": sfn.describe_execution(executionArn=first_run["executionArn"]),
        "history": history(sfn, first_run["executionArn"]),
        "listing": sfn.list_executions(stateMachineArn=machine_arn)["executions"],
        "machine": sfn.describe_state_machine(stateMachineArn=machine_arn),
    }
    first.stop()

    sfn = engines().client()
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["work"]
    assert sfn.list_tags_for_resource(resourceArn=activity_arn)["tags"] == [
        {"key": "team", "value": "a"}
    ]
    assert sfn.list_tags_for_resource(resourceArn=machine_arn)["tags"] == [
        {"key": "extra", "value": "1"}
    ]
    machine = sfn.describe_state_machine(stateMachineArn=machine_arn)
    assert machine["definition"] == updated
    assert machine["revisionId"] == revision["revisionId"]
    assert machine["creationDate"] == before["machine"]["creationDate"]
    describe = sfn.describe_execution(executionArn=first_run["executionArn"])
    for key in ("status", "input", "output", "startDate", "stopDate", "name"):
        assert describe[key] == before["describe"][key]
    assert describe["output"] == '{"done":true}'
    assert history(sfn, first_run["executionArn"]) == before["history"]
    # the first execution ran the first revision, and still says so
    first_machine = sfn.describe_state_machine_for_execution(executionArn=first_run["executionArn"])
    assert first_machine["definition"] == PASS
    listing = sfn.list_executions(stateMachineArn=machine_arn)["executions"]
    assert listing == before["listing"]
    # numbering goes on: a new execution is listed first, resources after the old ones
    third = sfn.start_execution(stateMachineArn=machine_arn, name="third")
    wait_for(lambda: status(sfn, third["executionArn"]) == "SUCCEEDED")
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=machine_arn)["executions"]]
    assert names == ["third", "second", "first"]
    sfn.create_activity(name="later")
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["work", "later"]
    # a finished execution's name is taken, as before the restart
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=machine_arn, name="first", input='{"a":1}')


def test_a_deleted_state_machine_stays_deleted(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    arn = sfn.create_state_machine(name="short", roleArn=ROLE_ARN, definition=PASS)[
        "stateMachineArn"
    ]
    sfn.delete_state_machine(stateMachineArn=arn)
    first.stop()
    sfn = engines().client()
    assert sfn.list_state_machines()["stateMachines"] == []
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_a_state_machine_created_again_after_deletion_keeps_its_new_definition(
    engines: Any,
) -> None:
    first = engines()
    sfn = first.client()
    arn = sfn.create_state_machine(name="again", roleArn=ROLE_ARN, definition=PASS)[
        "stateMachineArn"
    ]
    sfn.delete_state_machine(stateMachineArn=arn)
    second = json.dumps(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": True}}}
    )
    assert (
        sfn.create_state_machine(name="again", roleArn=ROLE_ARN, definition=second)[
            "stateMachineArn"
        ]
        == arn
    )
    first.stop()
    sfn = engines().client()
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == second


def test_a_state_machine_deleted_while_running_is_deleted_after_the_restart(
    engines: Any,
) -> None:
    first = engines()
    sfn = first.client()
    states = {
        "Wait": {"Type": "Wait", "Seconds": 50, "Next": "Next"},
        "Next": {"Type": "Pass", "End": True},
    }
    arn = sfn.create_state_machine(
        name="deleting", roleArn=ROLE_ARN, definition=definition(states, "Wait")
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for(lambda: "WaitStateEntered" in types(sfn, execution))
    sfn.delete_state_machine(stateMachineArn=arn)
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    first.stop()
    sfn = engines().client()
    # as before the restart: the execution fails at its next transition, then the machine goes
    wait_for(lambda: status(sfn, execution) == "FAILED")
    assert sfn.describe_execution(executionArn=execution)["error"] == "States.Runtime"
    wait_for(lambda: not sfn.list_state_machines()["stateMachines"])


def test_the_in_memory_engine_keeps_nothing(tmp_path: Path) -> None:
    with LocalEngine(time_scale=0) as engine:
        assert engine.state_dir is None
        engine.client().create_activity(name="work")
    with LocalEngine(time_scale=0) as engine:
        assert engine.client().list_activities()["activities"] == []


# -- running executions go on --------------------------------------------------------------
def raw_history(engine: LocalEngine, arn: str) -> list[dict[str, Any]]:
    """The engine's own events (UTC timestamps, as recorded)."""
    return list(engine.service.store.execution(arn).record.history)


def seconds_left(engine: LocalEngine, arn: str, timer: str) -> float | None:
    """Seconds until a resumed execution's Wait (``blocker``) or TimeoutSeconds
    (``timeout_timer``) timer fires; None until it is armed."""
    with engine.engine.lock:
        execution = engine.engine._executions.get(arn)
        if execution is None:
            return None
        if execution.ended:  # it fired already
            return 1e-9
        armed = execution.frames[0].blocker if timer == "blocker" else execution.timeout_timer
        if armed is None or not hasattr(armed, "due"):
            return None
        return max(armed.due - time.monotonic(), 1e-9)


def test_a_wait_goes_on_for_the_time_left(engines: Any) -> None:
    first = engines(time_scale=0.03)  # the Wait of 100 s takes 3 s
    sfn = first.client()
    states = {
        "Wait": {"Type": "Wait", "Seconds": 100, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    }
    arn = sfn.create_state_machine(
        name="waits", roleArn=ROLE_ARN, definition=definition(states, "Wait")
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"n":1}')["executionArn"]
    wait_for(lambda: "WaitStateEntered" in types(sfn, execution))
    first.stop()
    time.sleep(1.5)  # half the Wait passes while the engine is down
    second = engines(time_scale=0.03)
    # re-armed for what is left (at most 1.5 s), not for the whole 3 s
    assert wait_for(lambda: seconds_left(second, execution, "blocker")) < 2.2
    sfn = second.client()
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED", timeout=10)
    events = history(sfn, execution)
    assert_linked(events)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == {"n": 1}
    recorded = raw_history(second, execution)
    waited = (recorded[2]["timestamp"] - recorded[1]["timestamp"]).total_seconds()
    assert waited >= 3.0  # and not cut short


def activity_machine(sfn: Any, name: str, **task: Any) -> tuple[str, str]:
    activity_arn = sfn.create_activity(name=f"{name}-activity")["activityArn"]
    states = {"Work": {"Type": "Task", "Resource": activity_arn, "End": True, **task}}
    machine_arn = sfn.create_state_machine(
        name=name, roleArn=ROLE_ARN, definition=definition(states, "Work")
    )["stateMachineArn"]
    return activity_arn, machine_arn


def test_a_scheduled_activity_task_is_offered_again(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity_arn, machine_arn = activity_machine(sfn, "offered")
    execution = sfn.start_execution(stateMachineArn=machine_arn, input='{"job":7}')["executionArn"]
    wait_for(lambda: "ActivityScheduled" in types(sfn, execution))
    first.stop()
    sfn = engines().client()
    task = sfn.get_activity_task(activityArn=activity_arn, workerName="after")
    assert json.loads(task["input"]) == {"job": 7}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"ok":1}')
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    events = history(sfn, execution)
    assert_linked(events)
    assert [e["type"] for e in events].count("ActivityScheduled") == 1
    started = [e for e in events if e["type"] == "ActivityStarted"]
    assert [e["activityStartedEventDetails"]["workerName"] for e in started] == ["after"]


def test_a_token_handed_out_before_the_restart_still_works(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity_arn, machine_arn = activity_machine(sfn, "held", HeartbeatSeconds=1000)
    execution = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    token = sfn.get_activity_task(activityArn=activity_arn, workerName="before")["taskToken"]
    first.stop()
    sfn = engines().client()
    sfn.send_task_heartbeat(taskToken=token)
    sfn.send_task_success(taskToken=token, output='{"answer":42}')
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == {"answer": 42}
    events = history(sfn, execution)
    assert_linked(events)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    # and the token is spent now, as on AWS
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken=token, output="{}")


def test_a_held_task_times_out_on_its_heartbeat_after_the_restart(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity_arn, machine_arn = activity_machine(sfn, "silent", HeartbeatSeconds=50)
    execution = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    token = sfn.get_activity_task(activityArn=activity_arn)["taskToken"]
    first.stop()
    sfn = engines().client()
    # the worker never beats again: HeartbeatSeconds (0.5 s here) after the restart it is over
    wait_for(lambda: status(sfn, execution) == "FAILED", timeout=5)
    assert types(sfn, execution)[-2:] == ["ActivityTimedOut", "ExecutionFailed"]
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=token, output="{}")


def test_a_retry_timer_goes_on_and_the_retry_runs(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    retry = [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 60, "MaxAttempts": 2}]
    activity_arn, machine_arn = activity_machine(sfn, "retried", Retry=retry)
    execution = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    token = sfn.get_activity_task(activityArn=activity_arn)["taskToken"]
    sfn.send_task_failure(taskToken=token, error="Flaky", cause="first try")
    wait_for(lambda: "ActivityFailed" in types(sfn, execution))
    first.stop()
    sfn = engines().client()
    task = sfn.get_activity_task(activityArn=activity_arn)  # after the rest of the 0.6 s
    sfn.send_task_success(taskToken=task["taskToken"], output='"second"')
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    events = history(sfn, execution)
    assert_linked(events)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivityFailed",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_variables_and_outputs_of_states_before_the_restart_carry_on(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity_arn = sfn.create_activity(name="step")["activityArn"]
    states = {
        "Remember": {"Type": "Pass", "Assign": {"seen": "early"}, "Next": "Work"},
        "Work": {"Type": "Task", "Resource": activity_arn, "ResultPath": "$.work", "Next": "Use"},
        "Use": {
            "Type": "Pass",
            "Parameters": {"seen.$": "$seen", "work.$": "$.work", "n.$": "$.n"},
            "End": True,
        },
    }
    machine_arn = sfn.create_state_machine(
        name="carries", roleArn=ROLE_ARN, definition=definition(states, "Remember")
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine_arn, input='{"n":3}')["executionArn"]
    wait_for(lambda: "ActivityScheduled" in types(sfn, execution))
    first.stop()
    sfn = engines().client()
    task = sfn.get_activity_task(activityArn=activity_arn)
    sfn.send_task_success(taskToken=task["taskToken"], output='{"w":true}')
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    output = json.loads(sfn.describe_execution(executionArn=execution)["output"])
    assert output == {"seen": "early", "work": {"w": True}, "n": 3}


def test_parallel_branches_go_on_each_where_it_was(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity_arn = sfn.create_activity(name="branch-work")["activityArn"]
    branches = [
        {"StartAt": name, "States": {name: {"Type": "Task", "Resource": activity_arn, "End": True}}}
        for name in ("Left", "Right")
    ]
    states = {"Both": {"Type": "Parallel", "Branches": branches, "End": True}}
    machine_arn = sfn.create_state_machine(
        name="parallel", roleArn=ROLE_ARN, definition=definition(states, "Both")
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine_arn)["executionArn"]
    one = sfn.get_activity_task(activityArn=activity_arn)
    two = sfn.get_activity_task(activityArn=activity_arn)
    sfn.send_task_success(taskToken=one["taskToken"], output=json.dumps("one"))
    wait_for(lambda: "ActivitySucceeded" in types(sfn, execution))
    first.stop()
    sfn = engines().client()
    sfn.send_task_success(taskToken=two["taskToken"], output=json.dumps("two"))
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    assert sorted(json.loads(sfn.describe_execution(executionArn=execution)["output"])) == [
        "one",
        "two",
    ]
    events = history(sfn, execution)
    assert_linked(events)
    assert [e["type"] for e in events].count("ActivitySucceeded") == 2


def test_map_iterations_go_on_each_where_it_was(engines: Any) -> None:
    first = engines()
    sfn = first.client()
    activity_arn = sfn.create_activity(name="item-work")["activityArn"]
    processor = {
        "StartAt": "Item",
        "States": {"Item": {"Type": "Task", "Resource": activity_arn, "End": True}},
    }
    states = {"Each": {"Type": "Map", "ItemProcessor": processor, "End": True}}
    machine_arn = sfn.create_state_machine(
        name="map", roleArn=ROLE_ARN, definition=definition(states, "Each")
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine_arn, input="[1, 2, 3]")["executionArn"]
    tasks = [sfn.get_activity_task(activityArn=activity_arn) for _ in range(3)]
    first_task = tasks[0]
    sfn.send_task_success(
        taskToken=first_task["taskToken"], output=json.dumps(10 * json.loads(first_task["input"]))
    )
    wait_for(lambda: "ActivitySucceeded" in types(sfn, execution))
    first.stop()
    sfn = engines().client()
    for task in tasks[1:]:
        sfn.send_task_success(
            taskToken=task["taskToken"], output=json.dumps(10 * json.loads(task["input"]))
        )
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == [10, 20, 30]
    events = history(sfn, execution)
    assert_linked(events)
    kinds = [e["type"] for e in events]
    assert kinds.count("MapIterationStarted") == 3
    assert kinds.count("MapIterationSucceeded") == 3
    assert kinds.count("ActivityScheduled") == 3


def test_a_lambda_call_that_returned_before_the_restart_is_not_made_again(
    engines: Any,
) -> None:
    calls: list[Any] = []

    def double(event: Any, context: Any) -> Any:
        calls.append(event)
        return {"doubled": event["n"] * 2}

    first = engines(lambdas={"double": double})
    sfn = first.client()
    activity_arn = sfn.create_activity(name="after-lambda")["activityArn"]
    states = {
        "Double": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "double", "Payload.$": "$"},
            "ResultSelector": {"value.$": "$.Payload.doubled"},
            "Next": "Work",
        },
        "Work": {"Type": "Task", "Resource": activity_arn, "ResultPath": "$.work", "End": True},
    }
    machine_arn = sfn.create_state_machine(
        name="lambda-first", roleArn=ROLE_ARN, definition=definition(states, "Double")
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine_arn, input='{"n":21}')["executionArn"]
    wait_for(lambda: "ActivityScheduled" in types(sfn, execution))
    first.stop()
    sfn = engines(lambdas={"double": double}).client()
    task = sfn.get_activity_task(activityArn=activity_arn)
    assert json.loads(task["input"]) == {"value": 42}
    sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
    wait_for(lambda: status(sfn, execution) == "SUCCEEDED")
    assert calls == [{"n": 21}]  # once, before the restart
    output = json.loads(sfn.describe_execution(executionArn=execution)["output"])
    assert output == {"value": 42, "work": "done"}
    events = history(sfn, execution)
    assert_linked(events)
    assert [e["type"] for e in events].count("TaskSucceeded") == 1


def test_the_execution_timeout_counts_the_time_before_the_restart(engines: Any) -> None:
    first = engines(time_scale=0.03)  # TimeoutSeconds 100: 3 s
    sfn = first.client()
    states = {"Wait": {"Type": "Wait", "Seconds": 1000, "End": True}}
    arn = sfn.create_state_machine(
        name="times-out",
        roleArn=ROLE_ARN,
        definition=definition(states, "Wait", TimeoutSeconds=100),
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for(lambda: "WaitStateEntered" in types(sfn, execution))
    first.stop()
    time.sleep(1.5)
    second = engines(time_scale=0.03)
    # what is left of the 3 s counted from the start (at most 1.5 s), not 3 s from the restart
    assert wait_for(lambda: seconds_left(second, execution, "timeout_timer")) < 2.2
    sfn = second.client()
    wait_for(lambda: status(sfn, execution) == "TIMED_OUT", timeout=10)
    recorded = raw_history(second, execution)
    assert recorded[-1]["type"] == "ExecutionTimedOut"
    assert (recorded[-1]["timestamp"] - recorded[0]["timestamp"]).total_seconds() >= 3.0


# -- state directories refused ---------------------------------------------------------------
def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def one_line(error: pytest.ExceptionInfo[StateDirError]) -> str:
    text = str(error.value)
    assert "\n" not in text
    return text


def test_a_second_engine_on_the_directory_is_refused_naming_the_first(tmp_path: Path) -> None:
    with LocalEngine(time_scale=0, state_dir=tmp_path) as first:
        first.client().create_activity(name="mine")
        with pytest.raises(StateDirError) as refused:
            LocalEngine(time_scale=0, state_dir=tmp_path)
        assert f"process {os.getpid()}" in one_line(refused)
        assert str(tmp_path) in one_line(refused)
        assert first.client().list_activities()["activities"][0]["name"] == "mine"
    # once the first has stopped, the directory is free
    with LocalEngine(time_scale=0, state_dir=tmp_path) as second:
        assert second.client().list_activities()["activities"][0]["name"] == "mine"


def test_a_corrupt_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(b"this is no database\n" * 100)
    before = snapshot(tmp_path)
    with pytest.raises(StateDirError) as refused:
        LocalEngine(time_scale=0, state_dir=tmp_path)
    assert str(tmp_path / DATABASE_NAME) in one_line(refused)
    assert "corrupt" in one_line(refused)
    assert snapshot(tmp_path) == before


def test_a_database_with_damaged_pages_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    with LocalEngine(time_scale=0, state_dir=tmp_path) as engine:
        sfn = engine.client()
        tags = [{"key": f"k{n}", "value": "x" * 250} for n in range(20)]
        for index in range(10):
            sfn.create_activity(name=f"a{index}", tags=tags)
    database = tmp_path / DATABASE_NAME
    data = bytearray(database.read_bytes())
    assert len(data) > 8192
    data[4096:8192] = b"\xff" * 4096  # the second page
    database.write_bytes(bytes(data))
    before = snapshot(tmp_path)
    with pytest.raises(StateDirError) as refused:
        LocalEngine(time_scale=0, state_dir=tmp_path)
    assert str(database) in one_line(refused)
    assert snapshot(tmp_path) == before


def test_a_newer_schema_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    with LocalEngine(time_scale=0, state_dir=tmp_path):
        pass
    with sqlite3.connect(tmp_path / DATABASE_NAME) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.close()
    before = snapshot(tmp_path)
    with pytest.raises(StateDirError) as refused:
        LocalEngine(time_scale=0, state_dir=tmp_path)
    message = one_line(refused)
    assert f"schema version {SCHEMA_VERSION + 1}" in message
    assert str(tmp_path / DATABASE_NAME) in message
    assert snapshot(tmp_path) == before


def test_a_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(StateDirError) as refused:
        LocalEngine(time_scale=0, state_dir=path)
    assert f"{path} is not a directory" in one_line(refused)
    assert path.read_text() == "x"


def test_a_directory_that_cannot_be_written_is_refused() -> None:
    # /proc/self is a directory nobody, root included, can create files in
    with pytest.raises(StateDirError) as refused:
        LocalEngine(time_scale=0, state_dir="/proc/self")
    assert "/proc/self is not writable" in one_line(refused)


def test_a_refused_directory_gets_no_lock_file(tmp_path: Path) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(b"garbage")
    with pytest.raises(StateDirError):
        LocalEngine(time_scale=0, state_dir=tmp_path)
    assert not (tmp_path / LOCK_NAME).exists()


# -- the command line ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda d: (d / DATABASE_NAME).write_bytes(b"not sqlite"), "is corrupt"),
        (lambda d: (d / "x").write_text("x"), "is not a directory"),
    ],
    ids=["corrupt", "a-file"],
)
def test_serve_refuses_a_bad_state_dir_in_one_line(
    tmp_path: Path, prepare: Callable[[Path], Any], expected: str
) -> None:
    from click.testing import CliRunner

    from sfini_runtime.cli.app import cli

    prepare(tmp_path)
    target = tmp_path / "x" if expected == "is not a directory" else tmp_path
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, ["local", "serve", "--port", "0", "--state-dir", str(target)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: state ") and expected in lines[0]
    assert str(target) in lines[0]
    assert snapshot(tmp_path) == before
