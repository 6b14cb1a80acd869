"""Binding a sfini ``Lambda`` to a CDK ``aws_lambda.IFunction`` (``functions=`` of
``StateMachine`` and ``WorkflowStack``): the Task's ARN comes from the function, the role may
invoke exactly that function, and bad bindings are refused."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_

import sfini_cdk as sfini
from sfini_cdk.constructs import InvalidConstructOption, StateMachine, WorkflowStack
from tests.sfini_cdk.constructs.conftest import resources_of, role_statements

PRICING = sfini.Lambda("pricing")


def function(scope: cdk.Stack, id: str = "Pricing") -> lambda_.Function:
    """A Python function with no fixed name."""
    return lambda_.Function(
        scope,
        id,
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return event\n"),
    )


def pricing_machine(name: str = "shop", resource: object = PRICING) -> sfini.StateMachine:
    return sfini.construct_state_machine(name, sfini.Task("Price", resource))


def logical_id(stack: cdk.Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


def machine(stack: cdk.Stack) -> dict[str, Any]:
    (properties,) = [
        r["Properties"] for r in resources_of(stack, "AWS::StepFunctions::StateMachine").values()
    ]
    return properties


def invoke_resources(stack: cdk.Stack) -> list[Any]:
    (statement,) = [s for s in role_statements(stack) if s["Action"] == "lambda:InvokeFunction"]
    return statement["Resource"]


@pytest.mark.parametrize("key", [PRICING, "pricing"], ids=["sfini Lambda", "its name"])
def test_a_bound_lambda_runs_the_cdk_function(stack: cdk.Stack, key: object) -> None:
    fn = function(stack)
    StateMachine(stack, "Shop", pricing_machine(), functions={key: fn})
    properties = machine(stack)
    definition = json.loads(properties["DefinitionString"])
    assert definition["States"]["Price"]["Resource"] == "${Functionpricing}"
    fn_id = logical_id(stack, fn)
    arn = {"Fn::GetAtt": [fn_id, "Arn"]}
    assert properties["DefinitionSubstitutions"] == {"Functionpricing": arn}
    # Least privilege: exactly this function, and its versions and aliases.
    assert invoke_resources(stack) == [arn, {"Fn::Join": ["", [arn, ":*"]]}]


def test_an_unbound_lambda_is_still_referenced_by_name(stack: cdk.Stack) -> None:
    fn = function(stack)
    other = sfini.Lambda("label")
    price = sfini.Task("Price", PRICING)
    price.goes_to(sfini.Task("Label", other))
    sm = sfini.construct_state_machine("shop", price)
    StateMachine(stack, "Shop", sm, functions={PRICING: fn})
    substitutions = machine(stack)["DefinitionSubstitutions"]
    assert substitutions["Functionpricing"] == {"Fn::GetAtt": [logical_id(stack, fn), "Arn"]}
    label = json.dumps(stack.resolve(substitutions["Functionlabel"]))
    assert ":lambda:" in label and ":function:label" in label


def test_an_arn_string_is_not_rebound_by_its_name(stack: cdk.Stack) -> None:
    existing = "arn:aws:lambda:eu-west-1:123456789012:function:pricing"
    StateMachine(
        stack, "Shop", pricing_machine(resource=existing), functions={"pricing": function(stack)}
    )
    assert machine(stack)["DefinitionSubstitutions"] == {"Functionpricing": existing}


def test_workflow_stack_defines_and_binds_its_functions() -> None:
    made: list[lambda_.Function] = []

    def functions(stack: WorkflowStack) -> dict[object, lambda_.IFunction]:
        made.append(function(stack))
        return {PRICING: made[0]}

    stack = WorkflowStack(
        cdk.App(),
        "Shop",
        registration=None,
        state_machines=[pricing_machine()],
        functions=functions,
    )
    assert stack.functions == {"pricing": made[0]}
    assert cdk.Stack.of(made[0]) is stack
    arn = {"Fn::GetAtt": [logical_id(stack, made[0]), "Arn"]}
    assert machine(stack)["DefinitionSubstitutions"] == {"Functionpricing": arn}
    assert arn in invoke_resources(stack)


def test_workflow_stack_takes_a_mapping_too() -> None:
    app = cdk.App()
    elsewhere = cdk.Stack(app, "Functions")
    fn = function(elsewhere)
    stack = WorkflowStack(
        app, "Shop", registration=None, state_machines=[pricing_machine()], functions={PRICING: fn}
    )
    substitution = machine(stack)["DefinitionSubstitutions"]["Functionpricing"]
    assert "Fn::ImportValue" in json.dumps(substitution)  # a cross-stack reference to its ARN


def test_a_binding_no_task_uses_is_refused() -> None:
    app = cdk.App()
    with pytest.raises(InvalidConstructOption, match=r"no Task .* runs Lambda 'pricnig'"):
        WorkflowStack(
            app,
            "Shop",
            registration=None,
            state_machines=[pricing_machine()],
            functions=lambda stack: {"pricnig": function(stack)},
        )


@pytest.mark.parametrize(
    ("functions", "message"),
    [
        ({42: None}, "a key must be a sfini Lambda or its name, got 42"),
        ({"": None}, "a key must be a sfini Lambda or its name"),
        ({PRICING: "arn:aws:lambda:eu-west-1:1:function:x"}, "must be bound to an aws_lambda"),
    ],
)
def test_bad_bindings_are_refused(
    stack: cdk.Stack, functions: dict[Any, Any], message: str
) -> None:
    with pytest.raises(InvalidConstructOption, match=message):
        StateMachine(stack, "Shop", pricing_machine(), functions=functions)


def test_two_functions_for_one_lambda_are_refused(stack: cdk.Stack) -> None:
    one, two = function(stack, "One"), function(stack, "Two")
    with pytest.raises(InvalidConstructOption, match="two functions are bound to Lambda 'pricing'"):
        StateMachine(stack, "Shop", pricing_machine(), functions={PRICING: one, "pricing": two})


def test_a_mapping_is_checked_before_the_stack_joins_the_app() -> None:
    app = cdk.App()
    fn = function(cdk.Stack(app, "Functions"))
    with pytest.raises(InvalidConstructOption, match="runs Lambda 'label'"):
        WorkflowStack(
            app,
            "Shop",
            registration=None,
            state_machines=[pricing_machine()],
            functions={"label": fn},
        )
    assert app.node.try_find_child("Shop") is None
