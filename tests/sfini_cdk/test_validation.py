"""Every validation error: its exception class, the state it names, and the problem."""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

import sfini_cdk as sfini
from tests.sfini_cdk.conftest import fake_arn

ACTIVITY = sfini.Activity("worker")
JSONATA = "JSONata"


def build(start: sfini.State, query_language: str = sfini.DEFAULT) -> dict[str, Any]:
    """Construct a machine from ``start`` and render it (both check the definition)."""
    machine = sfini.construct_state_machine("m", start, query_language=query_language)
    return machine.to_dict(resources=fake_arn)


def chain(*states: sfini.State) -> sfini.State:
    for first, second in itertools.pairwise(states):
        first.goes_to(second)
    return states[0]


def task(**options: Any) -> sfini.Task:
    return sfini.Task("t", ACTIVITY, **options)


def next_outside() -> Any:
    a, b = sfini.Pass("a"), sfini.Pass("b")
    a.goes_to(b)
    return sfini.StateMachine("m", {"a": a}, "a")


def default_outside() -> Any:
    gate = sfini.Choice("gate")
    gate.add(sfini.IsNull("$.x", True, sfini.Succeed("s")))
    gate.set_default(sfini.Succeed("elsewhere"))
    return sfini.StateMachine("m", {"gate": gate, "s": gate.choices[0].next_state}, "gate")


def catch_outside() -> Any:
    t = task()
    t.catch(["E"], sfini.Fail("f"))
    return sfini.StateMachine("m", {"t": t}, "t")


def same_name_twice() -> Any:
    return build(chain(sfini.Pass("x"), sfini.Pass("x")))


def same_name_in_branch() -> Any:
    parallel = sfini.Parallel("p")
    parallel.add(sfini.construct_state_machine("b", sfini.Pass("x")))
    return build(chain(sfini.Pass("x"), parallel))


def same_name_in_processor() -> Any:
    return build(chain(sfini.Pass("x"), sfini.Map("each", sfini.Pass("x"))))


def same_name_across_branches() -> Any:
    parallel = sfini.Parallel("p")
    parallel.add(sfini.construct_state_machine("b1", sfini.Succeed("x")))
    parallel.add(sfini.construct_state_machine("b2", sfini.Succeed("x")))
    return build(parallel)


def loop_without_end() -> Any:
    a, b = sfini.Pass("a"), sfini.Pass("b")
    a.goes_to(b)
    b.goes_to(a)
    return build(a)


def branch_without_end() -> Any:
    a, b = sfini.Pass("a"), sfini.Pass("b")
    a.goes_to(b)
    b.goes_to(a)
    loop = sfini.StateMachine("loop", {"a": a, "b": b}, "a")
    parallel = sfini.Parallel("p")
    parallel.add(loop)
    return build(parallel)


def branch_loses_its_end() -> Any:
    a, b = sfini.Pass("a"), sfini.Pass("b")
    a.goes_to(b)
    branch = sfini.construct_state_machine("b", a)  # valid on its own
    b.goes_to(a)  # then its only terminal state loops back
    parallel = sfini.Parallel("p")
    parallel.add(branch)
    return build(parallel)


def processor_loses_its_end() -> Any:
    a, b = sfini.Pass("a"), sfini.Pass("b")
    a.goes_to(b)
    mapped = sfini.Map("each", a)
    b.goes_to(a)
    return build(mapped)


def unreachable_state() -> Any:
    return sfini.StateMachine("m", {"a": sfini.Succeed("a"), "b": sfini.Succeed("b")}, "a")


def choice_rule_outside() -> Any:
    gate = sfini.Choice("gate")
    gate.add(sfini.IsNull("$.x", True, sfini.Succeed("elsewhere")))
    gate.set_default(sfini.Succeed("s"))
    return sfini.StateMachine("m", {"gate": gate, "s": gate.default}, "gate")


def with_retry(*error_lists: list[str]) -> Callable[[], Any]:
    def make() -> Any:
        t = task()
        for errors in error_lists:
            t.retry_for(errors)
        return build(t)

    return make


def with_catch(*error_lists: list[str]) -> Callable[[], Any]:
    def make() -> Any:
        t = task()
        for index, errors in enumerate(error_lists):
            t.catch(errors, sfini.Succeed(f"s{index}"))
        return build(t)

    return make


def choice_with(*rules: sfini.ChoiceRule, query_language: str = sfini.DEFAULT) -> Any:
    gate = sfini.Choice("gate")
    for rule in rules:
        gate.add(rule)
    gate.set_default(sfini.Succeed("fallback"))
    return build(gate, query_language)


def yes() -> sfini.State:
    return sfini.Succeed("yes")


def branch_with_query_language() -> Any:
    parallel = sfini.Parallel("p")
    parallel.add(sfini.construct_state_machine("b", sfini.Pass("x"), query_language=JSONATA))
    return build(parallel)


def misfiled_state() -> Any:
    return sfini.StateMachine("m", {"other": sfini.Succeed("s")}, "other")


CASES: list[tuple[str, Callable[[], Any], type[Exception], str | None, str]] = [
    # graph
    ("next-outside", next_outside, sfini.UnknownStateTarget, "a", "target 'b'"),
    ("default-outside", default_outside, sfini.UnknownStateTarget, "gate", "'elsewhere'"),
    ("catch-outside", catch_outside, sfini.UnknownStateTarget, "t", "target 'f'"),
    (
        "start-outside",
        lambda: sfini.StateMachine("m", {"a": sfini.Succeed("a")}, "z"),
        sfini.UnknownStateTarget,
        None,
        "StartAt 'z'",
    ),
    ("misfiled", misfiled_state, sfini.InvalidField, "s", "stored under the name 'other'"),
    ("duplicate", same_name_twice, sfini.DuplicateStateName, "x", "two different states"),
    ("duplicate-branch", same_name_in_branch, sfini.DuplicateStateName, "x", "unique across"),
    ("duplicate-map", same_name_in_processor, sfini.DuplicateStateName, "x", "more than once"),
    ("duplicate-branches", same_name_across_branches, sfini.DuplicateStateName, "x", "used more"),
    ("no-terminal", loop_without_end, sfini.NoTerminalState, None, "state machine 'm' has no"),
    ("branch-no-terminal", branch_without_end, sfini.NoTerminalState, None, "machine 'loop'"),
    (
        "branch-loses-terminal",
        branch_loses_its_end,
        sfini.NoTerminalState,
        "p",
        "branch 0 of Parallel state 'p' has no terminal state",
    ),
    (
        "processor-loses-terminal",
        processor_loses_its_end,
        sfini.NoTerminalState,
        "each",
        "the item processor of Map state 'each' has no terminal state",
    ),
    ("unreachable", unreachable_state, sfini.UnreachableState, "b", "not reachable from StartAt"),
    ("choice-rule-outside", choice_rule_outside, sfini.UnknownStateTarget, "gate", "'elsewhere'"),
    (
        "empty-branches",
        lambda: build(sfini.Parallel("p")),
        sfini.EmptyBranches,
        "p",
        "no branches",
    ),
    # names
    (
        "name-too-long",
        lambda: build(sfini.Succeed("n" * 81)),
        sfini.InvalidStateName,
        "n" * 81,
        "81 characters long",
    ),
    (
        "name-empty",
        lambda: build(sfini.Succeed("")),
        sfini.InvalidStateName,
        None,
        "state name must be a non-empty str",
    ),
    # choice
    (
        "choice-empty",
        lambda: build(sfini.Choice("gate")),
        sfini.ChoiceWithoutRules,
        "gate",
        "no choice rules",
    ),
    # error matchers
    (
        "retry-all-not-alone",
        with_retry(["States.ALL", "E"]),
        sfini.InvalidErrorMatch,
        "t",
        "Retry[0].ErrorEquals combines States.ALL with other errors: it must appear alone",
    ),
    (
        "retry-all-not-last",
        with_retry(["States.ALL"], ["E"]),
        sfini.InvalidErrorMatch,
        "t",
        "Retry[0] matches States.ALL but is not the last Retry entry",
    ),
    (
        "catch-all-not-alone",
        with_catch(["E", "States.ALL"]),
        sfini.InvalidErrorMatch,
        "t",
        "Catch[0].ErrorEquals combines States.ALL with other errors: it must appear alone",
    ),
    (
        "catch-all-not-last",
        with_catch(["States.ALL"], ["E"]),
        sfini.InvalidErrorMatch,
        "t",
        "Catch[0] matches States.ALL but is not the last Catch entry",
    ),
    ("retry-unknown", with_retry(["States.Nope"]), sfini.InvalidErrorMatch, "t", "States.Nope"),
    ("catch-empty", with_catch([]), sfini.InvalidErrorMatch, "t", "non-empty"),
    # JSONPath syntax
    (
        "input-path-syntax",
        lambda: build(task(input_path="$.a b")),
        sfini.InvalidPath,
        "t",
        "InputPath '$.a b' is not a valid JSONPath",
    ),
    (
        "output-path-no-dollar",
        lambda: build(task(output_path="a.b")),
        sfini.InvalidPath,
        "t",
        "must start with '$'",
    ),
    (
        "result-path-indefinite",
        lambda: build(task(result_path="$..a")),
        sfini.InvalidPath,
        "t",
        "ResultPath '$..a' must be a reference path",
    ),
    (
        "result-path-wildcard",
        lambda: build(sfini.Pass("t", result_path="$.a[*]")),
        sfini.InvalidPath,
        "t",
        "reference path",
    ),
    (
        "parameters-path",
        lambda: build(task(parameters={"nested": {"x.$": "$.["}})),
        sfini.InvalidPath,
        "t",
        "Parameters.nested.x.$",
    ),
    (
        "parameters-intrinsic",
        lambda: build(task(parameters={"x.$": "States.Format('{}'"})),
        sfini.InvalidPath,
        "t",
        "intrinsic function",
    ),
    (
        "parameters-not-str",
        lambda: build(task(parameters={"x.$": 3})),
        sfini.InvalidPath,
        "t",
        "key ends in '.$'",
    ),
    (
        "seconds-path-filter",
        lambda: build(sfini.Wait("t", seconds_path="$.a[?(@.x)]")),
        sfini.InvalidPath,
        "t",
        "SecondsPath",
    ),
    (
        "items-path-wildcard",
        lambda: build(sfini.Map("t", sfini.Pass("i"), items_path="$[*]")),
        sfini.InvalidPath,
        "t",
        "ItemsPath",
    ),
    (
        "variable-syntax",
        lambda: choice_with(sfini.IsNull("$.", True, yes())),
        sfini.InvalidPath,
        "gate",
        "Choices[0].Variable",
    ),
    (
        "nested-comparison-path",
        lambda: choice_with(sfini.Not(sfini.NumericEqualsPath("$.a", "$..b"), yes())),
        sfini.InvalidPath,
        "gate",
        "Choices[0].Not.NumericEqualsPath",
    ),
    (
        "catch-result-path",
        lambda: build(_catching(result_path="$.a[0:1]")),
        sfini.InvalidPath,
        "t",
        "Catch[0].ResultPath",
    ),
    (
        "timeout-path",
        lambda: build(task(timeout_path="timeout")),
        sfini.InvalidPath,
        "t",
        "TimeoutSecondsPath",
    ),
    (
        "assign-path",
        lambda: build(sfini.Pass("t", assign={"v.$": "$.a["})),
        sfini.InvalidPath,
        "t",
        "Assign.v.$",
    ),
    # JSONata syntax
    (
        "output-expression",
        lambda: build(sfini.Pass("t", output="{% $x.( %}"), JSONATA),
        sfini.InvalidExpression,
        "t",
        "Output '{% $x.( %}' is not a valid JSONata expression",
    ),
    (
        "arguments-expression",
        lambda: build(task(arguments={"a": ["{% 1 + %}"]}), JSONATA),
        sfini.InvalidExpression,
        "t",
        "Arguments.a[0]",
    ),
    (
        "condition-empty",
        lambda: choice_with(sfini.Condition("{% %}", yes()), query_language=JSONATA),
        sfini.InvalidExpression,
        "gate",
        "empty JSONata expression",
    ),
    (
        "condition-not-expression",
        lambda: choice_with(sfini.Condition("$.a", yes()), query_language=JSONATA),
        sfini.InvalidExpression,
        "gate",
        "write it as",
    ),
    (
        "timeout-expression",
        lambda: build(task(timeout="{% $states.input.( %}"), JSONATA),
        sfini.InvalidExpression,
        "t",
        "TimeoutSeconds",
    ),
    (
        "unclosed-expression",
        lambda: build(sfini.Fail("t", error="{% 'oops'"), JSONATA),
        sfini.InvalidExpression,
        "t",
        "Error",
    ),
    (
        "items-expression",
        lambda: build(sfini.Map("t", sfini.Pass("i"), items="{% [1, %}"), JSONATA),
        sfini.InvalidExpression,
        "t",
        "Items",
    ),
    # naive datetimes
    (
        "wait-naive",
        lambda: build(sfini.Wait("t", datetime.datetime(2030, 1, 1))),
        sfini.NaiveDatetime,
        "t",
        "must be aware",
    ),
    (
        "wait-not-rfc3339",
        lambda: build(sfini.Wait("t", timestamp="2030-01-02 03:04:05Z")),
        sfini.InvalidField,
        "t",
        "Timestamp '2030-01-02 03:04:05Z' is not an ISO 8601 timestamp",
    ),
    (
        "wait-naive-str",
        lambda: build(sfini.Wait("t", timestamp="2030-01-01T00:00:00")),
        sfini.NaiveDatetime,
        "t",
        "no time zone",
    ),
    # query languages
    (
        "bad-query-language",
        lambda: build(sfini.Succeed("t"), "XPath"),
        sfini.QueryLanguageMismatch,
        None,
        "QueryLanguage must be one of",
    ),
    (
        "jsonpath-state-in-jsonata",
        lambda: build(sfini.Pass("t", query_language="JSONPath"), JSONATA),
        sfini.QueryLanguageMismatch,
        "t",
        "cannot be in a state machine whose QueryLanguage is JSONata",
    ),
    (
        "branch-query-language",
        branch_with_query_language,
        sfini.InvalidField,
        "p",
        "used as a Parallel branch",
    ),
    *[
        (
            f"jsonata-forbids-{field}",
            (lambda make=make: build(make(), JSONATA)),
            sfini.QueryLanguageMismatch,
            "t",
            f"{field} is not allowed in a JSONata state",
        )
        for field, make in [
            ("InputPath", lambda: task(input_path="$.a")),
            ("OutputPath", lambda: task(output_path="$.a")),
            ("Parameters", lambda: task(parameters={"a": 1})),
            ("ResultSelector", lambda: task(result_selector={"a": 1})),
            ("ResultPath", lambda: task(result_path="$.a")),
            ("TimeoutSecondsPath", lambda: task(timeout_path="$.a")),
            ("HeartbeatSecondsPath", lambda: task(heartbeat_path="$.a")),
            ("ItemsPath", lambda: sfini.Map("t", sfini.Pass("i"), items_path="$.a")),
            ("SecondsPath", lambda: sfini.Wait("t", seconds_path="$.a")),
            ("TimestampPath", lambda: sfini.Wait("t", "$.a")),
            ("ErrorPath", lambda: sfini.Fail("t", error_path="$.a")),
            ("CausePath", lambda: sfini.Fail("t", cause_path="$.a")),
            ("Result", lambda: sfini.Pass("t", result={"a": 1})),
        ]
    ],
    *[
        (
            f"jsonpath-forbids-{field}",
            make,
            sfini.QueryLanguageMismatch,
            "t",
            f"{field} is not allowed in a JSONPath state",
        )
        for field, make in [
            ("Arguments", lambda: build(task(arguments={"a": 1}))),
            ("Output", lambda: build(sfini.Pass("t", output={"a": 1}))),
            ("Items", lambda: build(sfini.Map("t", sfini.Pass("i"), items=[1, 2]))),
        ]
    ],
    (
        "jsonata-catch-result-path",
        lambda: build(_catching(result_path="$.e"), JSONATA),
        sfini.QueryLanguageMismatch,
        "t",
        "Catch[0].ResultPath",
    ),
    (
        "jsonpath-catch-output",
        lambda: build(_catching(output={"a": 1})),
        sfini.QueryLanguageMismatch,
        "t",
        "Catch[0].Output",
    ),
    (
        "jsonata-comparison-rule",
        lambda: choice_with(sfini.IsNull("$.a", True, yes()), query_language=JSONATA),
        sfini.QueryLanguageMismatch,
        "gate",
        "must be a JSONata Condition",
    ),
    (
        "jsonpath-condition-rule",
        lambda: choice_with(sfini.Condition("{% true %}", yes())),
        sfini.QueryLanguageMismatch,
        "gate",
        "need QueryLanguage JSONata",
    ),
    (
        "state-level-jsonata-forbids-paths",
        lambda: build(task(query_language=JSONATA, input_path="$.a")),
        sfini.QueryLanguageMismatch,
        "t",
        "InputPath",
    ),
    # field values
    ("timeout-zero", lambda: build(task(timeout=0)), sfini.InvalidField, "t", "TimeoutSeconds"),
    (
        "timeout-expression-under-jsonpath",
        lambda: build(task(timeout="{% 3 %}")),
        sfini.InvalidField,
        "t",
        "TimeoutSeconds must be an int",
    ),
    (
        "timeout-and-path",
        lambda: build(task(timeout=3, timeout_path="$.t")),
        sfini.InvalidField,
        "t",
        "cannot both be set",
    ),
    ("wait-negative", lambda: build(sfini.Wait("t", -1)), sfini.InvalidField, "t", "Seconds"),
    ("wait-bool", lambda: build(sfini.Wait("t", True)), sfini.InvalidField, "t", "bool"),
    (
        "wait-float",
        lambda: build(sfini.Wait("t", 1.5)),
        sfini.InvalidField,
        "t",
        "invalid type for wait time: float",
    ),
    ("wait-nothing", lambda: build(sfini.Wait("t")), sfini.InvalidField, "t", "got none"),
    (
        "wait-two",
        lambda: build(sfini.Wait("t", seconds=1, seconds_path="$.s")),
        sfini.InvalidField,
        "t",
        "Seconds, SecondsPath",
    ),
    (
        "fail-cause-path-intrinsic",
        lambda: build(sfini.Fail("t", cause_path="States.MathAdd(1, 2)")),
        sfini.InvalidPath,
        "t",
        "CausePath 'States.MathAdd(1, 2)' is neither a reference path nor one of the intrinsic",
    ),
    (
        "fail-error-path-unclosed",
        lambda: build(sfini.Fail("t", error_path="States.Format('{}', $.e")),
        sfini.InvalidPath,
        "t",
        "ErrorPath \"States.Format('{}', $.e\" is not a valid intrinsic function call",
    ),
    (
        "fail-error-and-path",
        lambda: build(sfini.Fail("t", error="E", error_path="$.e")),
        sfini.InvalidField,
        "t",
        "Error and ErrorPath",
    ),
    (
        "retry-interval",
        lambda: build(_retrying(interval=0)),
        sfini.InvalidField,
        "t",
        "IntervalSeconds",
    ),
    (
        "retry-backoff",
        lambda: build(_retrying(backoff_rate=0.5)),
        sfini.InvalidField,
        "t",
        "BackoffRate",
    ),
    (
        "retry-jitter",
        lambda: build(_retrying(jitter_strategy="SOME")),
        sfini.InvalidField,
        "t",
        "JitterStrategy",
    ),
    (
        "retry-max-delay",
        lambda: build(_retrying(max_delay=0)),
        sfini.InvalidField,
        "t",
        "MaxDelaySeconds",
    ),
    (
        "map-concurrency",
        lambda: build(sfini.Map("t", sfini.Pass("i"), max_concurrency=-1)),
        sfini.InvalidField,
        "t",
        "MaxConcurrency",
    ),
    (
        "map-percentage",
        lambda: build(sfini.Map("t", sfini.Pass("i"), tolerated_failure_percentage=150)),
        sfini.InvalidField,
        "t",
        "ToleratedFailurePercentage",
    ),
    (
        "machine-timeout",
        lambda: sfini.construct_state_machine("m", sfini.Succeed("s"), timeout=0),
        sfini.InvalidField,
        None,
        "TimeoutSeconds of state machine 'm'",
    ),
]


def _catching(**options: Any) -> sfini.Task:
    t = task()
    t.catch(["E"], sfini.Succeed("handled"), **options)
    return t


def _retrying(**options: Any) -> sfini.Task:
    t = task()
    t.retry_for(["E"], **options)
    return t


@pytest.mark.parametrize(
    ("make", "error_class", "state_name", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_invalid_definition(make, error_class, state_name, message):
    with pytest.raises(error_class) as caught:
        make()
    error = caught.value
    assert isinstance(error, sfini.InvalidDefinition)
    assert isinstance(error, ValueError)
    assert error.state_name == state_name
    assert message in str(error)
    if state_name is not None:
        assert str(error).startswith(f"state {state_name!r}: ")


RESOURCE_NAME_CHARACTERS = [*' \t<>{}[]?*"#%\\^|~`$&,;:/', "\x01", "\x1f", "\x7f", "\x85"]


@pytest.mark.parametrize(
    "character", RESOURCE_NAME_CHARACTERS, ids=[f"U+{ord(c):04X}" for c in RESOURCE_NAME_CHARACTERS]
)
def test_state_names_take_characters_resource_names_forbid(render, character):
    """AWS forbids these in state machine and activity names, not in state names (its own
    examples: "Job Complete?", "Lambda Invoke"); the local engine accepts the same names."""
    from sfini_runtime.local.interpreter.definition import validate_definition as engine_check

    name = f"odd{character}name"
    definition = render(sfini.construct_state_machine("m", sfini.Succeed(name)))
    assert list(definition["States"]) == [name]
    assert engine_check(json.dumps(definition)) == []
    with pytest.raises(sfini.InvalidName, match="forbids in names"):
        sfini.construct_state_machine(name, sfini.Succeed("s")).to_dict(resources=fake_arn)


@pytest.mark.parametrize("character", ["\n", "\r", "\u2028", "\u2029"])
def test_state_names_cannot_break_lines(character):
    """AWS's pattern for state names is ^.{1,80}$ (cfn-lint has it from AWS's schema)."""
    from sfini_runtime.local.interpreter.definition import validate_definition as engine_check

    name = f"odd{character}name"
    with pytest.raises(sfini.InvalidStateName, match="line breaks"):
        build(sfini.Succeed(name))
    (problem,) = engine_check(json.dumps({"StartAt": name, "States": {name: {"Type": "Succeed"}}}))
    assert problem["code"] == "INVALID_STATE_NAME"


@pytest.mark.parametrize("name", ["n" * 80, "ok-name_1.(x)+@!='", "état"])
def test_acceptable_names(render, name):
    definition = render(sfini.construct_state_machine("m", sfini.Succeed(name)))
    assert list(definition["States"]) == [name]


def test_choice_with_default_but_no_rules_is_rejected():
    gate = sfini.Choice("gate")
    gate.set_default(sfini.Succeed("s"))
    with pytest.raises(sfini.ChoiceWithoutRules, match="a Default alone is not enough"):
        sfini.construct_state_machine("m", gate)


def test_unsupported_resource_is_rejected_only_by_the_default_resolver(render):
    resource = object()
    machine = sfini.construct_state_machine("m", sfini.Task("t", resource))
    assert machine.task_resources() == [resource]
    assert render(machine, resources=lambda r: fake_arn(ACTIVITY))["States"]["t"]["Resource"]
    with pytest.raises(sfini.UnsupportedTaskResource, match=r"builtins\.object") as caught:
        machine.to_dict()
    assert caught.value.state_name == "t"
    assert isinstance(caught.value, TypeError)


def test_branch_errors_name_the_nested_state():
    inner = sfini.Task("inner", ACTIVITY)
    parallel = sfini.Parallel("p")
    parallel.add(sfini.construct_state_machine("b", inner))
    inner.input_path = "$.["
    with pytest.raises(sfini.InvalidPath, match="InputPath") as caught:
        sfini.construct_state_machine("m", parallel)
    assert caught.value.state_name == "inner"


def test_validation_runs_again_at_render():
    gate = sfini.Choice("gate")
    gate.add(sfini.IsNull("$.a", True, sfini.Succeed("s")))
    machine = sfini.construct_state_machine("m", gate)
    gate.choices.clear()
    with pytest.raises(sfini.ChoiceWithoutRules):
        machine.to_dict(resources=fake_arn)


def test_nested_state_machine_needs_jsonata_arguments_under_jsonata(render):
    child = sfini.construct_state_machine("child", sfini.Succeed("done"))
    start = sfini.Task("start", sfini.StateMachineResource(child))
    machine = sfini.construct_state_machine("m", start, query_language=JSONATA)
    definition = render(machine, resources=lambda r: f"arn:aws:states:us-east-1:1:x:{r.name}")
    assert definition["States"]["start"]["Arguments"] == {
        "StateMachineArn": "arn:aws:states:us-east-1:1:x:child"
    }
    assert "Parameters" not in definition["States"]["start"]


def _machine(**states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


RAW_CASES = [
    (
        "unreachable-in-branch",
        _machine(
            p={
                "Type": "Parallel",
                "Branches": [_machine(a={"Type": "Succeed"}, orphan={"Type": "Succeed"})],
                "End": True,
            }
        ),
        sfini.UnreachableState,
        "orphan",
        "not reachable from StartAt 'a' of branch 0 of Parallel state 'p'",
    ),
    (
        "branch-without-states",
        _machine(p={"Type": "Parallel", "Branches": [{"StartAt": "x", "States": {}}], "End": True}),
        sfini.InvalidDefinition,
        "p",
        "branch 0 of Parallel state 'p' has no states",
    ),
    (
        "processor-start-outside",
        _machine(
            m={
                "Type": "Map",
                "ItemProcessor": {"StartAt": "z", "States": {"a": {"Type": "Succeed"}}},
                "End": True,
            }
        ),
        sfini.UnknownStateTarget,
        "m",
        "StartAt 'z' is not a state of the item processor of Map state 'm'",
    ),
    (
        "iterator-and-item-processor",
        _machine(
            m={
                "Type": "Map",
                "Iterator": _machine(a={"Type": "Succeed"}),
                "ItemProcessor": _machine(b={"Type": "Succeed"}),
                "End": True,
            }
        ),
        sfini.InvalidField,
        "m",
        "ItemProcessor and Iterator cannot both be set",
    ),
    (
        "result-under-state-level-jsonata",
        _machine(p={"Type": "Pass", "QueryLanguage": "JSONata", "Result": 1, "End": True}),
        sfini.QueryLanguageMismatch,
        "p",
        "Result is not allowed in a JSONata state",
    ),
]


@pytest.mark.parametrize(
    ("definition", "error_class", "state_name", "message"),
    [case[1:] for case in RAW_CASES],
    ids=[case[0] for case in RAW_CASES],
)
def test_invalid_asl(definition, error_class, state_name, message):
    with pytest.raises(error_class) as caught:
        sfini.validation.validate_definition(definition, query_language="JSONPath")
    assert caught.value.state_name == state_name
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "definition",
    [
        _machine(
            m={"Type": "Map", "Iterator": _machine(a={"Type": "Succeed"}), "End": True}
        ),  # legacy Map, still accepted by AWS
        _machine(
            p={
                "Type": "Pass",
                "Parameters": {
                    "a.$": "States.Base64Encode($.x)",
                    "b.$": "States.StringToJson($$.Execution.Input)",
                    "c.$": "$var.field",
                },
                "End": True,
            }
        ),
        _machine(w={"Type": "Wait", "Timestamp": "2016-03-05T21:29:29.243167252Z", "End": True}),
    ],
    ids=["legacy-iterator", "intrinsics-and-paths", "nanosecond-timestamp"],
)
def test_valid_asl(definition):
    sfini.validation.validate_definition(definition, query_language="JSONPath")
