"""Errors raised inside an execution, the predefined ``States.*`` names, and error matching.

A :class:`StatesError` is what Retry and Catch see: an error name and an optional cause.
Errors that AWS reports "while executing the state" carry only the detail part of the cause;
the engine completes them with :meth:`StatesError.at_state` once it knows the state name and
the id of its ``...StateEntered`` event.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "PREDEFINED_ERRORS",
    "STATES_ALL",
    "STATES_BRANCH_FAILED",
    "STATES_DATA_LIMIT_EXCEEDED",
    "STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD",
    "STATES_HEARTBEAT_TIMEOUT",
    "STATES_HTTP_SOCKET",
    "STATES_INTRINSIC_FAILURE",
    "STATES_ITEM_READER_FAILED",
    "STATES_NO_CHOICE_MATCHED",
    "STATES_PARAMETER_PATH_FAILURE",
    "STATES_PERMISSIONS",
    "STATES_QUERY_EVALUATION_ERROR",
    "STATES_RESULT_PATH_MATCH_FAILURE",
    "STATES_RESULT_WRITER_FAILED",
    "STATES_RUNTIME",
    "STATES_TASK_FAILED",
    "STATES_TIMEOUT",
    "TERMINAL_ERRORS",
    "StatesError",
    "error_matches",
    "is_terminal",
    "state_error_cause",
]

STATES_ALL = "States.ALL"
STATES_BRANCH_FAILED = "States.BranchFailed"
STATES_DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
STATES_HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
STATES_HTTP_SOCKET = "States.Http.Socket"
STATES_INTRINSIC_FAILURE = "States.IntrinsicFailure"
STATES_ITEM_READER_FAILED = "States.ItemReaderFailed"
STATES_NO_CHOICE_MATCHED = "States.NoChoiceMatched"
STATES_PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
STATES_PERMISSIONS = "States.Permissions"
STATES_QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
STATES_RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
STATES_RESULT_WRITER_FAILED = "States.ResultWriterFailed"
STATES_RUNTIME = "States.Runtime"
STATES_TASK_FAILED = "States.TaskFailed"
STATES_TIMEOUT = "States.Timeout"

PREDEFINED_ERRORS: frozenset[str] = frozenset(
    {
        STATES_ALL,
        STATES_BRANCH_FAILED,
        STATES_DATA_LIMIT_EXCEEDED,
        STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD,
        STATES_HEARTBEAT_TIMEOUT,
        STATES_HTTP_SOCKET,
        STATES_INTRINSIC_FAILURE,
        STATES_ITEM_READER_FAILED,
        STATES_NO_CHOICE_MATCHED,
        STATES_PARAMETER_PATH_FAILURE,
        STATES_PERMISSIONS,
        STATES_QUERY_EVALUATION_ERROR,
        STATES_RESULT_PATH_MATCH_FAILURE,
        STATES_RESULT_WRITER_FAILED,
        STATES_RUNTIME,
        STATES_TASK_FAILED,
        STATES_TIMEOUT,
    }
)

# AWS: "A States.Runtime error isn't retriable, and will always cause the execution to fail";
# States.DataLimitExceeded is "a terminal error that can't be caught by the States.ALL error type".
TERMINAL_ERRORS: frozenset[str] = frozenset({STATES_RUNTIME, STATES_DATA_LIMIT_EXCEEDED})


def state_error_cause(state_name: str, entered_event_id: int, detail: str) -> str:
    """The cause AWS writes for an error raised while executing a state."""
    return (
        f"An error occurred while executing the state '{state_name}' "
        f"(entered at the event id #{entered_event_id}). {detail}"
    )


class StatesError(Exception):
    """An error inside an execution: caught by Retry/Catch or failing the execution.

    ``in_state`` marks a cause that is only the detail of an error AWS reports "while
    executing the state ..."; :meth:`at_state` turns it into the full cause.
    """

    #: reported by the task itself (an ActivityFailed event): Retry and Catch apply even to a
    #: terminal error name such as States.DataLimitExceeded
    task_failure = False

    def __init__(self, error: str, cause: str | None = None, *, in_state: bool = False) -> None:
        super().__init__(error if cause is None else f"{error}: {cause}")
        self.error = error
        self.cause = cause
        self.in_state = in_state

    def at_state(self, state_name: str, entered_event_id: int) -> StatesError:
        """This error as AWS reports it from the state ``state_name`` (no-op when not in_state)."""
        if not self.in_state:
            return self
        return StatesError(
            self.error, state_error_cause(state_name, entered_event_id, self.cause or "")
        )

    def __repr__(self) -> str:
        return f"StatesError({self.error!r}, {self.cause!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StatesError):
            return NotImplemented
        return (self.error, self.cause, self.in_state) == (other.error, other.cause, other.in_state)

    def __hash__(self) -> int:
        return hash((self.error, self.cause, self.in_state))


def is_terminal(error: str) -> bool:
    """Whether ``error`` always fails the execution (no Retry or Catch applies)."""
    return error in TERMINAL_ERRORS


def error_matches(error_equals: Sequence[str], error: str, *, task_failure: bool = False) -> bool:
    """Whether a Retrier's or Catcher's ``ErrorEquals`` list matches ``error``.

    ``States.ALL`` matches every error; ``States.Timeout`` matches both time-outs (a task that
    ran too long and one whose heartbeat stopped, ``States.HeartbeatTimeout``, which AWS added
    later as a narrower name); ``States.TaskFailed`` matches every error except the time-outs;
    terminal errors (States.Runtime, States.DataLimitExceeded) match nothing, unless the task
    itself failed with one (``task_failure``): a task result over 256 KiB is a TaskFailed /
    LambdaFunctionFailed ``States.DataLimitExceeded`` that ``States.ALL`` catches (recorded
    against AWS: LocalStack's ``test_states_errors`` snapshot, 21-03-2024,
    ``test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response``).
    """
    if error in TERMINAL_ERRORS and not task_failure:
        return False
    for name in error_equals:
        if name in (error, STATES_ALL):
            return True
        if name == STATES_TIMEOUT and error == STATES_HEARTBEAT_TIMEOUT:
            return True
        if name == STATES_TASK_FAILED and error not in _TIMEOUTS:
            return True
    return False


_TIMEOUTS = frozenset({STATES_TIMEOUT, STATES_HEARTBEAT_TIMEOUT})
