"""Histories that outlive the engine: journaled as they grow, and replayed after a restart.

A resumed execution runs its definition again from its input, on a :class:`ReplayHistory`
holding the events recorded before the restart. The interpreter is deterministic given the
outcomes of its tasks and the passing of time, so it asks for the same events in the same
order: each :meth:`ReplayHistory.add` that matches a recorded event (same type, same
``previousEventId``) *claims* it and returns its id instead of appending, and the recorded
history answers what would otherwise wait (a Wait that already ended, an activity task a
worker already answered). The first event the record lacks is appended as usual, with the
next id: from there the frame is live. Matching by ``(type, previousEventId)`` rather than by
position lets the branches of a Parallel or the iterations of a Map, whose events interleave,
each find their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from .history import MAX_HISTORY_EVENTS, History, utc_now

__all__ = ["JournaledHistory", "RecordedIntegrations", "ReplayHistory"]

#: events a worker's answer or a time-out writes after ActivityStarted
ACTIVITY_OUTCOMES = ("ActivitySucceeded", "ActivityFailed", "ActivityTimedOut")


class JournaledHistory(History):
    """A history whose every appended event is handed to ``sink(event)``."""

    __slots__ = ("sink",)

    def __init__(
        self, sink: Callable[[dict[str, Any]], None], limit: int = MAX_HISTORY_EVENTS
    ) -> None:
        super().__init__(limit)
        self.sink = sink

    def add(
        self,
        event_type: str,
        previous_id: int,
        details: dict[str, Any] | None = None,
        *,
        final: bool = False,
        timestamp: datetime | None = None,
    ) -> int:
        event_id = super().add(event_type, previous_id, details, final=final, timestamp=timestamp)
        self.sink(self.events[-1])
        return event_id


class ReplayHistory(JournaledHistory):
    """A journaled history that starts with ``recorded`` events and replays them first."""

    __slots__ = ("_unclaimed", "recorded", "replaying")

    def __init__(
        self,
        recorded: Iterable[dict[str, Any]],
        sink: Callable[[dict[str, Any]], None],
        limit: int = MAX_HISTORY_EVENTS,
    ) -> None:
        super().__init__(sink, limit)
        self.events.extend(recorded)
        #: events up to this id were recorded before the restart
        self.recorded = len(self.events)
        #: previousEventId -> the recorded events following it not yet claimed, oldest first
        self._unclaimed: dict[int, list[dict[str, Any]]] = {}
        for event in self.events[1:]:  # ExecutionStarted is written by no state
            self._unclaimed.setdefault(event["previousEventId"], []).append(event)
        self.replaying = bool(self._unclaimed)

    def add(
        self,
        event_type: str,
        previous_id: int,
        details: dict[str, Any] | None = None,
        *,
        final: bool = False,
        timestamp: datetime | None = None,
    ) -> int:
        if self.replaying:
            recorded = self.recorded_after(previous_id, event_type)
            if recorded is not None:
                self.claim(recorded)
                return recorded["id"]
        return super().add(event_type, previous_id, details, final=final, timestamp=timestamp)

    def recorded_after(self, previous_id: int, *event_types: str) -> dict[str, Any] | None:
        """The oldest unclaimed recorded event following ``previous_id`` (of one of
        ``event_types`` when given), or None."""
        for event in self._unclaimed.get(previous_id, ()):
            if not event_types or event["type"] in event_types:
                return event
        return None

    def claim(self, event: dict[str, Any]) -> None:
        """Mark a recorded event as written again by the replay."""
        following = self._unclaimed[event["previousEventId"]]
        following.remove(event)
        if not following:
            del self._unclaimed[event["previousEventId"]]
            if not self._unclaimed:
                self.replaying = False

    def timestamp_of(self, event_id: int) -> datetime:
        """When the event ``event_id`` was written (now for 0)."""
        return self.events[event_id - 1]["timestamp"] if event_id > 0 else utc_now()

    def remaining_sleep(self, last_id: int, delay: float) -> float:
        """Real seconds left of a sleep of ``delay`` that began at event ``last_id``: none
        when the record goes on past it, else what is left since that event was written."""
        if self.recorded_after(last_id) is not None:
            return 0.0
        elapsed = (utc_now() - self.timestamp_of(last_id)).total_seconds()
        return max(0.0, delay - elapsed)


#: what a Task other than an activity records after its ``*Started`` event
_CALL_OUTCOMES = tuple(
    f"{prefix}{kind}"
    for prefix in ("Task", "LambdaFunction")
    for kind in ("Submitted", "Succeeded", "Failed", "TimedOut")
)
_CALL_ENDS = tuple(t for t in _CALL_OUTCOMES if not t.endswith("Submitted"))


class RecordedIntegrations:
    """The integration host of a durable engine: a Task call that a resumed execution made
    before the restart, and whose end its history records, is answered from the record
    instead of being made again (a Lambda function is not invoked twice for one attempt).
    Every other call goes to ``inner``; a call that had not ended is made again."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:  # mocks, lambdas, ... of the inner host
        return getattr(self.inner, name)

    def mock_for(self, call: Any) -> Any:
        recorded = _recorded_outcomes(call)
        if recorded is not None:
            return _Recorded(recorded)
        return self.inner.mock_for(call)

    def integration_for(self, call: Any) -> Any:
        return self.inner.integration_for(call)


def _recorded_outcomes(call: Any) -> list[dict[str, Any]] | None:
    """The recorded outcome events of ``call`` (its ``*Scheduled`` event is the frame's
    last), ending with its end; None when the record does not have its end."""
    frame = call.frame
    history = frame.execution.history
    if call.resource.kind == "activity" or not 0 < frame.last <= history.recorded:
        return None
    started = history.recorded_after(frame.last, "TaskStarted", "LambdaFunctionStarted")
    if started is None:
        return None
    outcomes = []
    current = started["id"]
    while True:
        event = history.recorded_after(current, *_CALL_OUTCOMES)
        if event is None:
            return None
        outcomes.append(event)
        if event["type"] in _CALL_ENDS:
            return outcomes
        current = event["id"]


class _Recorded:
    """Answers a Task call with the outcomes its history recorded."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events

    def invoke(self, call: Any) -> None:
        for event in self.events:
            kind = event["type"]
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
            if kind.endswith("Submitted"):
                call.submitted(json.loads(details["output"]))
            elif kind.endswith("Succeeded"):
                call.succeeded(json.loads(details["output"]))
            elif kind.endswith("TimedOut"):
                call.accept(("timed_out", details.get("error"), details.get("cause")))
            else:
                call.failed(details.get("error"), details.get("cause"))
