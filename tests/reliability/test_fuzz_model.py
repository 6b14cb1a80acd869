"""Random state graphs through the definition model: each either builds and renders ASL that the
local engine accepts (CreateStateMachine) and can start, or fails with the model's
``InvalidDefinition``; never another exception.

A graph is drawn as a plan (plain data: state kinds, names, fields, transitions, nested
branches) and built inside the test, so a construction-time error is the model's to answer.
Hypothesis runs derandomized with a fixed example count (``GRAPHS``).
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sfini_cdk as sfini
from sfini_cdk.errors import InvalidDefinition
from sfini_runtime.local import LocalEngine
from sfini_runtime.local.errors import ServiceError
from tests.reliability.fuzzing import ROLE_ARN, describe, engine_errors, json_values

pytestmark = [pytest.mark.reliability, pytest.mark.engine]

GRAPHS = 120
OUTCOMES: Counter[str] = Counter()

KINDS = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"]
GOOD_PATHS = st.sampled_from(["$", "$.a", "$.a.b", "$.items[0]", "$.list"])
BAD_PATHS = st.one_of(
    st.sampled_from(["$.", "$[", "a.b", "", "$..x", "$.a[?(@.b > 1)]", "$var", "$$.Execution"]),
    st.none(),
    st.text(max_size=8),
    st.integers(),
)
BAD_NAMES = st.one_of(
    st.text(min_size=1, max_size=12),
    st.sampled_from(["", "a" * 81, "bad<name", "tab\there", "{brace}", "$.x", "A", "x" * 80]),
    st.integers(),
)
GOOD_ERRORS = st.sampled_from(
    [["Custom.Error"], ["States.Timeout", "Custom.X"], ["States.TaskFailed"], ["E"]]
)
BAD_ERRORS = st.one_of(
    st.lists(
        st.sampled_from(["States.ALL", "States.Nope", "", "States.Timeout"]) | st.text(max_size=8),
        max_size=3,
    ),
    st.just("States.ALL"),
    st.just(["States.ALL"]),
)
GOOD_NUMBERS = st.integers(min_value=1, max_value=100)
BAD_NUMBERS = st.one_of(
    st.integers(min_value=-2, max_value=0),
    st.sampled_from([99_999_999, 100_000_000, 2**31, 2**63]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.floats(),
    st.text(max_size=5),
    st.booleans(),
    json_values,
)
OPERATORS = [
    ("StringEquals", st.text(max_size=5)),
    ("StringMatches", st.sampled_from(["a*", "\\*", "x"])),
    ("NumericEquals", st.integers(-5, 5)),
    ("NumericGreaterThan", st.floats(allow_nan=False, allow_infinity=False, width=32)),
    ("BooleanEquals", st.booleans()),
    ("IsPresent", st.booleans()),
    ("IsNull", st.booleans()),
    ("TimestampLessThan", st.sampled_from(["2024-01-01T00:00:00Z", "2030-06-30T12:00:00+02:00"])),
    ("StringEqualsPath", GOOD_PATHS),
    ("NumericLessThanPath", GOOD_PATHS),
]


ONE_IN_THREE = st.integers(0, 2).map(lambda n: n == 0)


class Draw:
    """Draws good values, or (``sloppy``) a bad one a third of the time."""

    def __init__(self, draw: st.DrawFn, sloppy: bool) -> None:
        self.draw, self.sloppy = draw, sloppy

    def __call__(self, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
        if self.sloppy and self.draw(ONE_IN_THREE):
            return self.draw(bad)
        return self.draw(good)

    def maybe(self, good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> Any:
        """Mostly not given (``None`` here means: leave the keyword out)."""
        if self.sloppy and self.draw(ONE_IN_THREE):
            return self.draw(bad)
        return self.draw(good) if self.draw(ONE_IN_THREE) else None


@st.composite
def rule_plans(draw: st.DrawFn, pick: Draw, size: int, depth: int = 0) -> dict[str, Any]:
    kinds = ["comparison"] * 4 + (["and", "or", "not"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    plan: dict[str, Any] = {"kind": kind, "next": pick(st.integers(0, size - 1), st.none())}
    if kind == "comparison":
        operator, values = draw(st.sampled_from(OPERATORS))
        plan.update(
            operator=operator, variable=pick(GOOD_PATHS, BAD_PATHS), value=pick(values, json_values)
        )
    elif kind == "not":
        plan["rules"] = [draw(rule_plans(pick, size, depth + 1))]
    else:
        low = 0 if pick.sloppy else 1
        plan["rules"] = draw(st.lists(rule_plans(pick, size, depth + 1), min_size=low, max_size=3))
    return plan


@st.composite
def graph_plans(draw: st.DrawFn, depth: int = 0, sloppy: bool | None = None) -> dict[str, Any]:
    if sloppy is None:
        sloppy = draw(st.booleans())
    pick = Draw(draw, sloppy)
    size = draw(st.integers(1, 5 if depth == 0 else 3))
    kinds = KINDS if depth < 2 else KINDS[:6]
    states = []
    for index in range(size):
        kind = draw(st.sampled_from(kinds))
        good_next = st.integers(index + 1, size - 1) | st.none() if index + 1 < size else st.none()
        state: dict[str, Any] = {
            "kind": kind,
            "name": pick(st.just(f"S{depth}_{index}"), BAD_NAMES),
            "next": pick(good_next, st.integers(0, size - 1)),
            "fields": {
                "comment": pick.maybe(st.text(max_size=10), st.integers()),
                "input_path": pick.maybe(GOOD_PATHS, BAD_PATHS),
                "output_path": pick.maybe(GOOD_PATHS, BAD_PATHS),
            },
        }
        fields = state["fields"]
        if kind in ("Pass", "Task", "Parallel", "Map"):
            fields["result_path"] = pick.maybe(GOOD_PATHS, BAD_PATHS)
        if kind == "Pass":
            fields["result"] = pick.maybe(json_values, st.just(object()))
            fields["parameters"] = pick.maybe(json_values, st.just({"a.$": "$.["}))
        if kind == "Task":
            state["resource"] = draw(RESOURCES)
            fields["timeout"] = pick.maybe(GOOD_NUMBERS.map(lambda n: n + 100), BAD_NUMBERS)
            fields["heartbeat"] = pick.maybe(GOOD_NUMBERS, BAD_NUMBERS)
            fields["parameters"] = pick.maybe(
                st.dictionaries(st.sampled_from(["a", "b.$"]), GOOD_PATHS), json_values
            )
            fields["result_selector"] = pick.maybe(st.just({"r.$": "$"}), json_values)
        if kind == "Wait":
            key = pick(
                st.sampled_from(["until", "seconds", "timestamp", "seconds_path"]), st.just("none")
            )
            if key != "none":
                good = {
                    "until": GOOD_NUMBERS | GOOD_PATHS,
                    "seconds": GOOD_NUMBERS,
                    "timestamp": st.sampled_from(
                        [
                            "2024-01-01T00:00:00Z",
                            datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                        ]
                    ),
                    "seconds_path": GOOD_PATHS,
                }[key]
                bad = st.one_of(
                    BAD_NUMBERS,
                    BAD_PATHS,
                    st.sampled_from(["not a time", datetime.datetime(2024, 1, 1)]),
                )
                fields[key] = pick(good, bad)
        if kind == "Fail":
            fields["error"] = pick.maybe(st.text(max_size=8), st.integers())
            fields["cause"] = pick.maybe(st.text(max_size=8), st.integers())
        if kind == "Choice":
            low = 0 if sloppy else 1
            state["rules"] = draw(st.lists(rule_plans(pick, size), min_size=low, max_size=3))
            state["default"] = draw(st.integers(0, size - 1) | st.none())
        if kind == "Map":
            fields["items_path"] = pick.maybe(GOOD_PATHS, BAD_PATHS)
            fields["max_concurrency"] = pick.maybe(GOOD_NUMBERS, BAD_NUMBERS)
            state["processor"] = draw(graph_plans(depth + 1, sloppy))
        if kind == "Parallel":
            low = 0 if sloppy else 1
            state["branches"] = draw(
                st.lists(graph_plans(depth + 1, sloppy), min_size=low, max_size=2)
            )
        if kind in ("Task", "Parallel", "Map"):
            state["retry"] = [
                (
                    pick(GOOD_ERRORS, BAD_ERRORS),
                    pick.maybe(GOOD_NUMBERS, BAD_NUMBERS),
                    pick.maybe(GOOD_NUMBERS, BAD_NUMBERS),
                )
                for _ in range(draw(st.integers(0, 2)))
            ]
            state["catch"] = [
                (pick(GOOD_ERRORS, BAD_ERRORS), draw(st.integers(0, size - 1)))
                for _ in range(draw(st.integers(0, 2)))
            ]
        states.append(state)
    return {
        "name": pick(st.sampled_from(["machine", "fuzz-graph"]), BAD_NAMES),
        "states": states,
        "start": pick(st.just(0), st.integers(0, size - 1)),
        "timeout": pick.maybe(GOOD_NUMBERS.map(lambda n: n + 1000), BAD_NUMBERS),
    }


JSONATA_VALUES = st.sampled_from(
    ["{% $states.input %}", "{% 1 + 1 %}", {"a": "{% $states.input.a %}", "b": [1]}, "plain", 3]
)
BAD_JSONATA = st.one_of(
    st.sampled_from(["{% 1 + %}", "{% $states.input[ %}", "{%%}", "$.a", "{% ) %}"]),
    BAD_NUMBERS,
)


@st.composite
def jsonata_graph_plans(draw: st.DrawFn, depth: int = 0, sloppy: bool | None = None) -> Any:
    """A plan for a JSONata machine: Output, Assign, Arguments, Items, Condition rules."""
    if sloppy is None:
        sloppy = draw(st.booleans())
    pick = Draw(draw, sloppy)
    size = draw(st.integers(1, 4 if depth == 0 else 2))
    kinds = KINDS if depth < 2 else KINDS[:6]
    states = []
    for index in range(size):
        kind = draw(st.sampled_from(kinds))
        good_next = st.integers(index + 1, size - 1) | st.none() if index + 1 < size else st.none()
        fields: dict[str, Any] = {"comment": pick.maybe(st.text(max_size=10), st.integers())}
        if sloppy and draw(ONE_IN_THREE):  # a JSONPath field in a JSONata state
            fields["input_path"] = draw(GOOD_PATHS)
        if kind not in ("Fail", "Succeed"):
            fields["assign"] = pick.maybe(
                st.fixed_dictionaries({"v": JSONATA_VALUES}),
                st.dictionaries(st.sampled_from(["v", "$bad", "1x", ""]), BAD_JSONATA, max_size=2),
            )
        if kind != "Fail":
            fields["output"] = pick.maybe(JSONATA_VALUES, BAD_JSONATA)
        if kind == "Task":
            state_resource = draw(RESOURCES)
            fields["arguments"] = pick.maybe(JSONATA_VALUES, BAD_JSONATA)
            fields["timeout"] = pick.maybe(
                GOOD_NUMBERS.map(lambda n: n + 100) | st.just("{% 200 %}"), BAD_JSONATA
            )
        if kind == "Wait":
            fields["seconds"] = pick(GOOD_NUMBERS | st.just("{% 1 %}"), BAD_JSONATA)
        if kind == "Fail":
            fields["error"] = pick.maybe(
                st.just("{% 'E' & 'rr' %}") | st.text(max_size=5), BAD_JSONATA
            )
        if kind == "Map":
            fields["items"] = pick.maybe(st.just("{% [1, 2] %}") | st.just([1, 2]), BAD_JSONATA)
        state: dict[str, Any] = {
            "kind": kind,
            "name": f"J{depth}_{index}",
            "next": pick(good_next, st.integers(0, size - 1)),
            "fields": fields,
        }
        if kind == "Task":
            state["resource"] = state_resource
        if kind == "Choice":
            state["rules"] = [
                {
                    "kind": "condition",
                    "next": draw(st.integers(0, size - 1)),
                    "condition": pick(
                        st.sampled_from(["{% true %}", "{% $states.input.a = 1 %}"]), BAD_JSONATA
                    ),
                }
                for _ in range(draw(st.integers(0 if sloppy else 1, 2)))
            ]
            state["default"] = draw(st.integers(0, size - 1) | st.none())
        if kind == "Map":
            state["processor"] = draw(jsonata_graph_plans(depth + 1, sloppy))
        if kind == "Parallel":
            state["branches"] = [
                draw(jsonata_graph_plans(depth + 1, sloppy))
                for _ in range(draw(st.integers(0 if sloppy else 1, 2)))
            ]
        if kind in ("Task", "Parallel", "Map"):
            state["retry"] = [
                (draw(GOOD_ERRORS), pick.maybe(GOOD_NUMBERS, BAD_NUMBERS), None)
                for _ in range(draw(st.integers(0, 1)))
            ]
            state["catch"] = [
                (draw(GOOD_ERRORS), draw(st.integers(0, size - 1)))
                for _ in range(draw(st.integers(0, 1)))
            ]
        states.append(state)
    plan = {"name": "jsonata-graph", "states": states, "start": 0, "timeout": None}
    if depth == 0:
        plan["query_language"] = "JSONata"
    return plan


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _rule(plan: dict[str, Any], states: list[sfini.State], top: bool) -> sfini.ChoiceRule:
    next_state = states[plan["next"]] if top and plan["next"] is not None else None
    if plan["kind"] == "condition":
        return sfini.Condition(plan["condition"], next_state)
    if plan["kind"] == "comparison":
        rule_class = getattr(sfini, plan["operator"])
        return rule_class(plan["variable"], plan["value"], next_state)
    nested = [_rule(item, states, False) for item in plan["rules"]]
    if plan["kind"] == "not":
        return sfini.Not(nested[0], next_state)
    return (sfini.And if plan["kind"] == "and" else sfini.Or)(nested, next_state)


#: what a Task runs: an activity, a Lambda function, a nested state machine (each served by the
#: test's engine)
RESOURCES = st.sampled_from(["activity", "lambda", "machine", "machine-async"])
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:graph-fn"
NESTED_MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:graph-nested"


def _resource(kind: str) -> object:
    if kind == "activity":
        return sfini.Activity("graph-work")
    if kind == "lambda":
        return sfini.Lambda("graph-fn")
    return sfini.StateMachineResource(
        NESTED_MACHINE, integration="sync:2" if kind == "machine" else None
    )


def resolver(activity_arn: str) -> Any:
    """Resource objects to the ARNs of the engine's activity, function and nested machine."""

    def resolve(resource: object) -> str:
        if isinstance(resource, str):
            return resource
        if isinstance(resource, sfini.Activity):
            return activity_arn
        if isinstance(resource, sfini.Lambda):
            return LAMBDA_ARN
        integration = getattr(resource, "integration", None)
        suffix = "" if integration is None else f".{integration}"
        return f"arn:aws:states:::states:startExecution{suffix}"

    return resolve


def build(plan: dict[str, Any], name: str | None = None) -> sfini.StateMachine:
    """The state machine ``plan`` describes (the model may raise ``InvalidDefinition``)."""
    states: list[sfini.State] = []
    for item in plan["states"]:
        kind, fields = item["kind"], _given(item["fields"])
        if kind == "Task":
            resource = _resource(item["resource"])
            state: sfini.State = sfini.Task(item["name"], resource, **fields)
        elif kind == "Map":
            processor = build(item["processor"])
            state = sfini.Map(item["name"], processor, **fields)
        else:
            state = getattr(sfini, kind)(item["name"], **fields)
        states.append(state)
    for item, state in zip(plan["states"], states, strict=True):
        if isinstance(state, sfini.HasNext) and item["next"] is not None:
            state.goes_to(states[item["next"]])
        if isinstance(state, sfini.Choice):
            for rule in item["rules"]:
                state.add(_rule(rule, states, True))
            if item["default"] is not None:
                state.set_default(states[item["default"]])
        if isinstance(state, sfini.Parallel):
            for branch in item["branches"]:
                state.add(build(branch))
        if isinstance(state, sfini.CanRetry):
            for errors, interval, attempts in item["retry"]:
                state.retry_for(errors, **_given({"interval": interval, "max_attempts": attempts}))
        if isinstance(state, sfini.CanCatch):
            for errors, target in item["catch"]:
                state.catch(errors, states[target])
    options = _given({"timeout": plan["timeout"], "query_language": plan.get("query_language")})
    return sfini.construct_state_machine(name or plan["name"], states[plan["start"]], **options)


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalEngine]:
    """The engine; errors it logs after a test's check (executions running on) fail here."""
    with (
        engine_errors() as records,
        LocalEngine(time_scale=0.0, activity_poll_seconds=0.05) as local,
    ):
        yield local
    print(f"\nrandom state graphs: {GRAPHS}, outcomes: {dict(OUTCOMES)}")
    assert not records, describe(records)


@pytest.fixture(scope="module")
def activity_arn(engine: LocalEngine) -> str:
    engine.register_lambda("graph-fn", lambda event, context: {"echo": event})
    nested = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    engine.service.call(
        "CreateStateMachine",
        {"name": "graph-nested", "definition": json.dumps(nested), "roleArn": ROLE_ARN},
    )
    return str(engine.service.call("CreateActivity", {"name": "graph-work"})["activityArn"])


@settings(
    max_examples=GRAPHS,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.one_of(graph_plans(), jsonata_graph_plans()))
def test_random_graphs_render_what_the_engine_accepts_or_fail_with_invalid_definition(
    engine: LocalEngine, activity_arn: str, plan: dict[str, Any]
) -> None:
    try:
        machine = build(plan)
        definition = machine.to_dict(resources=resolver(activity_arn))
    except InvalidDefinition as error:
        OUTCOMES[type(error).__name__] += 1
        assert str(error), plan
        return
    OUTCOMES["valid"] += 1
    text = json.dumps(definition)
    service = engine.service
    name = f"graph-{OUTCOMES['valid']}"
    with engine_errors() as records:
        try:
            arn = service.call(
                "CreateStateMachine", {"name": name, "definition": text, "roleArn": ROLE_ARN}
            )["stateMachineArn"]
        except ServiceError as error:
            raise AssertionError(
                f"the engine refused the model's ASL: {error.message}\n{text}"
            ) from None
        started = service.call("StartExecution", {"stateMachineArn": arn, "input": "{}"})
        described = service.call("DescribeExecution", {"executionArn": started["executionArn"]})
        service.call("DeleteStateMachine", {"stateMachineArn": arn})
    assert "Internal engine error" not in described.get("cause", ""), described
    assert not records, describe(records)
