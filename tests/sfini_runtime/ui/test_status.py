"""Each state's status from an execution's history: not reached, running, succeeded, retried,
caught, failed; from hand-written histories and from the local engine's."""

from __future__ import annotations

from typing import Any

import pytest

from sfini_runtime.event_types import details_key
from sfini_runtime.local import LocalEngine
from sfini_runtime.ui.status import event_owners, state_runs
from tests.sfini_runtime.ui.conftest import create_machine, run, wait_until_done
from tests.sfini_runtime.ui.definitions import LAMBDA


def history(*rows: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Events from (previous event id, type, details) rows, numbered from 1."""
    events = []
    for number, (previous, event_type, *details) in enumerate(rows, start=1):
        event: dict[str, Any] = {"id": number, "previousEventId": previous, "type": event_type}
        key = details_key(event_type)
        if key:
            event[key] = details[0] if details else {}
        events.append(event)
    return events


def statuses(events: list[dict[str, Any]]) -> dict[str, str]:
    return {name: run.status for name, run in state_runs(events).items()}


TASK_SUCCEEDS = history(
    (0, "ExecutionStarted", {"input": "{}"}),
    (1, "TaskStateEntered", {"name": "Work", "input": '{"a":1}'}),
    (2, "TaskScheduled", {"resource": "x", "resourceType": "lambda", "parameters": "{}"}),
    (3, "TaskStarted", {"resource": "x", "resourceType": "lambda"}),
    (4, "TaskSucceeded", {"resource": "x", "resourceType": "lambda", "output": "2"}),
    (5, "TaskStateExited", {"name": "Work", "output": "2"}),
    (6, "SucceedStateEntered", {"name": "Done", "input": "2"}),
    (7, "SucceedStateExited", {"name": "Done", "output": "2"}),
    (8, "ExecutionSucceeded", {"output": "2"}),
)

TASK_RETRIED = history(
    (0, "ExecutionStarted", {"input": "{}"}),
    (1, "TaskStateEntered", {"name": "Work", "input": "{}"}),
    (2, "TaskScheduled", {"resource": "x"}),
    (3, "TaskStarted", {"resource": "x"}),
    (4, "TaskFailed", {"error": "Flaky", "cause": "first"}),
    (5, "TaskScheduled", {"resource": "x"}),
    (6, "TaskStarted", {"resource": "x"}),
    (7, "TaskSucceeded", {"output": "1"}),
    (8, "TaskStateExited", {"name": "Work", "output": "1"}),
    (9, "ExecutionSucceeded", {"output": "1"}),
)

TASK_CAUGHT = history(
    (0, "ExecutionStarted", {"input": "{}"}),
    (1, "TaskStateEntered", {"name": "Work", "input": "{}"}),
    (2, "TaskScheduled", {"resource": "x"}),
    (3, "TaskFailed", {"error": "Bad", "cause": "always"}),
    (4, "TaskStateExited", {"name": "Work", "output": '{"Error":"Bad"}'}),
    (5, "FailStateEntered", {"name": "Stop", "input": "{}"}),
    (6, "ExecutionFailed", {"error": "Stopped", "cause": "by Stop"}),
)

STILL_RUNNING = history(
    (0, "ExecutionStarted", {"input": "{}"}),
    (1, "WaitStateEntered", {"name": "Pause", "input": "{}"}),
)

TIMED_OUT_IN_A_TASK = history(
    (0, "ExecutionStarted", {"input": "{}"}),
    (1, "TaskStateEntered", {"name": "Work", "input": "{}"}),
    (2, "TaskScheduled", {"resource": "x"}),
    (3, "ExecutionTimedOut", {"error": "States.Timeout"}),
)

# a Parallel whose first branch runs a nested Parallel: the events closing the outer one
# follow the inner one's, which must not be taken for the outer one's
NESTED_PARALLEL_FAILS = history(
    (0, "ExecutionStarted", {"input": "{}"}),
    (1, "ParallelStateEntered", {"name": "Outer", "input": "{}"}),
    (2, "ParallelStateStarted"),
    (3, "ParallelStateEntered", {"name": "Inner", "input": "{}"}),
    (4, "ParallelStateStarted"),
    (5, "PassStateEntered", {"name": "Leaf", "input": "{}"}),
    (6, "PassStateExited", {"name": "Leaf", "output": "{}"}),
    (7, "ParallelStateSucceeded"),
    (8, "ParallelStateExited", {"name": "Inner", "output": "[{}]"}),
    (3, "TaskStateEntered", {"name": "Sibling", "input": "{}"}),
    (10, "TaskScheduled", {"resource": "x"}),
    (11, "TaskFailed", {"error": "Bad"}),
    (12, "ParallelStateFailed", {"error": "Bad"}),
    (13, "ExecutionFailed", {"error": "Bad"}),
)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (TASK_SUCCEEDS, {"Work": "succeeded", "Done": "succeeded"}),
        (TASK_RETRIED, {"Work": "retried"}),
        (TASK_CAUGHT, {"Work": "caught", "Stop": "failed"}),
        (STILL_RUNNING, {"Pause": "running"}),
        (TIMED_OUT_IN_A_TASK, {"Work": "failed"}),
        (
            NESTED_PARALLEL_FAILS,
            {"Outer": "failed", "Inner": "succeeded", "Leaf": "succeeded", "Sibling": "failed"},
        ),
    ],
    ids=["succeeds", "retried", "caught", "running", "timed-out", "nested-parallel"],
)
def test_status_of_each_state(events: list[dict[str, Any]], expected: dict[str, str]) -> None:
    assert statuses(events) == expected


def test_a_run_keeps_input_output_error_and_counts() -> None:
    runs = state_runs(TASK_RETRIED)
    work = runs["Work"]
    assert (work.entered, work.retries, work.input, work.output) == (1, 1, "{}", "1")
    assert (work.error, work.cause) == ("Flaky", "first")
    caught = state_runs(TASK_CAUGHT)
    assert caught["Work"].output == '{"Error":"Bad"}'
    assert (caught["Stop"].error, caught["Stop"].cause) == ("Stopped", "by Stop")


def test_a_state_entered_again_is_running_then_keeps_its_worst_outcome() -> None:
    looped = history(
        (0, "ExecutionStarted", {"input": "{}"}),
        (1, "TaskStateEntered", {"name": "Work", "input": "1"}),
        (2, "TaskFailed", {"error": "Bad"}),
        (3, "TaskStateExited", {"name": "Work", "output": "{}"}),
        (4, "TaskStateEntered", {"name": "Work", "input": "2"}),
    )
    assert statuses(looped) == {"Work": "running"}
    finished = [*looped, *history((0, "TaskSucceeded"), (1, "TaskStateExited", {"name": "Work"}))]
    finished[-2].update(id=6, previousEventId=5)
    finished[-1].update(id=7, previousEventId=6)
    run = state_runs(finished)["Work"]
    assert (run.status, run.entered, run.input) == ("caught", 2, "2")


def test_each_event_belongs_to_its_state() -> None:
    owners = event_owners(NESTED_PARALLEL_FAILS)
    assert owners == [
        None, "Outer", "Outer", "Inner", "Inner", "Leaf", "Leaf", "Inner", "Inner",
        "Sibling", "Sibling", "Sibling", "Outer", None,
    ]  # fmt: skip


def test_statuses_from_the_local_engine() -> None:
    calls = {"flaky": 0}

    def flaky(event: Any, context: Any) -> Any:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("first call fails")
        return event

    def broken(event: Any, context: Any) -> Any:
        raise ValueError("always")

    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "Flaky",
                        "States": {
                            "Flaky": {
                                "Type": "Task",
                                "Resource": LAMBDA + "flaky",
                                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}],
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "Items",
                        "States": {
                            "Items": {
                                "Type": "Map",
                                "ItemsPath": "$.items",
                                "ItemProcessor": {
                                    "StartAt": "Item",
                                    "States": {"Item": {"Type": "Pass", "End": True}},
                                },
                                "End": True,
                            }
                        },
                    },
                ],
                "Next": "Broken",
            },
            "Broken": {
                "Type": "Task",
                "Resource": LAMBDA + "broken",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Give up"}],
                "Next": "Never",
            },
            "Never": {"Type": "Succeed"},
            "Give up": {"Type": "Fail", "Error": "GaveUp"},
        },
    }
    with LocalEngine(time_scale=0.01, lambdas={"flaky": flaky, "broken": broken}) as engine:
        sfn = engine.client()
        machine = create_machine(sfn, "statuses", definition)
        arn = run(sfn, machine, {"items": [1, 2, 3]})
        assert wait_until_done(sfn, arn) == "FAILED"
        events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    runs = state_runs(events)
    assert {name: run.status for name, run in runs.items()} == {
        "Both": "succeeded",
        "Flaky": "retried",
        "Items": "succeeded",
        "Item": "succeeded",
        "Broken": "caught",
        "Give up": "failed",
    }
    assert runs["Item"].entered == 3
    assert runs["Broken"].error == "ValueError"
    assert runs["Give up"].error == "GaveUp"
