"""The host interface: what the engine hands the executions it runs, and their states.

An :class:`Execution` (and every frame, state and task call of it) holds an
:class:`ExecutionHost`, never the engine: the scheduler, the clock, the activity broker, the
integration host that chooses what a Task calls, and an ``ended`` callback the execution
calls once it has ended. Everything here runs on the scheduler thread with ``lock`` held.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .activities import ActivityBroker, ActivityTask
from .clock import Clock
from .scheduler import Scheduler

if TYPE_CHECKING:
    from .execution import Execution, Frame
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
    """

    __slots__ = (
        "_activity_exists",
        "_ended",
        "activities",
        "clock",
        "integrations",
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
    ) -> None:
        self.lock = lock
        self.scheduler = scheduler
        self.clock = clock
        self.activities = activities
        self.integrations = integrations
        self.region = region
        self._activity_exists = activity_exists
        self._ended = ended

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
        task = ActivityTask(
            self.activities, frame, activity_arn, input_text, heartbeat_seconds, timeout_seconds
        )
        frame.blocker = task
        frame.execution.tasks.add(task)
        self.activities.schedule(task)
        return task

    def execution_ended(self, execution: Execution) -> None:
        """Tell the engine ``execution`` has ended (its record is final)."""
        self._ended(execution)
