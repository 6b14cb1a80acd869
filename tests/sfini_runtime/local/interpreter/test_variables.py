"""Workflow variables: scopes, Assign in both query languages, limits, ``$var`` in JSONPath."""

from __future__ import annotations

from typing import Any

import pytest

from sfini_asl.checker import check_definition
from sfini_asl.jsonpath import PathNotFound
from sfini_runtime.local.interpreter.failures import STATES_DATA_LIMIT_EXCEEDED, StatesError
from sfini_runtime.local.interpreter.jsonata.expressions import states_binding
from sfini_runtime.local.interpreter.variables import (
    CONTEXT_KEY,
    MAX_ASSIGN_BYTES,
    MAX_EXECUTION_VARIABLE_BYTES,
    VARIABLES_KEY,
    VariableScope,
    assigned_variables_details,
    compile_assign,
    has_variable_reference,
    rewrite_variable_references,
)

from ._variable_helpers import (
    compile_variable_choice_rule,
    compile_variable_path,
    compile_variable_template,
    is_valid_variable_name,
)

CONTEXT = {"Execution": {"Id": "arn:execution"}, "Map": {"Item": {"Index": 0, "Value": "v"}}}


def test_child_scope_reads_outer_and_does_not_leak() -> None:
    root = VariableScope(values={"x": 42, "items": [1, 2, 3]})
    branch = root.child()
    branch.assign({"innerX": root.get("x"), "x": 1})
    assert branch.get("innerX") == 42
    assert branch.get("x") == 1  # shadows inside the branch
    assert root.get("x") == 42  # and the outer value is untouched
    assert "innerX" not in root
    assert root.get("innerX", "absent") == "absent"
    assert branch.visible() == {"x": 1, "items": [1, 2, 3], "innerX": 42}
    root.assign({"late": True})
    assert branch.get("late") is True
    assert branch.visible()["late"] is True
    with pytest.raises(KeyError):
        root["innerX"]


def test_assignments_are_evaluated_before_any_is_bound() -> None:
    scope = VariableScope(values={"a": 1, "b": 2})
    assign = compile_assign({"a": "{% $b %}", "b": "{% $a %}"}, "JSONata")
    values = assign.evaluate_jsonata(states_binding({}, {}), scope)
    assert values == {"a": 2, "b": 1}
    assert (scope.get("a"), scope.get("b")) == (1, 2)
    scope.assign(values)
    assert (scope.get("a"), scope.get("b")) == (2, 1)


def test_jsonata_assign_from_the_corpus() -> None:
    # JSONPATH_ASSIGN_JSONATA_REF: the old value is read before the new one is bound
    scope = VariableScope(values={"theAnswer": 42})
    assign = compile_assign({"theAnswer": 18, "oldAnswer": "{% $theAnswer %}"}, "JSONata")
    assert assign.names == ("theAnswer", "oldAnswer")
    assert assign.evaluate_jsonata(states_binding({}, {}), scope) == {
        "theAnswer": 18,
        "oldAnswer": 42,
    }


@pytest.mark.parametrize(
    ("assign", "data", "expected"),
    [
        ({"result.$": "$.input"}, {"input": "PENDING"}, {"result": "PENDING"}),
        ({"theAnswer.$": "$.answer"}, {"answer": 42}, {"theAnswer": 42}),
        (
            {"status": "INCORRECT", "guess.$": "$.v"},
            {"v": "0"},
            {"status": "INCORRECT", "guess": "0"},
        ),
        ({"old.$": "$theAnswerVar", "theAnswerVar": 18}, {}, {"old": 42, "theAnswerVar": 18}),
        ({"s.$": "States.MathAdd($theAnswerVar, 1)"}, {}, {"s": 43}),
        ({"ops": {"a.$": "States.Array('a', $theAnswerVar)"}}, {}, {"ops": {"a": ["a", 42]}}),
        ({"id.$": "$$.Execution.Id"}, {}, {"id": "arn:execution"}),
        ({"item.$": "$$.Map.Item.Value"}, {}, {"item": "v"}),
        ({"list.$": "$list[1]"}, {}, {"list": "b"}),
    ],
)
def test_jsonpath_assign(assign: dict[str, Any], data: Any, expected: dict[str, Any]) -> None:
    scope = VariableScope(values={"theAnswerVar": 42, "list": ["a", "b"]})
    compiled = compile_assign(assign, "JSONPath")
    assert compiled.evaluate_jsonpath(data, CONTEXT, scope) == expected


@pytest.mark.parametrize(
    ("assign", "language"),
    [
        ({"1x": 1}, "JSONata"),
        ({"a-b": 1}, "JSONata"),
        ({"a\n": 1}, "JSONata"),
        ({"bad name.$": "$.x"}, "JSONPath"),
        ({"x.$": "$.a", "x": 1}, "JSONPath"),
    ],
)
def test_invalid_assign(assign: Any, language: str) -> None:
    """The checker refuses it (the engine compiles an Assign only once it passed)."""
    machine = {
        "QueryLanguage": language,
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": assign, "End": True}},
    }
    problems = check_definition(machine)
    assert any(p.location.startswith("/States/P/Assign/") for p in problems), problems


@pytest.mark.parametrize("value", ["not a path", "$v.[[", "States.Nope()", 1])
def test_an_assign_value_the_checker_refuses_is_never_compiled(value: Any) -> None:
    machine = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": {"x.$": value}, "End": True}},
    }
    problems = check_definition(machine)
    assert any(p.location.startswith("/States/P/Assign") for p in problems), problems


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("x", True),
        ("_x1", True),
        ("café", True),
        ("x" * 80, True),
        ("x" * 81, False),
        ("1x", False),
        ("a.b", False),
        ("states", False),
        ("", False),
        ("x\n", False),
        (1, False),
    ],
)
def test_variable_names(name: Any, valid: bool) -> None:
    assert is_valid_variable_name(name) is valid


def test_assign_size_limit() -> None:
    scope = VariableScope()
    big = "x" * (MAX_ASSIGN_BYTES - 10)
    scope.assign({"big": big})  # just under the limit
    with pytest.raises(StatesError) as raised:
        scope.assign({"a": big, "b": "y" * 20})
    assert raised.value.error == STATES_DATA_LIMIT_EXCEEDED
    assert raised.value.in_state
    assert "a" not in scope  # nothing of a refused Assign is bound


def test_execution_size_limit_counts_every_scope_and_replacements() -> None:
    root = VariableScope()
    chunk = "x" * (MAX_ASSIGN_BYTES - 100)
    count = MAX_EXECUTION_VARIABLE_BYTES // (MAX_ASSIGN_BYTES - 98)
    for index in range(count):
        root.assign({f"v{index}": chunk})
    root.assign({"v0": chunk})  # replacing a value releases the old one
    with pytest.raises(StatesError) as raised:
        root.child().assign({"more": chunk})
    assert raised.value.error == STATES_DATA_LIMIT_EXCEEDED
    assert root.total_bytes <= MAX_EXECUTION_VARIABLE_BYTES


def test_assigned_variables_event_fields() -> None:
    # as the corpus records them: each value as compact JSON text
    assert assigned_variables_details({"guess": "0", "items": [1, 2, 3], "bias": 4.3}) == {
        "assignedVariables": {"guess": '"0"', "items": "[1,2,3]", "bias": "4.3"},
        "assignedVariablesDetails": {"truncated": False},
    }


@pytest.mark.parametrize(
    ("expression", "has_reference", "rewritten"),
    [
        ("$.a", False, "$.a"),
        ("$", False, "$"),
        ("$[0]", False, "$[0]"),
        ("$$.Execution.Id", False, f"$$.{CONTEXT_KEY}.Execution.Id"),
        ("$x", True, f"$$.{VARIABLES_KEY}.x"),
        ("$x.y[0]", True, f"$$.{VARIABLES_KEY}.x.y[0]"),
        (
            "States.Format('cost $x {}', $y)",
            True,
            f"States.Format('cost $x {{}}', $$.{VARIABLES_KEY}.y)",
        ),
        ("States.Format('$x {}', $.a)", False, "States.Format('$x {}', $.a)"),
        ("$.a[?(@.b == '$c')]", False, "$.a[?(@.b == '$c')]"),
    ],
)
def test_variable_reference_rewriting(expression: str, has_reference: bool, rewritten: str) -> None:
    assert has_variable_reference(expression) is has_reference
    assert rewrite_variable_references(expression) == rewritten


def test_variable_aware_template_reads_variables_and_context() -> None:
    scope = VariableScope(values={"Question": "Who's that Pokemon?"})
    template = compile_variable_template(
        {"Question.$": "$Question", "Answer.$": "$.AnnouncePokemon", "ctx.$": "$$"}
    )
    assert template.uses_variables
    assert template.render({"AnnouncePokemon": "It's Pikachu!"}, CONTEXT, scope) == {
        "Question": "Who's that Pokemon?",
        "Answer": "It's Pikachu!",
        "ctx": CONTEXT,
    }


def test_template_without_variables_runs_unchanged() -> None:
    template = compile_variable_template({"a.$": "$.a", "c.$": "$$.Execution.Id"})
    assert not template.uses_variables
    assert template.render({"a": 1}, CONTEXT) == {"a": 1, "c": "arn:execution"}


def test_missing_variable_names_the_original_path() -> None:
    template = compile_variable_template({"r.$": "$status"})
    with pytest.raises(StatesError) as raised:
        template.render({}, CONTEXT, VariableScope())
    assert "'$status'" in (raised.value.cause or "")
    assert VARIABLES_KEY not in (raised.value.cause or "")
    path = compile_variable_path("$nope.a")
    with pytest.raises(PathNotFound) as not_found:
        path.get({}, CONTEXT, VariableScope())
    assert not_found.value.path == "$nope.a"
    assert VARIABLES_KEY not in str(not_found.value)


def test_variable_path() -> None:
    scope = VariableScope(values={"PokemonList": ["Charizard", "Pikachu"], "maxConcurrency": "1"})
    assert compile_variable_path("$PokemonList").get({}, CONTEXT, scope) == ["Charizard", "Pikachu"]
    assert compile_variable_path("$PokemonList[1]").get({}, CONTEXT, scope) == "Pikachu"
    assert compile_variable_path("$maxConcurrency").get({}, CONTEXT, scope) == "1"
    assert compile_variable_path("$.Values").get({"Values": [1]}, CONTEXT, scope) == [1]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$x", "NumericEquals": 42}, True),
        ({"Variable": "$x", "NumericGreaterThanPath": "$.limit"}, True),
        ({"Variable": "$.limit", "NumericLessThanPath": "$x"}, True),
        ({"Not": {"Variable": "$name", "StringEquals": "a"}}, True),
        (
            {
                "And": [
                    {"Variable": "$x", "IsPresent": True},
                    {"Variable": "$.limit", "IsNumeric": True},
                ]
            },
            True,
        ),
        ({"Variable": "$missing", "IsPresent": True}, False),
        ({"Variable": "$.limit", "NumericEquals": 1}, True),
    ],
)
def test_choice_rules_with_variables(rule: dict[str, Any], expected: bool) -> None:
    scope = VariableScope(values={"x": 42, "name": "b"})
    assert compile_variable_choice_rule(rule)({"limit": 1}, CONTEXT, scope) is expected
