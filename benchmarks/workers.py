"""Activity tasks completed per second, end to end on the local engine: sfini-cdk's ``Worker``
against sfini 0.1.0's, side by side in one run.

The engine runs in a subprocess (``sfini local serve``), so this process's CPU time is the
workers' alone. For each scenario, N executions of a one-Task state machine are started first;
then the workers run until every execution has succeeded. Scenarios: I/O-bound tasks (each sleeps
50 ms) with 1, 4 and 16 in flight (one sfini-cdk ``Worker`` with that ``concurrency``; sfini
0.1.0's ``Worker`` runs one task at a time, so its rate is the same in every row: it is measured
anew for each), and trivial tasks (return at once, one in flight on both sides).

Reports tasks/s, the ratio to sfini 0.1.0, the process CPU time per task and the Step Functions
API calls per task (HTTP requests counted by a botocore hook on each side's boto3 session).

    python -m benchmarks.workers [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3

ACCOUNT, REGION = "123456789012", "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def engine_process(*extra: str) -> Iterator[str]:
    """The local engine (time scale 0, ``extra`` serve options) in a subprocess; yields its
    endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sfini_runtime.cli",
            "local",
            "serve",
            "--port",
            str(port),
            "--time-scale",
            "0",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(10)


class Counter:
    """Counts the HTTP requests a boto3 session's clients send."""

    def __init__(self, session: boto3.Session) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        session.events.register("before-send.sfn", self._count)

    def _count(self, **_: Any) -> None:
        with self._lock:
            self.calls += 1


def new_boto_session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION
    )


def prepare(client: Any, n: int) -> tuple[str, str]:
    """An activity, a one-Task state machine on it, and ``n`` executions waiting for workers."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    activity_arn = client.create_activity(name=name)["activityArn"]
    definition = {
        "StartAt": "t",
        "States": {"t": {"Type": "Task", "Resource": activity_arn, "End": True}},
    }
    machine_arn = client.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=f"arn:aws:iam::{ACCOUNT}:role/bench"
    )["stateMachineArn"]
    for index in range(n):
        client.start_execution(stateMachineArn=machine_arn, input=json.dumps({"i": index}))
    return name, machine_arn


def wait_all_succeeded(client: Any, machine_arn: str, n: int) -> None:
    while True:
        done = 0
        for page in client.get_paginator("list_executions").paginate(
            stateMachineArn=machine_arn, statusFilter="SUCCEEDED"
        ):
            done += len(page["executions"])
        if done >= n:
            return
        time.sleep(0.02)


class Tally:
    """Counts the tasks the activity code ran; ``done`` is set at the ``n``-th."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.count = 0
        self.done = threading.Event()
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.count += 1
            if self.count >= self.n:
                self.done.set()


def task_function(kind: str, tally: Tally) -> Callable[[Any], Any]:
    if kind == "io":

        def io_task(data: Any) -> Any:
            time.sleep(0.05)
            tally.add()
            return data

        return io_task

    def trivial_task(data: Any) -> Any:
        tally.add()
        return data

    return trivial_task


def finish(client: Any, machine_arn: str, tally: Tally) -> None:
    """Wait until every task ran, then until every execution has succeeded."""
    tally.done.wait()
    wait_all_succeeded(client, machine_arn, tally.n)


def run_sfini_cdk(client: Any, kind: str, in_flight: int, n: int) -> dict[str, float]:
    import sfini_cdk
    from sfini_runtime.session import AWSSession
    from sfini_runtime.worker import Worker

    name, machine_arn = prepare(client, n)
    boto_session = new_boto_session()
    counter = Counter(boto_session)
    session = AWSSession(boto_session, endpoint_url=client.meta.endpoint_url)
    tally = Tally(n)
    activity = sfini_cdk.CallableActivity(name, task_function(kind, tally), session=session)
    worker = Worker(activity, session=session, concurrency=in_flight)
    session.sfn  # noqa: B018 - the client, made before the clock starts
    wall, cpu = time.perf_counter(), time.process_time()
    worker.start()
    finish(client, machine_arn, tally)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    calls = counter.calls
    worker.end()
    worker.join()
    return {"rate": n / wall, "cpu_ms": 1000 * cpu / n, "calls": calls / n}


def run_sfini_0_1_0(client: Any, kind: str, n: int) -> dict[str, float]:
    import sfini

    name, machine_arn = prepare(client, n)
    boto_session = new_boto_session()
    counter = Counter(boto_session)
    session = sfini.AWSSession(boto_session)
    tally = Tally(n)
    activity = sfini.activity.CallableActivity(name, task_function(kind, tally), session=session)
    # sfini 0.1.0 asks STS for the account to build the ARN: give it the ARN instead.
    activity.__cache__ = {"arn": f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}"}
    workers = [sfini.Worker(activity, session=session)]  # it runs one task at a time
    session.sfn  # noqa: B018 - the client, made before the clock starts
    wall, cpu = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.start()
    finish(client, machine_arn, tally)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    calls = counter.calls
    for worker in workers:
        worker.end()
    return {"rate": n / wall, "cpu_ms": 1000 * cpu / n, "calls": calls / n}


SCENARIOS = [
    # (label, kind, sfini-cdk's tasks in flight, tasks, tasks when --quick)
    ("I/O-bound (50 ms), 1 in flight", "io", 1, 60, 20),
    ("I/O-bound (50 ms), 4 in flight", "io", 4, 120, 40),
    ("I/O-bound (50 ms), 16 in flight", "io", 16, 320, 100),
    ("trivial, 1 in flight", "trivial", 1, 1500, 300),
]


def quiet_sfini_threads() -> None:
    """sfini 0.1.0's heartbeat threads raise TaskDoesNotExist after each task: not our output."""
    threading.excepthook = lambda args: None
    import logging

    logging.getLogger("sfini").setLevel(logging.CRITICAL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer tasks per scenario")
    args = parser.parse_args(argv)
    quiet_sfini_threads()
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with engine_process() as url:
        os.environ["AWS_ENDPOINT_URL_SFN"] = url  # how sfini 0.1.0's client finds the engine
        os.environ["AWS_DEFAULT_REGION"] = REGION
        client = new_boto_session().client("stepfunctions", endpoint_url=url)
        print(f"local engine at {url}; baseline: sfini 0.1.0's Worker on the same engine\n")
        header = (
            f"{'scenario':34} {'impl':12} {'tasks/s':>9} {'ratio':>7} "
            f"{'CPU ms/task':>12} {'calls/task':>11}"
        )
        print(header)
        print("-" * len(header))
        for label, kind, in_flight, n, quick_n in SCENARIOS:
            n = quick_n if args.quick else n
            baseline = run_sfini_0_1_0(client, kind, min(n, 60) if kind == "io" else n)
            ours = run_sfini_cdk(client, kind, in_flight, n)
            for impl, result in (("sfini 0.1.0", baseline), ("sfini-cdk", ours)):
                ratio = result["rate"] / baseline["rate"]
                print(
                    f"{label:34} {impl:12} {result['rate']:9.1f} {ratio:6.2f}x "
                    f"{result['cpu_ms']:12.2f} {result['calls']:11.2f}"
                )
            sys.stdout.flush()
    os._exit(0)  # sfini 0.1.0's polling threads are not daemons: do not wait out their polls


if __name__ == "__main__":
    main()
