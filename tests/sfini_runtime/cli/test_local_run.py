"""``sfini local run``: one workflow module or one stack run end to end on an embedded engine,
as a process: history and output printed, exit 0 only when the execution succeeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine

FLOW = """
import sfini_cdk as sfini

activities = sfini.ActivityRegistration(prefix="run")


@activities.activity("Double")
def double(data):
    return {"price": data["price"] * 2}


def price(event, context):
    return {"price": event["price"] + 1, "function": context.function_name}


lambdas = {"pricing": price}

priced = sfini.Task("price", sfini.Lambda("pricing"))
doubled = sfini.Task("double", double)
priced.goes_to(doubled)
sm = sfini.construct_state_machine("runPricing", priced)


def example_input():
    return {"price": 10}
"""


def _sfini(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
    return subprocess.run(
        [sys.executable, "-m", "sfini_runtime.cli", "local", "run", *arguments],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "pricing_flow.py").write_text(FLOW)
    return tmp_path


def test_a_module_runs_with_its_lambdas_and_workers(workdir: Path) -> None:
    done = _sfini(workdir, "pricing_flow")
    assert done.returncode == 0, done.stderr
    assert "-- pricing_flow: ok (SUCCEEDED)" in done.stdout
    assert "LambdaFunctionSucceeded" in done.stdout and "ActivitySucceeded" in done.stdout
    assert 'Output: {"price": 22}' in done.stdout  # (10 + 1) * 2
    assert "[pricing_flow] double" in done.stdout  # the plain log (not a terminal)


def test_input_and_a_failing_execution_exit_1_with_its_history(workdir: Path) -> None:
    done = _sfini(workdir, "pricing_flow.py", "--input", '{"price": "ten"}')
    assert done.returncode == 1
    assert "-- pricing_flow: FAILED (FAILED, expected SUCCEEDED)" in done.stdout
    assert "LambdaFunctionFailed" in done.stdout
    assert "error: TypeError" in done.stdout


def test_a_mock_configuration_test_case_answers_the_lambda(workdir: Path) -> None:
    mocks = {
        "StateMachines": {"runPricing": {"TestCases": {"Cheap": {"price": "OnePound"}}}},
        "MockedResponses": {"OnePound": {"0": {"Return": {"price": 1}}}},
    }
    (workdir / "mocks.json").write_text(json.dumps(mocks))
    done = _sfini(workdir, "pricing_flow", "--mock-config", "mocks.json", "--test-case", "Cheap")
    assert done.returncode == 0, done.stderr
    assert 'Output: {"price": 2}' in done.stdout


def test_a_stack_of_a_cloud_assembly_runs(workdir: Path) -> None:
    from tests.cloud_assembly import write_stack_assembly

    definition = {
        "StartAt": "double",
        "States": {"double": {"Type": "Task", "Resource": "${Act}", "End": True}},
    }
    template = {
        "Resources": {
            "Act": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": "runDouble"},
                "Metadata": {"sfini:activity": {"name": "runDouble", "module": "pricing_flow"}},
            },
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": "prices",
                    "RoleArn": "arn:aws:iam::123456789012:role/run",
                    "DefinitionString": json.dumps(definition),
                    "DefinitionSubstitutions": {"Act": {"Ref": "Act"}},
                },
            },
        }
    }
    write_stack_assembly(workdir / "cdk.out", {"Prices": template, "Other": {"Resources": {}}})
    done = _sfini(workdir, "cdk.out", "--stack", "Prices", "--input", '{"price": 4}')
    assert done.returncode == 0, done.stderr
    assert "-- Prices: ok (SUCCEEDED)" in done.stdout
    assert 'Output: {"price": 8}' in done.stdout
    several = _sfini(workdir, "cdk.out")
    assert several.returncode == 1
    assert several.stderr.strip().splitlines() == [
        "Error: cdk.out has 2 stacks (Other, Prices): choose one with --stack"
    ]
