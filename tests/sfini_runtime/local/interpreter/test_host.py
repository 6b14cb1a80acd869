"""The host interface: what an execution is given instead of the engine that runs it."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sfini_runtime.local.interpreter import Engine
from sfini_runtime.local.interpreter.activities import ActivityBroker
from sfini_runtime.local.interpreter.clock import Clock
from sfini_runtime.local.interpreter.host import ExecutionHost
from sfini_runtime.local.interpreter.scheduler import Scheduler
from sfini_runtime.local.interpreter.task_calls import NoIntegrations

from ._engine_helpers import ACTIVITY, run, start

WAIT_THEN_PASS = {
    "StartAt": "wait",
    "States": {
        "wait": {"Type": "Wait", "Seconds": 3, "Next": "done"},
        "done": {"Type": "Pass", "End": True},
    },
}


def test_the_clock_scales_sleeps_and_time_outs() -> None:
    assert Clock(0.5).sleep_seconds(4) == 2.0
    assert Clock(0.5).timeout_delay(4) == 2.0
    assert Clock(0).sleep_seconds(4) == 0.0
    assert Clock(0).timeout_delay(4) is None  # scale 0: time-outs are not armed
    with pytest.raises(ValueError, match="time_scale"):
        Clock(-1)


def _host(**overrides: Any) -> ExecutionHost:
    lock = threading.Lock()
    scheduler = Scheduler(lock)
    clock = Clock(1.0)
    options: dict[str, Any] = {
        "lock": lock,
        "scheduler": scheduler,
        "clock": clock,
        "activities": ActivityBroker(scheduler, clock),
        "integrations": NoIntegrations(),
        "region": "eu-west-1",
        "activity_exists": None,
        "ended": lambda execution: None,
    }
    options.update(overrides)
    return ExecutionHost(**options)


def test_the_host_answers_regions_and_activities() -> None:
    host = _host()
    assert host.region_of("arn:aws:states:ap-south-1:123456789012:activity:a") == "ap-south-1"
    assert host.region_of("arn:aws:states:::lambda:invoke") == "eu-west-1"
    assert host.activity_exists(ACTIVITY)
    assert not _host(activity_exists=lambda arn: arn != ACTIVITY).activity_exists(ACTIVITY)
    assert host.timeout_delay(2) == 2.0


def test_an_execution_holds_the_engines_host_not_the_engine() -> None:
    with Engine(time_scale=0) as engine:
        host = engine.host
        assert host.scheduler is engine.scheduler
        assert host.activities is engine.activities
        assert host.integrations is engine.integrations
        assert host.lock is engine.lock
        record = run(engine, WAIT_THEN_PASS)
        assert record.status == "SUCCEEDED"
        execution = engine._get(record.execution_arn)
        assert execution.host is host
        assert not hasattr(execution, "engine")


def test_the_ended_callback_runs_once_per_execution() -> None:
    with Engine(time_scale=0) as engine:
        ended: list[str] = []
        forward = engine._execution_ended

        def recording(execution: Any) -> None:
            ended.append(execution.record.execution_arn)
            forward(execution)

        engine.host._ended = recording  # type: ignore[attr-defined]
        record = run(engine, WAIT_THEN_PASS)
        assert ended == [record.execution_arn]


def test_an_activity_task_is_scheduled_through_the_host() -> None:
    machine = {
        "StartAt": "work",
        "States": {"work": {"Type": "Task", "Resource": ACTIVITY, "End": True}},
    }
    with Engine(time_scale=0) as engine:
        record = start(engine, machine, {"n": 1})
        task = engine.get_activity_task(ACTIVITY, "worker", wait_seconds=5)
        assert task is not None
        token, input_text = task
        assert input_text == '{"n":1}'
        engine.send_task_success(token, '{"ok":true}')
        assert record.done.wait(5)
        assert record.status == "SUCCEEDED"
