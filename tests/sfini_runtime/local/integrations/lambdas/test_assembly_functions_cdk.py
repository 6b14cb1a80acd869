"""A real CDK app's Python Lambda functions (``aws_lambda.Function`` with code from an asset
folder and inline code, called by ``LambdaInvoke`` in both output forms) run on the local engine
as synthesised; a Node.js function is listed as not served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks

from sfini_runtime.local import LocalEngine

from .._helpers import run, types

pytestmark = [pytest.mark.cdk, pytest.mark.engine]

HANDLER = """
import os

def handler(event, context):
    return {
        "total": sum(item["price"] for item in event["items"]),
        "currency": os.environ["CURRENCY"],
        "memory": context.memory_limit_in_mb,
        "left": context.get_remaining_time_in_millis(),
    }
"""


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    code = tmp_path_factory.mktemp("pricing")
    (code / "pricing.py").write_text(HANDLER)
    out = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(out))
    stack = cdk.Stack(app, "Shop")
    pricing = lambda_.Function(
        stack,
        "Pricing",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="pricing.handler",
        code=lambda_.Code.from_asset(str(code)),
        environment={"CURRENCY": "EUR"},
        memory_size=512,
        timeout=cdk.Duration.seconds(20),
    )
    label = lambda_.Function(
        stack,
        "Label",
        function_name="label",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="index.handler",
        code=lambda_.Code.from_inline(
            "def handler(event, context):\n"
            "    price = event['price']\n"
            "    return f\"{price['total']} {price['currency']}\"\n"
        ),
    )
    lambda_.Function(
        stack,
        "Notify",
        function_name="notify",
        runtime=lambda_.Runtime.NODEJS_20_X,
        handler="index.handler",
        code=lambda_.Code.from_inline("exports.handler = async () => 'sent';"),
    )
    price = tasks.LambdaInvoke(
        stack, "Price", lambda_function=pricing, result_selector={"price.$": "$.Payload"}
    )
    describe = tasks.LambdaInvoke(
        stack,
        "Describe",
        lambda_function=label,
        payload_response_only=True,
    )
    sfn.StateMachine(
        stack,
        "Checkout",
        state_machine_name="checkout",
        definition_body=sfn.DefinitionBody.from_chainable(price.next(describe)),
    )
    app.synth()
    return out


@pytest.fixture(scope="module")
def engine(assembly: Path) -> Iterator[LocalEngine]:
    with LocalEngine(cdk_out=assembly) as local:
        yield local


def test_the_synthesised_workflow_runs_its_python_functions(engine: LocalEngine) -> None:
    client = engine.client()
    described = run(
        client,
        "arn:aws:states:us-east-1:123456789012:stateMachine:checkout",
        {"items": [{"price": 3}, {"price": 4}]},
    )
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == "7 EUR"
    events = client.get_execution_history(executionArn=described["executionArn"])["events"]
    price = next(e for e in events if e["type"] == "TaskSucceeded")
    result: dict[str, Any] = json.loads(price["taskSucceededEventDetails"]["output"])
    payload = result["Payload"]
    assert payload["memory"] == "512" and 15_000 < payload["left"] <= 20_000
    assert result["StatusCode"] == 200 and result["ExecutedVersion"] == "$LATEST"
    kinds = types(client, described["executionArn"])
    assert kinds.count("TaskSucceeded") == 1  # lambda:invoke, then the function ARN as Resource
    assert kinds.count("LambdaFunctionSucceeded") == 1


def test_generated_names_and_unserved_runtimes(engine: LocalEngine) -> None:
    served = {config.name for config in engine.lambdas.served()}
    assert "label" in served
    assert any(name.startswith("Shop-Pricing") for name in served)
    unserved = {name: reason for name, _arn, reason in engine.lambdas.unserved()}
    assert list(unserved) == ["notify"]
    assert "nodejs20.x is not Python" in unserved["notify"]
