"""Activity task queues, task tokens and long-poll waiters.

Every method runs with the engine lock held (the Engine takes it), except the waiting part
of a poll, which blocks on the waiter's own Event outside the lock.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import secrets
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from ..errors import InvalidToken, TaskDoesNotExist, TaskTimedOut

if TYPE_CHECKING:
    from .clock import Clock
    from .execution import Execution, Frame
    from .scheduler import Scheduler, Timer
    from .task_calls import CallbackTask

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{22}$")
#: remembered answered/ended tokens, so late calls get AWS's error rather than InvalidToken
_MAX_SPENT = 100_000


class ActivityTask:
    """One scheduled activity task of one Task state attempt."""

    __slots__ = (
        "activity_arn",
        "broker",
        "execution",
        "frame",
        "heartbeat_seconds",
        "heartbeat_timer",
        "input_text",
        "started",
        "timeout_seconds",
        "timeout_timer",
        "token",
    )

    def __init__(
        self,
        broker: ActivityBroker,
        frame: Frame,
        activity_arn: str,
        input_text: str,
        heartbeat_seconds: float | None,
        timeout_seconds: float | None = None,
        token: str | None = None,
    ) -> None:
        self.broker = broker
        self.frame = frame
        self.execution: Execution = frame.execution
        self.activity_arn = activity_arn
        self.input_text = input_text
        self.heartbeat_seconds = heartbeat_seconds
        self.timeout_seconds = timeout_seconds
        #: a new token, or (a resumed execution) the one handed out before the restart
        self.token = token or broker.new_token()
        self.started = False
        self.timeout_timer: Timer | None = None
        self.heartbeat_timer: Timer | None = None

    def cancel(self) -> None:
        """Withdraw the task (its execution ended or the frame was stopped)."""
        self.broker.retire(self, "timed_out")

    def deliver(self, outcome: tuple[Any, ...]) -> None:
        """A worker's answer or a time-out: the Task state goes on (lock held)."""
        self.frame.resume(outcome)


class _Waiter:
    __slots__ = ("event", "task", "worker_name")

    def __init__(self, worker_name: str | None) -> None:
        self.worker_name = worker_name
        self.task: ActivityTask | None = None
        self.event = threading.Event()


class ActivityBroker:
    """Hands scheduled tasks to pollers, first come first served, and tracks their tokens."""

    def __init__(self, scheduler: Scheduler, clock: Clock, key: bytes | None = None) -> None:
        self.scheduler = scheduler
        self.clock = clock
        # the key tokens are signed with; a durable engine keeps it, so tokens it handed out
        # before a restart still verify after it
        self._key = key or secrets.token_bytes(32)
        self.tasks: dict[str, ActivityTask] = {}
        self.pending: dict[str, deque[ActivityTask]] = {}
        self.waiters: dict[str, deque[_Waiter]] = {}
        self.spent: dict[str, str] = {}

    # -- tokens -----------------------------------------------------------------------------
    def _sign(self, raw: str) -> str:
        digest = hmac.new(self._key, raw.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def new_token(self) -> str:
        """An unguessable token this engine can recognise as its own."""
        raw = secrets.token_urlsafe(24)
        return f"{raw}.{self._sign(raw)}"

    def lookup(self, token: str) -> ActivityTask:
        """The live task for ``token`` or AWS's error for it."""
        if not isinstance(token, str) or not _TOKEN_RE.match(token):
            raise InvalidToken("Invalid token")
        raw, _, sig = token.partition(".")
        if not hmac.compare_digest(sig, self._sign(raw)):
            raise InvalidToken("Invalid token")
        task = self.tasks.get(token)
        if task is not None:
            return task
        reason = self.spent.get(token)
        if reason == "timed_out":
            raise TaskTimedOut(
                "Task Timed Out: 'Provided task has timed out or its execution ended'"
            )
        raise TaskDoesNotExist("Task does not exist anymore")

    # -- scheduling -------------------------------------------------------------------------
    def schedule(self, task: ActivityTask) -> None:
        """Offer a task to the first waiting poller, else queue it."""
        self.tasks[task.token] = task
        waiters = self.waiters.get(task.activity_arn)
        while waiters:
            waiter = waiters.popleft()
            if waiter.task is None and not waiter.event.is_set():
                self.start(task, waiter.worker_name)
                waiter.task = task
                waiter.event.set()
                return
        self.pending.setdefault(task.activity_arn, deque()).append(task)

    def register_callback(self, task: CallbackTask) -> None:
        """Accept SendTask* calls on a ``.waitForTaskToken`` call's token; its
        HeartbeatSeconds clock starts now."""
        self.tasks[task.token] = task  # type: ignore[assignment]
        self.arm_heartbeat(task)  # type: ignore[arg-type]

    def start(self, task: ActivityTask, worker_name: str | None) -> None:
        """A poller took the task: ActivityStarted; the TimeoutSeconds and HeartbeatSeconds
        clocks start now, not at ActivityScheduled: on AWS "an activity task state doesn't
        start until you poll a task token", and an execution stuck in ActivityScheduled is
        timed out only by the state machine's TimeoutSeconds (Step Functions developer guide,
        "Troubleshooting activities")."""
        task.started = True
        details = {"workerName": worker_name} if worker_name else {}
        task.frame.add_event("ActivityStarted", details)
        self.arm_timeout(task)
        self.arm_heartbeat(task)

    def arm_timeout(self, task: ActivityTask, elapsed: float = 0.0) -> None:
        """Start the task's TimeoutSeconds clock (``elapsed`` real seconds of it gone)."""
        if task.timeout_seconds is None:
            return
        delay = self.clock.timeout_delay(task.timeout_seconds)
        if delay is None:
            return
        task.timeout_timer = self.scheduler.call_later(
            max(0.0, delay - elapsed), self.time_out, task, "States.Timeout"
        )

    def adopt(self, task: ActivityTask, elapsed: float) -> None:
        """A task a worker held when the engine stopped, resumed: its token works again, its
        TimeoutSeconds clock runs on from ActivityStarted (``elapsed`` real seconds ago) and
        its heartbeat clock starts afresh (the worker could not beat while the engine was
        down)."""
        self.tasks[task.token] = task
        task.started = True
        self.arm_timeout(task, elapsed)
        self.arm_heartbeat(task)

    def arm_heartbeat(self, task: ActivityTask) -> None:
        """(Re)start the task's heartbeat timer."""
        if task.heartbeat_seconds is None:
            return
        delay = self.clock.timeout_delay(task.heartbeat_seconds)
        if delay is None:
            return
        if task.heartbeat_timer is not None:
            task.heartbeat_timer.cancel()
        task.heartbeat_timer = self.scheduler.call_later(
            delay,
            self.time_out,
            task,
            "States.HeartbeatTimeout",
        )

    def take(self, activity_arn: str, worker_name: str | None) -> ActivityTask | _Waiter:
        """A queued task for a poller (started), or a waiter to block on."""
        queue = self.pending.get(activity_arn)
        while queue:
            task = queue.popleft()
            if task.token in self.tasks:
                self.start(task, worker_name)
                return task
        waiter = _Waiter(worker_name)
        self.waiters.setdefault(activity_arn, deque()).append(waiter)
        return waiter

    def give_up(self, activity_arn: str, waiter: _Waiter) -> None:
        """A poller stopped waiting (timeout or close)."""
        waiter.event.set()
        waiters = self.waiters.get(activity_arn)
        if waiters is not None:
            with contextlib.suppress(ValueError):
                waiters.remove(waiter)
            if not waiters:
                del self.waiters[activity_arn]

    def wake_all(self) -> None:
        """Release every poller (engine closing)."""
        for waiters in self.waiters.values():
            for waiter in waiters:
                waiter.event.set()
        self.waiters.clear()

    # -- endings ----------------------------------------------------------------------------
    def retire(self, task: ActivityTask, reason: str) -> None:
        """Forget a task; later calls with its token get the error for ``reason``."""
        if self.tasks.pop(task.token, None) is None:
            return
        for timer in (task.timeout_timer, task.heartbeat_timer):
            if timer is not None:
                timer.cancel()
        task.execution.tasks.discard(task)
        if len(self.spent) >= _MAX_SPENT:
            self.spent.pop(next(iter(self.spent)))
        self.spent[task.token] = reason

    def time_out(self, task: ActivityTask, error: str) -> None:
        """TimeoutSeconds or HeartbeatSeconds passed."""
        if task.token not in self.tasks:
            return
        self.retire(task, "timed_out")
        task.deliver(("timed_out", error, None))


__all__ = ["ActivityBroker", "ActivityTask"]
