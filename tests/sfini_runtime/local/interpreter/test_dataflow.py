from __future__ import annotations

from typing import Any

import pytest

from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.jsonpath.dataflow import DataflowDefinitionError, StateDataflow

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


def test_map_parameters_and_item_selector_shape_items_not_the_input() -> None:
    legacy = StateDataflow.compile("M", {"Type": "Map", "Parameters": {"v.$": "$$.Map.Item.Value"}})
    assert legacy.parameters is None
    assert legacy.item_selector is not None
    assert legacy.effective_input([1, 2], None) == [1, 2]
    context = {"Map": {"Item": {"Value": 7, "Index": 0}}}
    assert legacy.item_selector.render([1, 2], context) == {"v": 7}
    modern = StateDataflow.compile(
        "M", {"Type": "Map", "ItemSelector": {"i.$": "$$.Map.Item.Index"}}
    )
    assert modern.item_selector is not None
    assert modern.item_selector.render({}, context) == {"i": 0}


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"InputPath": "nope"}, "InputPath"),
        ({"InputPath": 3}, "InputPath"),
        ({"OutputPath": "$.a["}, "OutputPath"),
        ({"ResultPath": "$.a[*]"}, "ResultPath"),
        ({"ResultPath": "$$.Execution"}, "ResultPath"),
        ({"ResultPath": 1}, "ResultPath"),
        ({"Parameters": {"a.$": "nope"}}, "Parameters"),
        ({"ResultSelector": {"a.$": 1}}, "ResultSelector"),
        ({"Type": "Map", "ItemSelector": {"a.$": "States.Nope()"}}, "ItemSelector"),
    ],
)
def test_invalid_fields_name_the_state_and_field(state: dict[str, Any], field: str) -> None:
    with pytest.raises(DataflowDefinitionError) as raised:
        StateDataflow.compile("MyState", state)
    assert raised.value.field == field
    assert raised.value.state_name == "MyState"
    assert str(raised.value).startswith(f"State 'MyState': {field}: ")
