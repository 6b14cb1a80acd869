"""``sfini validate``: ASL JSON and YAML files and every state machine of a cloud assembly,
checked with the engine's rules; exit 1 on errors, ``--json``, one error line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfini_runtime.cli import cli
from tests.cloud_assembly import write_stack_assembly

GOOD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
BAD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}


def _machine(definition: dict[str, Any], name: str) -> dict[str, Any]:
    body = json.dumps(definition).replace("ACTIVITY", '", {"Ref": "Work"}, "')
    parts = body.split('", {"Ref": "Work"}, "')
    joined: Any = (
        {"Fn::Join": ["", [parts[0], {"Ref": "Work"}, parts[1]]]} if len(parts) == 2 else body
    )
    return {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"StateMachineName": name, "DefinitionString": joined, "RoleArn": "r"},
    }


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (tmp_path / "bad.json").write_text(json.dumps(BAD))
    (tmp_path / "good.yaml").write_text("StartAt: A\nStates:\n  A:\n    Type: Succeed\n")
    (tmp_path / "broken.yaml").write_text("StartAt: [A\n")
    (tmp_path / "not-json.json").write_text("{oops")
    task = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "ACTIVITY", "End": True}}}
    write_stack_assembly(
        tmp_path / "cdk.out",
        {
            "Good": {
                "Resources": {
                    "Work": {"Type": "AWS::StepFunctions::Activity", "Properties": {"Name": "w"}},
                    "Flow": _machine(task, "flow"),
                }
            },
            "Bad": {"Resources": {"Broken": _machine(BAD, "broken")}},
        },
    )
    return tmp_path


def _run(files: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False, obj={})


def test_valid_files_pass(files: Path) -> None:
    result = _run(files, str(files / "good.json"), str(files / "good.yaml"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"OK    {files / 'good.json'}",
        f"OK    {files / 'good.yaml'}",
    ]


def test_an_invalid_definition_fails_with_the_diagnostic(files: Path) -> None:
    result = _run(files, str(files / "good.json"), str(files / "bad.json"))
    assert result.exit_code == 1
    assert (
        f"FAIL  {files / 'bad.json'}: MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere "
        "at /States/A/Next"
    ) in result.output.splitlines()
    assert "MISSING_END_STATE" in result.output


def test_text_that_is_not_json_is_a_diagnostic(files: Path) -> None:
    result = _run(files, str(files / "not-json.json"), "--json")
    assert result.exit_code == 1
    (report,) = json.loads(result.output)
    assert report["result"] == "FAIL"
    assert report["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"


def test_every_state_machine_of_a_cloud_assembly(files: Path) -> None:
    result = _run(files, str(files / "cdk.out"), "--json")
    assert result.exit_code == 1
    reports = {r["source"]: r for r in json.loads(result.output)}
    assert set(reports) == {"Good/Flow", "Bad/Broken"}
    assert reports["Good/Flow"] == {"source": "Good/Flow", "result": "OK", "diagnostics": []}
    assert reports["Bad/Broken"]["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"
    only_good = _run(files, str(files / "cdk.out"), "--stack", "Good")
    assert only_good.exit_code == 0 and only_good.output == "OK    Good/Flow\n"


@pytest.mark.parametrize(
    ("target", "extra", "message"),
    [
        ("missing.json", [], "Error: no such file or directory: missing.json"),
        ("broken.yaml", [], "broken.yaml is not YAML:"),
        ("cdk.out", ["--stack", "Nope"], "no stack 'Nope' in cdk.out (stacks: Bad, Good)"),
    ],
)
def test_bad_input_is_one_error_line(files: Path, target: str, extra: list[str], message: str):
    done = subprocess.run(
        [sys.executable, "-m", "sfini_runtime.cli", "validate", target, *extra],
        cwd=files,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr, done.stderr
