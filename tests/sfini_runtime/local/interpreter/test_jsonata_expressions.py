"""JSONata expressions: evaluation, Step Functions' functions, AWS's error texts (tables)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from sfini_runtime.local.interpreter.failures import STATES_QUERY_EVALUATION_ERROR
from sfini_runtime.local.interpreter.jsonata.expressions import (
    INVALID_JSONATA_EXPRESSION,
    UNSUPPORTED_JSONATA_EXPRESSION,
    JsonataDefinitionError,
    QueryEvaluationError,
    compile_expression,
    compile_jsonata_template,
    is_jsonata_expression,
    java_random_double,
    jsonata_type_name,
    states_binding,
)


def evaluate(expression: str, state_input: Any = None, variables: Any = None) -> Any:
    compiled = compile_expression("{% " + expression + " %}", "Output")
    return compiled.evaluate(states_binding(state_input, {"Execution": {"Name": "x"}}), variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% 1 %}", True),
        ("{%$x%}", True),
        (" {% 1 %}", False),
        ("{% 1 %} ", False),
        ("{% 1", False),
        ("$.x", False),
        (1, False),
    ],
)
def test_is_jsonata_expression(text: Any, expected: bool) -> None:
    assert is_jsonata_expression(text) is expected


@pytest.mark.parametrize(
    ("expression", "state_input", "variables", "expected"),
    [
        ("$states.input.title", {"title": "Doctor"}, None, "Doctor"),
        ("$customerName", {}, {"customerName": "María"}, "María"),
        ("$sum($states.input.v) + $c", {"v": [1, 2, 3]}, {"c": 1}, 7),
        (
            "$merge([$states.input.a, $states.input.b])",
            {"a": {"x": 1}, "b": {"y": 2}},
            None,
            {"x": 1, "y": 2},
        ),
        ('$contains("hello$world", /^hello\\ /)', {}, None, False),
        ("$number('2')", {}, None, 2),
        ("$states.input.a", {"a": None}, None, None),
        ("$exists($states.input.a)", {"a": None}, None, True),
        ("$x", {}, {"x": None}, None),
        ("$states.context.Execution.Name", {}, None, "x"),
        ("$states.input.items[value > 3].value", {"items": [{"value": 4}, {"value": 1}]}, None, 4),
        ("$map([1, 2], function($v){ $v * 2 })", {}, None, [2, 4]),
        ("10 / 4", {}, None, 2.5),
        ("1.5 * 2", {}, None, 3),
        ("$variable := 1", {}, None, 1),
        ("[1, 'two', 3]", {}, None, [1, "two", 3]),
        ("$string({'a': null})", {}, None, '{"a":null}'),
    ],
)
def test_evaluation(expression: str, state_input: Any, variables: Any, expected: Any) -> None:
    result = evaluate(expression, state_input, variables)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # the functions Step Functions adds (AWS docs and the conformance corpus)
        ("$partition([1, 2, 3, 4], 2)", [[1, 2], [3, 4]]),
        ("$partition([0, 1, 2], 2)", [[0, 1], [2]]),
        ("$partition([0], 4)", [[0]]),
        ("$partition([1, 2, 3], 2.9)", [[1, 2], [3]]),
        ("$range(0, 10, 2)", [0, 2, 4, 6, 8, 10]),
        ("$range(0, 10, 3)", [0, 3, 6, 9]),
        ("$range(1, 9, 9)", 1),
        ("$range(5, 1, -2)", [5, 3, 1]),
        ("$range(-1.7, 2, 1)", [-1, 0, 1, 2]),
        ("$hash('Hash this string', 'SHA-256')", hashlib.sha256(b"Hash this string").hexdigest()),
        ("$hash('a', 'MD5')", hashlib.md5(b"a").hexdigest()),
        ("$random(42)", 0.7275636800328681),
        ("$parse('-0')", 0),
        ("$parse('true')", True),
        ("$parse('[1, 2, \"HelloWorld\"]')", [1, 2, "HelloWorld"]),
        ('$parse(\'{"Arg1": 1, "Arg2": []}\')', {"Arg1": 1, "Arg2": []}),
        ("$parse('null')", None),
    ],
)
def test_step_functions_functions(expression: str, expected: Any) -> None:
    assert evaluate(expression) == expected


def test_uuid_and_unseeded_random() -> None:
    first, second = evaluate("$uuid()"), evaluate("$uuid()")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first
    )
    assert first != second
    value = evaluate("$random()")
    assert 0 <= value < 1


@pytest.mark.parametrize(("seed", "expected"), [(42, 0.7275636800328681), (0, 0.730967787376657)])
def test_java_random_double(seed: int, expected: float) -> None:
    assert java_random_double(seed) == expected


@pytest.mark.parametrize(
    ("expression", "variables", "cause"),
    [
        (
            "$doesNotExist",
            None,
            "The JSONata expression '$doesNotExist' specified for the field 'Output' returned "
            "nothing (undefined).",
        ),
        (
            "$partition([], 2)",
            None,
            "The JSONata expression '$partition([], 2)' specified for the field 'Output' "
            "returned nothing (undefined).",
        ),
        (
            "$range(1, 5)",
            None,
            "The JSONata expression '$range(1, 5)' specified for the field 'Output' returned "
            "nothing (undefined).",
        ),
        (
            '$eval("1")',
            None,
            "The JSONata expression '$eval(\"1\")' specified for the field 'Output' threw an "
            "error during evaluation. T1006: Attempted to invoke a non-function",
        ),
        (
            '$abs("x")',
            None,
            "The JSONata expression '$abs(\"x\")' specified for the field 'Output' threw an "
            "error during evaluation. T0410: Argument 1 of function abs does not match function "
            "signature",
        ),
        (
            "$parse('{')",
            None,
            "The JSONata expression '$parse('{')' specified for the field 'Output' threw an "
            "error during evaluation. D3137: Invalid JSON",
        ),
        (
            "$hash('a', 'SHA-3')",
            None,
            "The JSONata expression '$hash('a', 'SHA-3')' specified for the field 'Output' "
            "threw an error during evaluation. D3137: Hash algorithm 'SHA-3' must be one of "
            "SHA-1, SHA-384, SHA-256, SHA-512, MD5",
        ),
        (
            "function($x){ $x }",
            None,
            "The JSONata expression 'function($x){ $x }' specified for the field 'Output' "
            "returned an unsupported result type.",
        ),
        (
            "($f := function($n){ $n + $f($n) }; $f(1))",
            None,
            "The JSONata expression '($f := function($n){ $n + $f($n) }; $f(1))' specified for "
            "the field 'Output' threw an error during evaluation: Stack overflow error: Check "
            "for non-terminating recursive function",
        ),
    ],
)
def test_query_evaluation_errors(expression: str, variables: Any, cause: str) -> None:
    with pytest.raises(QueryEvaluationError) as raised:
        evaluate(expression, {}, variables)
    error = raised.value
    assert error.error == STATES_QUERY_EVALUATION_ERROR
    assert error.cause == cause
    assert error.location == "Output"
    full = error.at_state("S", 7)
    assert full.cause == (
        f"An error occurred while executing the state 'S' (entered at the event id #7). {cause}"
    )
    assert full.location == "Output"
    assert full.evaluation_failed_details("S") == {
        "error": STATES_QUERY_EVALUATION_ERROR,
        "cause": full.cause,
        "location": "Output",
        "state": "S",
    }


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("{% a[1,2) %}", INVALID_JSONATA_EXPRESSION, "Expected ], got ,"),
        ("{% %}", INVALID_JSONATA_EXPRESSION, "The expression is empty"),
        (
            "{% phone %}",
            UNSUPPORTED_JSONATA_EXPRESSION,
            "Reference to 'phone' at the top level is not supported.",
        ),
        (
            "{% {'k': a} %}",
            UNSUPPORTED_JSONATA_EXPRESSION,
            "Reference to 'a' at the top level is not supported.",
        ),
        (
            "{% $map($states.input.a, function($x){ b }) %}",
            UNSUPPORTED_JSONATA_EXPRESSION,
            "Reference to 'b' at the top level is not supported.",
        ),
        ("{% $$.x %}", UNSUPPORTED_JSONATA_EXPRESSION, "Reference to '$$' is not supported."),
    ],
)
def test_definition_errors(text: str, code: str, message: str) -> None:
    with pytest.raises(JsonataDefinitionError) as raised:
        compile_expression(text, "Output/v")
    assert (raised.value.code, raised.value.message, raised.value.field) == (
        code,
        message,
        "Output/v",
    )


@pytest.mark.parametrize(
    "text",
    [
        "{% $states.input.items[value > 3] %}",
        "{% $states.input.a.b.c %}",
        "{% $states.input.items^(price).name %}",
        "{% $states.input.{'k': v} %}",
    ],
)
def test_relative_names_are_accepted(text: str) -> None:
    compile_expression(text, "Output")


def test_referenced_variables_are_collected() -> None:
    compiled = compile_expression("{% $a + $states.input.x + $b.c %}", "Output")
    assert compiled.variables == {"a", "b"}


def test_template_from_the_aws_docs() -> None:
    template = compile_jsonata_template(
        {
            "static": "Hello",
            "title": "{% $states.input.title %}",
            "name": "{% $customerName %}",
            "not-evaluated": "$customerName",
        },
        "Arguments",
    )
    rendered = template.render(states_binding({"title": "Doctor"}, {}), {"customerName": "María"})
    assert rendered == {
        "static": "Hello",
        "title": "Doctor",
        "name": "María",
        "not-evaluated": "$customerName",
    }
    assert template.variables == {"customerName"}


def test_template_names_the_failing_field() -> None:
    template = compile_jsonata_template({"a": {"b": [1, "{% $states.input.missing %}"]}}, "Output")
    with pytest.raises(QueryEvaluationError) as raised:
        template.render(states_binding({}, {}))
    assert raised.value.location == "Output/a/b[1]"
    assert "specified for the field 'Output/a/b[1]' returned nothing" in (raised.value.cause or "")


def test_constant_template_is_copied() -> None:
    template = compile_jsonata_template({"a": [1, {"b": 2}]}, "Output")
    first = template.render(states_binding({}, {}))
    first["a"][1]["b"] = 3
    assert template.render(states_binding({}, {})) == {"a": [1, {"b": 2}]}
    assert template.constant


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1, "number"),
        (1.5, "number"),
        ("s", "string"),
        ([], "array"),
        ({}, "object"),
    ],
)
def test_jsonata_type_name(value: Any, name: str) -> None:
    assert jsonata_type_name(value) == name
