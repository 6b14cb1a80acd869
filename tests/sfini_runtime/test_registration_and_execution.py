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
