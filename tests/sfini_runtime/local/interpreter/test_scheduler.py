"""The scheduler: queued work and timers in order, cancellation, deferred callbacks."""

from __future__ import annotations

import threading

from sfini_runtime.local.interpreter.scheduler import Scheduler


def test_run_queue_is_fifo_and_timers_fire_in_due_order() -> None:
    scheduler = Scheduler()
    seen: list[str] = []
    done = threading.Event()
    with scheduler.lock:
        scheduler.call_later(0.03, seen.append, "late")
        scheduler.call_later(0.01, seen.append, "early")
        cancelled = scheduler.call_later(0.02, seen.append, "cancelled")
        cancelled.cancel()
        scheduler.call_soon(seen.append, "a")
        scheduler.call_soon(seen.append, "b")
        scheduler.call_later(0.04, done.set)
    scheduler.start()
    assert done.wait(5)
    scheduler.close()
    assert seen == ["a", "b", "early", "late"]


def test_deferred_callbacks_run_without_the_lock() -> None:
    scheduler = Scheduler()
    held: list[bool] = []
    done = threading.Event()

    def probe() -> None:
        held.append(scheduler.lock.locked())
        done.set()

    scheduler.start()
    with scheduler.lock:
        scheduler.defer(probe)
    assert done.wait(5)
    scheduler.close()
    assert held == [False]


def test_a_failing_work_item_does_not_stop_the_loop() -> None:
    scheduler = Scheduler()
    done = threading.Event()
    with scheduler.lock:
        scheduler.call_soon(lambda: 1 / 0)
        scheduler.call_soon(done.set)
    scheduler.start()
    assert done.wait(5)
    scheduler.close()
