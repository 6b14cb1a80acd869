"""A flaky network between workers and the engine: two ``sfini worker`` processes reach the
engine through ``proxy.FaultyProxy``, which drops, delays and resets connections and cuts
answers half-way. Workers retry; no result is lost or sent twice; a task whose poll answer
the network lost times out and runs again, never silently lost.

The Task has a 20 s heartbeat time-out (5 s at the engine's time scale of 0.25; heartbeats
every 0.2 s, so retried heartbeats keep it alive) and a Retry on the time-outs."""

from __future__ import annotations

import collections
import json
import random
import threading
import time
import types
from collections.abc import Callable, Iterator

import pytest

from tests.reliability import workflows
from tests.reliability.harness import (
    EngineProcess,
    WorkerProcess,
    attempts,
    histories,
    wait_for_executions,
)
from tests.reliability.proxy import FAULTS, FaultyProxy

pytestmark = pytest.mark.reliability

EXECUTIONS = 60
TARGET = "tests.reliability.workflows:flaky_activities"
RATES = {"drop": 0.04, "reset": 0.04, "delay": 0.1, "reset_after": 0.06, "cut": 0.06}


@pytest.fixture
def proxy(engine_process: EngineProcess) -> Iterator[FaultyProxy]:
    with FaultyProxy(engine_process.port, seed=3, rates=RATES, max_delay=0.3) as running:
        yield running


def test_workers_survive_a_flaky_network_and_lose_no_task(
    engine_process: EngineProcess,
    proxy: FaultyProxy,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    rng = random.Random(5)
    client = engine_process.client()  # the test's own calls go to the engine directly
    (machine,) = engine_process.register(workflows.flaky_activities, workflows.flaky_machine)
    workers = [
        start_worker(TARGET, f"flaky-{index}", proxy.url, concurrency=4, grace_period=5)
        for index in range(2)
    ]
    for worker in workers:
        worker.wait_polling()
    arns = [
        client.start_execution(
            stateMachineArn=machine,
            name=f"flaky-{index}",
            input=json.dumps({"id": index, "sleep": rng.uniform(0.1, 0.5)}),
        )["executionArn"]
        for index in range(EXECUTIONS)
    ]
    statuses = wait_for_executions(client, arns, timeout=150)
    summary = proxy.summary()
    assert sorted(statuses.values()) == ["SUCCEEDED"] * EXECUTIONS, (statuses, summary)
    for worker in workers:
        assert worker.alive, worker.log[-3000:]
        worker.terminate()
    for worker in workers:
        assert worker.wait(timeout=60) == 0, worker.log[-3000:]
        assert "Traceback" not in worker.log, worker.log[-3000:]

    # every kind of fault happened, to polls and to reports
    assert set(proxy.counts) == set(FAULTS), summary
    lost_by_operation = collections.Counter(answer.operation for answer in proxy.lost)
    assert lost_by_operation["GetActivityTask"] and lost_by_operation["SendTaskSuccess"], summary
    assert proxy.requests["SendTaskHeartbeat"], summary

    # the tasks handed to a poll whose answer was lost, by execution id
    lost_polls: collections.Counter[int] = collections.Counter()
    for answer in proxy.lost:
        if answer.operation == "GetActivityTask":
            handed = json.loads(answer.response)
            if handed.get("taskToken"):
                lost_polls[json.loads(handed["input"])["id"]] += 1
    assert lost_polls, summary

    for index, events in enumerate(histories(client, arns).values()):
        tries = attempts(events)
        outcomes = [attempt["outcome"] for attempt in tries]
        # one result recorded, by the last attempt, and it is that attempt's own
        assert outcomes.count("succeeded") == 1 and outcomes[-1] == "succeeded", (index, tries)
        winner = tries[-1]
        assert json.loads(winner["details"]["output"]) == {"id": index, "worker": winner["worker"]}
        # every earlier attempt timed out, and each is a poll answer the network lost: a
        # task handed out and never seen is retried, never silently lost
        assert set(outcomes[:-1]) <= {"timed out"}, (index, tries)
        assert len(tries) - 1 == lost_polls[index], (index, tries, lost_polls[index])

    # no report sent again once one was answered; none given up on
    for token, sent in proxy.reports.items():
        assert "answered" in sent or "lost" in sent, (token[:16], sent)
        if "answered" in sent:
            assert sent.index("answered") == len(sent) - 1, (token[:16], sent)


def _gone(retries: int) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": "TaskDoesNotExist", "Message": "Task does not exist anymore"},
            "ResponseMetadata": {"HTTPStatusCode": 400, "RetryAttempts": retries},
        },
        "SendTaskSuccess",
    )


class _Activity:
    name = "rel-unit"
    heartbeat = None


@pytest.mark.parametrize("retries", [0, 2])
def test_a_report_refused_after_a_lost_answer_is_not_sent_again(
    retries: int, caplog: pytest.LogCaptureFixture
) -> None:
    from sfini_runtime.worker import TaskExecution

    sent: list[str] = []

    def call(operation: str, **_: object) -> None:
        sent.append(operation)
        raise _gone(retries)

    task = TaskExecution(_Activity(), "token-" + "x" * 20, {}, session=object(), call=call)  # type: ignore[arg-type]
    caplog.set_level("WARNING", logger="sfini_runtime.worker.task")
    assert task.report_success({"ok": True})
    assert sent == ["send_task_success"]  # once: the refusal is final
    assert task.outcome == "lost" and task.settled
    retried_note = "an earlier attempt whose answer was lost may have been recorded"
    assert (retried_note in caplog.text) == bool(retries)


def test_a_heartbeat_overtaken_by_the_report_cancels_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from sfini_runtime.worker import TaskExecution

    task: TaskExecution

    def call(operation: str, **_: object) -> None:
        if operation == "send_task_heartbeat":
            task.report_success(1)  # the report lands while the heartbeat is on its way
            raise _gone(0)

    task = TaskExecution(_Activity(), "token-" + "y" * 20, {}, session=object(), call=call)  # type: ignore[arg-type]
    caplog.set_level("WARNING", logger="sfini_runtime.worker.task")
    assert task.heartbeat() is False
    assert task.outcome == "succeeded" and not task.cancelled.is_set()
    assert "cancelling" not in caplog.text


class _Beating:
    """A task for the heartbeat thread: counts its heartbeats; the first may hang."""

    def __init__(self, interval: float, hang: threading.Event | None = None) -> None:
        self.activity = types.SimpleNamespace(heartbeat=interval)
        self.beats = 0
        self.finished = False
        self.hang = hang
        self.beating = threading.Event()

    def heartbeat(self) -> bool:
        self.beats += 1
        self.beating.set()
        if self.hang is not None:
            self.hang.wait(30)  # a call stuck in retries, or on a connection that hangs
        return True


def test_a_hung_heartbeat_holds_up_no_other_task() -> None:
    from sfini_runtime.worker import Heartbeater

    released = threading.Event()
    stuck, healthy = _Beating(0.01, hang=released), _Beating(0.01)
    heartbeater = Heartbeater(name="sfini-heartbeat-test")
    heartbeater.start()
    try:
        heartbeater.add(stuck)
        assert stuck.beating.wait(30)
        heartbeater.add(healthy)
        deadline = time.monotonic() + 30
        while healthy.beats < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert healthy.beats >= 5  # sent on while the other task's heartbeat hangs
        assert stuck.beats == 1  # and that task's next waits for its first to end
    finally:
        released.set()
        heartbeater.stop()
        heartbeater.join(10)
