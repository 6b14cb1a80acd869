"""Direct registration and executions on the local engine; sfini 0.1.0's programmatic CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_runtime import registration
from sfini_runtime.cli.legacy import CLI
from sfini_runtime.execution import (
    Execution,
    ExecutionArnUnknown,
    ExecutionFailed,
    ExecutionFinished,
    ExecutionNotFinished,
    WaitTimeout,
)
from sfini_runtime.session import AWSSession

pytestmark = pytest.mark.engine


def _machine(session: AWSSession, name: str = "waiter") -> Any:
    wait = sfini.Wait("wait", 100)  # 1 s on the engine's 0.01 time scale
    wait.goes_to(sfini.Pass("pass", result={"ok": True}))
    return sfini.construct_state_machine(name, wait, session=session)


def test_deregister_removes_only_the_registrations_own_activities(session: AWSSession) -> None:
    mine = sfini.ActivityRegistration(prefix="app", session=session)

    @mine.activity("One")
    def one(data):
        return data

    session.sfn.create_activity(name="appOther")  # shares the prefix, not the registration's
    registration.register_activities(mine, session=session)
    assert registration.is_activity_registered(one, session=session)
    registration.deregister_activities(mine, session=session)
    names = [a["name"] for a in session.sfn.list_activities()["activities"]]
    assert names == ["appOther"]
    assert not registration.is_activity_registered(one, session=session)
    registration.deregister_activity(one, session=session)  # already gone: no error


def test_state_machine_register_update_and_role(session: AWSSession) -> None:
    machine = _machine(session)
    arn = registration.register_state_machine(machine, session=session)
    assert arn == registration.state_machine_arn(machine, session=session)
    described = session.sfn.describe_state_machine(stateMachineArn=arn)
    assert described["roleArn"] == "arn:aws:iam::123456789012:role/sfiniGenerated"
    assert json.loads(described["definition"]) == machine.to_dict()
    machine.comment = "updated"
    registration.register_state_machine(
        machine, allow_update=True, role_arn="arn:aws:iam::123456789012:role/r", session=session
    )
    described = session.sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"])["Comment"] == "updated"
    assert described["roleArn"] == "arn:aws:iam::123456789012:role/r"
    registration.deregister_state_machine(machine, session=session)
    assert not registration.is_state_machine_registered(machine, session=session)


def test_execution_lifecycle(session: AWSSession) -> None:
    machine = _machine(session)
    machine.register()
    execution = machine.start_execution({"x": 1})
    assert execution.name.startswith("waiter_")
    assert execution.status == "RUNNING"
    with pytest.raises(ExecutionNotFinished):
        _ = execution.output
    with pytest.raises(WaitTimeout):
        execution.wait(timeout=0.1)
    execution.wait(timeout=30)
    assert execution.output == {"ok": True}
    assert execution.stop_date >= execution.start_date
    with pytest.raises(ExecutionFinished):
        execution.stop()
    # a listed execution's status may be stale: stopping it asks Step Functions first
    stale = Execution.from_execution_list_item(
        {
            **session.sfn.list_executions(stateMachineArn=execution.state_machine_arn)[
                "executions"
            ][0],
            "status": "RUNNING",
        },
        session=session,
    )
    with pytest.raises(ExecutionFinished, match="has already finished"):
        stale.stop()
    listed = machine.list_executions()
    assert [e.arn for e in listed] == [execution.arn]
    assert listed[0].state_machine is machine
    assert listed[0].execution_input == {"x": 1}  # read when first needed
    assert [e.arn for e in machine.list_executions("SUCCEEDED")] == [execution.arn]
    assert machine.list_executions("RUNNING") == []
    again = Execution.from_arn(execution.arn, session=session)
    assert (again.name, again.status, again.output) == (execution.name, "SUCCEEDED", {"ok": True})
    assert [type(e).__name__ for e in again.get_history()][:2] == [
        "ExecutionStarted",
        "StateEntered",
    ]
    assert again.format_history().splitlines()[-1] == 'Output: {"ok": true}'


def test_stopped_execution_raises_on_wait(session: AWSSession) -> None:
    machine = _machine(session)
    machine.register()
    execution = machine.start_execution({})
    execution.stop("Halt", "test")
    with pytest.raises(ExecutionFailed, match="ABORTED") as raised:
        execution.wait(timeout=30)
    assert raised.value.status == "ABORTED"
    execution.wait(raise_on_failure=False)
    assert execution.error == "Halt"


def test_unstarted_execution_has_no_arn(session: AWSSession) -> None:
    with pytest.raises(ExecutionArnUnknown):
        Execution(
            "x", "arn:aws:states:us-east-1:123456789012:stateMachine:m", session=session
        ).get_history()


def test_list_executions_rejects_unknown_status(session: AWSSession) -> None:
    with pytest.raises(ValueError, match="status must be one of"):
        registration.list_executions(_machine(session), "DONE", session=session)


def test_seed_cli_register_start_executions_deregister(
    session: AWSSession, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    activities = sfini.ActivityRegistration(prefix="seedCli", session=session)

    @activities.activity("echo")
    def echo(data):
        return data

    machine = sfini.construct_state_machine("seedCliSM", sfini.Pass("p"), session=session)
    command = CLI(
        machine,
        activities,
        role_arn="arn:aws:iam::123456789012:role/r",
        version="1.0",
        session=session,
    )
    command.parse_args(["register"])
    assert machine.is_registered() and echo.is_registered()
    (tmp_path / "in.json").write_text('{"a": 1}')
    command.parse_args(["start", str(tmp_path / "in.json"), "--wait"])
    name, output = capsys.readouterr().out.splitlines()
    assert name.startswith("seedCliSM_") and json.loads(output) == {"a": 1}
    command.parse_args(["executions", "-s", "SUCCEEDED"])
    printed = capsys.readouterr().out
    assert f"Execution '{name} [SUCCEEDED]':" in printed and 'Output: {"a": 1}' in printed
    command.parse_args(["deregister", "--activities-only"])
    assert machine.is_registered() and not echo.is_registered()
    with pytest.raises(SystemExit) as exit_info:
        command.parse_args(["start", str(tmp_path / "missing.json")])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.startswith("Error: no such file:")


class _FakeClock:
    """``time.monotonic``/``time.sleep`` stand-ins: sleeping advances the clock at once."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(round(seconds, 6))
        self.now += seconds


class _DescribeOnly:
    """A session whose DescribeExecution answers RUNNING ``running`` times, then SUCCEEDED."""

    def __init__(self, running: int) -> None:
        self.running = running
        self.calls = 0
        self.sfn = self

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        self.calls += 1
        status = "RUNNING" if self.calls <= self.running else "SUCCEEDED"
        answer = {"status": status, "input": "{}", "name": "e", "stateMachineArn": "arn:sm"}
        return answer | ({"output": "1"} if status == "SUCCEEDED" else {})


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _FakeClock:
    from sfini_runtime.execution import execution as module

    fake = _FakeClock()
    monkeypatch.setattr(module, "time", fake)
    return fake


def test_wait_polls_with_backoff_up_to_a_cap(clock: _FakeClock) -> None:
    session = _DescribeOnly(running=14)
    execution = Execution("e", "arn:sm", {}, arn="arn:e", session=session)  # type: ignore[arg-type]
    execution.wait()
    assert session.calls == 15
    expected, pause = [], Execution.wait_interval_initial
    for _ in range(14):
        expected.append(round(pause, 6))
        pause = min(pause * Execution.wait_backoff, Execution.wait_interval_max)
    assert clock.pauses == expected
    assert clock.pauses[0] == 0.05 and clock.pauses[-1] == Execution.wait_interval_max == 5.0
    assert execution.output == 1


def test_wait_timeout_cuts_the_last_pause_short(clock: _FakeClock) -> None:
    session = _DescribeOnly(running=1_000)
    execution = Execution("e", "arn:sm", {}, arn="arn:e", session=session)  # type: ignore[arg-type]
    with pytest.raises(WaitTimeout, match="Time-out waiting on execution"):
        execution.wait(timeout=1.0)
    assert sum(clock.pauses) == pytest.approx(1.0)
    assert clock.pauses[-1] < clock.pauses[-2] * Execution.wait_backoff  # cut to the deadline
