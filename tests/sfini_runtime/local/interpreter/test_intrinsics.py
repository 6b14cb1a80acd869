from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.jsonpath.intrinsics import (
    IntrinsicSyntaxError,
    compile_intrinsic,
    format_value,
    is_intrinsic,
)
from sfini_runtime.local.interpreter.jsonpath.payload import compile_template

from ._dataplane_corpus import case_id, context_for, load_cases

INTRINSIC_CASES = [
    case
    for case in load_cases("intrinsic_functions")
    if "QueryLanguage" not in json.dumps(case["definition"])
]


def test_the_corpus_has_the_intrinsic_function_cases() -> None:
    assert len(INTRINSIC_CASES) >= 60


@pytest.mark.parametrize("case", INTRINSIC_CASES, ids=case_id)
def test_intrinsic_function_matches_aws(case: dict[str, Any]) -> None:
    definition = case["definition"]
    (state_name,) = definition["States"]
    state = definition["States"][state_name]
    output = compile_template(state["Parameters"]).render(
        case["input"], context_for(case, state_name)
    )
    expected = case["expect"]["output"]
    if "States.MathRandom" in json.dumps(state):
        # the recording replaces the random number; check the range instead
        bounds = case["input"]["FunctionInput"]
        assert expected == {"FunctionResult": "RandomNumberGenerated"}
        assert bounds["fst"] <= output["FunctionResult"] < bounds["snd"]
    else:
        assert output == expected


DATA = {
    "inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9],
    "dupes": [1, 2, 3, 3, 3, 3, 3, 3, 4],
    "lookingFor": 5,
    "name": "Arnav",
    "template": "Hello, my name is {}.",
    "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
    "json2": {"a": {"a3": 1, "a4": 2}, "c": 3},
    "escapedJsonString": '{"foo": "bar"}',
    "unescapedJson": {"foo": "bar"},
    "inputString": "This.is+a,test=string",
    "splitter": ".+,=",
    "value1": 111,
    "step": -1,
    "Data": "input data",
    "Algorithm": "SHA-1",
    "input": "Data to encode",
    "base64": "RGF0YSB0byBlbmNvZGU=",
}

# Examples from the AWS docs' intrinsic functions page, plus edge cases.
TABLE: list[tuple[str, Any]] = [
    ("States.Array($.name)", ["Arnav"]),
    (
        "States.Array('a', 1, 1.5, true, null, $.unescapedJson)",
        ["a", 1, 1.5, True, None, {"foo": "bar"}],
    ),
    ("States.Array()", []),
    ("States.ArrayPartition($.inputArray, 4)", [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("States.ArrayContains($.inputArray, $.lookingFor)", True),
    ("States.ArrayContains($.inputArray, 10)", False),
    ("States.ArrayContains(States.Array(1, true), 1)", True),
    ("States.ArrayContains(States.Array(true), 1)", False),
    ("States.ArrayContains(States.Array($.unescapedJson), $.unescapedJson)", True),
    ("States.ArrayRange(1, 9, 2)", [1, 3, 5, 7, 9]),
    ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
    ("States.ArrayRange(1, 0, 1)", []),
    ("States.ArrayGetItem($.inputArray, 5)", 6),
    ("States.ArrayLength($.inputArray)", 9),
    ("States.ArrayUnique($.dupes)", [1, 2, 3, 4]),
    ("States.Base64Encode($.input)", "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Decode($.base64)", "Data to encode"),
    ("States.Hash($.Data, $.Algorithm)", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    ("States.Hash('input data', 'MD5')", "812f45842bc6d66ee14572ce20db8e86"),
    ("States.JsonMerge($.json1, $.json2, false)", {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}),
    ("States.StringToJson($.escapedJsonString)", {"foo": "bar"}),
    ("States.StringToJson('')", None),
    ("States.JsonToString($.unescapedJson)", '{"foo":"bar"}'),
    ("States.JsonToString('é')", '"é"'),
    ("States.MathAdd($.value1, $.step)", 110),
    ("States.MathAdd(1.5, -1.5)", 1),
    ("States.StringSplit($.inputString, $.splitter)", ["This", "is", "a", "test", "string"]),
    ("States.StringSplit('1,2,3,4,5', ',')", ["1", "2", "3", "4", "5"]),
    ("States.StringSplit(',,a,,', ',')", ["a"]),
    ("States.Format('Hello, my name is {}.', $.name)", "Hello, my name is Arnav."),
    ("States.Format($.template, $.name)", "Hello, my name is Arnav."),
    ("States.Format('{} {} {}', 1, true, null)", "1 true null"),
    ("States.Format('{}', $.json1)", "{a={a1=1, a2=2}, b=2}"),
    ("States.Format('{}', $.inputArray)", "[1, 2, 3, 4, 5, 6, 7, 8, 9]"),
    ("States.Format('it\\'s \\{\\} {}', 'x')", "it's {} x"),
    ("States.Format('back\\\\slash {}', 1)", "back\\slash 1"),
    ("States.Format('{}', $$.Execution.Name)", "run-1"),
    ("  States.ArrayLength( States.Array( 1 , 2 ) )  ", 2),
    (
        "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit("
        "$.inputString, '+'), 1), ','), 0)",
        "a",
    ),
]


@pytest.mark.parametrize(("expression", "expected"), TABLE)
def test_intrinsic_table(expression: str, expected: Any) -> None:
    result = compile_intrinsic(expression)(DATA, {"Execution": {"Name": "run-1"}})
    assert result == expected
    assert type(result) is type(expected)


def test_uuid_is_a_random_version_4_uuid() -> None:
    evaluate = compile_intrinsic("States.UUID()")
    first, second = evaluate({}, None), evaluate({}, None)
    assert uuid.UUID(first).version == 4
    assert first != second


def test_math_random_stays_in_range_and_honours_the_seed() -> None:
    values = {compile_intrinsic("States.MathRandom(1, 4)")({}, None) for _ in range(200)}
    assert values == {1, 2, 3}
    seeded = compile_intrinsic("States.MathRandom(1, 1000000, 7)")
    assert seeded({}, None) == seeded({}, None)


FAILURES: list[tuple[str, str, str]] = [
    ("States.ArrayGetItem($.inputArray, 9)", "States.IntrinsicFailure", "out of bounds"),
    ("States.ArrayGetItem($.name, 0)", "States.IntrinsicFailure", "must be an array"),
    ("States.ArrayPartition($.inputArray, 0)", "States.IntrinsicFailure", "greater than 0"),
    ("States.ArrayRange(1, 2000, 1)", "States.IntrinsicFailure", "at most 1000"),
    ("States.ArrayRange(1, 5, 0)", "States.IntrinsicFailure", "must not be 0"),
    ("States.ArrayRange(1, 5, 1.5)", "States.IntrinsicFailure", "must be an integer"),
    ("States.Base64Decode('not base64!')", "States.IntrinsicFailure", "not valid base64"),
    ("States.Hash('x', 'SHA-999')", "States.IntrinsicFailure", "not supported"),
    ("States.JsonMerge($.json1, $.json2, true)", "States.IntrinsicFailure", "shallow"),
    ("States.JsonMerge($.json1, $.name, false)", "States.IntrinsicFailure", "must be an object"),
    ("States.StringToJson('{')", "States.IntrinsicFailure", "not valid JSON"),
    ("States.MathAdd($.name, 1)", "States.IntrinsicFailure", "must be a number"),
    ("States.MathRandom(5, 5)", "States.IntrinsicFailure", "less than the end"),
    ("States.StringSplit(1, ',')", "States.IntrinsicFailure", "must be a string"),
    ("States.Format('{} {}', 1)", "States.IntrinsicFailure", "2 placeholder(s) but 1 value"),
    ("States.Format($.template)", "States.IntrinsicFailure", "1 placeholder(s) but 0 value"),
    ("States.Format($.missing, 1)", "States.Runtime", "The JSONPath '$.missing' could not be"),
    ("States.Base64Encode($.long)", "States.IntrinsicFailure", "longer than 10000"),
]


@pytest.mark.parametrize(("expression", "error", "cause_part"), FAILURES)
def test_intrinsic_failures(expression: str, error: str, cause_part: str) -> None:
    data = {**DATA, "long": "x" * 10_001}
    with pytest.raises(StatesError) as raised:
        compile_intrinsic(expression)(data, None)
    assert raised.value.error == error
    assert cause_part in (raised.value.cause or "")
    assert raised.value.in_state


def test_missing_path_argument_names_the_field() -> None:
    with pytest.raises(StatesError) as raised:
        compile_intrinsic("States.Array($.nope)", "value.$")({"a": 1}, None)
    assert raised.value.cause == (
        "The JSONPath '$.nope' specified for the field 'value.$' could not be found in the "
        "input '{\"a\":1}'"
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("States.Nope(1)", "States.Nope is not an intrinsic function"),
        ("States.Array('a'", "expected ',' or ')'"),
        ("States.Array(1) x", "unexpected 'x' after the call"),
        ("States.Array('open)", "unterminated string"),
        ("States.Array(foo)", "expected an argument"),
        ("States.Array($.a[)", "expected ',' or ')' in States.Array(...), found the end"),
        ("States.Array($.a..)", "Invalid JSONPath"),
        ("States.UUID(1)", "takes 0 argument"),
        ("States.ArrayRange(1, 2)", "takes 3 argument"),
        ("States.MathRandom(1)", "takes 2 to 3 argument"),
        ("States.Format()", "takes at least 1 argument"),
        ("Array(1)", "expected a 'States.' function at 'Array(1)'"),
        ("States.Array" + "(States.Array" * 10 + "()" + ")" * 10, "at most 10"),
    ],
)
def test_syntax_errors_are_raised_at_compile_time(expression: str, message: str) -> None:
    with pytest.raises(IntrinsicSyntaxError, match=re.escape(message)):
        compile_intrinsic(expression)


def test_ten_nested_calls_are_allowed() -> None:
    expression = "States.Array(" * 10 + ")" * 10
    assert compile_intrinsic(expression)({}, None) == [[[[[[[[[[]]]]]]]]]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (1, "1"),
        (1.5, "1.5"),
        (None, "null"),
        (False, "false"),
        ({"a": [1, "b"], "c": {}}, "{a=[1, b], c={}}"),
    ],
)
def test_format_value(value: Any, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.Array()", True),
        (" States.Format('x')", True),
        ("$.a", False),
        ("States.", False),
        (3, False),
    ],
)
def test_is_intrinsic(text: Any, expected: bool) -> None:
    assert is_intrinsic(text) is expected
