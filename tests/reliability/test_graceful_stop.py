"""Graceful stop: SIGTERM to a ``sfini worker`` process with tasks in flight. Each completes
within the grace period or is failed with WorkerCancel (a task a poll in flight brings back
after the signal too); none is left to time out unseen; the process exits 0.

The Task has a 2 s heartbeat time-out (1 s at the engine's time scale of 0.5) and no Retry:
a task the worker left behind would end its execution with States.HeartbeatTimeout."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.reliability import workflows
from tests.reliability.harness import (
    EngineProcess,
    WorkerProcess,
    attempts,
    histories,
    wait_for_executions,
)

pytestmark = pytest.mark.reliability

TARGET = "tests.reliability.workflows:stop_activities"
GRACE_PERIOD = 2.0
SHORT, LONG = 1.0, 120.0  # seconds the tasks' code runs


def test_sigterm_finishes_or_cancels_every_task_it_holds_and_exits_0(
    start_engine: Callable[..., EngineProcess],
    start_worker: Callable[..., WorkerProcess],
    markers: Path,
) -> None:
    # long polls of 20 s: those in flight at the signal are still out when the test starts
    # more executions (a poll handed a task returns at once, so the worker exits soon)
    engine_process = start_engine(time_scale=0.5, long_poll_seconds=20)
    client = engine_process.client()
    (machine,) = engine_process.register(workflows.stop_activities, workflows.stop_machine)
    # 6 slots, 4 tasks running: 2 long polls are in flight when the signal comes
    worker = start_worker(
        TARGET, "stopper", engine_process.url, concurrency=6, grace_period=GRACE_PERIOD
    )
    worker.wait_polling()

    def start(index: int, sleep: float) -> str:
        return client.start_execution(
            stateMachineArn=machine,
            name=f"stop-{index}",
            input=json.dumps({"id": index, "sleep": sleep}),
        )["executionArn"]

    sleeps = {0: SHORT, 1: SHORT, 2: LONG, 3: LONG}
    running = [start(index, sleep) for index, sleep in sleeps.items()]
    deadline = time.monotonic() + 30
    while len(list((markers / "running" / "stopper").glob("*"))) < len(running):
        assert time.monotonic() < deadline, worker.log[-3000:]
        time.sleep(0.01)

    worker.terminate()
    deadline = time.monotonic() + 30
    while "Received signal" not in worker.log:
        assert time.monotonic() < deadline, worker.log[-3000:]
        time.sleep(0.005)
    # started once the signal is handled: the polls still in flight are handed two of these
    late = [start(index, SHORT) for index in range(4, 10)]
    assert worker.wait(timeout=60) == 0, worker.log[-3000:]

    statuses = wait_for_executions(client, running, timeout=30)
    assert [statuses[arn] for arn in running] == ["SUCCEEDED", "SUCCEEDED", "FAILED", "FAILED"]
    time.sleep(1.5)  # long enough for a task left behind to time out (1 s)
    found = histories(client, running + late)
    for arn in running:
        (attempt,) = attempts(found[arn])
        assert attempt["worker"] == "stopper"
    for arn in running[2:]:  # outlived the grace period: cancelled
        execution = client.describe_execution(executionArn=arn)
        assert execution["error"] == "WorkerCancel", execution
    for arn, events in found.items():
        for attempt in attempts(events):
            if attempt["worker"] is None:  # never handed out: still waits for a worker
                assert attempt["outcome"] is None, (arn, attempt)
                continue
            # every task handed to the worker, late ones included, was reported
            assert attempt["outcome"] in ("succeeded", "failed"), (arn, events)
            if attempt["outcome"] == "failed":
                assert attempt["details"]["error"] == "WorkerCancel", (arn, attempt)
        assert "ActivityTimedOut" not in {event["type"] for event in events}
    handed_late = [arn for arn in late if attempts(found[arn])[0]["worker"] is not None]
    assert handed_late, worker.log[-3000:]  # two polls were in flight (one per free slot)
    for arn in handed_late:
        assert attempts(found[arn])[0]["outcome"] == "failed"  # at once, not run
        assert client.describe_execution(executionArn=arn)["error"] == "WorkerCancel"
