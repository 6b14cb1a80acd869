"""``benchmarks/synth.py`` measures like against like: every variant deploys the same workflow."""

from __future__ import annotations

import json
import os
from typing import Any

import aws_cdk as cdk
import pytest

from benchmarks import synth
from sfini_cdk.constructs._node import tuning_option

STATES = 30


def _definition(build: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    """The definition ``build`` deploys, ARN tokens written as ``ARN``."""
    definition_file = tmp_path / "definition.json"
    definition_file.write_text(synth.render_for_string(STATES))
    monkeypatch.setenv(synth.DEFINITION_ENV, str(definition_file))
    stack = cdk.Stack(cdk.App(), "Bench")
    build(stack, STATES)
    template = cdk.assertions.Template.from_stack(stack).to_json()
    (machine,) = (
        r for r in template["Resources"].values() if r["Type"] == "AWS::StepFunctions::StateMachine"
    )
    body = machine["Properties"]["DefinitionString"]
    if isinstance(body, dict):  # L2: Fn::Join of strings and the activity's ARN
        body = "".join(part if isinstance(part, str) else "ARN" for part in body["Fn::Join"][1])
    for key in machine["Properties"].get("DefinitionSubstitutions", {}):
        body = body.replace("${" + key + "}", "ARN")
    return json.loads(body)


def _shape(definition: dict[str, Any]) -> dict[str, Any]:
    """What each state does: type, resource, result, paths, transitions and choice rules."""
    keep = ("Type", "Resource", "Result", "ResultPath", "Next", "End", "Default", "Choices")
    return {
        "StartAt": definition["StartAt"],
        "States": {
            name: {k: v for k, v in state.items() if k in keep}
            for name, state in definition["States"].items()
        },
    }


def test_every_variant_deploys_the_same_workflow(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    shapes = {
        name: _shape(_definition(build, monkeypatch, tmp_path))
        for name, build in (
            ("sfini", synth.build_sfini),
            ("string", synth.build_string),
            ("l2", synth.build_l2),
        )
    }
    assert len(shapes["sfini"]["States"]) == STATES
    assert {state["Type"] for state in shapes["sfini"]["States"].values()} == {
        "Task",
        "Pass",
        "Choice",
        "Succeed",
    }
    assert shapes["string"] == shapes["sfini"]
    assert shapes["l2"] == shapes["sfini"]


def test_baselines_run_without_sfinis_node_tuning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("NODE_OPTIONS", f"--max-old-space-size=1000 {tuning_option()}")
    env = synth.child_environment(False, str(tmp_path))
    assert env["NODE_OPTIONS"] == "--max-old-space-size=1000"
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    assert env["JSII_NODE"] == os.environ["JSII_NODE"]  # one Node.js for every variant
    assert synth.child_environment(False, str(tmp_path), True)["SFINI_CDK_NODE_TUNING"] == "0"
