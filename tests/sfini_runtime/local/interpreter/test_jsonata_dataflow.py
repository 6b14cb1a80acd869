"""A JSONata state's compiled data flow: each state type's fields, order and errors."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from sfini_asl.checker import check_definition
from sfini_asl.spec import JSONATA, JSONPATH
from sfini_runtime.local.interpreter.jsonata.dataflow import (
    JsonataDataflowDefinitionError,
    JsonataStateDataflow,
)
from sfini_runtime.local.interpreter.jsonata.expressions import QueryEvaluationError
from sfini_runtime.local.interpreter.variables import VariableScope

from ._variable_helpers import resolve_query_language

CONTEXT = {"Execution": {"Id": "arn:execution", "Name": "run-1"}}


def compile_state(state: dict[str, Any], name: str = "S") -> JsonataStateDataflow:
    return JsonataStateDataflow.compile(name, {"End": True, **state})


def test_task_arguments_then_output_and_assign_with_result() -> None:
    flow = compile_state(
        {
            "Type": "Task",
            "Resource": "arn:aws:states:us-east-1:1:activity:a",
            "Arguments": {"title": "{% $states.input.title %}", "who": "{% $name %}"},
            "Output": {"r": "{% $states.result.value %}", "old": "{% $counter %}"},
            "Assign": {"counter": "{% $counter + 1 %}", "last": "{% $states.result.value %}"},
        }
    )
    scope = VariableScope(values={"name": "María", "counter": 1})
    state_input = {"title": "Doctor"}
    assert flow.effective_input(state_input, CONTEXT, scope) == {"title": "Doctor", "who": "María"}
    exit_ = flow.finish(state_input, CONTEXT, scope, result={"value": 7})
    # Output and Assign both see the variables from state entry
    assert exit_.output == {"r": 7, "old": 1}
    assert exit_.assigned == {"counter": 2, "last": 7}
    assert scope.get("counter") == 1


@pytest.mark.parametrize(
    ("state", "state_input", "result", "expected"),
    [
        ({"Type": "Pass"}, {"a": 1}, None, {"a": 1}),
        ({"Type": "Pass", "Output": []}, {"a": 1}, None, []),
        ({"Type": "Pass", "Output": "{% $states.input.items %}"}, {"items": [0]}, None, [0]),
        ({"Type": "Succeed", "Output": {"done": True}}, {}, None, {"done": True}),
        ({"Type": "Wait", "Seconds": 0}, {"w": 1}, None, {"w": 1}),
        ({"Type": "Task", "Resource": "r"}, {"a": 1}, {"b": 2}, {"b": 2}),
        ({"Type": "Parallel", "Branches": []}, {}, [1, 2], [1, 2]),
        (
            {"Type": "Map", "ItemProcessor": {}, "Output": "{% $count($states.result) %}"},
            [5],
            [5],
            1,
        ),
    ],
)
def test_default_and_explicit_output(
    state: dict, state_input: Any, result: Any, expected: Any
) -> None:
    flow = compile_state(state)
    exit_ = (
        flow.finish(state_input, CONTEXT)
        if result is None
        else flow.finish(state_input, CONTEXT, result=result)
    )
    assert exit_.output == expected
    assert exit_.assigned is None


def test_catcher_output_and_assign_read_the_error_output() -> None:
    flow = compile_state(
        {
            "Type": "Task",
            "Resource": "r",
            "Catch": [
                {"ErrorEquals": ["A"], "Next": "X"},
                {
                    "ErrorEquals": ["States.ALL"],
                    "Next": "Y",
                    "Output": {"e": "{% $states.errorOutput.Error %}", "in": "{% $states.input %}"},
                    "Assign": {"cause": "{% $states.errorOutput.Cause %}"},
                },
            ],
        }
    )
    error_output = {"Error": "Boom", "Cause": "because"}
    assert flow.catch(0, {"x": 1}, CONTEXT, error_output).output == error_output
    caught = flow.catch(1, {"x": 1}, CONTEXT, error_output, VariableScope())
    assert caught.output == {"e": "Boom", "in": {"x": 1}}
    assert caught.assigned == {"cause": "because"}


def test_catcher_expression_errors_name_the_catcher_field() -> None:
    flow = compile_state(
        {
            "Type": "Task",
            "Resource": "r",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Y", "Output": {"v": "{% $nope %}"}}],
        }
    )
    with pytest.raises(QueryEvaluationError) as raised:
        flow.catch(0, {}, CONTEXT, {"Error": "E"})
    assert raised.value.location == "Catch[0]/Output/v"


def test_map_items_selector_and_limits() -> None:
    flow = compile_state(
        {
            "Type": "Map",
            "Items": "{% $states.input.list %}",
            "ItemSelector": {
                "value": "{% $states.context.Map.Item.Value %}",
                "index": "{% $states.context.Map.Item.Index %}",
                "bias": "{% $bias %}",
            },
            "MaxConcurrency": "{% $variable := 1 %}",
            "ToleratedFailureCount": 2,
            "ToleratedFailurePercentage": "{% 12.5 %}",
            "ItemProcessor": {},
        }
    )
    scope = VariableScope(values={"bias": 4})
    state_input = {"list": ["a", "b"]}
    assert flow.map_items(state_input, CONTEXT, scope) == ["a", "b"]
    item_context = {**CONTEXT, "Map": {"Item": {"Index": 1, "Value": "b"}}}
    assert flow.item_input(state_input, "b", item_context, scope) == {
        "value": "b",
        "index": 1,
        "bias": 4,
    }
    assert flow.max_concurrency_value(state_input, CONTEXT, scope) == 1
    assert flow.tolerated_failure_count_value(state_input, CONTEXT, scope) == 2
    assert flow.tolerated_failure_percentage_value(state_input, CONTEXT, scope) == 12.5


@pytest.mark.parametrize(
    ("items", "state_input", "cause"),
    [
        (
            "{% null %}",
            {},
            "The JSONata expression 'null' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'null' for value: null",
        ),
        (
            "{% 'string' %}",
            {},
            "The JSONata expression ''string'' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'string' for value: \"string\"",
        ),
        (
            None,
            True,
            "The JSONata expression '$states.input' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'boolean' for value: true",
        ),
    ],
)
def test_map_items_must_be_an_array(items: Any, state_input: Any, cause: str) -> None:
    state: dict[str, Any] = {"Type": "Map", "ItemProcessor": {}}
    if items is not None:
        state["Items"] = items
    flow = compile_state(state)
    with pytest.raises(QueryEvaluationError) as raised:
        flow.map_items(state_input, CONTEXT)
    assert raised.value.cause == cause
    assert raised.value.location == "Items"


def test_map_items_literal_array_with_expressions() -> None:
    flow = compile_state(
        {"Type": "Map", "Items": [1, "{% $number('2') %}", 3], "ItemProcessor": {}}
    )
    assert flow.map_items({}, CONTEXT) == [1, 2, 3]


@pytest.mark.parametrize(
    ("state", "field", "value"),
    [
        ({"MaxConcurrency": "{% -1 %}"}, "MaxConcurrency", None),
        ({"MaxConcurrency": "{% 'x' %}"}, "MaxConcurrency", None),
        ({"ToleratedFailurePercentage": "{% 101 %}"}, "ToleratedFailurePercentage", None),
        ({"ToleratedFailureCount": "{% 1.5 %}"}, "ToleratedFailureCount", None),
    ],
)
def test_map_limit_values_are_checked(state: dict, field: str, value: Any) -> None:
    flow = compile_state({"Type": "Map", "ItemProcessor": {}, **state})
    evaluate = {
        "MaxConcurrency": flow.max_concurrency_value,
        "ToleratedFailurePercentage": flow.tolerated_failure_percentage_value,
        "ToleratedFailureCount": flow.tolerated_failure_count_value,
    }[field]
    with pytest.raises(QueryEvaluationError) as raised:
        evaluate([], CONTEXT)
    assert raised.value.location == field


def test_wait_seconds_and_timestamp() -> None:
    seconds = compile_state({"Type": "Wait", "Seconds": "{% $states.input.delay * 2 %}"})
    assert seconds.wait_seconds({"delay": 3}, CONTEXT) == 6
    assert seconds.wait_timestamp({}, CONTEXT) is None
    with pytest.raises(QueryEvaluationError) as raised:
        seconds.wait_seconds({"delay": "x"}, CONTEXT)
    assert raised.value.location == "Seconds"
    stamp = compile_state({"Type": "Wait", "Timestamp": "{% $states.input.T %}"})
    assert stamp.wait_timestamp({"T": "2016-03-14T01:59:00Z"}, CONTEXT) == datetime(
        2016, 3, 14, 1, 59, tzinfo=timezone.utc
    )
    assert stamp.wait_seconds({}, CONTEXT) is None
    with pytest.raises(QueryEvaluationError) as raised:
        stamp.wait_timestamp({"T": "2016-12-05T25:29:29Z"}, CONTEXT)
    assert raised.value.at_state("WaitState", 2).cause == (
        "An error occurred while executing the state 'WaitState' (entered at the event id #2). "
        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format "
        "string: 2016-12-05T25:29:29Z"
    )
    literal = compile_state({"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z"})
    assert literal.wait_timestamp({}, CONTEXT).year == 2016


def test_task_timeouts() -> None:
    flow = compile_state(
        {
            "Type": "Task",
            "Resource": "r",
            "TimeoutSeconds": "{% $states.input.t %}",
            "HeartbeatSeconds": 5,
        }
    )
    assert flow.timeout_seconds_value({"t": 30}, CONTEXT) == 30
    assert flow.heartbeat_seconds_value({}, CONTEXT) == 5
    with pytest.raises(QueryEvaluationError):
        flow.timeout_seconds_value({"t": 0}, CONTEXT)


def test_fail_error_and_cause() -> None:
    flow = compile_state(
        {"Type": "Fail", "Error": "{% $states.input.code %}", "Cause": "Literal cause"}
    )
    assert flow.fail_error({"code": "E42"}, CONTEXT) == "E42"
    assert flow.fail_cause({}, CONTEXT) == "Literal cause"
    with pytest.raises(QueryEvaluationError) as raised:
        flow.fail_error({"code": 1}, CONTEXT)
    assert "Expected 'string', but was 'number' for value: 1" in (raised.value.cause or "")
    bare = compile_state({"Type": "Fail"})
    assert (bare.fail_error({}, CONTEXT), bare.fail_cause({}, CONTEXT)) == (None, None)


def test_choice_rules_with_their_own_output_and_assign() -> None:
    flow = compile_state(
        {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $states.input.type = 'Public' %}",
                    "Next": "Public",
                    "Assign": {"seen": "{% $states.input.type %}"},
                },
                {
                    "Condition": "{% $states.input.value > 10 %}",
                    "Next": "Big",
                    "Output": {"v": "{% $states.input.value %}"},
                },
            ],
            "Default": "Other",
            "Output": {"default": True},
            "Assign": {"seen": "none"},
        }
    )
    first = flow.choose({"type": "Public", "value": 22}, CONTEXT, "Other")
    assert (first.next_state, first.rule_index, first.output, first.assigned) == (
        "Public",
        0,
        {"type": "Public", "value": 22},
        {"seen": "Public"},
    )
    second = flow.choose({"type": "Private", "value": 22}, CONTEXT, "Other")
    assert (second.next_state, second.output, second.assigned) == ("Big", {"v": 22}, None)
    default = flow.choose({"type": "Private", "value": 1}, CONTEXT, "Other")
    assert (default.next_state, default.rule_index, default.output, default.assigned) == (
        "Other",
        None,
        {"default": True},
        {"seen": "none"},
    )
    nothing = flow.choose({"type": "Private", "value": 1}, CONTEXT, None)
    assert nothing.next_state is None


def test_choice_condition_must_be_boolean() -> None:
    flow = compile_state({"Type": "Choice", "Choices": [{"Condition": "{% 1 %}", "Next": "A"}]})
    with pytest.raises(QueryEvaluationError) as raised:
        flow.choose({}, CONTEXT, None)
    assert raised.value.location == "Choices[0]/Condition"


@pytest.mark.parametrize(
    ("state", "field", "code"),
    [
        ({"Type": "Pass", "Output": "{% a[1,2) %}"}, "Output", "INVALID_JSONATA_EXPRESSION"),
        (
            {"Type": "Pass", "Output": {"v": "{% phone %}"}},
            "Output/v",
            "UNSUPPORTED_JSONATA_EXPRESSION",
        ),
        (
            {"Type": "Pass", "Assign": {"x": "{% $$ %}"}},
            "Assign/x",
            "UNSUPPORTED_JSONATA_EXPRESSION",
        ),
        (
            {"Type": "Pass", "Output": {"Branches": "{% $$ %}"}},
            "Output/Branches",
            "UNSUPPORTED_JSONATA_EXPRESSION",
        ),
        (
            {"Type": "Choice", "Choices": [{"Condition": "{% foo %}", "Next": "A"}]},
            "Choices[0]/Condition",
            "UNSUPPORTED_JSONATA_EXPRESSION",
        ),
        (
            {
                "Type": "Task",
                "Resource": "r",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A", "Output": "{% x %}"}],
            },
            "Catch[0]/Output",
            "UNSUPPORTED_JSONATA_EXPRESSION",
        ),
    ],
)
def test_definition_errors(state: dict, field: str, code: str | None) -> None:
    with pytest.raises(JsonataDataflowDefinitionError) as raised:
        compile_state(state, "Bad")
    assert raised.value.field == field
    assert raised.value.state_name == "Bad"
    assert raised.value.code == code
    assert str(raised.value).startswith(f"State 'Bad': {field}: ")


_ITEMS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


@pytest.mark.parametrize(
    ("state", "location"),
    [
        ({"Type": "Pass", "Assign": {"1x": 1}}, "/States/S/Assign/1x"),
        ({"Type": "Pass", "Assign": {"x\n": 1}}, "/States/S/Assign/x\n"),
        ({"Type": "Map", "Arguments": {}, "ItemProcessor": _ITEMS}, "/States/S"),
        ({"Type": "Map", "Items": "$.x", "ItemProcessor": _ITEMS}, "/States/S/Items"),
        ({"Type": "Map", "Items": {"a": 1}, "ItemProcessor": _ITEMS}, "/States/S/Items"),
    ],
)
def test_what_compiling_no_longer_checks_the_checker_refuses(
    state: dict[str, Any], location: str
) -> None:
    """Bad variable names, Arguments in a Map, Items neither an array nor an expression: the
    checker's rules (the engine runs it before compiling)."""
    machine = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": {**state, "End": True}}}
    assert location in [p.location for p in check_definition(machine)]


@pytest.mark.parametrize(
    ("state", "machine", "expected"),
    [
        ({}, None, JSONPATH),
        ({}, JSONATA, JSONATA),
        ({"QueryLanguage": "JSONata"}, "JSONPath", JSONATA),
        ({"QueryLanguage": "JSONPath"}, None, JSONPATH),
    ],
)
def test_resolve_query_language(state: dict, machine: str | None, expected: str) -> None:
    assert resolve_query_language(state, machine) == expected


_LAMBDA = "arn:aws:states:::lambda:invoke"
_PROCESSOR = {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}

#: what the data flow does not check again: the checker refuses it first (at the location)
CHECKED_BEFORE = [
    ({"Type": "Pass", "Parameters": {}}, "/States/S/Parameters"),
    ({"Type": "Pass", "Result": 1}, "/States/S/Result"),
    ({"Type": "Pass", "ResultPath": "$.x"}, "/States/S/ResultPath"),
    ({"Type": "Pass", "Arguments": {}}, "/States/S"),
    ({"Type": "Wait", "Seconds": 1, "Arguments": {}}, "/States/S"),
    ({"Type": "Fail", "Output": {}}, "/States/S"),
    ({"Type": "Fail", "Error": 1}, "/States/S/Error"),
    ({"Type": "Fail", "Cause": ["c"]}, "/States/S/Cause"),
    ({"Type": "Succeed", "Assign": {}}, "/States/S"),
    ({"Type": "Fail", "Assign": {"x": 1}}, "/States/S"),
    ({"Type": "Wait", "Seconds": -1}, "/States/S/Seconds"),
    ({"Type": "Wait", "Seconds": "{% 1"}, "/States/S/Seconds"),
    ({"Type": "Wait", "Timestamp": "yesterday"}, "/States/S/Timestamp"),
    ({"Type": "Wait", "Timestamp": "{% $x"}, "/States/S/Timestamp"),
    ({"Type": "Task", "Resource": _LAMBDA, "TimeoutSeconds": "{% 1"}, "/States/S/TimeoutSeconds"),
    ({"Type": "Map", "MaxConcurrency": "many", "ItemProcessor": _PROCESSOR}, "/States/S"),
    ({"Type": "Map", "Items": "$.x", "ItemProcessor": _PROCESSOR}, "/States/S/Items"),
    (
        {"Type": "Choice", "Choices": [{"Condition": "yes", "Next": "T"}]},
        "/States/S/Choices/0/Condition",
    ),
    (
        {"Type": "Choice", "Choices": [{"Condition": 1, "Next": "T"}]},
        "/States/S/Choices/0/Condition",
    ),
    ({"Type": "Pass", "Assign": [1]}, "/States/S/Assign"),
    ({"Type": "Pass", "Assign": {"states": 1}}, "/States/S/Assign/states"),
    ({"Type": "Pass", "Assign": {"x" * 81: 1}}, f"/States/S/Assign/{'x' * 81}"),
    (
        {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "T"}]},
        "/States/S/Choices/0",
    ),
    ({"Type": "Choice", "Choices": ["T"]}, "/States/S/Choices/0"),
    (
        {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Catch": ["T"]},
        "/States/S/Catch/0",
    ),
]


@pytest.mark.parametrize(("state", "location"), CHECKED_BEFORE)
def test_what_the_dataflow_leaves_out_the_checker_refuses(state: dict, location: str) -> None:
    """A state reaches the data flow only once ``check_definition`` passed its machine."""
    if state["Type"] not in ("Choice", "Fail", "Succeed"):
        state = {**state, "Next": "T"}
    machine = {
        "QueryLanguage": JSONATA,
        "StartAt": "S",
        "States": {"S": state, "T": {"Type": "Succeed"}},
    }
    problems = check_definition(machine)
    assert any(problem.location.startswith(location) for problem in problems), problems
