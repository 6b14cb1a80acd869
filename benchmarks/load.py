"""Load on the local engine: many concurrent executions of three activity Tasks each, run by
``sfini worker`` processes of 16 slots, end to end (issue 12, part 4).

    .venv/bin/python -m benchmarks.load [--executions 1000] [--slots 16] [--processes 2]

The engine (``sfini local serve``) and the workers run in subprocesses of their own; this
process only starts the executions (8 threads) and reads the histories back. The clock runs
from the first ExecutionStarted to the last ExecutionSucceeded (the engine's timestamps, in
whole milliseconds); task latency is ActivityScheduled -> ActivitySucceeded of each task. The
baseline is one worker process of the same slots on the same engine: the ratio is the second
row's throughput over the first's. Every execution must succeed with each task's result
recorded once, or the run fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

__all__ = ["LoadResult", "percentile", "run_load"]

TARGET = "tests.reliability.workflows:load_activities"
TASKS_PER_EXECUTION = 3


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class LoadResult:
    """What one load run measured."""

    def __init__(
        self,
        statuses: dict[str, int],
        seconds: float,
        latencies_ms: list[float],
        problems: list[str],
    ) -> None:
        #: executions by final status
        self.statuses = statuses
        #: first ExecutionStarted to last ExecutionSucceeded
        self.seconds = seconds
        #: ActivityScheduled -> ActivitySucceeded of every task
        self.latencies_ms = latencies_ms
        #: histories that are not three tasks each recorded once, with the right result
        self.problems = problems

    @property
    def executions(self) -> int:
        return sum(self.statuses.values())

    @property
    def executions_per_second(self) -> float:
        return self.executions / self.seconds if self.seconds else 0.0

    @property
    def tasks_per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 0.99)


def _history(client: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = client.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def _running(client: Any, machine_arn: str) -> bool:
    page = client.list_executions(stateMachineArn=machine_arn, statusFilter="RUNNING", maxResults=1)
    return bool(page["executions"])


def run_load(
    client: Any, machine_arn: str, executions: int, *, timeout: float = 600.0, threads: int = 8
) -> LoadResult:
    """Start ``executions`` executions of the load machine at once, wait for them all, and
    measure them from their histories."""

    def start(index: int) -> str:
        return client.start_execution(
            stateMachineArn=machine_arn,
            name=f"load-{index}-{time.monotonic_ns()}",
            input=json.dumps({"id": index, "step": 0}),
        )["executionArn"]

    with ThreadPoolExecutor(threads) as pool:
        arns = list(pool.map(start, range(executions)))
    deadline = time.monotonic() + timeout
    while _running(client, machine_arn) and time.monotonic() < deadline:
        time.sleep(0.2)
    with ThreadPoolExecutor(threads) as pool:
        found = list(pool.map(lambda arn: _history(client, arn), arns))

    statuses: dict[str, int] = {}
    latencies: list[float] = []
    problems: list[str] = []
    first = last = None
    for index, events in enumerate(found):
        kinds = [event["type"] for event in events]
        final = {
            "ExecutionSucceeded": "SUCCEEDED",
            "ExecutionFailed": "FAILED",
            "ExecutionTimedOut": "TIMED_OUT",
            "ExecutionAborted": "ABORTED",
        }.get(kinds[-1], "RUNNING")
        statuses[final] = statuses.get(final, 0) + 1
        begun = events[0]["timestamp"]
        first = begun if first is None else min(first, begun)
        if final == "SUCCEEDED":
            ended = events[-1]["timestamp"]
            last = ended if last is None else max(last, ended)
            output = json.loads(events[-1]["executionSucceededEventDetails"]["output"])
            if output != {"id": index, "step": TASKS_PER_EXECUTION}:
                problems.append(f"execution {index}: output {output}")
        succeeded = kinds.count("ActivitySucceeded")
        if final == "SUCCEEDED" and (
            succeeded != TASKS_PER_EXECUTION or kinds.count("ActivityScheduled") != succeeded
        ):
            problems.append(f"execution {index}: {succeeded} results recorded: {kinds}")
        scheduled = None
        for event in events:
            if event["type"] == "ActivityScheduled":
                scheduled = event["timestamp"]
            elif event["type"] == "ActivitySucceeded" and scheduled is not None:
                latencies.append((event["timestamp"] - scheduled).total_seconds() * 1000)
                scheduled = None
    seconds = (last - first).total_seconds() if first is not None and last is not None else 0.0
    return LoadResult(statuses, seconds, latencies, problems)


def _measure(executions: int, processes: int, slots: int) -> LoadResult:
    from tests.reliability import workflows
    from tests.reliability.harness import EngineProcess, WorkerProcess

    with tempfile.TemporaryDirectory() as folder, EngineProcess(time_scale=1.0) as engine:
        (machine,) = engine.register(workflows.load_activities, workflows.load_machine)
        workers = [
            WorkerProcess(
                TARGET,
                f"load-{index}",
                engine.url,
                Path(folder) / f"worker-{index}.log",
                concurrency=slots,
                grace_period=5,
            )
            for index in range(processes)
        ]
        try:
            for worker in workers:
                worker.wait_polling()
            return run_load(engine.client(), machine, executions)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(60)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--slots", type=int, default=16, help="tasks at once per process")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    print(
        f"{args.executions} executions x {TASKS_PER_EXECUTION} activity Tasks; worker processes "
        f"of {args.slots} slots; baseline: 1 process\n"
    )
    header = (
        f"{'worker processes':17} {'executions/s':>13} {'tasks/s':>9} {'ratio':>7} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'succeeded':>10}"
    )
    print(header)
    print("-" * len(header))
    baseline = None
    failed = False
    for processes in sorted({1, args.processes}):
        result = _measure(args.executions, processes, args.slots)
        baseline = baseline or result
        ratio = result.tasks_per_second / baseline.tasks_per_second
        succeeded = result.statuses.get("SUCCEEDED", 0)
        print(
            f"{processes:<17} {result.executions_per_second:13.1f} "
            f"{result.tasks_per_second:9.1f} {ratio:6.2f}x {result.p50_ms:8.1f} "
            f"{result.p99_ms:8.1f} {succeeded:>5}/{result.executions}"
        )
        sys.stdout.flush()
        if succeeded != result.executions or result.problems:
            failed = True
            print("  not all succeeded once:", result.statuses, result.problems[:5])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
