"""Definition validation: each bad definition gives AWS's diagnostic code at the right place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfini_runtime.local.errors import InvalidDefinition
from sfini_runtime.local.interpreter import compile_definition, validate_definition

END = {"Type": "Succeed"}


def machine(**states: Any) -> str:
    first = next(iter(states))
    return json.dumps({"StartAt": first, "States": states})


BAD = [
    ("not json", "{", "INVALID_JSON_DESCRIPTION", "/"),
    ("empty", "", "MISSING_DESCRIPTION", "/"),
    ("no StartAt", json.dumps({"States": {"A": END}}), "SCHEMA_VALIDATION_FAILED", "/"),
    (
        "StartAt target",
        json.dumps({"StartAt": "X", "States": {"A": END}}),
        "MISSING_TRANSITION_TARGET",
        "/StartAt",
    ),
    ("bad type", machine(A={"Type": "Nope"}), "SCHEMA_VALIDATION_FAILED", "/States/A/Type"),
    (
        "next target",
        machine(A={"Type": "Pass", "Next": "Z"}, B=END),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Next",
    ),
    (
        "no next nor end",
        machine(A={"Type": "Pass"}, B=END),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
    ("no terminal", machine(A={"Type": "Pass", "Next": "A"}), "MISSING_END_STATE", "/States"),
    (
        "choice default",
        machine(
            A={
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "B"}],
                "Default": "Q",
            },
            B=END,
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Default",
    ),
    (
        "catch target",
        machine(
            A={
                "Type": "Parallel",
                "Branches": [{"StartAt": "P", "States": {"P": END}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Q"}],
                "End": True,
            }
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Catch/0/Next",
    ),
    (
        "branch target",
        machine(
            A={
                "Type": "Parallel",
                "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Q"}}}],
                "End": True,
            }
        ),
        "MISSING_TRANSITION_TARGET",
        "/States/A/Branches/0/States/P/Next",
    ),
    (
        "bad resource",
        machine(A={"Type": "Task", "Resource": "not-an-arn", "End": True}),
        "INVALID_RESOURCE",
        "/States/A/Resource",
    ),
    (
        "duplicate name",
        machine(
            A={
                "Type": "Parallel",
                "Branches": [{"StartAt": "A", "States": {"A": END}}],
                "End": True,
            }
        ),
        "DUPLICATE_STATE_NAME",
        "/States/A/Branches/0/States/A",
    ),
    (
        "bad path",
        machine(A={"Type": "Pass", "InputPath": "x", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/InputPath",
    ),
    (
        "retry on pass",
        machine(A={"Type": "Pass", "Retry": [], "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
    (
        "unknown query language",
        json.dumps({"QueryLanguage": "XPath", "StartAt": "A", "States": {"A": END}}),
        "SCHEMA_VALIDATION_FAILED",
        "/QueryLanguage",
    ),
    (
        "JSONPath state in a JSONata machine",
        json.dumps(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/QueryLanguage",
    ),
    (
        "JSONPath field in a JSONata state",
        machine(A={"Type": "Pass", "QueryLanguage": "JSONata", "InputPath": "$", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/InputPath",
    ),
    (
        "JSONata field in a JSONPath state",
        machine(A={"Type": "Pass", "Output": {}, "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Output",
    ),
    (
        "JSONata catcher ResultPath",
        json.dumps(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Parallel",
                        "Branches": [{"StartAt": "P", "States": {"P": END}}],
                        "Catch": [
                            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "B"}
                        ],
                        "End": True,
                    },
                    "B": END,
                },
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Catch/0/ResultPath",
    ),
    (
        "JSONPath rule in a JSONata Choice",
        json.dumps(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Choice",
                        "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "B"}],
                    },
                    "B": END,
                },
            }
        ),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Choices/0",
    ),
    (
        "Assign on a Succeed state",
        machine(A={"Type": "Succeed", "Assign": {"x": 1}}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Assign",
    ),
    (
        "reserved variable name",
        machine(A={"Type": "Pass", "Assign": {"states": 1}, "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Assign/states",
    ),
    (
        "invalid variable name",
        machine(A={"Type": "Pass", "Assign": {"1x": 1}, "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A/Assign/1x",
    ),
    (
        "JSONata syntax",
        json.dumps(
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "Output": "{% $states.input. %}", "End": True}},
            }
        ),
        "INVALID_JSONATA_EXPRESSION",
        "/States/A/Output",
    ),
    (
        "wait fields",
        machine(A={"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}),
        "SCHEMA_VALIDATION_FAILED",
        "/States/A",
    ),
]


@pytest.mark.parametrize(
    ("definition", "code", "location"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_diagnostics(definition: str, code: str, location: str) -> None:
    found = {(d["code"], d["location"]) for d in validate_definition(definition)}
    assert (code, location) in found
    with pytest.raises(InvalidDefinition) as info:
        compile_definition(definition)
    assert info.value.message.startswith("Invalid State Machine Definition: '")
    assert f"{code}: " in info.value.message and f" at {location}" in info.value.message


def test_valid_definition_has_no_diagnostics() -> None:
    definition = machine(
        A={"Type": "Pass", "Next": "B"},
        B={
            "Type": "Map",
            "ItemProcessor": {"StartAt": "I", "States": {"I": END}},
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
            "Next": "C",
        },
        C={
            "Type": "Task",
            "Resource": "arn:aws:states:us-east-1:123456789012:activity:a",
            "End": True,
        },
    )
    assert validate_definition(definition) == []
    compiled = compile_definition(definition)
    assert compiled.activity_arns == {"arn:aws:states:us-east-1:123456789012:activity:a"}
    assert compiled.graph.start_at == "A"
    assert [d["severity"] for d in validate_definition("{")] == ["ERROR"]


ACTIVITY_ARN = "arn:aws:states:us-east-1:123456789012:activity:a"
GOOD_QUERY_LANGUAGE = [
    (
        "JSONata machine, every JSONata field",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": ACTIVITY_ARN,
                    "Arguments": {"x": "{% $states.input.x %}"},
                    "TimeoutSeconds": "{% 10 %}",
                    "HeartbeatSeconds": 5,
                    "Output": "{% $states.result %}",
                    "Assign": {"r": "{% $states.result %}"},
                    "Catch": [
                        {
                            "ErrorEquals": ["States.ALL"],
                            "Output": "{% $states.errorOutput %}",
                            "Assign": {"e": "{% $states.errorOutput.Error %}"},
                            "Next": "F",
                        }
                    ],
                    "Next": "W",
                },
                "W": {"Type": "Wait", "Seconds": "{% 1 %}", "Next": "M"},
                "M": {
                    "Type": "Map",
                    "Items": "{% [1, 2] %}",
                    "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
                    "MaxConcurrency": "{% 1 %}",
                    "ItemProcessor": {"StartAt": "I", "States": {"I": END}},
                    "Next": "C",
                },
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Condition": "{% $r = 1 %}", "Assign": {"k": 1}, "Next": "S"}],
                    "Default": "F",
                },
                "S": {"Type": "Succeed", "Output": {"done": True}},
                "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "{% 'c' %}"},
            },
        },
        "JSONata",
    ),
    (
        "JSONPath machine, one JSONata state, variables",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"x": 1, "y.$": "$.in"}, "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% $x %}",
                    "End": True,
                },
            },
        },
        "JSONPath",
    ),
    (
        "explicit JSONPath everywhere",
        {
            "QueryLanguage": "JSONPath",
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
        },
        "JSONPath",
    ),
]


@pytest.mark.parametrize(
    ("document", "language"),
    [g[1:] for g in GOOD_QUERY_LANGUAGE],
    ids=[g[0] for g in GOOD_QUERY_LANGUAGE],
)
def test_query_language_definitions_are_valid(document: dict[str, Any], language: str) -> None:
    text = json.dumps(document)
    assert validate_definition(text) == []
    assert compile_definition(text).query_language == language


def test_nested_states_inherit_the_machine_language() -> None:
    document = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "B",
                        "States": {"B": {"Type": "Pass", "InputPath": "$.x", "End": True}},
                    }
                ],
                "End": True,
            }
        },
    }
    found = {(d["code"], d["location"]) for d in validate_definition(json.dumps(document))}
    assert ("SCHEMA_VALIDATION_FAILED", "/States/P/Branches/0/States/B/InputPath") in found


def _parallel(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Parallel",
        "Branches": [{"StartAt": "X", "States": {"X": state}}],
        "End": True,
    }


DUPLICATE_ASSIGN = {"Type": "Pass", "Assign": {"a": 1, "a.$": "$.x"}, "Next": "B"}


def test_a_variable_assigned_twice_is_one_diagnostic_at_its_key() -> None:
    """Once a compiler-only check, now the checker's: reported once, at the second key; the
    Parallel state after it adds no problem of its own."""
    definition = machine(A=DUPLICATE_ASSIGN, B=_parallel({"Type": "Succeed"}))
    problems = validate_definition(definition)
    assert [(p["code"], p["location"]) for p in problems] == [
        ("SCHEMA_VALIDATION_FAILED", "/States/A/Assign/a.$")
    ]
    assert "assigned more than once" in problems[0]["message"]


def test_a_problem_inside_a_branch_is_located_in_it() -> None:
    inner = {**DUPLICATE_ASSIGN, "End": True}
    del inner["Next"]
    problems = validate_definition(machine(P=_parallel(inner)))
    assert [p["location"] for p in problems] == ["/States/P/Branches/0/States/X/Assign/a.$"]
    with pytest.raises(InvalidDefinition, match="assigned more than once"):
        compile_definition(machine(P=_parallel(inner)))


def test_a_compile_failure_the_checker_missed_is_a_diagnostic_at_a_pointer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The net under the checker: a state class that fails on a checked definition gives a
    diagnostic located as the checker locates them (``Choices/0/...``, not ``Choices[0]/``),
    never an unhandled error."""
    from sfini_runtime.local.interpreter import definition as module

    class Refused(ValueError):
        field = "Choices[0]/Output[1]"

    def refuse(*_args: Any) -> Any:
        raise Refused("refused")

    monkeypatch.setitem(module.STATE_CLASSES, "Pass", refuse)
    problems = validate_definition(machine(A={"Type": "Pass", "End": True}))
    assert problems == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "refused",
            "location": "/States/A/Choices/0/Output/1",
        }
    ]


def test_activity_arns_are_those_the_task_states_run() -> None:
    activity = "arn:aws:states:us-east-1:123456789012:activity:a"
    definition = machine(
        A={"Type": "Task", "Resource": activity, "Next": "B"},
        B={"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C"},
        C=_parallel({"Type": "Task", "Resource": activity + "2", "End": True}),
    )
    assert compile_definition(definition).activity_arns == {activity, activity + "2"}


def test_a_distributed_map_is_valid_asl_this_engine_refuses() -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "X",
        "States": {"X": {"Type": "Succeed"}},
    }
    definition = machine(M={"Type": "Map", "ItemProcessor": processor, "End": True})
    assert validate_definition(definition) == []
    with pytest.raises(InvalidDefinition, match="Distributed Map is not supported"):
        compile_definition(definition)
