from __future__ import annotations

import json
from typing import Any

import pytest

from sfini_asl.checker import check_definition
from sfini_runtime.local.errors import InvalidDefinition
from sfini_runtime.local.interpreter.definition import compile_definition
from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.jsonpath.dataflow import StateDataflow

from ._dataplane_corpus import case_id, normalise_cause, run_simple_machine, simple_cases

SIMPLE_CASES = list(simple_cases("base", "context_object", "scenarios"))


def test_the_corpus_has_simple_dataflow_cases() -> None:
    ids = {case_id(case) for case in SIMPLE_CASES}
    assert len(SIMPLE_CASES) >= 10
    assert any("INVALID_JSONPATH_IN_INPUTPATH" in name for name in ids)


@pytest.mark.parametrize("case", SIMPLE_CASES, ids=case_id)
def test_simple_machine_matches_aws(case: dict[str, Any]) -> None:
    status, output, error, cause = run_simple_machine(case)
    expect = case["expect"]
    assert status == expect["status"]
    if status == "SUCCEEDED":
        assert output == expect["output"]
    else:
        assert error == expect.get("error")
        assert normalise_cause(cause) == expect.get("cause")


# The AWS docs' InputPath/ResultPath/OutputPath example (a Lambda adding two numbers).
DOC_INPUT = {
    "comment": "An input comment.",
    "data": {"val1": 23, "val2": 17},
    "extra": "foo",
    "lambda": {"who": "AWS Step Functions", "where": "Seattle"},
}


@pytest.mark.parametrize(
    ("fields", "result", "expected_effective", "expected_output"),
    [
        ({}, 40, DOC_INPUT, 40),
        (
            {"InputPath": "$.data", "ResultPath": "$.data.result", "OutputPath": "$.data"},
            40,
            {"val1": 23, "val2": 17},
            {"val1": 23, "val2": 17, "result": 40},
        ),
        ({"InputPath": "$.lambda", "ResultPath": None}, "Hello", DOC_INPUT["lambda"], DOC_INPUT),
        ({"ResultPath": "$.taskresult", "OutputPath": "$.taskresult"}, "Hi", DOC_INPUT, "Hi"),
        ({"InputPath": None, "OutputPath": None}, 1, {}, {}),
        (
            {"Parameters": {"sum.$": "States.MathAdd($.data.val1, $.data.val2)"}},
            {"ok": True},
            {"sum": 40},
            {"ok": True},
        ),
        (
            {"ResultSelector": {"ok.$": "$.ok", "where.$": "$$.State.Name"}, "ResultPath": "$.r"},
            {"ok": True, "noise": 1},
            DOC_INPUT,
            {**DOC_INPUT, "r": {"ok": True, "where": "Task"}},
        ),
        ({"InputPath": "$$.Execution.Input.extra"}, 1, "foo", 1),
    ],
)
def test_docs_examples(
    fields: dict[str, Any], result: Any, expected_effective: Any, expected_output: Any
) -> None:
    context = {"State": {"Name": "Task"}, "Execution": {"Input": DOC_INPUT}}
    flow = StateDataflow.compile("Task", {"Type": "Task", **fields})
    assert flow.effective_input(DOC_INPUT, context) == expected_effective
    assert flow.result_to_output(DOC_INPUT, result, context) == expected_output


def test_absent_fields_pass_values_through_uncopied() -> None:
    flow = StateDataflow.compile("P", {"Type": "Pass", "Next": "X"})
    assert flow.passthrough
    value = {"a": [1]}
    assert flow.effective_input(value, None) is value
    assert flow.select_result(value, None) is value
    assert flow.apply_result({"other": 1}, value) is value
    assert flow.output(value) is value
    assert flow.result_to_output({"other": 1}, value, None) is value
    explicit_root = StateDataflow.compile("P", {"InputPath": "$", "OutputPath": "$"})
    assert explicit_root.passthrough


@pytest.mark.parametrize(
    ("field", "cause"),
    [
        ("InputPath", "Invalid path '$.nope' : No results for path: $['nope']"),
        ("OutputPath", "Invalid path '$.nope' : No results for path: $['nope']"),
    ],
)
def test_missing_input_and_output_paths(field: str, cause: str) -> None:
    flow = StateDataflow.compile("S", {field: "$.nope"})
    with pytest.raises(StatesError) as raised:
        if field == "InputPath":
            flow.effective_input({"a": 1}, None)
        else:
            flow.output({"a": 1})
    assert raised.value.error == "States.Runtime"
    assert raised.value.cause == cause
    assert raised.value.in_state


def test_result_path_failure_is_a_catchable_states_error() -> None:
    flow = StateDataflow.compile("S", {"ResultPath": "$.a.b"})
    with pytest.raises(StatesError) as raised:
        flow.apply_result({"a": "text"}, 1)
    assert raised.value.error == "States.ResultPathMatchFailure"
    assert raised.value.cause == 'Unable to apply ReferencePath $.a.b to input {"a":"text"}'


TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "T"}
MAP = {
    "Type": "Map",
    "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}},
    "Next": "T",
}


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({**TASK, "InputPath": "nope"}, "InputPath"),
        ({**TASK, "InputPath": 3}, "InputPath"),
        ({**TASK, "InputPath": "$v.a["}, "InputPath"),
        ({**TASK, "OutputPath": "$.a["}, "OutputPath"),
        ({**TASK, "ResultPath": "$.a[*]"}, "ResultPath"),
        ({**TASK, "ResultPath": "$$.Execution"}, "ResultPath"),
        ({**TASK, "ResultPath": 1}, "ResultPath"),
        ({**TASK, "Parameters": {"a.$": "nope"}}, "Parameters"),
        ({**TASK, "Parameters": {"a.$": "$v.a["}}, "Parameters"),
        ({**TASK, "ResultSelector": {"a.$": 1}}, "ResultSelector"),
        ({**MAP, "ItemSelector": {"a.$": "States.Nope()"}}, "ItemSelector"),
    ],
)
def test_the_checker_refuses_invalid_fields_before_they_are_compiled(
    state: dict[str, Any], field: str
) -> None:
    """The data flow compiles only what ``check_definition`` passed: it checks nothing again."""
    machine = {"StartAt": "S", "States": {"S": state, "T": {"Type": "Succeed"}}}
    problems = check_definition(machine)
    assert any(p.location.startswith(f"/States/S/{field}") for p in problems), problems
    with pytest.raises(InvalidDefinition):
        compile_definition(json.dumps(machine))
