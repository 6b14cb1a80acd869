"""Load: 1,000 concurrent executions of three activity Tasks each, run by 2 ``sfini worker``
processes of 16 slots; all succeed, none lost, each task's result recorded once
(``benchmarks/load.py`` measures the same run)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from benchmarks.load import TARGET, TASKS_PER_EXECUTION, run_load
from tests.reliability import workflows
from tests.reliability.harness import EngineProcess, WorkerProcess

pytestmark = pytest.mark.reliability

EXECUTIONS = 1000


def test_a_thousand_concurrent_executions_all_succeed_once(
    engine_process: EngineProcess, start_worker: Callable[..., WorkerProcess]
) -> None:
    (machine,) = engine_process.register(workflows.load_activities, workflows.load_machine)
    workers = [start_worker(TARGET, f"load-{index}", concurrency=16) for index in range(2)]
    for worker in workers:
        worker.wait_polling()
    result = run_load(engine_process.client(), machine, EXECUTIONS, timeout=150)
    assert result.statuses == {"SUCCEEDED": EXECUTIONS}, result.statuses
    assert result.problems == []
    assert len(result.latencies_ms) == EXECUTIONS * TASKS_PER_EXECUTION
    for worker in workers:
        assert worker.alive, worker.log[-3000:]
        worker.terminate()
    for worker in workers:
        assert worker.wait(timeout=60) == 0, worker.log[-3000:]
