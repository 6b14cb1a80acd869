"""``serve --cdk-out`` / ``load_cloud_assembly`` with versions and aliases: the template's
``StateMachineVersion`` is published and its ``StateMachineAlias`` created, so executions can
start through the alias as they would on AWS after the deployment."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

import sfini_cdk as sfini
from sfini_cdk.constructs import Alias, Deployment, WorkflowStack
from sfini_runtime.local.service.cdk_out import NotLoadable, load_cloud_assembly
from tests.sfini_runtime.local.service.helpers import unique
from tests.sfini_runtime.local.service.test_cdk_out import write_assembly


def synthesise(out: Path, name: str, **options: Any) -> Path:
    app = cdk.App(outdir=str(out))
    machine = sfini.construct_state_machine(name, sfini.Pass(f"{name}-pass", result={"v": 1}))
    WorkflowStack(app, "Shop", registration=None, state_machines=[machine], **options)
    app.synth()
    return out


def test_an_alias_with_a_deployment_preference_routes_to_the_published_version(
    local: Any, sfn: Any, tmp_path: Path
) -> None:
    name = unique("orders")
    deployment = Deployment(type="CANARY", percentage=10, interval=5)
    out = synthesise(tmp_path / "cdk.out", name, alias=Alias("live", deployment=deployment))
    created = load_cloud_assembly(local.service, out)
    machine = local.service.arns.state_machine(name)
    assert created == [machine, f"{machine}:1", f"{machine}:live"]
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{machine}:live")
    # a CloudFormation deployment ends with every execution on the new version
    assert alias["routingConfiguration"] == [
        {"stateMachineVersionArn": f"{machine}:1", "weight": 100}
    ]
    started = sfn.start_execution(stateMachineArn=f"{machine}:live", input="{}")
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["stateMachineAliasArn"] == f"{machine}:live"
    assert described["stateMachineVersionArn"] == f"{machine}:1"
    # loading again publishes no second version and keeps the alias
    assert load_cloud_assembly(local.service, out) == created
    versions = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in versions] == [f"{machine}:1"]


def test_versions_without_an_alias_are_published(local: Any, sfn: Any, tmp_path: Path) -> None:
    name = unique("billing")
    created = load_cloud_assembly(
        local.service, synthesise(tmp_path / "cdk.out", name, versions=True)
    )
    machine = local.service.arns.state_machine(name)
    assert created == [machine, f"{machine}:1"]
    version = sfn.describe_state_machine(stateMachineArn=f"{machine}:1")
    assert json.loads(version["definition"])["StartAt"] == f"{name}-pass"


def _weighted_template(name: str) -> dict[str, Any]:
    machine = {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "StateMachineName": name,
            "Definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        },
    }
    version = {
        "Type": "AWS::StepFunctions::StateMachineVersion",
        "Properties": {
            "StateMachineArn": {"Ref": "Machine"},
            "StateMachineRevisionId": {"Fn::GetAtt": ["Machine", "StateMachineRevisionId"]},
            "Description": "first",
        },
    }
    alias = {
        "Type": "AWS::StepFunctions::StateMachineAlias",
        "Properties": {
            "Name": "prod",
            "Description": "weighted",
            "RoutingConfiguration": [
                {"StateMachineVersionArn": {"Fn::GetAtt": ["Version", "Arn"]}, "Weight": 100}
            ],
        },
    }
    # the alias first: creation follows the references, not the template's order
    return {"Resources": {"Alias": alias, "Machine": machine, "Version": version}}


def test_routing_configuration_and_descriptions_come_from_the_template(
    local: Any, sfn: Any, tmp_path: Path
) -> None:
    name = unique("weighted")
    load_cloud_assembly(local.service, write_assembly(tmp_path / "a", _weighted_template(name)))
    machine = local.service.arns.state_machine(name)
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{machine}:prod")
    assert alias["description"] == "weighted"
    assert alias["routingConfiguration"][0]["stateMachineVersionArn"] == f"{machine}:1"
    version = sfn.describe_state_machine(stateMachineArn=f"{machine}:1")
    assert version["description"] == "first"


def test_an_alias_the_engine_refuses_names_its_stack_and_resource(
    local: Any, tmp_path: Path
) -> None:
    template = _weighted_template(unique("refused"))
    bad = copy.deepcopy(template)
    bad["Resources"]["Alias"]["Properties"]["RoutingConfiguration"][0]["Weight"] = 101
    with pytest.raises(NotLoadable, match=r"^App/Alias: ValidationException: "):
        load_cloud_assembly(local.service, write_assembly(tmp_path / "b", bad))
    empty = copy.deepcopy(template)
    del empty["Resources"]["Alias"]["Properties"]["RoutingConfiguration"]
    with pytest.raises(
        NotLoadable,
        match=r"^App/Alias: an alias needs a RoutingConfiguration or a DeploymentPreference$",
    ):
        load_cloud_assembly(local.service, write_assembly(tmp_path / "c", empty))
