"""A task's slot frees when its function returns: the next poll overlaps the task's report,
while no more than ``concurrency`` functions ever run at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_runtime.session import AWSSession
from sfini_runtime.worker import Worker
from tests.sfini_runtime.test_worker import DEADLINE, deploy, wait_for

pytestmark = pytest.mark.engine


def test_next_poll_starts_while_the_report_is_being_sent(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="pipe-")

    @registration.activity("quick")
    def quick(data):
        return data["n"]

    machine = deploy(session, quick)
    worker = Worker(quick, session=session, concurrency=1, pollers=1)
    seen_polls: list[int] = []

    def hold_report(**_: Any) -> None:
        # the report waits until the worker has a poll out again (or gives up)
        deadline = time.monotonic() + DEADLINE
        while worker.polls_in_flight == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_polls.append(worker.polls_in_flight)

    session.sfn.meta.events.register("before-call.sfn.SendTaskSuccess", hold_report)
    worker.start()
    try:
        execution = machine.start_execution({"n": 7})
        execution.wait(timeout=DEADLINE * 2)
        assert execution.output == 7
        assert seen_polls == [1]  # a poll was out while the only task's report was held
    finally:
        worker.end(abort_polls=True)
        worker.join()


def test_functions_never_exceed_concurrency(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="pipe-")
    lock = threading.Lock()
    running = [0]
    most = [0]

    @registration.activity("counted")
    def counted(data):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.005)
        with lock:
            running[0] -= 1
        return data

    machine = deploy(session, counted)
    worker = Worker(counted, session=session, concurrency=2)
    worker.start()
    try:
        executions = [machine.start_execution({"n": n}) for n in range(12)]
        for execution in executions:
            execution.wait(timeout=DEADLINE * 2)
        wait_for(lambda: worker.outcomes["succeeded"] == 12, "every task to be counted")
        assert [e.output for e in executions] == [{"n": n} for n in range(12)]
        assert most[0] == 2
    finally:
        worker.end(abort_polls=True)
        worker.join()
