"""Activity workers through boto3: long polls, one task per poller, SendTask* and their errors."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from sfini_runtime.local import LocalEngine
from tests.sfini_runtime.local.service.helpers import activity_definition, create_machine, unique


def wait_for_status(sfn: Any, arn: str, status: str) -> dict[str, Any]:
    for _ in range(1000):
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            assert described["status"] == status, described
            return described
        time.sleep(0.01)
    raise AssertionError(f"{arn} still RUNNING")


@pytest.fixture()
def activity(sfn: Any) -> str:
    return sfn.create_activity(name=unique("worker-activity"))["activityArn"]


def take_task(sfn: Any, activity_arn: str, worker: str = "w") -> dict[str, Any]:
    task = sfn.get_activity_task(activityArn=activity_arn, workerName=worker)
    assert task.get("taskToken"), "no task"
    return task


def test_success_round_trip(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_definition(activity))
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 41}')["executionArn"]
    task = take_task(sfn, activity, worker="worker-1")
    assert json.loads(task["input"]) == {"n": 41}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"n": 42}')
    described = wait_for_status(sfn, execution, "SUCCEEDED")
    assert json.loads(described["output"]) == {"n": 42}
    events = sfn.get_execution_history(executionArn=execution)["events"]
    started = next(e for e in events if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"]["workerName"] == "worker-1"
    with pytest.raises(ClientError) as caught:  # the task was answered already
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert caught.value.response["Error"]["Code"] == "TaskDoesNotExist"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_failure_round_trip(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_definition(activity))
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    task = take_task(sfn, activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Broken", cause="it broke")
    described = wait_for_status(sfn, execution, "FAILED")
    assert (described["error"], described["cause"]) == ("Broken", "it broke")


def test_output_that_is_not_json_is_refused_and_the_task_stays_open(
    sfn: Any, activity: str
) -> None:
    machine = create_machine(sfn, activity_definition(activity))
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    task = take_task(sfn, activity)
    with pytest.raises(ClientError) as caught:
        sfn.send_task_success(taskToken=task["taskToken"], output="{not json")
    assert caught.value.response["Error"]["Code"] == "InvalidOutput"
    sfn.send_task_success(taskToken=task["taskToken"], output="[1]")
    assert json.loads(wait_for_status(sfn, execution, "SUCCEEDED")["output"]) == [1]


@pytest.mark.parametrize("token", ["forged", "x" * 600, "AAAA.BBBB"])
def test_forged_tokens(sfn: Any, token: str) -> None:
    for call in (
        lambda: sfn.send_task_success(taskToken=token, output="{}"),
        lambda: sfn.send_task_failure(taskToken=token),
        lambda: sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "InvalidToken"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_stopped_execution_ends_its_task(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_definition(activity))
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    task = take_task(sfn, activity)
    sfn.stop_execution(executionArn=execution)
    with pytest.raises(ClientError) as caught:
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert caught.value.response["Error"]["Code"] == "TaskTimedOut"
    assert caught.value.response["Error"]["Message"] == (
        "Task Timed Out: 'Provided task has timed out or its execution ended'"
    )


def test_a_waiting_poll_is_answered_when_a_task_is_scheduled(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_definition(activity))
    answers: list[dict[str, Any]] = []
    poller = threading.Thread(
        target=lambda: answers.append(sfn.get_activity_task(activityArn=activity))
    )
    poller.start()
    time.sleep(0.2)  # let the poll reach the engine and wait there
    assert poller.is_alive()
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    poller.join(timeout=20)  # far below the 60 s long poll
    assert not poller.is_alive()
    assert answers[0]["taskToken"]
    sfn.send_task_success(taskToken=answers[0]["taskToken"], output="{}")
    wait_for_status(sfn, execution, "SUCCEEDED")


def test_many_pollers_each_task_to_exactly_one(local: LocalEngine, activity: str) -> None:
    pollers = 12
    clients = [local.client() for _ in range(pollers)]
    machine = create_machine(clients[0], activity_definition(activity))
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def poll(client: Any) -> None:
        task = client.get_activity_task(activityArn=activity, workerName="many")
        with lock:
            answers.append(task)

    threads = [threading.Thread(target=poll, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    executions = [
        clients[0].start_execution(stateMachineArn=machine, input=json.dumps({"i": i}))[
            "executionArn"
        ]
        for i in range(pollers)
    ]
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    tokens = [a["taskToken"] for a in answers]
    assert len(set(tokens)) == pollers
    assert sorted(json.loads(a["input"])["i"] for a in answers) == list(range(pollers))
    for answer in answers:
        clients[0].send_task_success(taskToken=answer["taskToken"], output=answer["input"])
    for execution in executions:
        wait_for_status(clients[0], execution, "SUCCEEDED")


def test_tasks_scheduled_before_anyone_polls_wait_in_order(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_definition(activity))
    for i in range(3):
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"i": i}))
    time.sleep(0.1)
    order = [json.loads(take_task(sfn, activity)["input"])["i"] for _ in range(3)]
    assert order == [0, 1, 2]


@pytest.fixture(scope="module")
def short_poll() -> Iterator[LocalEngine]:
    with LocalEngine(activity_poll_seconds=0.2) as engine:
        yield engine


def test_an_empty_poll_returns_no_token(short_poll: LocalEngine) -> None:
    sfn = short_poll.client()
    arn = sfn.create_activity(name="idle")["activityArn"]
    answer = sfn.get_activity_task(activityArn=arn)
    assert "taskToken" not in answer


def test_polling_a_deleted_activity(sfn: Any, activity: str) -> None:
    sfn.delete_activity(activityArn=activity)
    with pytest.raises(ClientError) as caught:
        sfn.get_activity_task(activityArn=activity)
    assert caught.value.response["Error"]["Code"] == "ActivityDoesNotExist"


def test_stopping_the_engine_releases_waiting_pollers() -> None:
    engine = LocalEngine().start()
    sfn = engine.client(config=Config(retries={"max_attempts": 1}))
    arn = sfn.create_activity(name="shutdown")["activityArn"]
    answers: list[Any] = []

    def poll() -> None:
        try:
            answers.append(sfn.get_activity_task(activityArn=arn))
        except Exception as exc:  # a closed connection is an acceptable answer too
            answers.append(exc)

    pollers = [threading.Thread(target=poll) for _ in range(3)]
    for poller in pollers:
        poller.start()
    time.sleep(0.2)
    engine.stop()
    for poller in pollers:
        poller.join(timeout=10)
    assert not any(poller.is_alive() for poller in pollers)
    assert len(answers) == 3
    assert all(isinstance(a, Exception) or "taskToken" not in a for a in answers)


def test_payloads_over_the_api_limits_are_refused_and_the_task_stays_open(
    raw_sfn: Any, sfn: Any, activity: str
) -> None:
    # SendTaskSuccess.output: at most 262,144 (UTF-8 bytes here); SendTaskFailure.cause: at
    # most 32,768 ("Value at 'cause' ...": sensitive members hide their value; irothschild/
    # stefuna PR 8 quotes AWS's message).
    machine = create_machine(sfn, activity_definition(activity))
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = take_task(sfn, activity)["taskToken"]
    with pytest.raises(ClientError) as caught:
        raw_sfn.send_task_success(taskToken=token, output=json.dumps("é" * (128 * 1024)))
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value at 'output' failed to satisfy constraint: "
        "Member must have length less than or equal to 262144"
    )
    with pytest.raises(ClientError) as caught:
        raw_sfn.send_task_failure(taskToken=token, error="E", cause="c" * 32_769)
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value at 'cause' failed to satisfy constraint: "
        "Member must have length less than or equal to 32768"
    )
    sfn.send_task_success(taskToken=token, output=json.dumps("é" * 1000))
    assert json.loads(wait_for_status(sfn, execution, "SUCCEEDED")["output"]) == "é" * 1000
