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

Then CPU-bound tasks (about 20 ms of pure Python each, calibrated on this machine) run by
supervised worker processes (``WorkerProcesses``, one task at a time in each), 1 process against
2 (and one per core when there are more): tasks/s and the ratio to 1 process, in the steady
state (the executions are started first; the clock runs from the moment every child polls to the
last execution's stop time), with the CPU time the children used per task and the cores they
kept busy in that time (from ``/proc``: on a shared machine, how much CPU they were given).
``--cpu`` runs this part alone.

    python -m benchmarks.workers [--quick] [--cpu] [--rounds N]
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
from pathlib import Path
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


#: Seconds of pure-Python work in each CPU-bound task.
CPU_TASK_SECONDS = 0.020


def spin(iterations: int) -> int:
    """Pure-Python work: no I/O, no C loop doing it for us; holds the GIL throughout."""
    total = 0
    for i in range(iterations):
        total = (total + i * i) % 1_000_003
    return total


def calibrate(seconds: float = CPU_TASK_SECONDS) -> int:
    """Iterations of ``spin`` that take ``seconds`` here (the fastest of a few tries)."""
    probe = 20_000
    best = min(_timed(spin, probe) for _ in range(5))
    return max(1, round(probe * seconds / best))


def _timed(function: Callable[[int], Any], argument: int) -> float:
    start = time.perf_counter()
    function(argument)
    return time.perf_counter() - start


def cpu_workers(name: str, *, activity: str, endpoint_url: str, iterations: int) -> list[Any]:
    """A worker process's workers (a ``WorkerFactory``): one task at a time of ``activity``,
    each ``spin(iterations)``."""
    import sfini_cdk
    from sfini_runtime.session import AWSSession
    from sfini_runtime.worker import Worker

    session = AWSSession(new_boto_session(), endpoint_url=endpoint_url)

    def cpu_task(data: Any) -> Any:
        spin(iterations)
        return data

    callable_activity = sfini_cdk.CallableActivity(activity, cpu_task, session=session)
    return [Worker(callable_activity, name, session=session, concurrency=1)]


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) of process ``pid`` so far, from ``/proc`` (None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds(pids: list[int]) -> float | None:
    seconds = [process_cpu_seconds(pid) for pid in pids]
    return None if None in seconds else sum(s for s in seconds if s is not None)


def run_processes(client: Any, processes: int, n: int, iterations: int) -> dict[str, float]:
    """``n`` CPU-bound tasks run by ``processes`` worker processes: tasks/s in the steady state.

    The executions are started first (the load generator's cost stays out of the clock); the
    clock starts once every child polls and stops at the last execution's stop time; tasks
    finished before it started (by the child that was ready first) are not counted."""
    import datetime
    import functools

    from sfini_runtime.worker import WorkerProcesses

    name, machine_arn = prepare(client, n)
    factory = functools.partial(
        cpu_workers,
        activity=name,
        endpoint_url=client.meta.endpoint_url,
        iterations=iterations,
    )
    supervisor = WorkerProcesses(factory, processes, name=f"cpu{processes}")
    failures: list[BaseException] = []

    def supervise() -> None:
        try:
            supervisor.run()
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=supervise, name="bench-supervisor")
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while supervisor.ready < processes:
            if failures or time.monotonic() > deadline:
                raise RuntimeError(f"worker processes did not start: {failures}")
            time.sleep(0.005)
        start = datetime.datetime.now(datetime.timezone.utc)
        pids = supervisor.pids
        cpu_before = children_cpu_seconds(pids)
        # a cheap question while the workers run (one execution at most in the answer): the
        # engine's CPU is the workers' too
        while client.list_executions(
            stateMachineArn=machine_arn, statusFilter="RUNNING", maxResults=1
        )["executions"]:
            time.sleep(0.05)
        cpu_after = children_cpu_seconds(pids)
        stops = [
            execution["stopDate"]
            for page in client.get_paginator("list_executions").paginate(
                stateMachineArn=machine_arn, statusFilter="SUCCEEDED"
            )
            for execution in page["executions"]
        ]
        if len(stops) < n:
            raise RuntimeError(f"{n - len(stops)} executions did not succeed")
    finally:
        supervisor.stop()
        thread.join()
    if failures:
        raise failures[0]
    counted = [stop for stop in stops if stop > start]
    wall = (max(stops) - start).total_seconds()
    result = {"rate": len(counted) / wall}
    if cpu_before is not None and cpu_after is not None:
        # the children's CPU time in the window (to the last poll, a little after the last
        # stop): per task, and how many cores they kept busy
        result["cpu_ms"] = 1000 * (cpu_after - cpu_before) / len(counted)
        result["cores"] = (cpu_after - cpu_before) / wall
    return result


def cpu_main(quick: bool, rounds: int = 1) -> None:
    """The CPU-bound table: 1 worker process (the baseline) against 2 (and one per core);
    with several ``rounds``, each round measures every row anew (against its own baseline, so
    that a busy spell on a shared machine weighs on both), then the best ratio and the range."""
    import logging

    logging.getLogger("sfini_runtime").setLevel(logging.ERROR)  # the drains' notices
    iterations = calibrate()
    n = 60 if quick else 200
    counts = sorted({1, 2, os.cpu_count() or 1})
    print(
        f"\nCPU-bound tasks ({1000 * CPU_TASK_SECONDS:.0f} ms of pure Python, {iterations} "
        f"iterations), {n} per row; {os.cpu_count()} cores; baseline: 1 worker process\n"
    )
    header = (
        f"{'scenario':34} {'processes':>9} {'tasks/s':>9} {'ratio':>7} "
        f"{'worker CPU ms/task':>19} {'cores busy':>11}"
    )
    print(header)
    print("-" * len(header))
    ratios: dict[int, list[float]] = {processes: [] for processes in counts}
    with engine_process("--long-poll-seconds", "1") as url:
        client = new_boto_session().client("stepfunctions", endpoint_url=url)
        for _ in range(rounds):
            baseline = None
            for processes in counts:
                result = run_processes(client, processes, n, iterations)
                baseline = baseline or result["rate"]
                ratios[processes].append(result["rate"] / baseline)
                cpu = (
                    f"{result['cpu_ms']:19.1f} {result['cores']:11.2f}"
                    if "cpu_ms" in result
                    else f"{'-':>19} {'-':>11}"
                )
                print(
                    f"{'CPU-bound (20 ms), 1 per process':34} {processes:9d} "
                    f"{result['rate']:9.1f} {result['rate'] / baseline:6.2f}x {cpu}"
                )
                sys.stdout.flush()
    if rounds > 1:
        for processes in counts[1:]:
            values = ratios[processes]
            print(
                f"{processes} processes against 1 over {rounds} rounds: best "
                f"{max(values):.2f}x, range {min(values):.2f}x-{max(values):.2f}x"
            )


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
    parser.add_argument("--cpu", action="store_true", help="only the CPU-bound processes table")
    parser.add_argument(
        "--rounds", type=int, default=1, help="CPU-bound table: measure it this many times"
    )
    args = parser.parse_args(argv)
    if args.cpu:
        cpu_main(args.quick, args.rounds)
        return
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
    cpu_main(args.quick, args.rounds)
    sys.stdout.flush()
    os._exit(0)  # sfini 0.1.0's polling threads are not daemons: do not wait out their polls


if __name__ == "__main__":
    main()
