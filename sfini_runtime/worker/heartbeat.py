"""One thread that schedules the heartbeats of every running task of a worker, each at its
activity's interval (``activity.heartbeat`` seconds; none if it is 0 or None).

The heartbeats are sent by a few sender threads, started as needed: a heartbeat held up by a
flaky network (botocore retrying it, a connection that hangs until its read time-out) delays
only its own task's next heartbeat, never the other tasks' (whose heartbeat time-outs would
otherwise fire while they wait).
"""

from __future__ import annotations

import collections
import heapq
import itertools
import logging
import threading
import time
from typing import Any, Protocol

__all__ = ["Heartbeated", "Heartbeater"]

_logger = logging.getLogger(__name__)


class Heartbeated(Protocol):
    """What the heartbeat thread needs of a task (``worker.task.Heartbeated`` is one)."""

    #: its activity; ``activity.heartbeat`` is the interval in seconds (none if 0 or None)
    activity: Any

    @property
    def finished(self) -> bool:
        """Whether the task has reported its outcome."""
        ...

    def heartbeat(self) -> bool:
        """Send one heartbeat; False when the task is no longer alive."""
        ...


class Heartbeater:
    """Sends heartbeats for the tasks ``add``-ed to it until they are ``remove``-d.

    Args:
        name: name of the scheduling thread (its senders get it with a suffix)
        max_senders: most heartbeats sent at once (sender threads, started as needed)
    """

    def __init__(self, name: str = "sfini-heartbeat", max_senders: int = 8) -> None:
        self.name = name
        self.max_senders = max(1, max_senders)
        self._condition = threading.Condition()
        self._queue: list[tuple[float, int, Heartbeated]] = []
        self._active: set[int] = set()
        self._order = itertools.count()
        self._running = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        #: heartbeats due and not yet taken by a sender
        self._due: collections.deque[Heartbeated] = collections.deque()
        self._senders = 0
        self._idle_senders = 0

    def start(self) -> None:
        """Start the heartbeat thread."""
        self._running = True
        self._thread.start()

    def stop(self) -> None:
        """Stop the heartbeat threads (running tasks get no more heartbeats)."""
        with self._condition:
            self._running = False
            self._due.clear()
            self._condition.notify_all()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the heartbeat thread to end (after ``stop``)."""
        if self._thread.is_alive():
            self._thread.join(timeout)

    @staticmethod
    def interval(task: Heartbeated) -> float | None:
        """Seconds between ``task``'s heartbeats (None: it sends none)."""
        seconds = getattr(task.activity, "heartbeat", None)
        return float(seconds) if seconds and seconds > 0 else None

    def add(self, task: Heartbeated) -> None:
        """Heartbeat ``task`` every interval from now on."""
        interval = self.interval(task)
        if interval is None:
            return
        with self._condition:
            self._active.add(id(task))
            heapq.heappush(self._queue, (time.monotonic() + interval, next(self._order), task))
            self._condition.notify()

    def remove(self, task: Heartbeated) -> None:
        """Stop heartbeating ``task``."""
        with self._condition:
            self._active.discard(id(task))

    def _next_due(self) -> Heartbeated | None:
        """Wait for the next heartbeat due; None when stopped (lock held)."""
        while self._running:
            if not self._queue:
                self._condition.wait()
                continue
            due, _, task = self._queue[0]
            if id(task) not in self._active:
                heapq.heappop(self._queue)
                continue
            wait = due - time.monotonic()
            if wait > 0:
                self._condition.wait(wait)
                continue
            heapq.heappop(self._queue)
            return task
        return None

    def _run(self) -> None:
        """Hand each heartbeat to a sender when it is due."""
        with self._condition:
            while True:
                task = self._next_due()
                if task is None:
                    return
                self._due.append(task)  # its next heartbeat is scheduled once this one is sent
                if len(self._due) > self._idle_senders and self._senders < self.max_senders:
                    self._senders += 1
                    threading.Thread(
                        target=self._send_loop,
                        name=f"{self.name}-sender-{self._senders}",
                        daemon=True,
                    ).start()
                self._condition.notify_all()

    def _send_loop(self) -> None:
        """Send the heartbeats due, one at a time, until stopped."""
        while True:
            with self._condition:
                while self._running and not self._due:
                    self._idle_senders += 1
                    self._condition.wait()
                    self._idle_senders -= 1
                if not self._running:
                    self._senders -= 1
                    return
                task = self._due.popleft()
            self._send(task)

    def _send(self, task: Heartbeated) -> None:
        """Send one heartbeat, and schedule the next one interval after it."""
        try:
            alive = task.heartbeat()
        except Exception:
            _logger.exception("Heartbeat for %s failed", task)
            alive = True
        interval = self.interval(task)
        with self._condition:
            if alive and interval and id(task) in self._active and not task.finished:
                heapq.heappush(self._queue, (time.monotonic() + interval, next(self._order), task))
                self._condition.notify_all()
