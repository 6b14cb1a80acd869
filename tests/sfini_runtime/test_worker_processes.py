"""Supervised worker processes on the local engine: the children share the work, a child that
dies is replaced (its task times out and is retried), children retire after their most tasks,
SIGTERM drains them all; ``sfini worker --processes``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import sfini_cdk as sfini
from sfini_runtime.cli.app import cli
from sfini_runtime.session import AWSSession
from sfini_runtime.worker import ActivityWorkers, WorkerProcessError, WorkerProcesses
from tests.sfini_runtime import worker_processes_app as app
from tests.sfini_runtime.conftest import ENGINE_ENV_KEYS
from tests.sfini_runtime.test_worker import DEADLINE, deploy, wait_for

pytestmark = pytest.mark.engine

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The conftest's engine, with long polls of 0.5 s: a draining child waits for its poll."""
    from sfini_runtime.local import LocalEngine

    for key in ENGINE_ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    with LocalEngine(time_scale=0.01, activity_poll_seconds=0.5) as running:
        for key, value in running.env().items():
            monkeypatch.setenv(key, value)  # the children inherit the environment
        yield running


def supervise(supervisor: WorkerProcesses, operator: Callable[[], None]) -> None:
    """Run ``supervisor`` in this (the main) thread while ``operator`` works in another; the
    operator ends it with SIGTERM to this process, as a user would."""
    problems: list[BaseException] = []

    def operate() -> None:
        try:
            wait_for(lambda: supervisor.ready == supervisor.processes, "the children to poll")
            operator()
        except BaseException as error:
            problems.append(error)
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    # a SIGTERM that comes after run() returned (it failed early, say) must not end pytest
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    helper = threading.Thread(target=operate)
    helper.start()
    try:
        supervisor.run()
    finally:
        helper.join(2 * DEADLINE)
        signal.signal(signal.SIGTERM, previous)
    assert not problems, problems
    assert supervisor.pids == []  # every child exited


def history(engine: Any, execution: Any) -> list[dict[str, Any]]:
    client = engine.client()
    return client.get_execution_history(executionArn=execution.arn, maxResults=1000)["events"]


def worker_names(engine: Any, execution: Any) -> list[str]:
    return [
        event["activityStartedEventDetails"]["workerName"]
        for event in history(engine, execution)
        if event["type"] == "ActivityStarted"
    ]


def test_the_children_share_the_work_and_sigterm_drains_them(engine: Any, session: AWSSession):
    machine = deploy(session, app.work)
    supervisor = WorkerProcesses(ActivityWorkers(app.TARGET), 2, name="share")
    executions: list[Any] = []

    def operator() -> None:
        executions.extend(machine.start_execution({"sleep": 0.3}) for _ in range(4))
        for execution in executions:
            execution.wait(timeout=DEADLINE)

    supervise(supervisor, operator)
    assert [execution.status for execution in executions] == ["SUCCEEDED"] * 4
    names = {name for execution in executions for name in worker_names(engine, execution)}
    assert names == {"share-0", "share-1"}
    pids = {execution.output["pid"] for execution in executions}
    assert pids == {pid for _, pid in supervisor.started}
    assert len(pids) == 2


def test_a_killed_child_is_replaced_and_its_task_times_out_and_is_retried(
    engine: Any, session: AWSSession, tmp_path: Path
) -> None:
    app.work.session = session
    app.work.register()
    task = sfini.Task("task", app.work, heartbeat=200)  # 2 s on the engine
    task.retry_for([sfini.States.HEARTBEAT_TIMEOUT, sfini.States.TIMEOUT], interval=1)
    machine = sfini.construct_state_machine("sm-procs-kill", task, session=session)
    machine.register()
    supervisor = WorkerProcesses(ActivityWorkers(app.TARGET), 2, name="kill")
    marker = tmp_path / "hung-pid"
    executions: list[Any] = []
    killed: list[int] = []

    def operator() -> None:
        executions.append(machine.start_execution({"hang_once": str(marker)}))
        wait_for(lambda: marker.exists() and marker.read_text(), "the task to hang")
        killed.append(int(marker.read_text()))
        os.kill(killed[0], signal.SIGKILL)
        wait_for(lambda: len(supervisor.started) == 3, "a replacement")
        executions.extend(machine.start_execution({}) for _ in range(2))
        for execution in executions:
            execution.wait(timeout=DEADLINE)

    supervise(supervisor, operator)
    assert [execution.status for execution in executions] == ["SUCCEEDED"] * 3
    (name, pid) = next(started for started in supervisor.started if started[1] == killed[0])
    assert supervisor.started[2][0] == name  # the replacement took the dead child's name
    events = [event["type"] for event in history(engine, executions[0])]
    timed_out = events.index("ActivityTimedOut")
    assert "ActivitySucceeded" in events[timed_out:]
    assert events.count("ActivitySucceeded") == 1
    assert executions[0].output["pid"] != pid
    assert all(execution.output["pid"] != pid for execution in executions)


def test_children_retire_after_their_most_tasks_and_are_replaced(
    engine: Any, session: AWSSession
) -> None:
    machine = deploy(session, app.work)
    supervisor = WorkerProcesses(
        ActivityWorkers(app.TARGET), 2, name="recycle", max_tasks_per_child=2
    )
    executions: list[Any] = []

    def operator() -> None:
        executions.extend(machine.start_execution({"sleep": 0.05}) for _ in range(5))
        for execution in executions:
            execution.wait(timeout=DEADLINE)

    supervise(supervisor, operator)
    assert [execution.status for execution in executions] == ["SUCCEEDED"] * 5
    pids = [execution.output["pid"] for execution in executions]
    assert len(set(pids)) > 2
    assert max(pids.count(pid) for pid in pids) <= 2
    assert {name for name, _ in supervisor.started} == {"recycle-0", "recycle-1"}


def test_a_child_failing_at_start_up_is_retried_then_given_up(engine: Any) -> None:
    supervisor = WorkerProcesses(
        app.broken_factory, 1, name="broken", start_attempts=2, restart_delay=0.01
    )
    with pytest.raises(WorkerProcessError) as raised:
        supervisor.run()
    message = str(raised.value)
    assert "broken-0 failed at start-up 2 times in a row" in message
    assert "RuntimeError: no workers for broken-0: the configuration is broken" in message
    assert len(supervisor.started) == 2


def test_workers_failing_for_good_end_the_group_with_their_error(engine: Any) -> None:
    # the activity was never created: GetActivityTask says so, in each child
    supervisor = WorkerProcesses(ActivityWorkers(app.TARGET), 1, name="missing")
    with pytest.raises(Exception, match="ActivityDoesNotExist") as raised:
        supervisor.run()
    assert not isinstance(raised.value, WorkerProcessError)
    assert supervisor.pids == []


def test_activity_workers_make_the_workers_sfini_worker_would(engine: Any) -> None:
    arn = "arn:aws:states:us-east-1:123456789012:activity:procs-work-deployed"
    factory = ActivityWorkers(app.TARGET, concurrency=3, grace_period=5, arns={"procs-work": arn})
    (worker,) = factory("host-0")
    assert (worker.name, worker.activity.name, worker.arn) == ("host-0", "procs-work", arn)
    assert (worker.concurrency, worker.grace_period) == (3, 5)
    assert worker.session.endpoint_url == engine.endpoint_url
    both = ActivityWorkers(f"{app.__name__}:both")("host-1")
    assert [(worker.name, worker.activity.name) for worker in both] == [
        ("host-1-procs-other", "procs-other"),
        ("host-1-procs-work", "procs-work"),
    ]


def test_an_unpicklable_factory_is_refused_at_once() -> None:
    with pytest.raises(TypeError, match="must be picklable"):
        WorkerProcesses(lambda name: [], 2)


def test_sfini_worker_processes_drains_on_sigterm_and_exits_0(
    engine: Any, session: AWSSession
) -> None:
    machine = deploy(session, app.work)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sfini_runtime.cli",
            "worker",
            app.TARGET,
            "--processes",
            "2",
            "--name",
            "cli",
            "--grace-period",
            "20",
        ],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        executions = [machine.start_execution({"sleep": 1.0}) for _ in range(2)]
        wait_for(
            lambda: all(worker_names(engine, execution) for execution in executions),
            "both tasks to start",
        )
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert "Worker processes cli-0, cli-1 polling activity procs-work" in stderr
    for execution in executions:  # each finished within the grace period
        execution.wait(timeout=DEADLINE)
        assert execution.status == "SUCCEEDED"
    names = {name for execution in executions for name in worker_names(engine, execution)}
    assert names <= {"cli-0", "cli-1"}


def process_state(pid: int) -> str | None:
    """A process's state letter (``Z``: a zombie), None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[0]


def worker_child_pids(parent: int) -> list[int]:
    """The worker processes ``parent`` started (not multiprocessing's resource tracker)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in command:
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_children_drain_when_their_supervisor_is_killed(engine: Any, session: AWSSession):
    machine = deploy(session, app.work)
    process = subprocess.Popen(
        [sys.executable, "-m", "sfini_runtime.cli", "worker", app.TARGET, "--processes", "2"],
        cwd=REPO_ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        execution = machine.start_execution({"sleep": 0.5})
        wait_for(lambda: worker_names(engine, execution), "the task to start")
        children = worker_child_pids(process.pid)
        assert len(children) == 2
        process.kill()
        process.wait()
        wait_for(
            lambda: all(process_state(pid) in (None, "Z") for pid in children),
            "the orphaned children to drain and exit",
        )
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    execution.wait(timeout=DEADLINE)  # the task in flight was finished, not abandoned
    assert execution.status == "SUCCEEDED"


@pytest.mark.parametrize(
    ("option", "value"), [("--processes", "0"), ("--max-tasks-per-child", "0")]
)
def test_sfini_worker_rejects_bad_process_options(option: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["worker", app.TARGET, option, value])
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output
    assert "Traceback" not in result.output
