"""Running workflows to their end for tests: deployment, workers, results, time-outs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_runtime.session import AWSSession
from sfini_runtime.testing import (
    DeploymentError,
    Harness,
    RunTimeout,
    deploy,
    new_engine,
    run_state_machine,
    session_for,
)
from sfini_runtime.testing import harness as harness_module

pytestmark = pytest.mark.engine

stock = sfini.ActivityRegistration(prefix="harnessTest")


@stock.activity("Reserve")
def reserve(order: dict[str, Any]) -> dict[str, Any]:
    return {"reserved": order["qty"]}


@stock.activity("Count")
def count(data: Any) -> int:
    return 1


def _ordering(name: str = "harnessOrdering") -> Any:
    priced = sfini.Task("price", sfini.Lambda("pricing"), result_path="$.price")
    priced.retry_for(["Throttle"], interval=1, max_attempts=3)
    reserved = sfini.Task("reserve", reserve, result_path="$.stock")
    big = sfini.Choice("big?")
    big.add(sfini.NumericGreaterThan("$.qty", 10, sfini.Succeed("large")))
    big.set_default(reserved)
    priced.goes_to(big)
    return sfini.construct_state_machine(name, priced)


class Throttle(Exception):
    """What the pricing function raises when it is too busy."""


class Throttled:
    """A pricing function throttled ``times`` times before it answers."""

    def __init__(self, times: int) -> None:
        self.times = times

    def __call__(self, event: Any, context: Any) -> int:
        if self.times:
            self.times -= 1
            raise Throttle("slow down")
        return event["qty"] * 3


@pytest.fixture
def harness() -> Iterator[Harness]:
    with new_engine() as engine, Harness(engine, timeout=30) as running:
        yield running


def test_run_state_machine_on_an_engine_of_its_own() -> None:
    result = run_state_machine(_ordering(), {"qty": 2}, lambdas={"pricing": lambda e, c: 6})
    result.assert_succeeded({"qty": 2, "price": 6, "stock": {"reserved": 2}})
    assert result.path == ["price", "big?", "reserve"]
    assert result.state("reserve").input == {"qty": 2, "price": 6}
    assert result.status == "SUCCEEDED" and result.error is None
    assert result.arn is not None and ":execution:harnessOrdering:" in result.arn
    assert "ActivitySucceeded" in result.history


def test_retries_and_the_branch_taken_come_from_the_history(harness: Harness) -> None:
    harness.engine.register_lambda("pricing", Throttled(2))
    result = harness.run(_ordering(), {"qty": 20})
    result.assert_succeeded({"qty": 20, "price": 60}).assert_path("price", "big?", "large")
    result.assert_retries("price", 2)
    assert result.state("price").attempts == 3
    # a worker runs for each activity of the machine, on the path or not
    assert [worker.activity for worker in harness.workers] == [reserve]


def test_an_execution_over_its_timeout_is_stopped_and_reported() -> None:
    pause = sfini.Wait("pause", 100)
    machine = sfini.construct_state_machine("harnessPause", pause)
    with (
        new_engine(time_scale=1) as engine,
        Harness(engine) as harness,
        pytest.raises(RunTimeout) as error,
    ):
        harness.run(machine, timeout=0.3)
    message = str(error.value)
    assert message.startswith("execution harnessPause_")
    assert "still running after 0.3 s (in states ['pause']); stopped" in message
    assert "WaitStateEntered [2]" in message and "ExecutionAborted" in message


def test_a_task_left_running_is_cancelled_when_the_harness_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(harness_module, "CLOSE_GRACE_SECONDS", 0.1)
    release = threading.Event()
    stuck_activities = sfini.ActivityRegistration(prefix="harnessStuck")

    @stuck_activities.activity("Stuck")
    def stuck(data: Any) -> int:
        release.wait(30)
        return 1

    machine = sfini.construct_state_machine("harnessStuck", sfini.Task("stuck", stuck))
    try:
        with new_engine() as engine:
            harness = Harness(engine)
            with pytest.raises(RunTimeout, match=r"in states \['stuck'\]"):
                harness.run(machine, timeout=0.3)
            (worker,) = harness.workers
            harness.close()
            # cancelled; its execution was stopped, so the engine answers TaskTimedOut: lost
            assert worker.outcomes == {"lost": 1}
            assert harness.workers == []
    finally:
        release.set()


def test_one_worker_per_activity_replaced_for_another_function(harness: Harness) -> None:
    harness.engine.register_lambda("pricing", lambda e, c: 1)
    machine = _ordering()
    first = harness.run(machine, {"qty": 1})
    (worker,) = harness.workers
    second = harness.run(machine, {"qty": 2})
    assert harness.workers == [worker]
    assert [first.output["stock"], second.output["stock"]] == [{"reserved": 1}, {"reserved": 2}]
    other = sfini.ActivityRegistration(prefix="harnessTest")

    @other.activity("Reserve")
    def reserve_none(order: dict[str, Any]) -> dict[str, Any]:
        return {"reserved": 0}

    replaced = sfini.Task("reserve", reserve_none)
    third = harness.run(sfini.construct_state_machine("harnessOther", replaced), {})
    third.assert_succeeded({"reserved": 0})
    assert len(harness.workers) == 1 and harness.workers[0] is not worker
    assert worker.ended


def test_a_definition_changed_between_runs_is_updated(harness: Harness) -> None:
    first = sfini.construct_state_machine("harnessChanged", sfini.Pass("a", result=1))
    second = sfini.construct_state_machine("harnessChanged", sfini.Pass("b", result=2))
    harness.run(first).assert_succeeded(1).assert_path("a")
    harness.run(second).assert_succeeded(2).assert_path("b")


def test_nested_machines_are_created_first(harness: Harness) -> None:
    inner = sfini.construct_state_machine("harnessInner", sfini.Task("stock", count))
    outer = sfini.construct_state_machine(
        "harnessOuter",
        sfini.Task("nested", sfini.StateMachineResource(inner), output_path="$.Output"),
    )
    result = harness.run(outer, {"qty": 4})
    result.assert_succeeded(1).assert_path("nested")
    assert [worker.activity for worker in harness.workers] == [count]


def test_mock_test_cases(harness: Harness) -> None:
    mocks = {
        "StateMachines": {"harnessMocked": {"TestCases": {"Cheap": {"price": "One"}}}},
        "MockedResponses": {"One": {"0": {"Return": 1}}},
    }
    machine = _ordering("harnessMocked")
    result = run_state_machine(machine, {"qty": 30}, mock_config=mocks, test_case="Cheap")
    result.assert_succeeded({"qty": 30, "price": 1})
    with pytest.raises(ValueError, match="mock_config belongs to the engine"):
        run_state_machine(machine, engine=harness.engine, mock_config=mocks)


def test_lambdas_are_registered_on_a_given_engine(harness: Harness) -> None:
    result = run_state_machine(
        _ordering(), {"qty": 50}, engine=harness.engine, lambdas={"pricing": lambda e, c: 0}
    )
    result.assert_succeeded({"qty": 50, "price": 0})


class Refused:
    """A state machine object whose definition the engine refuses."""

    name = "harnessRefused"
    start_state = None

    def to_dict(self) -> dict[str, Any]:
        return {"StartAt": "missing", "States": {}}

    def task_resources(self) -> list[Any]:
        return []


def test_objects_get_their_sessions_back(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCOUNT_ID", "111122223333")  # what `mine` renders ARNs with
    harness.engine.register_lambda("pricing", lambda e, c: 1)
    machine = _ordering("harnessRestored")
    (lambda_resource,) = [r for r in machine.task_resources() if isinstance(r, sfini.Lambda)]
    mine = AWSSession(endpoint_url="http://127.0.0.1:9", region="eu-west-1")
    machine.session = lambda_resource.session = mine
    harness.run(machine, {"qty": 50}).assert_succeeded({"qty": 50, "price": 1})
    assert machine.session is mine and lambda_resource.session is mine
    assert lambda_resource.arn == "arn:aws:lambda:eu-west-1:111122223333:function:pricing"


def test_only_a_state_machine_runs(harness: Harness) -> None:
    with pytest.raises(TypeError, match="expected a state machine to run, not "):
        harness.run(reserve)


def test_deployment_errors_are_one_line(harness: Harness) -> None:
    with pytest.raises(DeploymentError, match=r"^InvalidDefinition: "):
        harness.run(Refused())
    with pytest.raises(DeploymentError, match="is not an activity, an activity registration"):
        deploy([42], session_for(harness.engine))


def test_workers_for_a_registration(harness: Harness) -> None:
    workers = harness.start_workers(stock, concurrency=2)
    assert [(w.activity, w.concurrency) for w in workers] == [(reserve, 2), (count, 2)]
    assert harness.start_workers(reserve) == workers[:1]
    client = harness.engine.client()
    machine = sfini.construct_state_machine("harnessByHand", sfini.Task("r", reserve))
    arn = harness.deploy(machine).state_machines["harnessByHand"]
    started = client.start_execution(stateMachineArn=arn, input='{"qty": 7}')
    execution = client.describe_execution(executionArn=started["executionArn"])
    while execution["status"] == "RUNNING":
        execution = client.describe_execution(executionArn=started["executionArn"])
    assert execution["status"] == "SUCCEEDED" and execution["output"] == '{"reserved":7}'
