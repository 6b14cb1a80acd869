"""No task handed to a long poll in flight is lost when a worker ends: on ``end()``, on
SIGTERM (``run_workers``) and when Python exits, the poll is waited for and its task run or
failed with ``WorkerCancel`` at once, never left to time out unseen."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_runtime.execution import Execution
from sfini_runtime.session import AWSSession
from sfini_runtime.worker import Worker, run_workers
from tests.sfini_runtime.test_worker import DEADLINE, deploy, wait_for

pytestmark = pytest.mark.engine

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_waits_for_the_poll_in_flight_and_fails_its_task_at_once(
    session: AWSSession,
) -> None:
    registration = sfini.ActivityRegistration(prefix="drain-")
    ran: list[Any] = []

    @registration.activity("late")
    def late(data):
        ran.append(data)

    machine = deploy(session, late)
    worker = Worker(late, session=session, grace_period=5.0)
    executions: list[Execution] = []
    problems: list[BaseException] = []

    def operator() -> None:
        try:
            wait_for(lambda: worker.polls_in_flight == 1, "the long poll")
            os.kill(os.getpid(), signal.SIGTERM)
            wait_for(lambda: worker.ended, "the worker to see the signal")
            assert worker.polls_in_flight == 1  # left in flight: the engine holds it 60 s
            # the engine hands the next task to that poll, as AWS may
            executions.append(machine.start_execution({"n": 1}))
        except BaseException as error:
            problems.append(error)

    helper = threading.Thread(target=operator)
    helper.start()
    run_workers([worker])  # in the main thread: it handles the signal
    # run_workers returned only once the poll was back and its task failed
    assert worker.polls_in_flight == 0
    assert worker.outcomes["cancelled"] == 1
    helper.join(DEADLINE)
    assert not problems, problems
    (execution,) = executions
    execution.wait(raise_on_failure=False, timeout=DEADLINE)
    assert (execution.status, execution.error) == ("FAILED", "WorkerCancel")
    assert ran == []


def test_drain_waits_for_the_poll_left_by_end_and_runs_its_task(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="drain-")

    @registration.activity("inc")
    def inc(data):
        return data + 1

    machine = deploy(session, inc)
    worker = Worker(inc, session=session)
    worker.start()
    wait_for(lambda: worker.polls_in_flight == 1, "the long poll")
    worker.end()
    worker.join()
    assert not worker.drain(timeout=0.05)  # the engine holds the poll for 60 s
    execution = machine.start_execution(41)
    assert worker.drain(timeout=DEADLINE)
    execution.wait(timeout=DEADLINE)
    assert execution.output == 42
    assert worker.outcomes["succeeded"] == 1


SCRIPT = """
import sys, time
import sfini_cdk as sfini
from sfini_runtime.worker import Worker

activities = sfini.ActivityRegistration(prefix="exit-")

@activities.activity("{name}")
def work(data):
    return {{"worked": data}}

worker = Worker(work)
worker.start()
deadline = time.monotonic() + 60
while worker.polls_in_flight == 0 and time.monotonic() < deadline:
    time.sleep(0.01)
if "{mode}" == "end":
    worker.end()
    worker.join()
print("main thread done", flush=True)
"""


@pytest.mark.parametrize(
    "mode",
    [
        "end",  # ended, then Python exits: the poll left in flight is waited for, its task run
        "return",  # never ended: as with sfini 0.1.0, the worker keeps the process serving
    ],
)
def test_python_exit_does_not_drop_a_task_handed_to_a_poll_in_flight(
    engine: Any, session: AWSSession, tmp_path: Path, mode: str
) -> None:
    name = f"work-{mode}"
    script = tmp_path / "worker_script.py"
    script.write_text(textwrap.dedent(SCRIPT.format(name=name, mode=mode)))
    registration = sfini.ActivityRegistration(prefix="exit-")

    @registration.activity(name)
    def work(data):
        raise AssertionError("run by the script, not here")

    machine = deploy(session, work)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), *sys.path])}
    process = subprocess.Popen(
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "main thread done"
        execution = machine.start_execution(7)
        execution.wait(raise_on_failure=False, timeout=DEADLINE)
        assert execution.output == {"worked": 7}
        if mode == "end":
            assert process.wait(DEADLINE) == 0  # the poll came back: nothing holds it now
        else:
            assert process.poll() is None  # still serving
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
