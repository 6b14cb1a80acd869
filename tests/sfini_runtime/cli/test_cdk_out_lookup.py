"""``sfini graph``, ``executions`` and ``describe`` find a state machine (or an activity) by its
sfini name in a cloud assembly (``--cdk-out DIR [--stack NAME]``), as ``start`` does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfini_runtime.cli.app import cli
from sfini_runtime.session import AWSSession
from tests.cloud_assembly import write_stack_assembly

pytestmark = pytest.mark.engine

DEFINITION = {"StartAt": "lookupFirst", "States": {"lookupFirst": {"Type": "Pass", "End": True}}}
ROLE = "arn:aws:iam::123456789012:role/r"


def write_assembly(directory: Path) -> Path:
    """A hand-written assembly: stack ``Lookup`` deploys the sfini state machine ``flow`` as
    ``Lookup-flow``, ``other`` as ``Lookup-other`` (never created here) and activity ``act``."""
    directory.mkdir()
    template = {
        "Resources": {
            "FlowMachine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"StateMachineName": "Lookup-flow", "DefinitionString": "{}"},
            },
            "OtherMachine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"StateMachineName": "Lookup-other", "DefinitionString": "{}"},
            },
            "ActActivity": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": "p-act"},
            },
        },
        "Outputs": {
            "Flow": {"Description": "sfini state machine flow", "Value": {"Ref": "FlowMachine"}},
            "Other": {"Description": "sfini state machine other", "Value": {"Ref": "OtherMachine"}},
            "Act": {"Description": "sfini activity act", "Value": {"Ref": "ActActivity"}},
        },
    }
    return write_stack_assembly(directory, {"Lookup": template})


@pytest.fixture
def assembly(engine: Any, session: AWSSession, tmp_path: Path) -> Path:
    machine = session.sfn.create_state_machine(
        name="Lookup-flow", definition=json.dumps(DEFINITION), roleArn=ROLE
    )["stateMachineArn"]
    session.sfn.start_execution(stateMachineArn=machine, name="run-1")
    session.sfn.create_activity(name="p-act")
    return write_assembly(tmp_path / "cdk.out")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("stack", [[], ["--stack", "Lookup"]])
def test_graph_draws_the_machine_the_assembly_names(assembly: Path, stack: list[str]) -> None:
    result = invoke("graph", "flow", "--cdk-out", str(assembly), *stack)
    assert result.exit_code == 0, result.output
    assert 's0["lookupFirst<br/>(Pass)"]' in result.output


def test_executions_of_a_named_machine(assembly: Path) -> None:
    result = invoke("executions", "flow", "--cdk-out", str(assembly), "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [item["name"] for item in listed] == ["run-1"]
    assert listed[0]["stateMachineArn"].endswith(":stateMachine:Lookup-flow")


def test_executions_of_every_machine_in_the_assembly_skip_those_not_deployed(
    assembly: Path, session: AWSSession
) -> None:
    outside = session.sfn.create_state_machine(
        name="Elsewhere", definition=json.dumps(DEFINITION), roleArn=ROLE
    )["stateMachineArn"]
    session.sfn.start_execution(stateMachineArn=outside, name="not-listed")
    result = invoke("executions", "--cdk-out", str(assembly), "--json")
    assert result.exit_code == 0, result.output
    assert [item["name"] for item in json.loads(result.output)] == ["run-1"]


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [("flow", "stateMachineArn", ":stateMachine:Lookup-flow"), ("act", "activityArn", ":p-act")],
)
def test_describe_finds_machines_then_activities(
    assembly: Path, name: str, field: str, expected: str
) -> None:
    result = invoke("describe", name, "--cdk-out", str(assembly), "--stack", "Lookup", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[field].endswith(expected)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["graph", "nope"],
            "Error: state machine 'nope' is not in cloud assembly {a} (found: Lookup-flow, "
            "Lookup-other, flow, other)",
        ),
        (
            ["executions", "nope"],
            "Error: state machine 'nope' is not in cloud assembly {a} (found: Lookup-flow, "
            "Lookup-other, flow, other)",
        ),
        (
            ["describe", "nope"],
            "Error: no state machine or activity named 'nope' in cloud assembly {a} (state "
            "machines: Lookup-flow, Lookup-other, flow, other; activities: act, p-act)",
        ),
        (["graph", "flow", "--stack", "Nope"], "Error: no stack 'Nope' in the cloud assembly {a}"),
        (["executions", "--stack", "Nope"], "Error: no stack 'Nope' in the cloud assembly {a}"),
        (
            ["describe", "act", "--stack", "Nope"],
            "Error: no stack 'Nope' in the cloud assembly {a}",
        ),
    ],
)
def test_unknown_names_and_stacks_are_one_line(
    assembly: Path, arguments: list[str], message: str
) -> None:
    result = invoke(*arguments, "--cdk-out", str(assembly))
    assert result.exit_code == 1
    assert result.output.splitlines() == [message.format(a=assembly)]


def test_graph_of_a_definition_object_refuses_a_lookup_option(assembly: Path) -> None:
    result = invoke("graph", "some_module:machine", "--cdk-out", str(assembly))
    assert result.exit_code == 2
    assert "--stack and --cdk-out find a deployed state machine by name" in result.output
