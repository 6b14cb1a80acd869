"""Lambda Tasks on the local engine, each against a baseline run side by side in one process.

    python -m benchmarks.lambdas [--executions 300] [--invocations 300] [--rounds 3]

1. **In-process Lambda Tasks vs activity Tasks.** N concurrent executions of a three-Task
   workflow (each Task adds 1 to ``$.n``): once with ``lambda:invoke`` Tasks of an in-process
   handler (``sfini local serve --lambda``), once with activity Tasks done by one sfini-cdk
   ``Worker`` (16 in flight) over HTTP from this process; the engine runs in its own process
   (time scale 0) both times, executions are started through boto3 from 4 threads. Tasks per
   second from the first StartExecution until none is running (outputs checked afterwards),
   median of ``--rounds``.
2. **A cloud assembly's Python function in a worker process vs in-process.** The same handler
   served from an asset folder (``ProcessBackend``: a warm subprocess over pipes) and as an
   in-process callable (``CallableBackend``): the cold start (first invocation, process start
   and import included), then the warm per-invocation latency p50/p99 of ``--invocations``
   sequential invocations.
3. **Invoke overhead through the engine**: from the ``TaskScheduled`` event to the handler
   entered (the handler returns ``time.time()``), for the cloud assembly's function in its worker
   process and for the in-process one (baseline), cold (first execution) and warm p50/p99.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/benchmark"
HANDLER = "def handler(event, context):\n    return {'n': event['n'] + 1}\n"


def add_one(event: Any, context: Any) -> Any:
    return {"n": event["n"] + 1}


def _add_one_activity(data: Any) -> Any:
    return {"n": data["n"] + 1}


def _three_tasks(resource: str, lambda_form: bool) -> str:
    def task(name: str, following: str | None) -> dict[str, Any]:
        state: dict[str, Any] = {"Type": "Task", "Resource": resource}
        if lambda_form:
            state["Parameters"] = {"FunctionName": "add-one", "Payload.$": "$"}
            state["OutputPath"] = "$.Payload"
        state.update({"Next": following} if following else {"End": True})
        return state

    states = {"A": task("A", "B"), "B": task("B", "C"), "C": task("C", None)}
    return json.dumps({"StartAt": "A", "States": states})


def _client(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
    ).client("stepfunctions", endpoint_url=endpoint, config=Config(max_pool_connections=16))


def _start_and_wait(sfn: Any, machine_arn: str, executions: int) -> float:
    """Seconds from the first StartExecution (from 4 threads) until a
    ListExecutions(statusFilter=RUNNING) poll finds none running; every output is checked
    after the clock stops."""
    from concurrent.futures import ThreadPoolExecutor

    def start(_: int) -> str:
        return str(
            sfn.start_execution(stateMachineArn=machine_arn, input='{"n": 0}')["executionArn"]
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        arns = list(pool.map(start, range(executions)))
    running = {"stateMachineArn": machine_arn, "statusFilter": "RUNNING", "maxResults": 1}
    while sfn.list_executions(**running)["executions"]:
        time.sleep(0.002)
    seconds = time.perf_counter() - started
    for arn in arns:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "SUCCEEDED" or json.loads(described["output"]) != {"n": 3}:
            raise AssertionError(f"{arn}: {described['status']} {described.get('output')}")
    return seconds


def lambda_tasks(executions: int) -> float:
    """Tasks/s of the three-Task workflow with in-process Lambda Tasks (an engine process
    serving ``--lambda add-one=benchmarks.lambdas:add_one``)."""
    from benchmarks.workers import engine_process

    with engine_process("--lambda", "add-one=benchmarks.lambdas:add_one") as endpoint:
        sfn = _client(endpoint)
        machine = sfn.create_state_machine(
            name="lambdas",
            roleArn=ROLE,
            definition=_three_tasks("arn:aws:states:::lambda:invoke", True),
        )["stateMachineArn"]
        return 3 * executions / _start_and_wait(sfn, machine, executions)


def activity_tasks(executions: int) -> float:
    """Tasks/s of the same workflow with activity Tasks and one sfini-cdk Worker (16 in
    flight) in this process, against an engine process."""
    import sfini_cdk
    from benchmarks.workers import engine_process
    from sfini_runtime.session import AWSSession
    from sfini_runtime.worker import Worker

    with engine_process("--long-poll-seconds", "1") as endpoint:
        sfn = _client(endpoint)
        name = f"add-one-{uuid.uuid4().hex[:8]}"
        activity_arn = sfn.create_activity(name=name)["activityArn"]
        machine = sfn.create_state_machine(
            name="activities", roleArn=ROLE, definition=_three_tasks(activity_arn, False)
        )["stateMachineArn"]
        import boto3

        session = AWSSession(
            boto3.Session(
                aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
            ),
            endpoint_url=endpoint,
        )
        activity = sfini_cdk.CallableActivity(name, _add_one_activity, session=session)
        worker = Worker(activity, session=session, concurrency=16)
        worker.start()
        try:
            return 3 * executions / _start_and_wait(sfn, machine, executions)
        finally:
            worker.end()
            worker.join()


def _cold_and_warm(timings: list[float]) -> dict[str, float]:
    """The first timing (cold), and the p50/p99 of the others (warm)."""
    warm = sorted(timings[1:])
    return {
        "cold": timings[0],
        "p50": statistics.median(warm),
        "p99": warm[int(0.99 * (len(warm) - 1))],
    }


def backend_latency(invocations: int) -> dict[str, dict[str, float]]:
    """Cold start and warm p50/p99 (ms) of one handler in a worker process and in-process."""
    from sfini_runtime.local.integrations.lambdas import CallableBackend, FunctionConfig
    from sfini_runtime.local.integrations.lambdas.base import InvokeRequest
    from sfini_runtime.local.integrations.lambdas.workers import (
        ProcessBackend,
        function_environment,
    )

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        code = Path(directory)
        (code / "app.py").write_text(HANDLER)
        config = FunctionConfig(
            name="add-one",
            arn="arn:aws:lambda:us-east-1:123456789012:function:add-one",
            runtime="python3.12",
            handler="app.handler",
        )
        import os

        environment = function_environment(config, code, "us-east-1", {}, os.environ)
        backends: dict[str, Any] = {
            "worker process": ProcessBackend(code, environment),
            "in-process": CallableBackend(add_one),
        }
        for label, backend in backends.items():
            timings = []
            for i in range(invocations + 1):
                request = InvokeRequest(
                    payload=json.dumps({"n": i}).encode(),
                    request_id=str(uuid.uuid4()),
                    invoked_arn=config.arn,
                    deadline_ms=time.time() * 1000 + 3000,
                )
                started = time.perf_counter()
                result = backend.invoke(config, request)
                timings.append(1000 * (time.perf_counter() - started))
                if result.function_error or json.loads(result.payload) != {"n": i + 1}:
                    raise AssertionError(f"{label}: {result}")
            backend.close()
            results[label] = _cold_and_warm(timings)
    return results


ENTERED = "import time\n\ndef handler(event, context):\n    return {'entered': time.time()}\n"


def entered(event: Any, context: Any) -> Any:
    return {"entered": time.time()}


def _assembly(root: Path) -> Path:
    """A cloud assembly with one Python function (code in an asset folder) named ``entered``."""
    digest = "e" * 64
    (root / f"asset.{digest}").mkdir(parents=True)
    (root / f"asset.{digest}" / "app.py").write_text(ENTERED)
    function = {
        "Type": "AWS::Lambda::Function",
        "Metadata": {"aws:asset:path": f"asset.{digest}", "aws:asset:property": "Code"},
        "Properties": {
            "FunctionName": "entered",
            "Runtime": "python3.12",
            "Handler": "app.handler",
            "Role": ROLE,
            "Code": {"S3Bucket": "assets", "S3Key": f"{digest}.zip"},
        },
    }
    (root / "Bench.template.json").write_text(json.dumps({"Resources": {"Fn": function}}))
    return root


def scheduled_to_entered(executions: int) -> dict[str, dict[str, float]]:
    """ms from TaskScheduled to the handler entered, through an engine process, for the cloud
    assembly's function (worker process) and an in-process one: cold (first execution) and
    warm p50/p99. History timestamps are whole milliseconds (as AWS's are, truncated), so each
    figure is an upper bound, at most 1 ms high."""
    from benchmarks.workers import engine_process

    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as directory:
        assembly = _assembly(Path(directory) / "cdk.out")
        serve = ("--cdk-out", str(assembly), "--lambda", "in-process=benchmarks.lambdas:entered")
        with engine_process(*serve) as endpoint:
            sfn = _client(endpoint)
            for label, function in (("worker process", "entered"), ("in-process", "in-process")):
                definition = {
                    "StartAt": "Call",
                    "States": {
                        "Call": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": function, "Payload": {}},
                            "OutputPath": "$.Payload",
                            "End": True,
                        }
                    },
                }
                machine = sfn.create_state_machine(
                    name=f"entered-{function}", roleArn=ROLE, definition=json.dumps(definition)
                )["stateMachineArn"]
                timings = []
                for _ in range(executions + 1):
                    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
                    time.sleep(0.005)  # this process stays off the CPU while the Task runs
                    while (run := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
                        time.sleep(0.002)
                    if run["status"] != "SUCCEEDED":
                        raise AssertionError(f"{label}: {run}")
                    events = sfn.get_execution_history(executionArn=arn)["events"]
                    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
                    handler_entered = json.loads(run["output"])["entered"]
                    timings.append(1000 * (handler_entered - scheduled["timestamp"].timestamp()))
                results[label] = _cold_and_warm(timings)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=300)
    parser.add_argument("--invocations", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("sfini_runtime").setLevel(logging.WARNING)

    lambdas, activities = [], []
    for _ in range(args.rounds):  # interleaved, so drift hits both alike
        lambdas.append(lambda_tasks(args.executions))
        activities.append(activity_tasks(args.executions))
    lam, act = statistics.median(lambdas), statistics.median(activities)
    print(f"1. {args.executions} executions x 3 Tasks, median of {args.rounds} rounds")
    print(f"   in-process Lambda Tasks   {lam:9,.0f} Tasks/s")
    print(f"   activity Tasks + Worker   {act:9,.0f} Tasks/s   (baseline)")
    print(f"   ratio                     {lam / act:9.1f}x")

    latency = backend_latency(args.invocations)
    print(f"2. one handler, cold start then {args.invocations} warm invocations (ms)")
    print(f"   {'':18}{'cold':>9}{'p50':>9}{'p99':>9}")
    for label, row in latency.items():
        print(f"   {label:18}{row['cold']:9.2f}{row['p50']:9.3f}{row['p99']:9.3f}")
    ratio = latency["worker process"]["p50"] / latency["in-process"]["p50"]
    print(f"   warm p50, worker process / in-process (baseline): {ratio:.1f}x")

    overhead = scheduled_to_entered(args.invocations)
    print(f"3. TaskScheduled to handler entered, through the engine, {args.invocations} runs (ms)")
    print(f"   {'':18}{'cold':>9}{'p50':>9}{'p99':>9}   (upper bounds: whole-ms history)")
    for label, row in overhead.items():
        print(f"   {label:18}{row['cold']:9.2f}{row['p50']:9.3f}{row['p99']:9.3f}")


if __name__ == "__main__":
    main()
