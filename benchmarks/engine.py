"""Local engine vs moto's execution mode, side by side through boto3 (issue 3, Performance).

    .venv/bin/python -m benchmarks.engine [--iterations 2000] [--executions 50]
        [--loop 100] [--latency-samples 200] [--rounds 3]

Workloads: one execution of an N-iteration Pass/Choice loop counting with ``States.MathAdd``;
M concurrent executions of a shorter loop (timed from the first StartExecution until all have
ended); and, on the local engine only (moto cannot run activity tasks), the latency from
ActivityScheduled to a waiting GetActivityTask returning. Transitions are the states entered.

Both engines are driven alike: the same boto3 calls, the clock running from the first
StartExecution until a ListExecutions(statusFilter=RUNNING) poll finds none running, results
checked after the clock stops, the median of ``--rounds`` rounds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/benchmark"

LOOP_DEFINITION = json.dumps(
    {
        "Comment": "count to $.n with States.MathAdd",
        "StartAt": "Check",
        "States": {
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Add"}],
                "Default": "Done",
            },
            "Add": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
                "Next": "Check",
            },
            "Done": {"Type": "Succeed"},
        },
    }
)


def loop_transitions(iterations: int) -> int:
    """States entered by one loop execution: Check and Add per iteration, then Check, Done."""
    return 2 * iterations + 2


@contextmanager
def local_client() -> Iterator[Any]:
    from sfini_runtime.local import LocalEngine

    with LocalEngine(time_scale=0) as engine:
        yield engine.client()


@contextmanager
def moto_client() -> Iterator[Any]:
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield boto3.client(
            "stepfunctions",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _wait_all(sfn: Any, arns: list[str], poll: float = 0.002) -> list[dict[str, Any]]:
    """Describe each execution in turn until it has ended (one describe in flight at a time,
    so polling steals little from the engine under test)."""
    deadline = time.monotonic() + 600
    done = []
    for arn in arns:
        while True:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                done.append(described)
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{arn} still running")
            time.sleep(poll)
    return done


def _wait_none_running(sfn: Any, machine: str, poll: float = 0.002) -> None:
    """Poll until no execution of ``machine`` is RUNNING: one ListExecutions call per poll,
    whatever the number of executions (describing each one would cost as many calls as there
    are executions after they have all ended, and tax both engines for nothing)."""
    deadline = time.monotonic() + 600
    while sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING", maxResults=1)[
        "executions"
    ]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"executions of {machine} still running")
        time.sleep(poll)


def run_loops(sfn: Any, executions: int, iterations: int, rounds: int = 1) -> float:
    """Seconds from the first StartExecution until all ``executions`` loops have ended (the
    median of ``rounds`` rounds on one client, each on a fresh state machine)."""
    # warm up the client (boto3 builds each operation's serialiser on first use)
    # (explicit names: moto's execution mode names every unnamed execution "None")
    warm_machine = sfn.create_state_machine(
        name=f"warm-{executions}-{iterations}", definition=LOOP_DEFINITION, roleArn=ROLE_ARN
    )["stateMachineArn"]
    warm_up = sfn.start_execution(
        stateMachineArn=warm_machine, name="warm-up", input='{"i": 0, "n": 0}'
    )
    _wait_all(sfn, [warm_up["executionArn"]])
    _wait_none_running(sfn, warm_machine)
    times = [_loop_round(sfn, executions, iterations, k) for k in range(rounds)]
    return statistics.median(times)


def _loop_round(sfn: Any, executions: int, iterations: int, round_: int) -> float:
    machine = sfn.create_state_machine(
        name=f"loop-{executions}-{iterations}-{round_}",
        definition=LOOP_DEFINITION,
        roleArn=ROLE_ARN,
    )["stateMachineArn"]
    payload = json.dumps({"i": 0, "n": iterations})
    started = time.perf_counter()
    arns = [
        sfn.start_execution(stateMachineArn=machine, name=f"run-{k}", input=payload)["executionArn"]
        for k in range(executions)
    ]
    _wait_none_running(sfn, machine)
    elapsed = time.perf_counter() - started
    # checked after the clock stopped: every execution ran, succeeded and counted right
    if len(set(arns)) != executions:
        raise RuntimeError("executions were not all distinct")
    results = _wait_all(sfn, arns)
    bad = [r for r in results if r["status"] != "SUCCEEDED"]
    if bad:
        raise RuntimeError(f"loop failed: {bad[0].get('error')} {bad[0].get('cause')}")
    wrong = [r for r in results if json.loads(r["output"])["i"] != iterations]
    if wrong:
        raise RuntimeError(f"loop counted wrong: {wrong[0]['output']}")
    return elapsed


def activity_latencies(samples: int) -> tuple[list[float], list[float]]:
    """Milliseconds until a waiting poller's GetActivityTask returns the task: from the
    ActivityScheduled event's timestamp, and from the moment StartExecution was sent.

    History timestamps have AWS's resolution, whole milliseconds (truncated), so the first
    figure reads up to 1 ms high; the second needs no engine clock and bounds it from above
    (it also counts the StartExecution request and the first state).
    """
    from sfini_runtime.local import LocalEngine

    with LocalEngine(time_scale=1.0) as engine:
        sfn, poller_sfn = engine.client(), engine.client()
        activity = sfn.create_activity(name="latency")["activityArn"]
        definition = json.dumps(
            {
                "StartAt": "Work",
                "States": {"Work": {"Type": "Task", "Resource": activity, "End": True}},
            }
        )
        machine = sfn.create_state_machine(name="latency", definition=definition, roleArn=ROLE_ARN)[
            "stateMachineArn"
        ]
        latencies, from_start = [], []
        for _ in range(samples):
            received: dict[str, Any] = {}

            def poll(received: dict[str, Any] = received) -> None:
                task = poller_sfn.get_activity_task(activityArn=activity)
                received["at"] = time.time()
                received["perf"] = time.perf_counter()
                received["token"] = task["taskToken"]

            poller = threading.Thread(target=poll)
            poller.start()
            time.sleep(0.005)  # the poll is waiting in the engine
            sent = time.perf_counter()
            arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
            poller.join(timeout=30)
            from_start.append((received["perf"] - sent) * 1000)
            events = sfn.get_execution_history(executionArn=arn)["events"]
            scheduled: datetime = next(
                e["timestamp"] for e in events if e["type"] == "ActivityScheduled"
            )
            latencies.append((received["at"] - scheduled.timestamp()) * 1000)
            sfn.send_task_success(taskToken=received["token"], output="{}")
        return latencies, from_start


def _side_by_side(
    label: str, transitions: int, measure: Callable[[Any], float]
) -> tuple[float, float]:
    with local_client() as sfn:
        local_s = measure(sfn)
    with moto_client() as sfn:
        moto_s = measure(sfn)
    local_rate, moto_rate = transitions / local_s, transitions / moto_s
    print(
        f"{label}: {transitions} transitions | local engine {local_s:.3f} s = "
        f"{local_rate:,.0f}/s | moto {moto_s:.3f} s = {moto_rate:,.0f}/s | "
        f"ratio {local_rate / moto_rate:.1f}x"
    )
    return local_rate, moto_rate


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--executions", type=int, default=50)
    parser.add_argument("--loop", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds per workload and engine (median shown)"
    )
    args = parser.parse_args(argv)

    _side_by_side(
        f"1 execution x {args.iterations}-iteration loop (median of {args.rounds})",
        loop_transitions(args.iterations),
        lambda sfn: run_loops(sfn, 1, args.iterations, args.rounds),
    )
    _side_by_side(
        f"{args.executions} concurrent executions x {args.loop}-iteration loop "
        f"(median of {args.rounds})",
        args.executions * loop_transitions(args.loop),
        lambda sfn: run_loops(sfn, args.executions, args.loop, args.rounds),
    )
    latencies, from_start = activity_latencies(args.latency_samples)
    for label, values, note in (
        ("ActivityScheduled", latencies, "event timestamps in whole ms: up to 1 ms high"),
        ("StartExecution sent", from_start, "upper bound, no engine clock"),
    ):
        print(
            f"{label} -> waiting GetActivityTask returns ({len(values)} samples): "
            f"p50 {statistics.median(values):.2f} ms, p90 {percentile(values, 0.9):.2f} ms, "
            f"p99 {percentile(values, 0.99):.2f} ms ({note}; moto: no GetActivityTask)"
        )


if __name__ == "__main__":
    main()
