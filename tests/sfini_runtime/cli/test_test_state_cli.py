"""``sfini test-state``: one state run with TestState on the local engine, shown as lines or
``--json``; exit 1 when it FAILED; bad options and API refusals are one error line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from sfini_runtime.cli import cli

PASS = {
    "Type": "Pass",
    "InputPath": "$.data",
    "Parameters": {"got.$": "$.value"},
    "Next": "Done",
}
TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "f", "Payload.$": "$"},
    "OutputPath": "$.Payload",
    "Catch": [{"ErrorEquals": ["Boom"], "Next": "Recover"}],
    "End": True,
}


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["test-state", *args])


def test_the_outcome_is_shown_as_lines(engine: Any) -> None:
    result = _run("--definition", json.dumps(PASS), "--input", '{"data": {"value": 3}}')
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["SUCCEEDED -> Done", 'output: {"got": 3}']


def test_debug_lists_the_data_flow_steps(engine: Any, tmp_path: Path) -> None:
    definition = tmp_path / "state.json"
    definition.write_text(json.dumps(PASS))
    result = _run(
        "--definition",
        str(definition),
        "--input",
        '{"data": {"value": 3}}',
        "--inspection-level",
        "debug",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert '  afterInputPath: {"value": 3}' in lines
    assert '  afterParameters: {"got": 3}' in lines


def test_json_prints_the_response_with_its_json_read(engine: Any) -> None:
    result = _run(
        "--definition",
        json.dumps(TASK),
        "--mock-result",
        '{"Payload": {"ok": true}}',
        "--inspection-level",
        "TRACE",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "SUCCEEDED"
    assert data["output"] == {"ok": True}
    assert data["inspectionData"]["result"] == {"Payload": {"ok": True}}


def test_a_mocked_error_is_caught_or_fails_with_exit_status_1(engine: Any) -> None:
    caught = _run("--definition", json.dumps(TASK), "--mock-error", "Boom", "--json")
    assert caught.exit_code == 0, caught.output
    assert json.loads(caught.output)["nextState"] == "Recover"
    failed = _run(
        "--definition", json.dumps(TASK), "--mock-error", "Other", "--mock-cause", "it broke"
    )
    assert failed.exit_code == 1
    assert failed.output.splitlines() == ["FAILED", "error: Other", "cause: it broke"]


def test_a_machine_and_a_state_name(engine: Any) -> None:
    machine = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Result": 1, "Next": "B"}, "B": {"Type": "Succeed"}},
    }
    result = _run("--definition", json.dumps(machine), "--state-name", "A")
    assert result.output.splitlines() == ["SUCCEEDED -> B", "output: 1"]


def test_refusals_are_one_error_line(engine: Any) -> None:
    refused = _run("--definition", json.dumps({"Type": "Pass", "End": True}), "--mock-result", "{}")
    assert refused.exit_code == 1
    lines = refused.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert "ValidationException" in lines[0]
    assert "State type 'Pass' is not supported when a mock is specified" in lines[0]


def test_bad_options_are_one_error_line(engine: Any) -> None:
    not_json = _run("--definition", "no-such-file.json")
    assert not_json.exit_code == 1
    assert not_json.output.strip() == (
        "Error: the definition is neither JSON nor a file: no-such-file.json"
    )
    both = _run("--definition", "{}", "--mock-result", "{}", "--mock-error", "E")
    assert both.exit_code == 2
    assert "give --mock-result or --mock-error, not both" in both.output
