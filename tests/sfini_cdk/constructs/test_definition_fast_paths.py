"""The checker's shortcuts (kept for synthesis speed) decide as its full rules do.

``sfini_cdk.validation.validate_definition`` runs ``sfini_asl.checker``, whose rules skip work
where they can: a state holding none of the numeric fields, none of the fields its query
language lacks; a JSONata expression read before (a cache). Each row is a one-state change to
a valid machine that no shortcut may let through: it is still rejected, with its message,
whether the machine's query language is known yet or not. Paths are read by the parser the
engine evaluates them with (``sfini_asl.jsonpath``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from sfini_cdk.errors import (
    InvalidDefinition,
    InvalidField,
    InvalidPath,
    InvalidStateName,
    UnknownStateTarget,
)
from sfini_cdk.validation import check_path, validate_definition


def machine() -> dict[str, Any]:
    return {
        "StartAt": "work",
        "States": {
            "work": {
                "Type": "Task",
                "Resource": "arn:aws:states:us-east-1:123456789012:activity:a",
                "HeartbeatSeconds": 5,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "done"}],
                "Next": "gate",
            },
            "gate": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "done"}],
                "Default": "done",
            },
            "done": {"Type": "Succeed"},
        },
    }


def set_field(state: str, field: str, value: Any, **more: Any) -> Callable[[dict[str, Any]], None]:
    def change(definition: dict[str, Any]) -> None:
        definition["States"][state][field] = value
        definition["States"][state].update(more)

    return change


def rename(new: str) -> Callable[[dict[str, Any]], None]:
    def change(definition: dict[str, Any]) -> None:
        definition["States"][new] = definition["States"].pop("done")
        definition["States"]["work"]["Catch"][0]["Next"] = new
        definition["States"]["work"]["Next"] = "gate"
        definition["States"]["gate"]["Choices"][0]["Next"] = new
        definition["States"]["gate"]["Default"] = new

    return change


def catch_without_next(definition: dict[str, Any]) -> None:
    del definition["States"]["work"]["Catch"][0]["Next"]


def rule_to(target: str) -> Callable[[dict[str, Any]], None]:
    def change(definition: dict[str, Any]) -> None:
        definition["States"]["gate"]["Choices"][0]["Next"] = target

    return change


BAD = [
    ("name-81", rename("d" * 81), InvalidStateName, "81 characters long"),
    ("next-unknown", set_field("work", "Next", "nowhere"), UnknownStateTarget, "Next target"),
    ("default-unknown", set_field("gate", "Default", "x"), UnknownStateTarget, "Default target"),
    ("rule-unknown", rule_to("x"), UnknownStateTarget, r"Choices\[0\].Next target"),
    ("catch-no-next", catch_without_next, UnknownStateTarget, r"Catch\[0\].Next target None"),
    (
        "heartbeat-zero",
        set_field("work", "HeartbeatSeconds", 0),
        InvalidField,
        "HeartbeatSeconds must be an int",
    ),
    (
        "timeout-float",
        set_field("work", "TimeoutSeconds", 1.5),
        InvalidField,
        "TimeoutSeconds must be an int",
    ),
    ("heartbeat-over-timeout", set_field("work", "TimeoutSeconds", 5), InvalidField, "smaller"),
    (
        "timeout-and-path",
        set_field("work", "TimeoutSecondsPath", "$.t", TimeoutSeconds=60),
        InvalidField,
        "TimeoutSeconds and TimeoutSecondsPath cannot both be set",
    ),
    (
        "heartbeat-and-path",
        set_field("work", "HeartbeatSecondsPath", "$.h"),
        InvalidField,
        "HeartbeatSeconds and HeartbeatSecondsPath cannot both be set",
    ),
    ("result-path-bad", set_field("work", "ResultPath", "x"), InvalidDefinition, "ResultPath"),
    ("output-path-bad", set_field("done", "OutputPath", "$["), InvalidDefinition, "OutputPath"),
    (
        "parameters-path-bad",
        set_field("work", "Parameters", {"a.$": "nope"}),
        InvalidDefinition,
        r"Parameters\.a\.\$",
    ),
]


@pytest.mark.parametrize(
    ("change", "error", "message"), [row[1:] for row in BAD], ids=[row[0] for row in BAD]
)
def test_a_changed_state_is_still_rejected(
    change: Callable[[dict[str, Any]], None], error: type[Exception], message: str
) -> None:
    validate_definition(machine(), query_language=None, name="m")  # the unchanged one is valid
    definition = copy.deepcopy(machine())
    change(definition)

    for query_language in (None, "JSONPath"):
        with pytest.raises(error, match=message):
            validate_definition(definition, query_language=query_language, name="m")


@pytest.mark.parametrize(
    "name",
    # any characters: AWS's own examples name states "Job Complete?", "Lambda Invoke"
    ["a", "A-b_c.9", "d" * 80, "état", "with(parens)", "x!y@z+w=", "all done", "$done[1]"],
)
def test_names_aws_allows_are_accepted(name: str) -> None:
    rename(name)(definition := machine())
    validate_definition(definition, query_language=None, name="m")


NAMES = ["a", "_", "A1", "a_b", "true", "false", "null", "and", "or", "not", "in", "keys"]
SIMPLE_PATHS = [
    "$",
    "$[0]",
    "$[12].a",
    *(f"$.{name}" for name in NAMES),
    *(f"$.x.{name}[3]" for name in NAMES),
]


@pytest.mark.parametrize("path", SIMPLE_PATHS)
def test_simple_paths_are_reference_paths_for_model_and_engine(path: str) -> None:
    from sfini_asl.jsonpath import compile_path

    assert compile_path(path).is_reference  # the parser the engine evaluates them with
    check_path(path, "ResultPath", "s", reference=True)


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("$.a[*]", "reference path"),
        ("$..a", "reference path"),
        ("$.a[0:2]", "reference path"),
        ("$.a[?(@.b)]", "reference path"),
        ("$.a.", "not a valid JSONPath"),
        ("$.a[", "not a valid JSONPath"),
    ],
)
def test_other_paths_are_rejected_where_a_reference_path_is_needed(path: str, problem: str) -> None:
    with pytest.raises(InvalidPath, match=problem):
        check_path(path, "ResultPath", "s", reference=True)
