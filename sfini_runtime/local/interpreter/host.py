"""The host interface: what the engine hands the executions it runs, and their states.

An :class:`Execution` (and every frame, state and task call of it) holds an
:class:`ExecutionHost`, never the engine: the scheduler, the clock, the activity broker, the
integration host that chooses what a Task calls, and an ``ended`` callback the execution
calls once it has ended. Everything here runs on the scheduler thread with ``lock`` held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sfini_runtime.event_types import DETAILS_KEYS

from .activities import ActivityBroker, ActivityTask
from .clock import Clock
from .history import History, utc_now
from .replay import ACTIVITY_OUTCOMES, JournaledHistory
from .scheduler import Scheduler

if TYPE_CHECKING:
    from .execution import Execution, Frame
    from .journal import Journal
    from .replay import ReplayHistory
    from .task_calls import IntegrationHost

__all__ = ["ExecutionHost"]


class ExecutionHost:
    """The engine's services for its executions.

    Args:
        lock: the engine lock (held while executions run)
        scheduler: runs frames and timers
        clock: scales durations
        activities: activity tasks, task tokens and pollers
        integrations: chooses what a Task other than an activity calls
        region: the engine's region (an ARN without one is in it)
        activity_exists: whether an activity exists (None: every one does)
        ended: called with each execution once it has ended
        journal: where a durable engine records what happens (None: nothing is recorded)
    """

    __slots__ = (
        "_activity_exists",
        "_ended",
        "activities",
        "clock",
        "integrations",
        "journal",
        "lock",
        "region",
        "scheduler",
    )

    def __init__(
        self,
        *,
        lock: threading.Lock,
        scheduler: Scheduler,
        clock: Clock,
        activities: ActivityBroker,
        integrations: IntegrationHost,
        region: str,
        activity_exists: Callable[[str], bool] | None,
        ended: Callable[[Execution], None],
        journal: Journal | None = None,
    ) -> None:
        self.lock = lock
        self.scheduler = scheduler
        self.clock = clock
        self.activities = activities
        self.integrations = integrations
        self.region = region
        self._activity_exists = activity_exists
        self._ended = ended
        self.journal = journal

    def new_history(self, execution_arn: str) -> History:
        """A new execution's history: journaled when the engine is durable."""
        journal = self.journal
        if journal is None:
            return History()
        added = journal.event_added
        return JournaledHistory(lambda event: added(execution_arn, event))

    def timeout_delay(self, seconds: float) -> float | None:
        """Real seconds until a time-out of ``seconds`` fires; None: do not arm it."""
        return self.clock.timeout_delay(seconds)

    def activity_exists(self, activity_arn: str) -> bool:
        """Whether a Task may schedule on this activity (the service's answer)."""
        return True if self._activity_exists is None else bool(self._activity_exists(activity_arn))

    def region_of(self, arn: str) -> str:
        """The region part of an ARN (the host's region when it has none)."""
        parts = arn.split(":")
        return parts[3] if len(parts) > 3 and parts[3] else self.region

    def schedule_activity(
        self,
        frame: Frame,
        activity_arn: str,
        input_text: str,
        timeout_seconds: float | None,
        heartbeat_seconds: float | None,
    ) -> ActivityTask:
        """Queue an activity task for ``frame`` (scheduler thread, lock held)."""
        if 0 < frame.last <= frame.execution.history.recorded:  # scheduled before a restart
            return self._resume_activity(
                frame, activity_arn, input_text, timeout_seconds, heartbeat_seconds
            )
        task = ActivityTask(
            self.activities, frame, activity_arn, input_text, heartbeat_seconds, timeout_seconds
        )
        frame.blocker = task
        frame.execution.tasks.add(task)
        if self.journal is not None:
            self.journal.task_scheduled(
                task.token, frame.execution.record.execution_arn, frame.last
            )
        self.activities.schedule(task)
        return task

    def _resume_activity(
        self,
        frame: Frame,
        activity_arn: str,
        input_text: str,
        timeout_seconds: float | None,
        heartbeat_seconds: float | None,
    ) -> ActivityTask:
        """An activity task of a resumed execution: answered from the record when the record
        has its outcome (or the journal the worker's answer), re-armed under its token when a
        worker held it, offered again when none had taken it."""
        execution = frame.execution
        history: ReplayHistory = execution.history  # type: ignore[assignment]
        journal = self.journal
        arn = execution.record.execution_arn
        scheduled_id = frame.last
        token = journal.token_for(arn, scheduled_id) if journal is not None else None
        task = ActivityTask(
            self.activities,
            frame,
            activity_arn,
            input_text,
            heartbeat_seconds,
            timeout_seconds,
            token=token,
        )
        frame.blocker = task
        started = history.recorded_after(scheduled_id, "ActivityStarted")
        if started is None:
            execution.tasks.add(task)
            if journal is not None and token is None:
                journal.task_scheduled(task.token, arn, scheduled_id)
            self.activities.schedule(task)
            return task
        frame.add_event("ActivityStarted", started.get(DETAILS_KEYS["ActivityStarted"]))
        ended = history.recorded_after(started["id"], *ACTIVITY_OUTCOMES)
        outcome = _recorded_outcome(ended) if ended is not None else None
        if outcome is None and journal is not None:
            outcome = journal.answer_for(task.token)
        if outcome is not None:
            frame.resume(outcome)
            return task
        execution.tasks.add(task)
        elapsed = (utc_now() - started["timestamp"]).total_seconds()
        self.activities.adopt(task, elapsed)
        return task

    def execution_ended(self, execution: Execution) -> None:
        """Tell the engine ``execution`` has ended (its record is final)."""
        self._ended(execution)


def _recorded_outcome(event: dict[str, Any]) -> tuple[Any, ...]:
    """What a recorded ActivitySucceeded/Failed/TimedOut event told the Task state."""
    kind = event["type"]
    details = event.get(DETAILS_KEYS[kind]) or {}
    if kind == "ActivitySucceeded":
        return ("succeeded", details["output"])
    outcome = "failed" if kind == "ActivityFailed" else "timed_out"
    return (outcome, details.get("error"), details.get("cause"))
