"""Worker crashes: 100 executions, 4 ``sfini worker`` processes, 2 killed with SIGKILL while
they run tasks. The activity Task has a 2 s heartbeat time-out (1 s at the engine's time
scale of 0.5) and a Retry on States.Timeout/States.HeartbeatTimeout, so a task a dead worker
held times out and runs again on a survivor."""

from __future__ import annotations

import concurrent.futures
import json
import random
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

EXECUTIONS = 100
WORKERS = 4
CONCURRENCY = 4
TARGET = "tests.reliability.workflows:crash_activities"
#: the 2 s heartbeat time-out is 1 s: heartbeats every 0.1 s keep up on a loaded machine
TIME_SCALE = 0.5


def _held(markers: Path, worker: str) -> set[int]:
    """The ids of the tasks whose code ``worker`` is running now."""
    folder = markers / "running" / worker
    return {int(path.name) for path in folder.iterdir()} if folder.is_dir() else set()


def _kill_mid_task(
    rng: random.Random, workers: dict[str, WorkerProcess], victims: list[str], markers: Path
) -> dict[str, set[int]]:
    """SIGKILL each victim at a random moment while it runs a task; the tasks each held."""
    held_at_kill: dict[str, set[int]] = {}
    for victim in victims:
        time.sleep(rng.uniform(0.1, 0.6))  # a random moment ...
        deadline = time.monotonic() + 30
        while not _held(markers, victim):  # ... while it runs a task
            assert time.monotonic() < deadline, f"{victim} never ran a task"
            time.sleep(0.005)
        workers[victim].kill()
        held_at_kill[victim] = _held(markers, victim)  # its code is dead: nothing changes now
        assert held_at_kill[victim]
    return held_at_kill


def test_tasks_of_killed_workers_time_out_and_succeed_elsewhere_once(
    start_engine: Callable[..., EngineProcess],
    start_worker: Callable[..., WorkerProcess],
    markers: Path,
) -> None:
    rng = random.Random(12)
    engine_process = start_engine(time_scale=TIME_SCALE)
    client = engine_process.client()
    (machine,) = engine_process.register(workflows.crash_activities, workflows.crash_machine)
    names = [f"crash-{index}" for index in range(WORKERS)]
    workers = {
        name: start_worker(
            TARGET, name, engine_process.url, concurrency=CONCURRENCY, grace_period=5
        )
        for name in names
    }
    for worker in workers.values():
        worker.wait_polling()

    sleeps = [rng.uniform(0.2, 0.6) for _ in range(EXECUTIONS)]

    def start(index: int) -> str:
        return client.start_execution(
            stateMachineArn=machine,
            name=f"crash-{index}",
            input=json.dumps({"id": index, "sleep": sleeps[index]}),
        )["executionArn"]

    # the executions start while the victims are killed: work is left for every worker
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        starting = pool.map(start, range(EXECUTIONS))
        victims = rng.sample(names, 2)
        held_at_kill = _kill_mid_task(rng, workers, victims, markers)
        arns = list(starting)

    statuses = wait_for_executions(client, arns, timeout=120)
    assert sorted(statuses.values()) == ["SUCCEEDED"] * EXECUTIONS, statuses
    survivors = [name for name in names if name not in victims]
    assert all(workers[name].alive for name in survivors)

    by_id = {
        index: attempts(events) for index, events in enumerate(histories(client, arns).values())
    }
    timed_out: dict[str, set[int]] = {victim: set() for victim in victims}
    for index, tries in by_id.items():
        outcomes = [attempt["outcome"] for attempt in tries]
        # exactly one result recorded, by the last attempt; nothing open, failed or lost
        assert outcomes.count("succeeded") == 1, (index, tries)
        assert outcomes[-1] == "succeeded", (index, tries)
        assert set(outcomes[:-1]) <= {"timed out"}, (index, tries)
        winner = tries[-1]
        output = json.loads(winner["details"]["output"])
        assert output == {"id": index, "worker": winner["worker"]}  # that attempt's own result
        for attempt in tries[:-1]:
            # only a killed worker's task times out: the survivors' heartbeats keep up
            assert attempt["worker"] in victims, (index, tries)
            timed_out[attempt["worker"]].add(index)
        recorded = (markers / str(index)).read_text().split()
        assert winner["worker"] in recorded  # the activity code ran for the recorded result

    for victim in victims:
        # every task the dead worker held timed out and then succeeded on another worker
        assert held_at_kill[victim] <= timed_out[victim], (victim, held_at_kill, timed_out)
        for index in held_at_kill[victim]:
            assert by_id[index][-1]["worker"] in survivors
    assert not workers[victims[0]].alive and not workers[victims[1]].alive
