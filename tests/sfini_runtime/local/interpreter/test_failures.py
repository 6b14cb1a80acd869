from __future__ import annotations

import pytest

from sfini_runtime.local.interpreter import failures
from sfini_runtime.local.interpreter.failures import (
    PREDEFINED_ERRORS,
    StatesError,
    error_matches,
    is_terminal,
    state_error_cause,
)

# (ErrorEquals, error, matches) following the AWS error-handling page
MATCH_TABLE = [
    (["States.ALL"], "MyError", True),
    (["States.ALL"], "States.Timeout", True),
    (["States.ALL"], "States.TaskFailed", True),
    (["States.ALL"], "States.ResultPathMatchFailure", True),
    (["States.ALL"], "States.IntrinsicFailure", True),
    (["States.ALL"], "States.Runtime", False),
    (["States.ALL"], "States.DataLimitExceeded", False),
    (["States.Runtime"], "States.Runtime", False),
    (["States.TaskFailed"], "MyError", True),
    (["States.TaskFailed"], "States.HeartbeatTimeout", False),
    (["States.TaskFailed"], "States.Timeout", False),
    (["States.Timeout"], "States.Timeout", True),
    (["States.Timeout"], "States.HeartbeatTimeout", True),
    (["States.HeartbeatTimeout"], "States.Timeout", False),
    (["A", "B"], "B", True),
    (["A", "B"], "C", False),
    (["myerror"], "MyError", False),
    (["State.ALL"], "MyError", False),
    ([], "MyError", False),
]


@pytest.mark.parametrize(("error_equals", "error", "expected"), MATCH_TABLE)
def test_error_matches(error_equals: list[str], error: str, expected: bool) -> None:
    assert error_matches(error_equals, error) is expected


@pytest.mark.parametrize(
    ("error_equals", "expected"),
    [
        (["States.ALL"], True),
        (["States.DataLimitExceeded"], True),
        (["States.TaskFailed"], True),
        (["States.Timeout"], False),
    ],
)
def test_a_task_failure_with_a_terminal_name_is_matched(
    error_equals: list[str], expected: bool
) -> None:
    # a task result over 256 KiB: AWS's Catch handles it (see error_matches)
    assert error_matches(error_equals, "States.DataLimitExceeded", task_failure=True) is expected


def test_terminal_errors() -> None:
    assert is_terminal("States.Runtime")
    assert is_terminal("States.DataLimitExceeded")
    assert not is_terminal("States.Timeout")


def test_constants_are_the_aws_names() -> None:
    assert failures.STATES_ALL == "States.ALL"
    assert failures.STATES_HEARTBEAT_TIMEOUT == "States.HeartbeatTimeout"
    assert failures.STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD == (
        "States.ExceedToleratedFailureThreshold"
    )
    assert failures.STATES_QUERY_EVALUATION_ERROR in PREDEFINED_ERRORS
    assert all(name.startswith("States.") for name in PREDEFINED_ERRORS)


def test_at_state_prefixes_only_state_scoped_errors() -> None:
    scoped = StatesError("States.Runtime", "Something broke.", in_state=True)
    located = scoped.at_state("MyState", 7)
    assert located.error == "States.Runtime"
    assert located.cause == (
        "An error occurred while executing the state 'MyState' (entered at the event id #7). "
        "Something broke."
    )
    assert not located.in_state
    assert located.at_state("Other", 9) is located
    plain = StatesError("MyError", "user cause")
    assert plain.at_state("MyState", 7) is plain
    assert state_error_cause("S", 2, "x") == (
        "An error occurred while executing the state 'S' (entered at the event id #2). x"
    )


def test_states_error_fields_and_equality() -> None:
    err = StatesError("E", None)
    assert err.error == "E" and err.cause is None
    assert str(err) == "E"
    assert str(StatesError("E", "c")) == "E: c"
    assert StatesError("E", "c") == StatesError("E", "c")
    assert StatesError("E", "c") != StatesError("E", "c", in_state=True)
    assert len({StatesError("E", "c"), StatesError("E", "c")}) == 1
