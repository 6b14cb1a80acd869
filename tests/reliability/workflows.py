"""Workflows of the reliability tests, for ``sfini worker tests.reliability.workflows:...``.

Every activity takes ``{"id": ..., "sleep": seconds}`` and returns ``{"id": ..., "worker":
name}`` (the worker process's ``--name``, from ``$SFINI_TEST_WORKER``); with
``$SFINI_TEST_MARKERS`` set, each call that returns appends the worker's name to the file
named by the task's id there, so a test sees every result the activity code produced; while
a call runs, the file ``running/WORKER/ID`` there exists (a killed worker leaves it behind).
The heartbeat time-outs below are scaled by the engine's time scale (0.25 in the tests)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import sfini_cdk as sfini

TIMEOUT_ERRORS = [sfini.States.TIMEOUT, sfini.States.HEARTBEAT_TIMEOUT]


def _work(data: dict[str, Any]) -> dict[str, Any]:
    worker = os.environ.get("SFINI_TEST_WORKER", "?")
    markers = os.environ.get("SFINI_TEST_MARKERS")
    running = Path(markers) / "running" / worker / str(data["id"]) if markers else None
    if running is not None:
        running.parent.mkdir(parents=True, exist_ok=True)
        running.touch()
    try:
        deadline = time.monotonic() + float(data.get("sleep", 0))
        while time.monotonic() < deadline:  # short sleeps: WorkerCancel interrupts at once
            time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
    finally:
        if running is not None:
            running.unlink()
    if markers:
        with open(Path(markers) / str(data["id"]), "a") as marker:
            marker.write(worker + "\n")
    return {"id": data["id"], "worker": worker}


# --- crashes: a 2 s heartbeat time-out (0.5 s at time scale 0.25), heartbeats every 0.1 s ----

crash_activities = sfini.ActivityRegistration(prefix="rel-")


@crash_activities.activity("crashWork", heartbeat=0.1)  # type: ignore[arg-type]
def crash_work(data: dict[str, Any]) -> dict[str, Any]:
    """Sleep ``data["sleep"]`` seconds; who ran it."""
    return _work(data)


crash_task = sfini.Task("work", crash_work, heartbeat=2, timeout=600)
crash_task.retry_for(TIMEOUT_ERRORS, interval=1, max_attempts=20, backoff_rate=1.0)
crash_machine = sfini.construct_state_machine("relCrash", crash_task)


# --- graceful stop: a 2 s heartbeat time-out, no retry (a task left behind times out) -------

stop_activities = sfini.ActivityRegistration(prefix="rel-")


@stop_activities.activity("stopWork", heartbeat=0.1)  # type: ignore[arg-type]
def stop_work(data: dict[str, Any]) -> dict[str, Any]:
    """Sleep ``data["sleep"]`` seconds; who ran it."""
    return _work(data)


stop_machine = sfini.construct_state_machine(
    "relStop", sfini.Task("work", stop_work, heartbeat=2, timeout=600)
)


# --- flaky network: a 20 s heartbeat time-out (5 s at 0.25) with heartbeats every 0.2 s -----

flaky_activities = sfini.ActivityRegistration(prefix="rel-")


@flaky_activities.activity("flakyWork", heartbeat=0.2)  # type: ignore[arg-type]
def flaky_work(data: dict[str, Any]) -> dict[str, Any]:
    """Sleep ``data["sleep"]`` seconds; who ran it."""
    return _work(data)


flaky_task = sfini.Task("work", flaky_work, heartbeat=20, timeout=3600)
flaky_task.retry_for(TIMEOUT_ERRORS, interval=1, max_attempts=20, backoff_rate=1.0)
flaky_machine = sfini.construct_state_machine("relFlaky", flaky_task)


# --- load: three activity Tasks in a row, one activity ----------------------------------------

load_activities = sfini.ActivityRegistration(prefix="rel-")


@load_activities.activity("loadStep", heartbeat=20)
def load_step(data: dict[str, Any]) -> dict[str, Any]:
    """Return at once: ``data`` passed on (its ``step`` counted)."""
    return {"id": data["id"], "step": data.get("step", 0) + 1}


_first = sfini.Task("first", load_step, heartbeat=600, timeout=3600)
_second = sfini.Task("second", load_step, heartbeat=600, timeout=3600)
_third = sfini.Task("third", load_step, heartbeat=600, timeout=3600)
_first.goes_to(_second)
_second.goes_to(_third)
load_machine = sfini.construct_state_machine("relLoad", _first)
