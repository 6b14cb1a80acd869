"""Intrinsic function syntax: what parses (and the paths found), what is rejected and why."""

from __future__ import annotations

import pytest

import sfini_cdk as sfini
from sfini_cdk.intrinsics import (
    INTRINSIC_FUNCTIONS,
    IntrinsicSyntaxError,
    parse_intrinsic,
    paths_of,
)
from tests.sfini_cdk.conftest import fake_arn

VALID = [
    ("States.UUID()", ()),
    ("States.Format('Hello, {}!', $.name)", ("$.name",)),
    ("States.Format('a\\'b {} \\{\\}', $$.Execution.Id)", ("$$.Execution.Id",)),
    ("States.Array(1, -2.5, 3e2, true, false, null, 'x')", ()),
    ("States.ArrayGetItem($.items, $.index)", ("$.items", "$.index")),
    ("States.ArrayRange(1, 9, 2)", ()),
    ("States.JsonMerge($.a, $.b, false)", ("$.a", "$.b")),
    ("States.MathRandom(1, 100)", ()),
    ("States.MathRandom(1, 100, $.seed)", ("$.seed",)),
    ("States.Hash($.data, 'SHA-256')", ("$.data",)),
    ("States.StringToJson(States.JsonToString($.x))", ("$.x",)),
    ("States.Format('{}', States.ArrayLength(States.Array($.a, $.b)))", ("$.a", "$.b")),
    ("States.ArrayLength($.items[?(@.price > 10)])", ("$.items[?(@.price > 10)]",)),
    ("States.Format('{}', $.a['x,y'])", ("$.a['x,y']",)),
    ("States.Format('{}', $myVariable.field)", ("$myVariable.field",)),
    ("States.Array( $.a ,$.b )", ("$.a", "$.b")),
]


@pytest.mark.parametrize(("call", "paths"), VALID, ids=[call for call, _ in VALID])
def test_valid_calls_parse_and_yield_their_paths(call: str, paths: tuple[str, ...]) -> None:
    assert paths_of(parse_intrinsic(call)) == paths


INVALID = [
    ("States.Nope(1)", "States.Nope is not an intrinsic function"),
    ("States.UUID", "expected '(' after States.UUID"),
    ("States.Format('{}', $.e", "expected ',' or ')' in States.Format(...), found the end"),
    ("States.Format('{}' $.e)", "expected ',' or ')' in States.Format(...), found '$'"),
    ("States.Format('unterminated)", "unterminated string"),
    ("States.Format()", "States.Format takes at least 1 arguments, got 0"),
    ("States.UUID(1)", "States.UUID takes 0 arguments, got 1"),
    ("States.Hash($.x)", "States.Hash takes 2 arguments, got 1"),
    ("States.MathRandom(1)", "States.MathRandom takes 2 to 3 arguments, got 1"),
    ("States.ArrayRange(1, 2, 3, 4)", "States.ArrayRange takes 3 arguments, got 4"),
    ("States.Format('{}', name)", "expected an argument"),
    ("States.Format('{}', \"double\")", "expected an argument"),
    ("States.Format('{}',)", "expected an argument"),
    ("States.UUID() extra", "unexpected 'extra' after the call"),
    ("States.Array(01)", "expected ',' or ')'"),
]


@pytest.mark.parametrize(("call", "problem"), INVALID, ids=[call for call, _ in INVALID])
def test_invalid_calls_are_rejected_with_the_reason(call: str, problem: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as caught:
        parse_intrinsic(call)
    assert problem in str(caught.value)


def test_every_documented_function_is_known() -> None:
    documented = {
        "Format", "StringToJson", "JsonToString", "Array", "ArrayPartition", "ArrayContains",
        "ArrayRange", "ArrayGetItem", "ArrayLength", "ArrayUnique", "Base64Encode",
        "Base64Decode", "Hash", "JsonMerge", "MathRandom", "MathAdd", "StringSplit", "UUID",
    }  # fmt: skip
    assert set(INTRINSIC_FUNCTIONS) == {f"States.{name}" for name in documented}


def _render(state: sfini.State) -> dict:
    return sfini.construct_state_machine("m", state).to_dict(resources=fake_arn)


@pytest.mark.parametrize(
    ("make", "field", "problem"),
    [
        (
            lambda: sfini.Pass("t", parameters={"x.$": "States.Hash($.x)"}),
            "Parameters.x.$",
            "States.Hash takes 2 arguments, got 1",
        ),
        (
            lambda: sfini.Pass("t", parameters={"a": [{"x.$": "States.Format('{}', $.a b)"}]}),
            "Parameters.a[0].x.$ argument",
            "is not a valid JSONPath",
        ),
        (
            lambda: sfini.Pass("t", assign={"v.$": "States.MathAdd($.a)"}),
            "Assign.v.$",
            "States.MathAdd takes 2 arguments, got 1",
        ),
        (
            lambda: sfini.Fail("t", error_path="States.Format('{}' $.e)"),
            "ErrorPath",
            "expected ',' or ')'",
        ),
        (
            lambda: sfini.Fail("t", cause_path="States.Format('{}', $.a..)"),
            "CausePath argument",
            "not a valid JSONPath",
        ),
    ],
    ids=["arity", "nested-path", "assign", "fail-error-path", "fail-cause-path"],
)
def test_definitions_reject_bad_intrinsics_naming_state_and_field(make, field, problem) -> None:
    with pytest.raises(sfini.InvalidPath) as caught:
        _render(make())
    assert caught.value.state_name == "t"
    assert f"state 't': {field} " in str(caught.value)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("error_path", "cause_path"),
    [
        ("$.error", "$$.State.Name"),
        ("States.Format('E{}', $.code)", "States.JsonToString($.details)"),
        ("States.ArrayGetItem($.errors, 0)", "States.Base64Decode($.cause)"),
        ("States.UUID()", "States.Hash($.x, 'MD5')"),
    ],
)
def test_fail_paths_take_reference_paths_or_string_intrinsics(
    error_path, cause_path, render
) -> None:
    fail = sfini.Fail("t", error_path=error_path, cause_path=cause_path)
    state = render(sfini.construct_state_machine("m", fail))["States"]["t"]
    assert (state["ErrorPath"], state["CausePath"]) == (error_path, cause_path)
