"""The runner: a workflow module or a cloud assembly's stack run end to end on a local engine,
with workers, the live view or plain log, and the sfini 0.1.0 report."""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rich.console import Console

from sfini_runtime.local import LocalEngine
from sfini_runtime.runner import (
    RunError,
    engine_session,
    import_workflow_module,
    report,
    run_workflows,
    summary,
    workflow_from_module,
    workflow_from_stack,
)
from sfini_runtime.session import AWSSession
from tests.cloud_assembly import write_stack_assembly

pytestmark = pytest.mark.engine

FLOW = """
import sfini_cdk as sfini

activities = sfini.ActivityRegistration(prefix="{prefix}")


@activities.activity("Add")
def add(data):
    return data["a"] + data["b"]


@activities.activity("Boom")
def boom(data):
    raise KeyError("no such item")


inner = sfini.construct_state_machine("{prefix}Inner", sfini.Task("add", add))
outer_start = sfini.Task(
    "nested",
    sfini.StateMachineResource(inner),
    parameters={{"Input.$": "$"}},
    result_selector={{"sum.$": "$.Output"}},
)
outer = sfini.construct_state_machine("{prefix}Outer", outer_start)
broken = sfini.construct_state_machine("{prefix}Broken", sfini.Task("boom", boom))
waits = sfini.construct_state_machine("{prefix}Waits", sfini.Wait("long", 60))


def example_input():
    return {{"a": 2, "b": 3}}
"""


@pytest.fixture
def engine_and_session() -> Iterator[tuple[LocalEngine, AWSSession]]:
    with LocalEngine(activity_poll_seconds=1.0) as engine, engine_session(engine) as session:
        yield engine, session


def _module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, **attrs: Any
) -> ModuleType:
    name = f"flow_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(source.format(prefix=name[5:]))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = import_workflow_module(name)
    for key, value in attrs.items():
        setattr(module, key, value)
    return module


def test_a_module_runs_with_its_nested_machine_and_is_reported(
    engine_and_session: tuple[LocalEngine, AWSSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, session = engine_and_session
    module = _module(tmp_path, monkeypatch, FLOW)
    workflow = workflow_from_module(module, session, state_machine=module.outer.name)
    assert workflow.input == {"a": 2, "b": 3}  # example_input()
    assert {a.name for a in workflow.activities.values()} >= {module.add.name}
    log = io.StringIO()
    (result,) = run_workflows([workflow], session, console=Console(file=log), live=False)
    assert result.ok and result.status == "SUCCEEDED"
    assert result.execution.output == {"sum": 5}
    lines = log.getvalue().splitlines()
    assert f"[{module.__name__}] nested" in lines
    assert f"[{module.__name__}] SUCCEEDED" in lines[-1]
    printed: list[str] = []
    report(result, printed.append)
    text = "\n".join(printed)
    assert printed[0].startswith(f"-- {module.__name__}: ok (SUCCEEDED)")
    assert "TaskSubmitted" in text and "ExecutionSucceeded" in text
    assert 'Output: {"sum": 5}' in text
    assert summary([result]) == "1 of 1 workflows ended as expected"


def test_the_entry_machine_is_sm_or_the_only_one_no_other_starts(
    engine_and_session: tuple[LocalEngine, AWSSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, session = engine_and_session
    module = _module(tmp_path, monkeypatch, FLOW)
    with pytest.raises(RunError, match=r"defines several state machines .*name one to run"):
        workflow_from_module(module, session)
    with pytest.raises(RunError, match=r"has no state machine 'nope' \(it has: "):
        workflow_from_module(module, session, state_machine="nope")
    module.sm = module.outer
    workflow = workflow_from_module(module, session, execution_input={"a": 1, "b": 1})
    assert workflow.state_machine_arn.endswith(":stateMachine:" + module.outer.name)
    assert workflow.input == {"a": 1, "b": 1}


def test_a_module_without_state_machines_is_refused(
    engine_and_session: tuple[LocalEngine, AWSSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = _module(tmp_path, monkeypatch, "x = 1\n")
    with pytest.raises(RunError, match=f"{module.__name__} defines no state machine"):
        workflow_from_module(module, engine_and_session[1])


def test_an_unexpected_end_is_not_ok_and_a_long_run_is_stopped(
    engine_and_session: tuple[LocalEngine, AWSSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, session = engine_and_session
    module = _module(tmp_path, monkeypatch, FLOW)
    broken = workflow_from_module(module, session, state_machine=module.broken.name)
    failing_as_told = workflow_from_module(module, session, state_machine=module.broken.name)
    failing_as_told.expected_status, failing_as_told.expected_error = "FAILED", "KeyError"
    wrong_error = workflow_from_module(module, session, state_machine=module.broken.name)
    wrong_error.expected_status, wrong_error.expected_error = "FAILED", "ValueError"
    waits = workflow_from_module(module, session, state_machine=module.waits.name)
    results = run_workflows(
        [broken, failing_as_told, wrong_error, waits],
        session,
        console=Console(file=io.StringIO()),
        live=False,
        timeout=1.0,
    )
    assert [r.status for r in results] == ["FAILED", "FAILED", "FAILED", "ABORTED"]
    assert [r.ok for r in results] == [False, True, False, False]
    assert results[3].timed_out and not results[0].timed_out
    printed: list[str] = []
    report(results[0], printed.append)
    assert "FAILED (FAILED, expected SUCCEEDED)" in printed[0]
    assert "   error: KeyError" in printed
    printed.clear()
    report(results[2], printed.append, history=False)
    assert "with error KeyError, expected ValueError" in printed[0]
    printed.clear()
    report(results[3], printed.append, history=False)
    assert "stopped: it ran too long" in printed[0]
    assert summary(results).endswith(
        f"not: {module.__name__}, {module.__name__}, {module.__name__}"
    )


def test_the_live_view_shows_each_execution_and_its_status(
    engine_and_session: tuple[LocalEngine, AWSSession],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, session = engine_and_session
    module = _module(tmp_path, monkeypatch, FLOW)
    module.sm = module.outer
    workflow = workflow_from_module(module, session)
    workflow.label = "the-outer-flow"
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    (result,) = run_workflows([workflow], session, console=console)
    assert result.ok
    drawn = screen.getvalue()
    assert "the-outer-flow" in drawn and "SUCCEEDED" in drawn and "now in" in drawn
    assert "[the-outer-flow]" not in drawn  # the table, not the plain log


def _assembly(tmp_path: Path, module: str, prefix: str, *, named: bool = True) -> Path:
    role = "arn:aws:iam::123456789012:role/run"
    definition = {
        "StartAt": "nested",
        "States": {
            "nested": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": "${Inner}", "Input.$": "$"},
                "OutputPath": "$.Output",
                "End": True,
            }
        },
    }
    inner = {
        "StartAt": "add",
        "States": {"add": {"Type": "Task", "Resource": "${Act}", "End": True}},
    }
    template = {
        "Resources": {
            "Act": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": f"{prefix}Add"},
                "Metadata": {"sfini:activity": {"name": f"{prefix}Add", "module": module}},
            },
            "InnerSM": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": "inner",
                    "RoleArn": role,
                    "DefinitionString": json.dumps(inner),
                    "DefinitionSubstitutions": {"Act": {"Ref": "Act"}},
                },
            },
            "OuterSM": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": "outer",
                    "RoleArn": role,
                    "DefinitionString": json.dumps(definition),
                    "DefinitionSubstitutions": {"Inner": {"Ref": "InnerSM"}},
                },
            },
        }
    }
    if not named:  # CloudFormation would name them; the local engine names them Shop-<id>
        for resource in template["Resources"].values():
            resource["Properties"].pop("Name", None)
            resource["Properties"].pop("StateMachineName", None)
    return write_stack_assembly(tmp_path / "cdk.out", {"Shop": template})


def test_a_stack_runs_with_workers_found_through_the_activity_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _module(tmp_path, monkeypatch, FLOW)
    prefix = module.__name__[5:]
    cdk_out = _assembly(tmp_path, module.__name__, prefix)
    engine = LocalEngine(activity_poll_seconds=1.0, cdk_out=cdk_out)
    with engine, engine_session(engine) as session:
        workflow = workflow_from_stack(cdk_out, "Shop", session, execution_input={"a": 4, "b": 5})
        assert workflow.state_machine_arn.endswith(":stateMachine:outer")
        assert list(workflow.activities.values()) == [module.add]
        (result,) = run_workflows(
            [workflow], session, console=Console(file=io.StringIO()), live=False
        )
        assert result.ok and result.execution.output == 9
        inner = workflow_from_stack(cdk_out, "Shop", session, state_machine="inner")
        assert inner.state_machine_arn.endswith(":stateMachine:inner")
        with pytest.raises(RunError, match="no stack 'Nope'"):
            workflow_from_stack(cdk_out, "Nope", session)
        with pytest.raises(RunError, match="has no state machine 'nope'"):
            workflow_from_stack(cdk_out, "Shop", session, state_machine="nope")


def test_a_stack_whose_template_leaves_its_resources_unnamed_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _module(tmp_path, monkeypatch, FLOW)
    cdk_out = _assembly(tmp_path, module.__name__, module.__name__[5:], named=False)
    engine = LocalEngine(activity_poll_seconds=1.0, cdk_out=cdk_out)
    with engine, engine_session(engine) as session:
        workflow = workflow_from_stack(cdk_out, "Shop", session, execution_input={"a": 1, "b": 2})
        assert workflow.state_machine_arn.endswith(":stateMachine:Shop-OuterSM")
        assert [arn.rsplit(":", 1)[1] for arn in workflow.activities] == ["Shop-Act"]
        (result,) = run_workflows(
            [workflow], session, console=Console(file=io.StringIO()), live=False
        )
        assert result.ok and result.execution.output == 3
        by_logical_id = workflow_from_stack(cdk_out, "Shop", session, state_machine="InnerSM")
        assert by_logical_id.state_machine_arn.endswith(":stateMachine:Shop-InnerSM")
        with pytest.raises(RunError, match=r"\(it has: Shop-InnerSM, Shop-OuterSM\)"):
            workflow_from_stack(cdk_out, "Shop", session, state_machine="nope")


def test_activity_metadata_naming_a_missing_activity_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _module(tmp_path, monkeypatch, FLOW)
    cdk_out = _assembly(tmp_path, module.__name__, "other")
    engine = LocalEngine(activity_poll_seconds=1.0, cdk_out=cdk_out)
    with (
        engine,
        engine_session(engine) as session,
        pytest.raises(RunError, match=f"module {module.__name__!r} defines no activity 'otherAdd'"),
    ):
        workflow_from_stack(cdk_out, "Shop", session)


def test_engine_session_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", "http://before")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with LocalEngine() as engine, engine_session(engine) as session:
        assert session.endpoint_url == engine.endpoint_url
    import os

    assert os.environ["AWS_ENDPOINT_URL_SFN"] == "http://before"
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert sys.modules["sfini_runtime.runner"] is not None
