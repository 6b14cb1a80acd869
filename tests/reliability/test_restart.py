"""A durable engine killed with SIGKILL under load, and restarted (issue 12, part 7).

``sfini local serve --state-dir DIR`` in a subprocess takes a stream of StartExecutions from
several threads while executions wait in Wait states and on activity tasks, one of them held
by a worker; then ``kill -9``. A new engine on the same directory and port must know every
execution whose StartExecution was answered, finish the ones that were running (Waits on for
the time left, tasks offered again), and accept the token handed out before the kill.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.reliability.harness import REGION, EngineProcess, histories, wait_for_executions

ROLE_ARN = "arn:aws:iam::123456789012:role/sfini-restart"
SCALE = 0.05  # a Wait of 20 s takes 1 s
STARTERS = 4


def _definition(states: dict[str, Any], start: str) -> str:
    return json.dumps({"StartAt": start, "States": states})


def _single_try_client(url: str) -> Any:
    """A client that does not retry: an answer it got is an answer the engine sent."""
    return boto3.Session().client(
        "stepfunctions",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="sfini-local",
        aws_secret_access_key="sfini-local",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )


class Starter(threading.Thread):
    """Starts executions one after another until the engine stops answering."""

    def __init__(self, url: str, machine_arn: str, index: int) -> None:
        super().__init__(daemon=True)
        self.client = _single_try_client(url)
        self.machine_arn = machine_arn
        self.index = index
        self.answered: list[str] = []

    def run(self) -> None:
        for number in range(100_000):
            try:
                response = self.client.start_execution(
                    stateMachineArn=self.machine_arn,
                    name=f"load-{self.index}-{number}",
                    input=json.dumps({"n": number}),
                )
            except Exception:  # the engine was killed: the stream ends
                return
            self.answered.append(response["executionArn"])


def _create(sfn: Any) -> dict[str, str]:
    activity = sfn.create_activity(name="restart-work")["activityArn"]
    machines = {
        "loop": _definition(
            {
                "One": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "Two"},
                "Two": {"Type": "Pass", "Result": 2, "ResultPath": "$.two", "End": True},
            },
            "One",
        ),
        "wait": _definition(
            {
                "Wait": {"Type": "Wait", "Seconds": 20, "Next": "After"},
                "After": {"Type": "Pass", "End": True},
            },
            "Wait",
        ),
        "task": _definition(
            {"Work": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 600, "End": True}},
            "Work",
        ),
    }
    arns = {"activity": activity}
    for name, definition in machines.items():
        arns[name] = sfn.create_state_machine(
            name=f"restart-{name}", roleArn=ROLE_ARN, definition=definition
        )["stateMachineArn"]
    return arns


def test_kill_9_under_load_loses_no_answered_execution(start_engine: Any, tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    options = {"time_scale": SCALE, "extra": ("--state-dir", str(state_dir))}
    first: EngineProcess = start_engine(**options)
    sfn = first.client()
    arns = _create(sfn)
    waiting = [
        sfn.start_execution(stateMachineArn=arns["wait"], name=f"wait-{i}")["executionArn"]
        for i in range(5)
    ]
    tasks = [
        sfn.start_execution(
            stateMachineArn=arns["task"], name=f"task-{i}", input=json.dumps({"task": i})
        )["executionArn"]
        for i in range(4)
    ]
    held = sfn.get_activity_task(activityArn=arns["activity"], workerName="before-kill")
    starters = [Starter(first.url, arns["loop"], index) for index in range(STARTERS)]
    for starter in starters:
        starter.start()
    time.sleep(1.0)
    first.kill()
    for starter in starters:
        starter.join(10)
    answered = [arn for starter in starters for arn in starter.answered]
    assert len(answered) > 20, "the load never got going"

    second: EngineProcess = start_engine(**options, port=first.port)
    sfn = second.client()
    # every answered StartExecution is there, and each finishes
    statuses = wait_for_executions(sfn, answered + waiting, timeout=20)
    assert set(statuses.values()) == {"SUCCEEDED"}, {
        arn: s for arn, s in statuses.items() if s != "SUCCEEDED"
    }
    # the token handed out before the kill still works; the other tasks are offered again
    sfn.send_task_success(taskToken=held["taskToken"], output=json.dumps({"held": True}))
    for _ in range(len(tasks) - 1):
        task = sfn.get_activity_task(activityArn=arns["activity"], workerName="after-kill")
        assert task.get("taskToken"), "a scheduled task was not offered again"
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    assert set(wait_for_executions(sfn, tasks, timeout=10).values()) == {"SUCCEEDED"}
    held_arn = next(
        arn
        for arn in tasks
        if json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"held": True}
    )
    # the histories of the Waits, the tasks, and the last executions each thread had answered
    # (the ones the kill most likely caught mid-way)
    sample = [arn for starter in starters for arn in starter.answered[-5:]]
    for arn, events in histories(sfn, sample + waiting + tasks).items():
        assert [e["id"] for e in events] == list(range(1, len(events) + 1)), arn
        kinds = [e["type"] for e in events]
        assert kinds.count("ExecutionStarted") == 1, arn
        assert kinds[-1] == "ExecutionSucceeded", arn
        if arn in tasks:
            assert kinds.count("ActivityScheduled") == 1, arn
            assert kinds.count("ActivityStarted") == 1, arn
            workers = [
                e["activityStartedEventDetails"].get("workerName")
                for e in events
                if e["type"] == "ActivityStarted"
            ]
            assert workers == ["before-kill" if arn == held_arn else "after-kill"]


def test_a_second_engine_on_the_directory_refuses_to_start(
    start_engine: Any, tmp_path: Path
) -> None:
    state_dir = tmp_path / "state"
    first: EngineProcess = start_engine(time_scale=SCALE, extra=("--state-dir", str(state_dir)))
    refused = EngineProcess(
        time_scale=SCALE, extra=("--state-dir", str(state_dir)), log_path=tmp_path / "second.log"
    )
    with pytest.raises(RuntimeError, match="exited with 1"):
        refused.start(timeout=30)
    lines = [line for line in (tmp_path / "second.log").read_text().splitlines() if line]
    assert lines == [
        f"Error: state directory {state_dir} is in use by another engine "
        f"(process {first.process.pid})"  # type: ignore[union-attr]
    ]
    assert first.client().list_state_machines()["stateMachines"] == []
