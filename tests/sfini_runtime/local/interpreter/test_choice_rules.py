from __future__ import annotations

from typing import Any

import pytest

from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.jsonpath.choice_rules import (
    ChoiceRuleDefinitionError,
    compile_choice_rule,
    string_matches_pattern,
)

from ._dataplane_corpus import case_id, load_cases

CHOICE_CASES = load_cases("choice_operators")


def test_the_corpus_has_the_choice_operator_cases() -> None:
    assert len(CHOICE_CASES) >= 250


@pytest.mark.parametrize("case", CHOICE_CASES, ids=case_id)
def test_choice_operator_matches_aws(case: dict[str, Any]) -> None:
    states = case["definition"]["States"]
    choice = states[case["definition"]["StartAt"]]
    target = choice.get("Default")
    for rule in choice["Choices"]:
        if compile_choice_rule(rule)(case["input"], {}):
            target = rule["Next"]
            break
    assert states[target]["Result"] == case["expect"]["output"]


T0 = "2016-08-18T17:33:00Z"

# The choice rules page of the AWS docs, and the type-mismatch rules it states.
DOC_RULES: list[tuple[dict[str, Any], Any, bool]] = [
    ({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, {"type": "Public"}, True),
    ({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, {"type": "Private"}, False),
    ({"Variable": "$.value", "NumericEquals": 0}, {"value": 0}, True),
    ({"Variable": "$.value", "NumericEquals": 0}, {"value": 0.0}, True),
    (
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ]
        },
        {"value": 22},
        True,
    ),
    (
        {
            "And": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                {"Variable": "$.value", "NumericLessThan": 30},
            ]
        },
        {"value": 30},
        False,
    ),
    (
        {
            "Or": [
                {"Variable": "$.a", "BooleanEquals": True},
                {"Variable": "$.b", "StringEquals": "x"},
            ]
        },
        {"a": False, "b": "x"},
        True,
    ),
    ({"Variable": "$.foo", "StringMatches": "log-*.txt"}, {"foo": "log-2024.txt"}, True),
    ({"Variable": "$.foo", "StringMatches": "log-*.txt"}, {"foo": "log-2024.csv"}, False),
    ({"Variable": "$.foo", "StringMatches": "*"}, {"foo": ""}, True),
    ({"Variable": "$.foo", "StringMatches": "a\\*b"}, {"foo": "a*b"}, True),
    ({"Variable": "$.foo", "StringMatches": "a\\*b"}, {"foo": "axxb"}, False),
    ({"Variable": "$.foo", "StringMatches": "a\\\\b"}, {"foo": "a\\b"}, True),
    ({"Variable": "$.foo", "StringMatches": "a*"}, {"foo": 1}, False),
    ({"Variable": "$.n", "NumericEquals": 1}, {"n": True}, False),
    ({"Variable": "$.n", "NumericEquals": 1}, {"n": "1"}, False),
    ({"Variable": "$.b", "BooleanEquals": True}, {"b": 1}, False),
    ({"Variable": "$.s", "StringLessThan": "b"}, {"s": "a"}, True),
    ({"Variable": "$.s", "StringLessThan": "B"}, {"s": "a"}, False),
    ({"Variable": "$.s", "StringGreaterThanEquals": "abc"}, {"s": "abc"}, True),
    # Java compares UTF-16 code units: U+FFFD sorts after the surrogate pair of U+1F600
    ({"Variable": "$.s", "StringGreaterThan": "\U0001f600"}, {"s": "\ufffd"}, True),
    (
        {"Variable": "$.t", "TimestampEquals": "2016-08-18T17:33:00Z"},
        {"t": "2016-08-18T18:33:00+01:00"},
        True,
    ),
    (
        {"Variable": "$.t", "TimestampLessThan": "2016-08-18T17:33:00Z"},
        {"t": "2016-08-18T17:32:59.999999999Z"},
        True,
    ),
    (
        {"Variable": "$.t", "TimestampGreaterThan": "2016-08-18T17:33:00Z"},
        {"t": "2016-08-18"},
        False,
    ),
    (
        {"Variable": "$.t", "TimestampEqualsPath": "$.u"},
        {"t": "2016-08-18T17:33:00Z", "u": "x"},
        False,
    ),
    ({"Variable": "$.a", "NumericLessThanPath": "$.b"}, {"a": 1, "b": 2.5}, True),
    ({"Variable": "$.a", "StringEqualsPath": "$.b"}, {"a": "x", "b": "x"}, True),
    ({"Variable": "$.a", "BooleanEqualsPath": "$.b"}, {"a": True, "b": 1}, False),
    ({"Variable": "$.a", "IsPresent": True}, {"a": None}, True),
    ({"Variable": "$.a", "IsPresent": True}, {}, True is False),
    ({"Variable": "$.a", "IsPresent": False}, {}, True),
    ({"Variable": "$.a.b", "IsPresent": False}, {"a": "scalar"}, True),
    ({"Variable": "$.a", "IsNull": True}, {"a": None}, True),
    ({"Variable": "$.a", "IsNumeric": True}, {"a": 1.5}, True),
    ({"Variable": "$.a", "IsNumeric": True}, {"a": False}, False),
    ({"Variable": "$.a", "IsString": False}, {"a": 1}, True),
    ({"Variable": "$.a", "IsBoolean": True}, {"a": False}, True),
    ({"Variable": "$.a", "IsTimestamp": True}, {"a": "2016-08-18T17:33:00Z"}, True),
    ({"Variable": "$.a", "IsTimestamp": True}, {"a": "2016-08-18 17:33:00Z"}, False),
    ({"Variable": "$.items[*]", "IsPresent": True}, {"items": []}, True),
    ({"Variable": "$$.Execution.Name", "StringEquals": "run-1"}, {}, True),
]


@pytest.mark.parametrize(("rule", "data", "expected"), DOC_RULES)
def test_rule_table(rule: dict[str, Any], data: Any, expected: bool) -> None:
    context = {"Execution": {"Name": "run-1"}}
    assert compile_choice_rule({**rule, "Next": "X"})(data, context) is expected


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.missing", "StringEquals": "a"},
        {"Variable": "$.missing", "IsNull": True},
        {"Variable": "$.a", "NumericEqualsPath": "$.missing"},
        {"Not": {"Variable": "$.missing", "BooleanEquals": True}},
    ],
)
def test_missing_variable_raises_runtime_error(rule: dict[str, Any]) -> None:
    with pytest.raises(StatesError) as raised:
        compile_choice_rule(rule)({"a": 1}, None)
    assert raised.value.error == "States.Runtime"
    missing = rule.get("NumericEqualsPath", "$.missing")
    assert raised.value.cause == (
        f"Invalid path '{missing}': The choice state's condition path references an invalid value."
    )
    located = raised.value.at_state("Choose", 4)
    assert located.cause is not None
    assert located.cause.startswith(
        "An error occurred while executing the state 'Choose' (entered at the event id #4). "
        "Invalid path"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"Variable": "$.a"}, "exactly one comparison operator"),
        ({"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1}, "exactly one"),
        ({"Variable": "$.a", "StringEqualz": "x"}, "Unknown comparison operator 'StringEqualz'"),
        ({"Variable": "$.a", "StringEquals": 1}, "must be a string"),
        ({"Variable": "$.a", "NumericEquals": "1"}, "must be a number"),
        ({"Variable": "$.a", "BooleanEquals": "true"}, "must be a boolean"),
        ({"Variable": "$.a", "TimestampEquals": "yesterday"}, "RFC 3339"),
        ({"Variable": "$.a", "IsNull": "yes"}, "must be true or false"),
        ({"Variable": "a", "IsNull": True}, "Invalid JSONPath"),
        ({"Variable": "$.a", "StringEqualsPath": "$.b[", "Next": "X"}, "Invalid JSONPath"),
        ({"And": []}, "non-empty array"),
        ({"And": [{"Variable": "$.a", "IsNull": True}], "Variable": "$.b"}, "cannot have other"),
        ({"StringEquals": "x"}, "needs 'Variable'"),
    ],
)
def test_invalid_rules_are_rejected(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ChoiceRuleDefinitionError, match=message.replace("[", r"\[")):
        compile_choice_rule(rule)


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("*.log", "a.log", True),
        ("*.log", "a.log.gz", False),
        ("a*b*c", "aXXbYYc", True),
        ("a*b*c", "acb", False),
        ("x.y", "xzy", False),
        ("\\*", "*", True),
        ("\\*", "a", False),
        ("line*", "line1\nline2", True),
    ],
)
def test_string_matches_patterns(pattern: str, text: str, matches: bool) -> None:
    assert (string_matches_pattern(pattern).fullmatch(text) is not None) is matches
