"""Workflow variables through the Engine: Assign in both query languages, assignedVariables
in StateExited, evaluation against the values from before the state, scopes of Parallel
branches and Map iterations, $var in JSONPath fields, Choice and Catch assignments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local.interpreter import Engine

from ._engine_helpers import details, output, run


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(time_scale=0) as eng:
        yield eng


def _machine(states: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states, **top}


def _exits(record: Any) -> list[dict[str, Any]]:
    return [
        event["stateExitedEventDetails"]
        for event in record.history
        if "stateExitedEventDetails" in event
    ]


def test_assigned_variables_in_state_exited(engine: Engine) -> None:
    definition = _machine(
        {
            "A": {"Type": "Pass", "Assign": {"x": 42, "s": "hi", "o": {"k": [1]}}, "Next": "B"},
            "B": {"Type": "Pass", "End": True},
        }
    )
    record = run(engine, definition)
    first, second = _exits(record)
    assert first["assignedVariables"] == {"x": "42", "s": '"hi"', "o": '{"k":[1]}'}
    assert first["assignedVariablesDetails"] == {"truncated": False}
    assert "assignedVariables" not in second


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"Result": {"answer": 42}, "Assign": {"v.$": "$.answer"}}, 42),
        ({"Parameters": {"p": "P"}, "Assign": {"v.$": "$.p"}}, "P"),
        ({"Assign": {"v.$": "$.in"}}, "input"),
        ({"Assign": {"v.$": "$$.State.Name"}}, "A"),
        ({"Assign": {"v.$": "States.Format('{}!', $.in)"}}, "input!"),
    ],
)
def test_jsonpath_assign_reads_the_result(
    engine: Engine, state: dict[str, Any], expected: Any
) -> None:
    definition = _machine(
        {
            "A": {"Type": "Pass", "Next": "B", **state},
            "B": {"Type": "Pass", "Parameters": {"v.$": "$v"}, "End": True},
        }
    )
    record = run(engine, definition, {"in": "input"})
    assert record.status == "SUCCEEDED", (record.error, record.cause)
    assert output(record) == {"v": expected}


@pytest.mark.parametrize("language", ["JSONPath", "JSONata"])
def test_assign_reads_values_from_before_the_state(engine: Engine, language: str) -> None:
    swap = (
        {"a.$": "$b", "b.$": "$a"} if language == "JSONPath" else {"a": "{% $b %}", "b": "{% $a %}"}
    )
    definition = _machine(
        {
            "Init": {"Type": "Pass", "Assign": {"a": 1, "b": 2}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "QueryLanguage": language, "Assign": swap, "Next": "Out"},
            "Out": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": ["{% $a %}", "{% $b %}"],
                "End": True,
            },
        }
    )
    assert output(run(engine, definition)) == [2, 1]


def test_jsonata_output_does_not_see_the_state_own_assignments(engine: Engine) -> None:
    definition = _machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": "old"}, "Next": "S"},
            "S": {"Type": "Pass", "Assign": {"x": "new"}, "Output": "{% $x %}", "End": True},
        },
        QueryLanguage="JSONata",
    )
    record = run(engine, definition)
    assert output(record) == "old"
    assert _exits(record)[1]["assignedVariables"] == {"x": '"new"'}


def test_map_iterations_read_outer_scope_and_keep_their_own(engine: Engine) -> None:
    definition = _machine(
        {
            "Init": {"Type": "Pass", "Assign": {"bias": 10, "items": [1, 2]}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemsPath": "$items",
                "ItemProcessor": {
                    "StartAt": "Add",
                    "States": {
                        "Add": {
                            "Type": "Pass",
                            "Assign": {"inner.$": "States.MathAdd($, $bias)"},
                            "Next": "Read",
                        },
                        "Read": {"Type": "Pass", "Parameters": {"v.$": "$inner"}, "End": True},
                    },
                },
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": {"inner": "{% $exists($inner) %}", "bias": "{% $bias %}"},
                "End": True,
            },
        }
    )
    record = run(engine, definition, {})
    assert record.status == "SUCCEEDED", (record.error, record.cause)
    assert output(record) == {"inner": False, "bias": 10}
    read = [json.loads(d["output"]) for d in _exits(record) if d["name"] == "Read"]
    assert sorted(r["v"] for r in read) == [11, 12]


def test_parallel_branches_do_not_share_assignments(engine: Engine) -> None:
    def branch(name: str, value: int) -> dict[str, Any]:
        return {
            "StartAt": f"{name}1",
            "States": {
                f"{name}1": {"Type": "Pass", "Assign": {"x": value}, "Next": f"{name}2"},
                f"{name}2": {"Type": "Pass", "Parameters": {"x.$": "$x"}, "End": True},
            },
        }

    definition = _machine(
        {
            "Init": {"Type": "Pass", "Assign": {"x": 0}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [branch("A", 1), branch("B", 2)], "Next": "Out"},
            "Out": {"Type": "Pass", "Parameters": {"branches.$": "$", "x.$": "$x"}, "End": True},
        }
    )
    assert output(run(engine, definition)) == {"branches": [{"x": 1}, {"x": 2}], "x": 0}


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"v": 42}, "CORRECT"), ({"v": 1}, "INCORRECT")],
)
def test_choice_assign_state_level_and_rule(engine: Engine, payload: Any, status: str) -> None:
    definition = _machine(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Variable": "$.v",
                        "NumericEquals": 42,
                        "Assign": {"status": "CORRECT"},
                        "Next": "Out",
                    }
                ],
                "Assign": {"status": "INCORRECT", "guess.$": "$.v"},
                "Default": "Out",
            },
            "Out": {
                "Type": "Pass",
                "Parameters": {"status.$": "$status", "guess.$": "$guess"},
                "End": True,
            },
        }
    )
    assert output(run(engine, definition, payload)) == {"status": status, "guess": payload["v"]}


def test_catch_assign_reads_the_error_output(engine: Engine) -> None:
    definition = _machine(
        {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E1", "Cause": "c"}}}
                ],
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Assign": {"err.$": "$.Error"}, "Next": "Out"}
                ],
                "End": True,
            },
            "Out": {"Type": "Pass", "Parameters": {"err.$": "$err"}, "End": True},
        }
    )
    record = run(engine, definition)
    assert output(record) == {"err": "E1"}
    assert details(record, "ParallelStateExited")[0]["assignedVariables"] == {"err": '"E1"'}


def test_variables_in_jsonpath_paths(engine: Engine) -> None:
    definition = _machine(
        {
            "Init": {
                "Type": "Pass",
                "Assign": {"items": ["a", "b"], "limit": "1", "wait": 0, "sel": {"k": "v"}},
                "Next": "W",
            },
            "W": {"Type": "Wait", "SecondsPath": "$wait", "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$sel.k", "StringEquals": "v", "Next": "M"}],
            },
            "M": {
                "Type": "Map",
                "ItemsPath": "$items",
                "MaxConcurrencyPath": "$limit",
                "ItemSelector": {"item.$": "$$.Map.Item.Value", "k.$": "$sel.k"},
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            },
        }
    )
    record = run(engine, definition)
    assert record.status == "SUCCEEDED", (record.error, record.cause)
    assert output(record) == [{"item": "a", "k": "v"}, {"item": "b", "k": "v"}]


def test_undefined_variable_in_jsonpath_fails(engine: Engine) -> None:
    definition = _machine({"A": {"Type": "Pass", "Parameters": {"v.$": "$nope"}, "End": True}})
    record = run(engine, definition)
    assert record.status == "FAILED" and record.error == "States.Runtime"
    assert "'$nope'" in (record.cause or "") and "__sfini" not in (record.cause or "")


def test_jsonpath_state_without_variables_gets_a_plain_context(engine: Engine) -> None:
    definition = _machine(
        {"A": {"Type": "Pass", "Parameters": {"name.$": "$$.State.Name"}, "End": True}}
    )
    assert output(run(engine, definition)) == {"name": "A"}
