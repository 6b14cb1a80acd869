"""WorkflowStack: activities and state machines bundled, outputs named for the runtime."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

import sfini_cdk as sfini
from sfini_cdk.constructs import WorkflowStack, activity_output_key, state_machine_output_key
from sfini_cdk.errors import InvalidDefinition
from tests.sfini_cdk.constructs.conftest import registration, template_of


def test_outputs_hold_the_arns_under_the_documented_keys() -> None:
    acts = registration("app-", "resize")
    child = sfini.construct_state_machine("child-sm", sfini.Pass("p"))
    resize = sfini.Task("resize", acts.activities["app-resize"])
    resize.goes_to(sfini.Task("runChild", sfini.StateMachineResource(child)))
    parent = sfini.construct_state_machine("parent", resize)

    # The parent is listed first: the child it starts is still deployed before it.
    stack = WorkflowStack(cdk.App(), "Workflows", registration=acts, state_machines=[parent, child])
    template = template_of(stack)

    outputs = template["Outputs"]
    assert set(outputs) == {
        activity_output_key("app-resize"),
        state_machine_output_key("child-sm"),
        state_machine_output_key("parent"),
    }
    assert outputs[activity_output_key("app-resize")] == {
        "Description": "sfini activity app-resize",
        "Value": stack.resolve(stack.activities.arn_of("app-resize")),
    }
    assert outputs[state_machine_output_key("parent")]["Value"] == stack.resolve(
        stack.state_machines["parent"].state_machine_arn
    )
    parent_properties = template["Resources"][
        stack.resolve(stack.state_machines["parent"].state_machine_arn)["Ref"]
    ]["Properties"]
    assert parent_properties["DefinitionSubstitutions"]["StateMachinechildsm"] == stack.resolve(
        stack.state_machines["child-sm"].state_machine_arn
    )


def test_two_state_machines_with_one_name_are_rejected() -> None:
    one = sfini.construct_state_machine("same", sfini.Pass("a"))
    two = sfini.construct_state_machine("same", sfini.Pass("b"))
    with pytest.raises(InvalidDefinition, match="'same'"):
        WorkflowStack(cdk.App(), "W", registration=None, state_machines=[one, two])


def _physical_names(template: dict, resource_type: str, key: str) -> list[str]:
    return [
        r["Properties"][key] for r in template["Resources"].values() if r["Type"] == resource_type
    ]


def test_a_name_prefix_renames_what_the_stack_deploys_and_nothing_else() -> None:
    acts = registration("app-", "resize")
    child = sfini.construct_state_machine("child-sm", sfini.Pass("p"))
    resize = sfini.Task("resize", acts.activities["app-resize"])
    resize.goes_to(sfini.Task("runChild", sfini.StateMachineResource(child)))
    parent = sfini.construct_state_machine("parent", resize)
    plain = template_of(
        WorkflowStack(cdk.App(), "Plain", registration=acts, state_machines=[parent, child])
    )
    stack = WorkflowStack(
        cdk.App(), "Dev", registration=acts, state_machines=[parent, child], name_prefix="dev-"
    )
    template = template_of(stack)

    activity_type, machine_type = "AWS::StepFunctions::Activity", "AWS::StepFunctions::StateMachine"
    assert _physical_names(template, activity_type, "Name") == ["dev-app-resize"]
    assert sorted(_physical_names(template, machine_type, "StateMachineName")) == [
        "dev-child-sm",
        "dev-parent",
    ]
    assert sorted(_physical_names(template, "AWS::Logs::LogGroup", "LogGroupName")) == [
        "/aws/vendedlogs/states/dev-child-sm",
        "/aws/vendedlogs/states/dev-parent",
    ]
    # Same definitions; outputs keyed and described by the sfini names.
    assert sorted(_physical_names(template, machine_type, "DefinitionString")) == sorted(
        _physical_names(plain, machine_type, "DefinitionString")
    )
    assert template["Outputs"][activity_output_key("app-resize")]["Description"] == (
        "sfini activity app-resize"
    )
    assert stack.activities.physical_name("app-resize") == "dev-app-resize"
    # The .sync IAM names the prefixed child's executions.
    statements = [
        s
        for r in template["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    executions = [s["Resource"] for s in statements if "states:DescribeExecution" in s["Action"]]
    assert executions and ":execution:dev-child-sm:*" in str(executions)


def test_a_prefix_making_a_name_too_long_is_rejected() -> None:
    machine = sfini.construct_state_machine("m" * 70, sfini.Pass("p"))
    with pytest.raises(InvalidDefinition, match="80"):
        WorkflowStack(
            cdk.App(), "W", registration=None, state_machines=[machine], name_prefix="x" * 11
        )


def test_constructs_work_below_the_stack_and_inside_stages() -> None:
    from constructs import Construct

    from sfini_cdk.constructs import Activities, StateMachine

    app = cdk.App()
    stack = cdk.Stack(cdk.Stage(app, "Prod"), "Workflows")
    group = Construct(stack, "Group")
    acts = registration("p", "a")
    activities = Activities(Construct(group, "Deep"), "Acts", acts)
    # Not passed: the machine finds the activities deployed elsewhere in the same stack.
    StateMachine(
        group, "SM", sfini.construct_state_machine("m", sfini.Task("t", acts.activities["pa"]))
    )

    template = template_of(stack)
    (machine,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    ]
    assert machine["DefinitionSubstitutions"] == {
        "Activitypa": stack.resolve(activities.arn_of("pa"))
    }
