"""Careless and hostile use of the Python model: a specific ``InvalidDefinition`` subclass
naming the state, never an AttributeError, TypeError or RecursionError from inside."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk import validation
from sfini_cdk.errors import InvalidChoiceRule, InvalidErrorMatch, InvalidField, InvalidPath

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _task() -> sfini.Task:
    return sfini.Task("t", LAMBDA)


def _choice_with(make_rule: Callable[[sfini.State], Any]) -> sfini.StateMachine:
    choice, done = sfini.Choice("c"), sfini.Succeed("d")
    choice.add(make_rule(done))
    choice.set_default(done)
    return sfini.construct_state_machine("m", choice)


def _deep_not(next_state: sfini.State) -> sfini.ChoiceRule:
    rule: sfini.ChoiceRule = sfini.BooleanEquals("$.a", True)
    for _ in range(3000):
        rule = sfini.Not(rule)
    rule.next_state = next_state
    return rule


def _at_default_recursion_limit(build: Callable[[], Any]) -> Callable[[], Any]:
    # jsonata-python raises the process's recursion limit to 10,000 when it evaluates: pin
    # Python's default so the depth at which rendering gives up does not depend on test order
    def run() -> Any:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(1000)
        try:
            return build()
        finally:
            sys.setrecursionlimit(limit)

    return run


def _nested_maps(depth: int) -> sfini.State:
    state: sfini.State = sfini.Pass("leaf")
    for level in range(depth):
        state = sfini.Map(f"map{level}", state)
    return state


@pytest.mark.parametrize(
    ("build", "error", "state", "message"),
    [
        (lambda: _task().retry_for(5), InvalidErrorMatch, "t", "Retry errors must be a list"),
        (
            lambda: _task().retry_for("States.ALL"),
            InvalidErrorMatch,
            "t",
            "got the str 'States.ALL' (write ['States.ALL'])",
        ),
        (lambda: _task().retry_for([7]), InvalidErrorMatch, "t", "error names must be str"),
        (
            lambda: _task().catch(None, sfini.Pass("p")),
            InvalidErrorMatch,
            "t",
            "Catch errors must be a list",
        ),
        (
            lambda: _task().catch(["States.ALL"], "p"),
            InvalidField,
            "t",
            "Catch next state must be a State, got str",
        ),
        (
            lambda: sfini.Pass("a").goes_to("b"),
            InvalidField,
            "a",
            "next state must be a State, got str 'b'",
        ),
        (lambda: sfini.Choice("c").add(5), InvalidChoiceRule, "c", "5 is not a choice rule"),
        (
            lambda: sfini.Choice("c").set_default("d"),
            InvalidChoiceRule,
            "c",
            "default state must be a State",
        ),
        (
            lambda: _choice_with(lambda d: sfini.StringEquals("$.a", "x", next_state="d")),
            InvalidChoiceRule,
            "c",
            "choice rule next state must be a State, got str 'd'",
        ),
        (
            _at_default_recursion_limit(lambda: _choice_with(_deep_not)),
            InvalidChoiceRule,
            "c",
            "nested too deeply",
        ),
        (
            lambda: sfini.construct_state_machine("m", sfini.Fail("f", error=5)).to_dict(),
            InvalidField,
            "f",
            "Error must be a str, got int 5",
        ),
        (
            lambda: sfini.construct_state_machine("m", sfini.Fail("f", cause=[])).to_dict(),
            InvalidField,
            "f",
            "Cause must be a str, got list []",
        ),
        (
            _at_default_recursion_limit(lambda: _nested_maps(600)),
            InvalidField,
            None,
            "nested too deeply to render",
        ),
    ],
)
def test_mistakes_raise_named_definition_errors(
    build: Callable[[], Any], error: type[Exception], state: str | None, message: str
) -> None:
    with pytest.raises(error) as caught:
        build()
    if state is not None:
        assert caught.value.state_name == state  # type: ignore[attr-defined]
    else:
        assert caught.value.state_name  # type: ignore[attr-defined]
    assert message in str(caught.value)


def test_fail_error_and_cause_types_are_checked_in_asl_too() -> None:
    definition = {"StartAt": "f", "States": {"f": {"Type": "Fail", "Error": 5}}}
    with pytest.raises(InvalidField, match="Error must be a str"):
        validation.validate_definition(definition, query_language="JSONPath")


def test_a_valid_retry_and_catch_still_render() -> None:
    task, handler = _task(), sfini.Pass("handler")
    task.retry_for(("States.Timeout",), interval=1)
    task.catch(["States.ALL"], handler)
    rendered = sfini.construct_state_machine("m", task).to_dict()["States"]["t"]
    assert rendered["Retry"][0]["ErrorEquals"] == ["States.Timeout"]
    assert rendered["Catch"][0] == {"ErrorEquals": ["States.ALL"], "Next": "handler"}


@pytest.mark.parametrize(
    ("depth", "quoted", "valid"),
    [(10, "", True), (11, "", False), (10, "'((( \\' ((('", True)],
)
def test_intrinsic_nesting_limit_matches_the_engine(depth: int, quoted: str, valid: bool) -> None:
    inner = f"States.Format({quoted}, 1)" if quoted else "1"
    calls = depth - 1 if quoted else depth
    call = "States.Array(" * calls + inner + ")" * calls
    state = sfini.Pass("p", parameters={"a.$": call})
    if valid:
        assert sfini.construct_state_machine("m", state).to_dict()["States"]["p"]
    else:
        with pytest.raises(InvalidPath, match="at most 10 intrinsic functions can be nested"):
            sfini.construct_state_machine("m", state)


@pytest.mark.parametrize("start", ["x", None, 3, {"Type": "Pass"}])
def test_construct_state_machine_needs_a_state_to_start_with(start: object) -> None:
    with pytest.raises(sfini.InvalidField, match="start state must be a State"):
        sfini.construct_state_machine("m", start)  # type: ignore[arg-type]
