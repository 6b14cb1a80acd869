"""Each state's status in one execution, derived from its history events (as the API gives them).

A state is ``not reached`` until it is entered, ``running`` while entered (in any Map
iteration or branch), then ``succeeded``, ``retried`` (it failed, was retried and then left
normally), ``caught`` (it failed and a Catch moved on) or ``failed`` (the execution ended with
it still running: a Fail state, an uncaught error, a time-out or an abort). Where a state runs
more than once (a loop, Map iterations), the worst outcome stays: failed, caught, retried,
succeeded.

Which state an event belongs to comes from ``previousEventId``: a task's events follow their
state's ``...StateEntered``; the events that close a Parallel or Map state follow the last
event of one of its branches, so the walk back skips whole nested Parallel/Map states.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "CAUGHT",
    "FAILED",
    "NOT_REACHED",
    "RETRIED",
    "RUNNING",
    "STATUSES",
    "SUCCEEDED",
    "StateRun",
    "event_owners",
    "state_runs",
]

NOT_REACHED = "not reached"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CAUGHT = "caught"
RETRIED = "retried"
#: every status, from the least to the most telling
STATUSES = (NOT_REACHED, SUCCEEDED, RETRIED, CAUGHT, FAILED, RUNNING)
_OUTCOME_RANK = {SUCCEEDED: 1, RETRIED: 2, CAUGHT: 3, FAILED: 4}

_CONTAINER_PREFIXES = ("ParallelState", "MapState")
_CONTAINER_OPENING = ("ParallelStateStarted", "MapStateStarted")
_CONTAINER_CLOSING = (
    "ParallelStateSucceeded",
    "ParallelStateFailed",
    "ParallelStateAborted",
    "MapStateSucceeded",
    "MapStateFailed",
    "MapStateAborted",
)
_EXECUTION_ENDS = ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")


@dataclasses.dataclass
class StateRun:
    """What one state did in an execution: its status, how often it was entered and retried,
    its latest input and output (JSON text), the error and cause of its latest failure."""

    name: str
    status: str = NOT_REACHED
    entered: int = 0
    retries: int = 0
    input: str | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    # runs in progress, and whether the latest failure of the state is still unanswered
    active: int = 0
    outcome: str | None = None
    pending_failure: bool = False
    retried_since_entry: bool = False

    def to_json(self) -> dict[str, Any]:
        """The state's run as JSON for the page."""
        return {
            "name": self.name,
            "status": self.status,
            "entered": self.entered,
            "retries": self.retries,
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        }


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return {}


def _is_failure(event_type: str) -> bool:
    if event_type.startswith(("Execution", "MapIteration", "MapRun")):
        return False
    return event_type.endswith(("Failed", "TimedOut", "Aborted"))


def _is_success(event_type: str) -> bool:
    if event_type.startswith(("Execution", "MapIteration", "MapRun")):
        return False
    return event_type.endswith("Succeeded")


def _is_attempt(event_type: str) -> bool:
    """An event that starts an attempt of a state's work (a retry when one failed before)."""
    if event_type.startswith(("Execution", "MapIteration", "MapRun")):
        return False
    return event_type.endswith("Scheduled") or event_type in _CONTAINER_OPENING


class _Owners:
    """The state each event belongs to, found through ``previousEventId``."""

    def __init__(self, events: Iterable[Mapping[str, Any]]) -> None:
        self.by_id = {event.get("id"): event for event in events}
        self.cache: dict[Any, str | None] = {}

    def of(self, event: Mapping[str, Any]) -> str | None:
        event_type = str(event.get("type", ""))
        if event_type.startswith("Execution"):
            return None  # the execution's own: started, succeeded, failed, redriven, ...
        if event_type.endswith(("StateEntered", "StateExited")):
            name = _details(event).get("name")
            return str(name) if name is not None else None
        if event_type in _CONTAINER_CLOSING:
            return self._container_of(event)
        return self._walk(event)

    def _walk(self, event: Mapping[str, Any]) -> str | None:
        """The state whose ``...StateEntered`` event this one follows."""
        seen: list[Any] = []
        current: Mapping[str, Any] | None = event
        owner: str | None = None
        while current is not None:
            event_id = current.get("id")
            if event_id in self.cache:
                owner = self.cache[event_id]
                break
            seen.append(event_id)
            event_type = str(current.get("type", ""))
            if event_type.endswith("StateEntered"):
                name = _details(current).get("name")
                owner = str(name) if name is not None else None
                break
            if event_type.endswith("StateExited") and current is not event:
                break  # past the start of this state: the event belongs to none
            current = self.by_id.get(current.get("previousEventId"))
        for event_id in seen:
            self.cache[event_id] = owner
        return owner

    def _container_of(self, event: Mapping[str, Any]) -> str | None:
        """The Parallel or Map state an event closing one belongs to: back through one of its
        branches, over whole nested Parallel and Map states, to its ``...Started`` event."""
        depth = 0
        current = self.by_id.get(event.get("previousEventId"))
        while current is not None:
            event_type = str(current.get("type", ""))
            if event_type in _CONTAINER_CLOSING:
                depth += 1
            elif event_type in _CONTAINER_OPENING:
                if depth == 0:
                    return self._walk(current)
                depth -= 1
            elif event_type in ("ParallelStateEntered", "MapStateEntered") and depth == 0:
                return self.of(current)
            current = self.by_id.get(current.get("previousEventId"))
        return None


def event_owners(events: Iterable[Mapping[str, Any]]) -> list[str | None]:
    """The name of the state each of ``events`` belongs to (None: the execution's own)."""
    events = list(events)
    owners = _Owners(events)
    return [owners.of(event) for event in events]


def state_runs(events: Iterable[Mapping[str, Any]]) -> dict[str, StateRun]:
    """Each state that appears in ``events`` (GetExecutionHistory's, oldest first) -> its run."""
    events = list(events)
    owners = _Owners(events)
    runs: dict[str, StateRun] = {}
    for event in events:
        event_type = str(event.get("type", ""))
        details = _details(event)
        if event_type in _EXECUTION_ENDS:
            for run in runs.values():
                if run.active:
                    run.active = 0
                    _finish(run, FAILED)
                    if run.error is None and details.get("error") is not None:
                        run.error, run.cause = details.get("error"), details.get("cause")
            continue
        name = owners.of(event)
        if name is None:
            continue
        run = runs.setdefault(name, StateRun(name))
        if event_type.endswith("StateEntered"):
            run.entered += 1
            run.active += 1
            run.input = _text(details.get("input"))
            run.pending_failure = False
            run.retried_since_entry = False
        elif event_type.endswith("StateExited"):
            run.active = max(0, run.active - 1)
            run.output = _text(details.get("output"))
            if run.pending_failure:
                outcome = CAUGHT
            elif run.retried_since_entry:
                outcome = RETRIED
            else:
                outcome = SUCCEEDED
            run.pending_failure = False
            _finish(run, outcome)
        elif _is_failure(event_type):
            run.pending_failure = True
            run.error = _text(details.get("error"))
            run.cause = _text(details.get("cause"))
        elif _is_success(event_type):
            run.pending_failure = False
        elif _is_attempt(event_type) and run.pending_failure:
            run.pending_failure = False
            run.retries += 1
            run.retried_since_entry = True
        run.status = RUNNING if run.active else (run.outcome or NOT_REACHED)
    for run in runs.values():
        run.status = RUNNING if run.active else (run.outcome or NOT_REACHED)
    return runs


def _finish(run: StateRun, outcome: str) -> None:
    if run.outcome is None or _OUTCOME_RANK[outcome] > _OUTCOME_RANK[run.outcome]:
        run.outcome = outcome
    run.status = RUNNING if run.active else run.outcome


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
