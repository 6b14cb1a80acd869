"""How an execution ran, read from its history: the path it took, each state's input and output,
the retries, the end; and assertions on them whose failures quote the history.

States are matched to their events through ``previousEventId``: a state's exit is the nearest
entry of that name up its chain of causes, and an attempt (an activity, Lambda or service task
scheduled; a Parallel or Map started) belongs to the nearest entry of a state of that type. So
Map iterations and Parallel branches running at once are told apart, and a state entered
several times (a loop) has one visit per entry.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sfini_runtime.execution.formatting import format_events
from sfini_runtime.execution.history import NOT_GIVEN, Event, StateEntered, StateExited
from sfini_runtime.testing.errors import StateNotEntered, WorkflowAssertionError

if TYPE_CHECKING:
    from sfini_runtime.execution import Execution

__all__ = ["NOT_GIVEN", "ExecutionResult", "StatePath", "StateVisit"]

#: the events that begin an attempt of a state, by the entry event type of that state
_ATTEMPTS = {
    "ActivityScheduled": "TaskStateEntered",
    "LambdaFunctionScheduled": "TaskStateEntered",
    "TaskScheduled": "TaskStateEntered",
    "ParallelStateStarted": "ParallelStateEntered",
    "MapStateStarted": "MapStateEntered",
}


class StatePath(list[str]):
    """The names of the states entered, in order (a list the pytest plugin recognises, to say
    where a failed ``assert result.path == [...]`` parts)."""


@dataclasses.dataclass
class StateVisit:
    """One entry into a state, up to its exit.

    Attributes:
        name: the state's name
        state_type: ``Task``, ``Pass``, ``Choice``, ... (from the entry event's type)
        input: what it was given (JSON-decoded)
        output: what it passed on (``NOT_GIVEN`` when it did not exit: it failed, or the
            execution ended first)
        attempts: times it ran its work (Task, Parallel, Map): 1 plus its retries; 0 for others
        entered: the entry event
        exited: the exit event, or None
    """

    name: str
    state_type: str
    input: Any
    output: Any = NOT_GIVEN
    attempts: int = 0
    entered: StateEntered | None = None
    exited: StateExited | None = None

    @property
    def retries(self) -> int:
        """Attempts after the first."""
        return max(0, self.attempts - 1)


def _chain(event: Event, by_id: dict[int, Event]) -> Iterable[Event]:
    """The events that caused ``event``, nearest first (``previousEventId`` after
    ``previousEventId``)."""
    seen = {event.event_id}
    previous = event.previous_event_id
    while previous and previous in by_id and previous not in seen:
        seen.add(previous)
        cause = by_id[previous]
        yield cause
        previous = cause.previous_event_id


def read_visits(events: Sequence[Event]) -> list[StateVisit]:
    """Every state visit of a history (oldest first), with its exit and attempts."""
    by_id = {event.event_id: event for event in events}
    visits: list[StateVisit] = []
    by_entry: dict[int, StateVisit] = {}
    for event in events:
        if isinstance(event, StateEntered):
            visit = StateVisit(
                name=event.state_name,
                state_type=event.event_type.removesuffix("StateEntered"),
                input=event.state_input,
                entered=event,
            )
            visits.append(visit)
            by_entry[event.event_id] = visit
        elif isinstance(event, StateExited):
            for cause in _chain(event, by_id):
                visit = by_entry.get(cause.event_id)  # type: ignore[assignment]
                if visit is not None and visit.name == event.state_name and visit.exited is None:
                    visit.exited, visit.output = event, event.output
                    break
        elif event.event_type in _ATTEMPTS:
            entry_type = _ATTEMPTS[event.event_type]
            for cause in _chain(event, by_id):
                if cause.event_type == entry_type and cause.event_id in by_entry:
                    by_entry[cause.event_id].attempts += 1
                    break
    return visits


class ExecutionResult:
    """A finished execution as a test sees it.

    Attributes:
        execution: the ``Execution``
        events: its history, parsed (oldest first)
        status: ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``
        output: the execution's output (None unless it succeeded)
        error, cause: how it failed (None when it succeeded)

    The ``assert_...`` methods return the result (so they chain) and raise
    ``WorkflowAssertionError`` with the history in sfini 0.1.0's format.
    """

    def __init__(self, execution: Execution, events: Sequence[Event]) -> None:
        self.execution = execution
        self.events = list(events)
        self.status = execution.status
        self.error = execution.error
        self.cause = execution.cause
        output = execution.output if self.status == "SUCCEEDED" else NOT_GIVEN
        self._output = output
        self.output = None if output is NOT_GIVEN else output
        self._visits = read_visits(self.events)
        self._history: str | None = None

    @classmethod
    def from_execution(cls, execution: Execution) -> ExecutionResult:
        """Read a finished execution's history."""
        return cls(execution, execution.get_history())

    def __repr__(self) -> str:
        return f"ExecutionResult({self.execution.name!r}, status={self.status!r})"

    @property
    def arn(self) -> str | None:
        """The execution's ARN."""
        return self.execution.arn

    @property
    def history(self) -> str:
        """The history in sfini 0.1.0's format (``Type [id] @ time`` lines, then the output)."""
        if self._history is None:
            self._history = format_events(self.events, self._output)
        return self._history

    @property
    def path(self) -> StatePath:
        """The names of the states entered, in the order they were entered (states of Parallel
        branches and Map iterations included, as they interleaved)."""
        return StatePath(visit.name for visit in self._visits)

    def visits(self, name: str | None = None) -> list[StateVisit]:
        """Every entry into state ``name`` (None: into any state), in order (empty if it was
        never entered)."""
        return [visit for visit in self._visits if name is None or visit.name == name]

    def state(self, name: str, visit: int = 0) -> StateVisit:
        """State ``name``'s entry number ``visit`` (0: the first, -1: the last).

        Raises:
            StateNotEntered: the state was not entered (that often)
        """
        visits = self.visits(name)
        try:
            return visits[visit]
        except IndexError:
            if not visits:
                message = f"state {name!r} was never entered; the path: {list(self.path)}"
            else:
                message = f"state {name!r} was entered {_times(len(visits))}; no visit {visit}"
            raise StateNotEntered(f"{self._label()}: {message}", self.history) from None

    def retries(self, name: str) -> int:
        """How often state ``name`` was retried, over all its visits (0 if never entered)."""
        return sum(visit.retries for visit in self.visits(name))

    # -- assertions -------------------------------------------------------------------------
    def fail(self, message: str) -> WorkflowAssertionError:
        """The assertion error for ``message``, with this execution's history."""
        return WorkflowAssertionError(f"{self._label()}: {message}", self.history)

    def assert_status(self, status: str) -> ExecutionResult:
        """The execution ended in ``status``."""
        if self.status != status:
            raise self.fail(f"ended {self._ending()}, expected {status}")
        return self

    def assert_succeeded(self, output: Any = NOT_GIVEN) -> ExecutionResult:
        """The execution succeeded (with ``output``, when given)."""
        self.assert_status("SUCCEEDED")
        if output is not NOT_GIVEN and self.output != output:
            raise self.fail(_differs("output", output, self.output))
        return self

    def assert_failed(self, error: str | None = None, cause: str | None = None) -> ExecutionResult:
        """The execution failed (with ``error`` and ``cause``, when given)."""
        self.assert_status("FAILED")
        if error is not None and self.error != error:
            raise self.fail(f"failed with error {self.error!r}, expected {error!r}")
        if cause is not None and self.cause != cause:
            raise self.fail(_differs("cause", cause, self.cause))
        return self

    def assert_path(self, *names: str) -> ExecutionResult:
        """The states entered were exactly ``names``, in that order."""
        taken = list(self.path)
        if taken != list(names):
            raise self.fail(path_difference(list(names), taken))
        return self

    def assert_state(
        self, name: str, *, input: Any = NOT_GIVEN, output: Any = NOT_GIVEN, visit: int = 0
    ) -> ExecutionResult:
        """State ``name`` was entered (its ``visit``-th entry) with ``input`` and left with
        ``output``, when given."""
        entry = self.state(name, visit)
        where = f"state {name!r}" + (f" (visit {visit})" if visit else "")
        if input is not NOT_GIVEN and entry.input != input:
            raise self.fail(_differs(f"{where} input", input, entry.input))
        if output is not NOT_GIVEN:
            if entry.exited is None:
                raise self.fail(f"{where} never exited, expected output {_json(output)}")
            if entry.output != output:
                raise self.fail(_differs(f"{where} output", output, entry.output))
        return self

    def assert_retries(self, name: str, count: int) -> ExecutionResult:
        """State ``name`` was retried ``count`` times in all."""
        self.state(name)
        retried = self.retries(name)
        if retried != count:
            raise self.fail(f"state {name!r} was retried {_times(retried)}, expected {count}")
        return self

    def _label(self) -> str:
        return f"execution {self.execution.name}"

    def _ending(self) -> str:
        if self.status == "SUCCEEDED":
            return "SUCCEEDED"
        details = ", ".join(
            f"{key}: {value}"
            for key, value in (("error", self.error), ("cause", self.cause))
            if value
        )
        return f"{self.status} ({details})" if details else self.status


def _times(count: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")


def _json(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _differs(what: str, expected: Any, got: Any) -> str:
    shown = "NOT GIVEN" if got is NOT_GIVEN else _json(got)
    return f"{what} differs\n  expected: {_json(expected)}\n  got:      {shown}"


def path_difference(expected: list[str], taken: list[str]) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(expected, taken, strict=False)) if a != b),
        min(len(expected), len(taken)),
    )
    if at < len(expected) and at < len(taken):
        where = f"step {at + 1} is {taken[at]!r}, expected {expected[at]!r}"
    elif at < len(expected):
        states = f"{len(taken)} state{'s' if len(taken) != 1 else ''}"
        where = f"it stopped after {states}, expected {expected[at]!r} next"
    else:
        extra = len(taken) - at
        where = f"{extra} more state{'s' if extra > 1 else ''} than expected, from {taken[at]!r}"
    return f"the path differs: {where}\n  expected: {expected}\n  taken:    {taken}"
