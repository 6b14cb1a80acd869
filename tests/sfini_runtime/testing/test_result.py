"""Reading a history into a test's result: visits, path, retries, and assertion messages."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

import pytest

from sfini_runtime.execution.history import parse_history
from sfini_runtime.testing import (
    ExecutionResult,
    StateNotEntered,
    StatePath,
    WorkflowAssertionError,
)
from sfini_runtime.testing.errors import HISTORY_HEADING
from sfini_runtime.testing.result import path_difference, read_visits

T0 = datetime.datetime(2026, 12, 4, 2, 0, tzinfo=datetime.timezone.utc)


def event(event_id: int, previous: int, event_type: str, **details: Any) -> dict[str, Any]:
    """A GetExecutionHistory event; ``details`` go under the type's details key, JSON values
    (input, output) as JSON text, as the API sends them."""
    raw: dict[str, Any] = {
        "timestamp": T0 + datetime.timedelta(milliseconds=event_id),
        "type": event_type,
        "id": event_id,
        "previousEventId": previous,
    }
    if event_type.endswith("StateEntered"):
        key = "stateEnteredEventDetails"
    elif event_type.endswith("StateExited"):
        key = "stateExitedEventDetails"
    elif details:
        key = event_type[0].lower() + event_type[1:] + "EventDetails"
    else:
        return raw
    raw[key] = {k: json.dumps(v) if k in ("input", "output") else v for k, v in details.items()}
    return raw


@dataclasses.dataclass
class Ended:
    """What ``ExecutionResult`` reads of an execution."""

    status: str = "SUCCEEDED"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    name: str = "run-1"
    arn: str = "arn:aws:states:us-east-1:123456789012:execution:m:run-1"


def result_of(events: list[dict[str, Any]], **ended: Any) -> ExecutionResult:
    return ExecutionResult(Ended(**ended), parse_history(events))  # type: ignore[arg-type]


#: a Task retried twice, then a Pass; output {"n": 3}
RETRIED = [
    event(1, 0, "ExecutionStarted", input={"n": 1}),
    event(2, 0, "TaskStateEntered", name="work", input={"n": 1}),
    event(3, 2, "ActivityScheduled", resource="arn:act"),
    event(4, 3, "ActivityFailed", error="Boom"),
    event(5, 4, "ActivityScheduled", resource="arn:act"),
    event(6, 5, "ActivityFailed", error="Boom"),
    event(7, 6, "ActivityScheduled", resource="arn:act"),
    event(8, 7, "ActivitySucceeded", output=2),
    event(9, 8, "TaskStateExited", name="work", output={"n": 2}),
    event(10, 9, "PassStateEntered", name="done", input={"n": 2}),
    event(11, 10, "PassStateExited", name="done", output={"n": 3}),
    event(12, 11, "ExecutionSucceeded", output={"n": 3}),
]

#: two Map iterations of "item" interleaved: the second exits first
INTERLEAVED = [
    event(1, 0, "ExecutionStarted", input=[1, 2]),
    event(2, 0, "MapStateEntered", name="each", input=[1, 2]),
    event(3, 2, "MapStateStarted", length=2),
    event(4, 3, "MapIterationStarted", name="each", index=0),
    event(5, 3, "MapIterationStarted", name="each", index=1),
    event(6, 4, "TaskStateEntered", name="item", input=1),
    event(7, 5, "TaskStateEntered", name="item", input=2),
    event(8, 7, "LambdaFunctionScheduled", resource="arn:fn"),
    event(9, 6, "LambdaFunctionScheduled", resource="arn:fn"),
    event(10, 8, "LambdaFunctionSucceeded", output=20),
    event(11, 10, "TaskStateExited", name="item", output=20),
    event(12, 9, "LambdaFunctionSucceeded", output=10),
    event(13, 12, "TaskStateExited", name="item", output=10),
    event(14, 13, "MapStateSucceeded"),
    event(15, 14, "MapStateExited", name="each", output=[10, 20]),
    event(16, 15, "ExecutionSucceeded", output=[10, 20]),
]

#: a loop: "count" entered three times, then a Fail
LOOPED = [
    event(1, 0, "ExecutionStarted", input={"i": 0}),
    event(2, 0, "PassStateEntered", name="count", input={"i": 0}),
    event(3, 2, "PassStateExited", name="count", output={"i": 1}),
    event(4, 3, "PassStateEntered", name="count", input={"i": 1}),
    event(5, 4, "PassStateExited", name="count", output={"i": 2}),
    event(6, 5, "PassStateEntered", name="count", input={"i": 2}),
    event(7, 6, "PassStateExited", name="count", output={"i": 3}),
    event(8, 7, "FailStateEntered", name="stop", input={"i": 3}),
    event(9, 8, "ExecutionFailed", error="TooMany", cause="three is enough"),
]

#: a Parallel retried once (its branch's Task failed, uncaught inside the branch)
PARALLEL_RETRIED = [
    event(1, 0, "ExecutionStarted", input={}),
    event(2, 0, "ParallelStateEntered", name="both", input={}),
    event(3, 2, "ParallelStateStarted"),
    event(4, 3, "TaskStateEntered", name="inner", input={}),
    event(5, 4, "LambdaFunctionScheduled", resource="arn:fn"),
    event(6, 5, "LambdaFunctionFailed", error="Boom"),
    event(7, 6, "ParallelStateStarted"),
    event(8, 7, "TaskStateEntered", name="inner", input={}),
    event(9, 8, "LambdaFunctionScheduled", resource="arn:fn"),
    event(10, 9, "LambdaFunctionSucceeded", output=1),
    event(11, 10, "TaskStateExited", name="inner", output=1),
    event(12, 11, "ParallelStateSucceeded"),
    event(13, 12, "ParallelStateExited", name="both", output=[1]),
    event(14, 13, "ExecutionSucceeded", output=[1]),
]


@pytest.mark.parametrize(
    ("events", "name", "attempts", "inputs", "outputs"),
    [
        (RETRIED, "work", [3], [{"n": 1}], [{"n": 2}]),
        (RETRIED, "done", [0], [{"n": 2}], [{"n": 3}]),
        (INTERLEAVED, "item", [1, 1], [1, 2], [10, 20]),
        (INTERLEAVED, "each", [1], [[1, 2]], [[10, 20]]),
        (
            LOOPED,
            "count",
            [0, 0, 0],
            [{"i": 0}, {"i": 1}, {"i": 2}],
            [{"i": 1}, {"i": 2}, {"i": 3}],
        ),
        (PARALLEL_RETRIED, "both", [2], [{}], [[1]]),
        (PARALLEL_RETRIED, "inner", [1, 1], [{}, {}], [None, 1]),
    ],
)
def test_each_visit_gets_its_own_exit_and_attempts(
    events: list[dict[str, Any]],
    name: str,
    attempts: list[int],
    inputs: list[Any],
    outputs: list[Any],
) -> None:
    visits = [v for v in read_visits(parse_history(events)) if v.name == name]
    assert [v.attempts for v in visits] == attempts
    assert [v.input for v in visits] == inputs
    assert [v.output if v.exited else None for v in visits] == outputs


def test_path_retries_and_states_of_a_retried_task() -> None:
    result = result_of(RETRIED, output={"n": 3})
    assert result.path == ["work", "done"]
    assert isinstance(result.path, StatePath)
    assert result.retries("work") == 2
    assert result.retries("done") == 0
    assert result.retries("never") == 0
    with pytest.raises(StateNotEntered):
        result.state("never")
    with pytest.raises(StateNotEntered):
        result.assert_retries("never", 0)
    assert result.state("work").state_type == "Task"
    assert result.state("work").retries == 2
    result.assert_succeeded({"n": 3}).assert_path("work", "done").assert_retries("work", 2)
    result.assert_state("work", input={"n": 1}, output={"n": 2})


def test_a_loop_has_a_visit_per_entry() -> None:
    result = result_of(LOOPED, status="FAILED", error="TooMany", cause="three is enough")
    assert result.path == ["count", "count", "count", "stop"]
    assert result.state("count", -1).input == {"i": 2}
    assert len(result.visits("count")) == 3
    assert len(result.visits()) == 4
    result.assert_failed("TooMany", "three is enough")
    result.assert_state("count", visit=1, output={"i": 2})
    assert result.output is None


def test_the_history_is_sfini_0_1_0s_format_with_the_output() -> None:
    history = result_of(RETRIED, output={"n": 3}).history.splitlines()
    assert history[0] == "ExecutionStarted [1] @ 2026-12-04 02:00:00.001000+00:00"
    assert history[1:3] == [
        "TaskStateEntered [2] @ 2026-12-04 02:00:00.002000+00:00:",
        "  name: work",
    ]
    assert history[-1] == 'Output: {"n": 3}'


def _message(error: pytest.ExceptionInfo[AssertionError]) -> str:
    return str(error.value)


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (
            lambda r: r.assert_path("work"),
            "the path differs: 1 more state than expected, from 'done'",
        ),
        (lambda r: r.assert_path("work", "other"), "step 2 is 'done', expected 'other'"),
        (
            lambda r: r.assert_path("work", "done", "x"),
            "it stopped after 2 states, expected 'x' next",
        ),
        (
            lambda r: r.assert_succeeded({"n": 4}),
            'output differs\n  expected: {"n": 4}\n  got:      {"n": 3}',
        ),
        (lambda r: r.assert_failed(), "ended SUCCEEDED, expected FAILED"),
        (lambda r: r.assert_retries("work", 1), "state 'work' was retried twice, expected 1"),
        (lambda r: r.assert_state("done", input={"n": 9}), "state 'done' input differs"),
        (
            lambda r: r.state("nowhere"),
            "state 'nowhere' was never entered; the path: ['work', 'done']",
        ),
        (lambda r: r.state("work", 1), "state 'work' was entered once; no visit 1"),
    ],
)
def test_a_failed_assertion_says_what_differs_then_quotes_the_history(
    check: Any, expected: str
) -> None:
    result = result_of(RETRIED, output={"n": 3})
    with pytest.raises(WorkflowAssertionError) as error:
        check(result)
    message = _message(error)
    heading, quoted = message.split(f"\n\n{HISTORY_HEADING}\n")
    assert heading.startswith("execution run-1: ")
    assert expected in heading
    assert quoted.splitlines()[0] == "  ExecutionStarted [1] @ 2026-12-04 02:00:00.001000+00:00"
    assert quoted.splitlines()[-1] == '  Output: {"n": 3}'
    assert error.value.history == result.history


def test_a_failure_names_its_error_and_cause() -> None:
    result = result_of(LOOPED, status="FAILED", error="TooMany", cause="three is enough")
    with pytest.raises(WorkflowAssertionError) as error:
        result.assert_succeeded()
    assert "ended FAILED (error: TooMany, cause: three is enough), expected SUCCEEDED" in str(
        error.value
    )
    with pytest.raises(WorkflowAssertionError, match="failed with error 'TooMany', expected 'X'"):
        result.assert_failed(error="X")


def test_a_state_that_never_exited_has_no_output() -> None:
    result = result_of(PARALLEL_RETRIED, output=[1])
    assert result.state("inner").exited is None
    with pytest.raises(
        WorkflowAssertionError, match=r"state 'inner' never exited, expected output 1"
    ):
        result.assert_state("inner", output=1)
    result.assert_state("inner", visit=1, output=1).assert_retries("both", 1)


@pytest.mark.parametrize(
    ("expected", "taken", "where"),
    [
        (["a", "b"], ["a", "c"], "step 2 is 'c', expected 'b'"),
        (["a", "b", "c"], ["a"], "it stopped after 1 state, expected 'b' next"),
        (["a"], ["a", "b", "c"], "2 more states than expected, from 'b'"),
        ([], ["a"], "1 more state than expected, from 'a'"),
    ],
)
def test_path_difference(expected: list[str], taken: list[str], where: str) -> None:
    assert path_difference(expected, taken) == (
        f"the path differs: {where}\n  expected: {expected}\n  taken:    {taken}"
    )
