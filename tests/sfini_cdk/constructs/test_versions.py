"""Versions and aliases (``versions=`` / ``alias=`` of ``StateMachine`` and ``WorkflowStack``):
the CloudFormation resources, cfn-lint and cdk-nag on them, grants through a qualifier, bad
options, and discovery finding ``<name>:<alias>``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from cfnlint.api import ManualArgs, lint

import sfini_cdk as sfini
from sfini_cdk.constructs import (
    Alias,
    Deployment,
    InvalidConstructOption,
    StateMachine,
    Versions,
    WorkflowStack,
)
from sfini_runtime.discovery import arns_from_assembly, arns_from_outputs
from tests.sfini_cdk.conftest import FakeSession
from tests.sfini_cdk.constructs.conftest import only, resources_of, role_statements, template_of

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine"


def machine(name: str = "orders") -> sfini.StateMachine:
    return sfini.construct_state_machine(name, sfini.Pass(f"{name}-pass"))


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct)


def test_an_alias_moves_gradually_to_the_version_each_deployment_publishes(
    stack: cdk.Stack,
) -> None:
    alarm = cloudwatch.Alarm(
        stack,
        "Errors",
        metric=cloudwatch.Metric(namespace="AWS/States", metric_name="ExecutionsFailed"),
        threshold=1,
        evaluation_periods=1,
    )
    deployment = Deployment(type="CANARY", percentage=10, interval=5, alarms=[alarm, "other"])
    construct = StateMachine(
        stack,
        "Orders",
        machine(),
        versions=Versions(description="published by CDK"),
        alias=Alias("live", description="what callers use", deployment=deployment),
    )
    machine_id = logical_id(stack, construct.resource)
    version_id, version = next(
        iter(resources_of(stack, "AWS::StepFunctions::StateMachineVersion").items())
    )
    assert version["Properties"] == {
        "StateMachineArn": {"Ref": machine_id},
        "StateMachineRevisionId": {"Fn::GetAtt": [machine_id, "StateMachineRevisionId"]},
        "Description": "published by CDK",
    }
    # a new revision replaces the version resource; the old version stays for its executions
    assert version["DeletionPolicy"] == version["UpdateReplacePolicy"] == "Retain"
    alias = only(resources_of(stack, "AWS::StepFunctions::StateMachineAlias"))
    preference = alias["Properties"]["DeploymentPreference"]
    assert alias["Properties"]["Name"] == "live"
    assert "RoutingConfiguration" not in alias["Properties"]
    assert preference["StateMachineVersionArn"] == {"Ref": version_id}
    assert (preference["Type"], preference["Percentage"], preference["Interval"]) == (
        "CANARY",
        10,
        5,
    )
    assert preference["Alarms"] == [{"Ref": logical_id(stack, alarm.node.default_child)}, "other"]
    assert stack.resolve(construct.version_arn) == {"Ref": version_id}
    assert stack.resolve(construct.alias_arn) == {"Ref": logical_id(stack, construct.alias)}


def test_an_alias_without_a_deployment_routes_every_execution_to_the_new_version(
    stack: cdk.Stack,
) -> None:
    StateMachine(stack, "Orders", machine(), alias="live")  # implies versions
    (version_id,) = resources_of(stack, "AWS::StepFunctions::StateMachineVersion")
    alias = only(resources_of(stack, "AWS::StepFunctions::StateMachineAlias"))
    assert alias["Properties"]["RoutingConfiguration"] == [
        {"StateMachineVersionArn": {"Ref": version_id}, "Weight": 100}
    ]


def test_versions_alone_and_not_retained(stack: cdk.Stack) -> None:
    construct = StateMachine(stack, "Orders", machine(), versions=Versions(retain=False))
    version = only(resources_of(stack, "AWS::StepFunctions::StateMachineVersion"))
    assert version["DeletionPolicy"] == "Delete"
    assert resources_of(stack, "AWS::StepFunctions::StateMachineAlias") == {}
    assert construct.alias_arn is None
    plain = StateMachine(stack, "Plain", machine("plain"))
    assert plain.version_arn is None and plain.alias_arn is None


def test_alias_grant_allows_the_unqualified_arn_through_the_alias_only(stack: cdk.Stack) -> None:
    construct = StateMachine(stack, "Orders", machine(), alias="live")
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    construct.grant_start_alias_execution(caller)
    construct.grant_start_version_execution(caller)
    machine_ref = {"Ref": logical_id(stack, construct.resource)}
    by_qualifier = {
        json.dumps(s["Condition"], sort_keys=True): s
        for s in role_statements(stack)
        if s.get("Condition")
    }
    alias_statement = next(s for k, s in by_qualifier.items() if "live" in k)
    assert alias_statement["Action"] == "states:StartExecution"
    assert alias_statement["Resource"] == machine_ref  # not the alias ARN (aws-cdk #30265)
    assert alias_statement["Condition"] == {
        "StringEquals": {"states:StateMachineQualifier": "live"}
    }
    version_statement = next(s for k, s in by_qualifier.items() if "live" not in k)
    (version_id,) = resources_of(stack, "AWS::StepFunctions::StateMachineVersion")
    number = version_statement["Condition"]["StringEquals"]["states:StateMachineQualifier"]
    assert number == {"Fn::Select": [7, {"Fn::Split": [":", {"Ref": version_id}]}]}
    assert version_statement["Resource"] == machine_ref


def test_grants_need_the_alias_or_versions(stack: cdk.Stack) -> None:
    construct = StateMachine(stack, "Orders", machine())
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(InvalidConstructOption, match="'orders' has no alias"):
        construct.grant_start_alias_execution(caller)
    with pytest.raises(InvalidConstructOption, match="'orders' publishes no versions"):
        construct.grant_start_version_execution(caller)


def test_a_task_starting_an_alias_is_granted_through_its_qualifier(stack: cdk.Stack) -> None:
    nested = sfini.StateMachineResource(f"{ARN}:child:live", session=FakeSession())
    parent = sfini.construct_state_machine("parent", sfini.Task("run", nested))
    StateMachine(stack, "Parent", parent)
    (start,) = [s for s in role_statements(stack) if s["Action"] == "states:StartExecution"]
    assert start["Resource"] == f"{ARN}:child"
    assert start["Condition"] == {"StringEquals": {"states:StateMachineQualifier": "live"}}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (lambda: Alias("123"), "not only digits"),
        (lambda: Alias("has space"), "invalid alias name 'has space'"),
        (lambda: Alias("x" * 81), "1-80 letters"),
        (lambda: Alias("ok", description="d" * 257), "at most 256 characters"),
        (lambda: Versions(description="d" * 257), "at most 256 characters"),
        (lambda: Deployment(type="BLUE_GREEN"), "ALL_AT_ONCE, CANARY, LINEAR"),
        (lambda: Deployment(type="CANARY", interval=5), "CANARY deployment needs a percentage"),
        (lambda: Deployment(type="LINEAR", percentage=10), "LINEAR deployment needs a interval"),
        (lambda: Deployment(type="LINEAR", percentage=100, interval=1), "from 1 to 99"),
        (lambda: Deployment(type="CANARY", percentage=5, interval=2101), "from 1 to 2100 min"),
        (lambda: Deployment(percentage=5), "ALL_AT_ONCE deployment takes no percentage"),
        (lambda: Deployment(alarms=["a"] * 101), "at most 100 alarms"),
    ],
)
def test_bad_version_and_alias_options_are_refused(options: Any, message: str) -> None:
    with pytest.raises(InvalidConstructOption, match=message):
        options()


def test_an_alias_with_versions_turned_off_is_refused(stack: cdk.Stack) -> None:
    with pytest.raises(InvalidConstructOption, match="cannot be used with versions=False"):
        StateMachine(stack, "Orders", machine(), versions=False, alias="live")
    assert template_of(stack).get("Resources", {}) == {}  # refused before anything was added


def test_workflow_stack_outputs_and_discovery_find_the_alias(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path / "cdk.out"))
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    WorkflowStack(
        app,
        "Shop",
        registration=None,
        state_machines=[machine()],
        name_prefix="prod-",
        alias=Alias("live", deployment=Deployment(type="LINEAR", percentage=20, interval=10)),
    )
    assembly = app.synth()
    template = assembly.get_stack_by_name("Shop").template
    outputs = template["Outputs"]
    (alias_key,) = [k for k in outputs if k.startswith("SfiniAlias")]
    (version_key,) = [k for k in outputs if k.startswith("SfiniVersion")]
    assert outputs[alias_key]["Description"] == "sfini alias orders:live"
    assert outputs[version_key]["Description"] == "sfini version orders"

    # cfn-lint has nothing to say, and cdk-nag passes
    assert [
        str(m) for m in lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    ] == []
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["violations"] == []

    # from the template: the alias of the machine, by its sfini name
    deployed = arns_from_assembly(tmp_path / "cdk.out", session=FakeSession())
    assert deployed.state_machine_arn("orders:live").endswith(":stateMachine:prod-orders:live")
    assert deployed.state_machine_arn("orders").endswith(":stateMachine:prod-orders")
    # from a deployed stack's outputs: the alias and the version number CloudFormation gave
    described = arns_from_outputs(
        [
            {"OutputKey": k, "OutputValue": v, "Description": outputs[k]["Description"]}
            for k, v in (
                (alias_key, f"{ARN}:prod-orders:live"),
                (version_key, f"{ARN}:prod-orders:3"),
                (
                    next(k for k in outputs if k.startswith("SfiniStateMachine")),
                    f"{ARN}:prod-orders",
                ),
            )
        ]
    )
    assert described.state_machine_arn("orders:live") == f"{ARN}:prod-orders:live"
    assert described.state_machine_arn("orders:3") == f"{ARN}:prod-orders:3"
    assert described.state_machine_arn("orders") == f"{ARN}:prod-orders"
    assert "orders:live" in described.names("stateMachine")


def test_the_template_keeps_the_stack_deletable(stack: cdk.Stack) -> None:
    StateMachine(stack, "Orders", machine(), alias="live")
    resources = template_of(stack)["Resources"]
    (alias_id,) = [k for k, r in resources.items() if r["Type"].endswith("StateMachineAlias")]
    (version_id,) = [k for k, r in resources.items() if r["Type"].endswith("StateMachineVersion")]
    # the alias refers to the version, so CloudFormation deletes the alias first
    assert json.dumps(resources[alias_id]).count(version_id) == 1
