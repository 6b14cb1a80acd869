"""Loading a cloud assembly's activities and state machines into the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.local.service.cdk_out import CloudAssemblyError, load_cloud_assembly

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
