"""One thread that advances every execution: a run queue plus a heap of timers.

Nothing here knows about states. Work items are callables; whoever holds ``lock`` may queue
work (``call_soon``) or timers (``call_later``) and the scheduler thread runs them with the
lock held, in slices, releasing it between slices so API threads get in. One lock guards all
engine state, so there is no other per-transition lock.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: how long the scheduler keeps the lock before letting API threads in
SLICE_SECONDS = 0.0005
#: the longest single sleep: a far-off timer (a Wait until 9999) is re-checked, never overflows
MAX_SLEEP_SECONDS = 3600.0


class Timer:
    """A pending ``call_later``; ``cancel()`` makes it a no-op."""

    __slots__ = ("args", "callback", "cancelled", "due")

    def __init__(self, due: float, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.due = due
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        """Do not run this timer."""
        self.cancelled = True


class Scheduler:
    """Runs queued callables and due timers on one thread, holding ``lock`` while it does."""

    def __init__(self, lock: threading.Lock | None = None) -> None:
        self.lock = lock or threading.Lock()
        self._wakeup = threading.Condition(self.lock)
        self._ready: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        self._timers: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._sleeping = False
        self._deferred: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    # -- called with the lock held ---------------------------------------------------------
    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Queue ``callback(*args)`` (caller holds ``lock``)."""
        self._ready.append((callback, args))
        if self._sleeping:
            self._wakeup.notify()

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Run ``callback(*args)`` after ``delay`` seconds (caller holds ``lock``)."""
        if delay <= 0:
            timer = Timer(0.0, callback, args)
            self._ready.append((self._fire, (timer,)))
            if self._sleeping:
                self._wakeup.notify()
            return timer
        timer = Timer(time.monotonic() + delay, callback, args)
        heapq.heappush(self._timers, (timer.due, next(self._seq), timer))
        if self._sleeping:
            self._wakeup.notify()
        return timer

    def defer(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` soon, on the scheduler thread, *without* the lock held
        (callbacks into the service, which may take locks of its own)."""
        self._deferred.append((callback, args))
        if self._sleeping:
            self._wakeup.notify()

    def _run_deferred(self) -> None:
        # called with the lock held; releases it while the callbacks run
        deferred, self._deferred = self._deferred, []
        self.lock.release()
        try:
            for callback, args in deferred:
                self._call(callback, args)
        finally:
            self.lock.acquire()

    @staticmethod
    def _fire(timer: Timer) -> None:
        if not timer.cancelled:
            timer.callback(*timer.args)

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while the scheduler thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (idempotent)."""
        with self.lock:
            if self._thread is not None or self._closed:
                return
            self._thread = threading.Thread(target=self._run, name="sfini-scheduler", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop the thread; queued work is dropped."""
        with self.lock:
            self._closed = True
            self._wakeup.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def run_until_idle(self, max_items: int | None = None) -> int:
        """Run queued work and due timers on the calling thread (tests without the thread)."""
        done = 0
        with self.lock:
            while True:
                self._move_due_timers(time.monotonic())
                if self._deferred:
                    self._run_deferred()
                if not self._ready or (max_items is not None and done >= max_items):
                    return done
                callback, args = self._ready.popleft()
                self._call(callback, args)
                done += 1

    # -- the loop ---------------------------------------------------------------------------
    def _move_due_timers(self, now: float) -> None:
        timers = self._timers
        while timers and timers[0][0] <= now:
            timer = heapq.heappop(timers)[2]
            if not timer.cancelled:
                self._ready.append((timer.callback, timer.args))

    @staticmethod
    def _call(callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            callback(*args)
        except Exception:  # a bug in one execution must not stop the others
            log.exception("scheduler work item failed")

    def _run(self) -> None:
        lock = self.lock
        ready = self._ready
        monotonic = time.monotonic
        lock.acquire()
        try:
            while not self._closed:
                now = monotonic()
                self._move_due_timers(now)
                if self._deferred:
                    self._run_deferred()
                    continue
                if not ready:
                    timeout = None
                    while self._timers and self._timers[0][2].cancelled:
                        heapq.heappop(self._timers)
                    if self._timers:
                        timeout = min(max(0.0, self._timers[0][0] - now), MAX_SLEEP_SECONDS)
                    self._sleeping = True
                    self._wakeup.wait(timeout)
                    self._sleeping = False
                    continue
                deadline = now + SLICE_SECONDS
                while ready:
                    callback, args = ready.popleft()
                    try:
                        callback(*args)
                    except Exception:
                        log.exception("scheduler work item failed")
                    if monotonic() >= deadline:
                        break
                # let API threads waiting for the lock in
                lock.release()
                time.sleep(0)
                lock.acquire()
        finally:
            lock.release()


__all__ = ["Scheduler", "Timer"]
