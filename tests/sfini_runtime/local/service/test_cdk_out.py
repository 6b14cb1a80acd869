"""Loading a cloud assembly's activities and state machines into the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfini_runtime.cli.app import cli
from sfini_runtime.local.service.cdk_out import CloudAssemblyError, load_cloud_assembly
from tests.sfini_runtime.local.service.helpers import unique

TEMPLATE = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
    "Resources": {
        "Act": {
            "Type": "AWS::StepFunctions::Activity",
            "Properties": {
                "Name": {"Fn::Sub": "work-${Env}"},
                "Tags": [{"Key": "t", "Value": "1"}],
            },
        },
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Machine": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineName": "flow",
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "DefinitionString": {
                    "Fn::Join": [
                        "",
                        [
                            '{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"',
                            {"Ref": "Act"},
                            '","Next":"Done"},"Done":{"Type":"Pass","Result":"${Label}","End":true}}}',
                        ],
                    ]
                },
                "DefinitionSubstitutions": {"Label": {"Fn::GetAtt": ["Act", "Name"]}},
                "LoggingConfiguration": {
                    "Level": "ERROR",
                    "IncludeExecutionData": False,
                    "Destinations": [
                        {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["Logs", "Arn"]}}}
                    ],
                },
            },
        },
        "Express": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "StateMachineType": "EXPRESS",
                "Definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            },
        },
    },
}


def write_assembly(root: Path, template: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "App.template.json").write_text(json.dumps(template))
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "App": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "App.template.json", "stackName": "App"},
            },
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def test_loads_activities_and_state_machines(local: Any, sfn: Any, tmp_path: Path) -> None:
    created = load_cloud_assembly(local.service, write_assembly(tmp_path / "cdk.out", TEMPLATE))
    arns = local.service.arns
    assert created == [
        arns.activity("work-dev"),
        arns.state_machine("flow"),
        arns.state_machine("App-Express"),
    ]
    tags = sfn.list_tags_for_resource(resourceArn=arns.activity("work-dev"))["tags"]
    assert tags == [{"key": "t", "value": "1"}]
    flow = sfn.describe_state_machine(stateMachineArn=arns.state_machine("flow"))
    definition = json.loads(flow["definition"])
    assert definition["States"]["Work"]["Resource"] == arns.activity("work-dev")
    assert definition["States"]["Done"]["Result"] == "work-dev"
    assert flow["roleArn"] == f"arn:aws:iam::{local.account_id}:role/App-Role"
    assert flow["loggingConfiguration"]["level"] == "ERROR"
    express = sfn.describe_state_machine(stateMachineArn=arns.state_machine("App-Express"))
    assert express["type"] == "EXPRESS"
    # loading again is idempotent
    assert load_cloud_assembly(local.service, tmp_path / "cdk.out") == created


def test_missing_directory(local: Any, tmp_path: Path) -> None:
    with pytest.raises(CloudAssemblyError, match="no cloud assembly"):
        load_cloud_assembly(local.service, tmp_path / "nowhere")


def test_unsupported_intrinsic_is_named(local: Any, tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Act": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": {"Fn::ImportValue": "shared-name"}},
            }
        }
    }
    with pytest.raises(CloudAssemblyError, match="Fn::ImportValue"):
        load_cloud_assembly(local.service, write_assembly(tmp_path / "out", template))


def stack_template(prefix: str, result: str) -> dict[str, Any]:
    """A stack like the CDK's sfini constructs make: a shared activity, a named machine."""
    definition = {
        "Fn::Join": [
            "",
            [
                '{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"',
                {"Ref": "Act"},
                f'","Next":"Done"}},"Done":{{"Type":"Pass","Result":"{result}","End":true}}}}}}',
            ],
        ]
    }
    return {
        "Resources": {
            "Act": {"Type": "AWS::StepFunctions::Activity", "Properties": {"Name": prefix}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": f"{prefix}SM",
                    "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                    "DefinitionString": definition,
                },
            },
        }
    }


def write_stacks(root: Path, templates: dict[str, dict[str, Any]]) -> Path:
    """An assembly of several stacks (artifact id ``<name>Id``, stack name ``<name>``)."""
    root.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {}
    for name, template in templates.items():
        (root / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[f"{name}Id"] = {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": f"{name}.template.json", "stackName": name},
        }
    (root / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": artifacts}))
    return root


def _names(sfn: Any) -> tuple[set[str], set[str]]:
    machines = {m["name"] for m in sfn.list_state_machines()["stateMachines"]}
    activities = {a["name"] for a in sfn.list_activities()["activities"]}
    return machines, activities


def test_state_machines_defined_differently_by_two_stacks_name_both(
    local: Any, sfn: Any, tmp_path: Path
) -> None:
    prefix = unique("clash")
    assembly = write_stacks(
        tmp_path / "cdk.out",
        {"Dev": stack_template(prefix, "dev"), "Prod": stack_template(prefix, "prod")},
    )
    with pytest.raises(CloudAssemblyError) as caught:
        load_cloud_assembly(local.service, assembly)
    message = str(caught.value)
    assert f"'{prefix}SM'" in message
    assert "stack 'Dev' (Machine)" in message and "stack 'Prod' (Machine)" in message
    assert "sfini:distinct-names=true" in message and "--stack NAME" in message
    machines, activities = _names(sfn)
    assert f"{prefix}SM" not in machines and prefix not in activities  # nothing half-loaded


def test_stacks_declaring_the_same_activity_and_machine_share_them(
    local: Any, sfn: Any, tmp_path: Path
) -> None:
    prefix = unique("twin")
    same = stack_template(prefix, "same")
    assembly = write_stacks(tmp_path / "cdk.out", {"Dev": same, "Prod": same})
    created = load_cloud_assembly(local.service, assembly)
    arns = local.service.arns
    assert created == [arns.activity(prefix), arns.state_machine(f"{prefix}SM")]
    described = sfn.describe_state_machine(stateMachineArn=created[1])
    assert described["roleArn"].endswith(":role/Dev-Role")  # the first stack's
    assert json.loads(described["definition"])["States"]["Work"]["Resource"] == created[0]


@pytest.mark.parametrize("selector", ["Prod", "ProdId"])
def test_stacks_selects_by_stack_name_or_artifact_id(
    local: Any, sfn: Any, tmp_path: Path, selector: str
) -> None:
    dev, prod = unique("dev"), unique("prod")
    assembly = write_stacks(
        tmp_path / "cdk.out",
        {"Dev": stack_template(dev, "dev"), "Prod": stack_template(prod, "prod")},
    )
    created = load_cloud_assembly(local.service, assembly, stacks=[selector])
    arns = local.service.arns
    assert created == [arns.activity(prod), arns.state_machine(f"{prod}SM")]
    machines, activities = _names(sfn)
    assert f"{dev}SM" not in machines and dev not in activities


def test_an_unknown_stack_lists_the_stacks_there_are(local: Any, tmp_path: Path) -> None:
    assembly = write_stacks(
        tmp_path / "cdk.out",
        {"Dev": stack_template(unique("a"), "x"), "Prod": stack_template(unique("b"), "y")},
    )
    with pytest.raises(CloudAssemblyError, match=r"no stack 'Test' in .*\(stacks: Dev, Prod\)"):
        load_cloud_assembly(local.service, assembly, stacks=["Prod", "Test"])


def test_an_invalid_definition_names_its_stack_and_resource(local: Any, tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Broken": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": unique("broken"),
                    "Definition": {"StartAt": "Nowhere", "States": {}},
                },
            }
        }
    }
    assembly = write_stacks(tmp_path / "cdk.out", {"Bad": template})
    with pytest.raises(CloudAssemblyError, match=r"^Bad/Broken: InvalidDefinition: "):
        load_cloud_assembly(local.service, assembly)


def test_serve_reports_a_clash_in_one_line(tmp_path: Path) -> None:
    assembly = write_stacks(
        tmp_path / "cdk.out",
        {"Dev": stack_template("sfini", "dev"), "Prod": stack_template("sfini", "prod")},
    )
    result = CliRunner().invoke(cli, ["local", "serve", "--port", "0", "--cdk-out", str(assembly)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: state machine name 'sfiniSM'")
    assert "'Dev'" in lines[0] and "'Prod'" in lines[0]


def test_serve_stack_needs_cdk_out() -> None:
    result = CliRunner().invoke(cli, ["local", "serve", "--port", "0", "--stack", "Dev"])
    assert result.exit_code == 2
    assert "--stack selects stacks of --cdk-out DIR" in result.output
