"""JSONata states through the Engine: $states, Arguments/Output per state type, Choice
conditions, Map Items/ItemSelector, Wait and Fail expressions, catchers, EvaluationFailed,
and a QueryLanguage chosen per state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local.interpreter import Engine

from ._engine_helpers import ACTIVITY, details, output, run, start, types


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(time_scale=0) as eng:
        yield eng


@pytest.fixture
def real_time_engine() -> Iterator[Engine]:
    """For activity tasks: their TimeoutSeconds must not pass at once."""
    with Engine(time_scale=1) as eng:
        yield eng


def jsonata(states: dict[str, Any], start_at: str | None = None) -> dict[str, Any]:
    """A JSONata state machine of ``states`` (StartAt: the first one)."""
    return {
        "QueryLanguage": "JSONata",
        "StartAt": start_at or next(iter(states)),
        "States": states,
    }


def _end(**fields: Any) -> dict[str, Any]:
    return {"End": True, **fields}


@pytest.mark.parametrize(
    ("state", "payload", "expected"),
    [
        ({"Type": "Pass", **_end()}, {"a": 1}, {"a": 1}),
        ({"Type": "Pass", **_end(Output="{% $states.input.a + 1 %}")}, {"a": 1}, 2),
        (
            {"Type": "Pass", **_end(Output={"n": "{% $states.input.a %}", "k": "x"})},
            {"a": 1},
            {"n": 1, "k": "x"},
        ),
        ({"Type": "Pass", **_end(Output=[])}, {"a": 1}, []),
        (
            {"Type": "Pass", **_end(Output="{% $states.context.State.Name %}")},
            {},
            "S",
        ),
        ({"Type": "Pass", **_end(Output="{% $partition([1, 2, 3], 2) %}")}, {}, [[1, 2], [3]]),
        ({"Type": "Succeed", "Output": "{% $states.input.a * 10 %}"}, {"a": 2}, 20),
        (
            {"Type": "Wait", "Seconds": "{% $states.input.s %}", **_end(Output="{% 'done' %}")},
            {"s": 5},
            "done",
        ),
    ],
)
def test_output_per_state_type(
    engine: Engine, state: dict[str, Any], payload: Any, expected: Any
) -> None:
    record = run(engine, jsonata({"S": state}), payload)
    assert record.status == "SUCCEEDED", (record.error, record.cause)
    assert output(record) == expected


def test_state_language_overrides_machine_language(engine: Engine) -> None:
    definition = {
        "StartAt": "Path",
        "States": {
            "Path": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "Next": "Ata"},
            "Ata": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                **_end(Output="{% $states.input.v %}"),
            },
        },
    }
    record = run(engine, definition, {"x": "hello"})
    assert output(record) == "hello"


@pytest.mark.parametrize(
    ("value", "target"),
    [(5, "Big"), (1, "Small"), ("x", "Other")],
)
def test_choice_conditions(engine: Engine, value: Any, target: str) -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% $states.input.v = 'x' %}", "Next": "Other"},
                    {"Condition": "{% $states.input.v > 3 %}", "Next": "Big"},
                ],
                "Default": "Small",
            },
            "Big": {"Type": "Pass", **_end(Output="{% 'Big' %}")},
            "Small": {"Type": "Pass", **_end(Output="{% 'Small' %}")},
            "Other": {"Type": "Pass", **_end(Output="{% 'Other' %}")},
        }
    )
    record = run(engine, definition, {"v": value})
    assert output(record) == target


def test_choice_rule_output_replaces_state_output(engine: Engine) -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Condition": "{% true %}", "Output": {"from": "rule"}, "Next": "E"},
                ],
                "Output": {"from": "state"},
            },
            "E": {"Type": "Succeed"},
        }
    )
    assert output(run(engine, definition)) == {"from": "rule"}


def test_choice_condition_must_be_boolean(engine: Engine) -> None:
    definition = jsonata(
        {
            "C": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.v %}", "Next": "E"}],
            },
            "E": {"Type": "Succeed"},
        }
    )
    record = run(engine, definition, {"v": "yes"})
    assert record.status == "FAILED"
    assert record.error == "States.QueryEvaluationError"
    assert "Expected 'boolean'" in (record.cause or "")


def test_choice_without_match_or_default(engine: Engine) -> None:
    definition = jsonata(
        {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% false %}", "Next": "E"}]},
            "E": {"Type": "Succeed"},
        }
    )
    record = run(engine, definition)
    assert record.error == "States.NoChoiceMatched"


def test_map_items_selector_and_output(engine: Engine) -> None:
    definition = jsonata(
        {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {
                    "value": "{% $states.context.Map.Item.Value %}",
                    "index": "{% $states.context.Map.Item.Index %}",
                    "tag": "{% $states.input.tag %}",
                },
                "MaxConcurrency": "{% 1 %}",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", **_end()}},
                },
                **_end(Output="{% $states.result.value %}"),
            }
        }
    )
    record = run(engine, definition, {"xs": ["a", "b"], "tag": "t"})
    assert output(record) == ["a", "b"]
    inputs = [json.loads(d["input"]) for d in details(record, "PassStateEntered")]
    assert inputs == [
        {"value": "a", "index": 0, "tag": "t"},
        {"value": "b", "index": 1, "tag": "t"},
    ]


@pytest.mark.parametrize(
    ("items", "location"),
    [("{% 'text' %}", "Items"), (None, None)],
)
def test_map_items_not_an_array(engine: Engine, items: Any, location: str | None) -> None:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", **_end()}}},
        **_end(),
    }
    if items is not None:
        state["Items"] = items
    record = run(engine, jsonata({"M": state}), {"not": "a list"})
    assert record.status == "FAILED" and record.error == "States.QueryEvaluationError"
    assert types(record) == [
        "ExecutionStarted",
        "MapStateEntered",
        "EvaluationFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    failed = details(record, "EvaluationFailed")[0]
    assert failed["state"] == "M" and failed.get("location") == location
    assert failed["cause"] == record.cause


def test_parallel_arguments_and_output(engine: Engine) -> None:
    branches = [{"StartAt": b, "States": {b: {"Type": "Pass", **_end()}}} for b in "AB"]
    definition = jsonata(
        {
            "P": {
                "Type": "Parallel",
                "Arguments": {"v": "{% $states.input.x * 2 %}"},
                "Branches": branches,
                **_end(Output="{% $sum($states.result.v) %}"),
            }
        }
    )
    assert output(run(engine, definition, {"x": 3})) == 12


def test_task_arguments_timeouts_and_result(real_time_engine: Engine) -> None:
    engine = real_time_engine
    definition = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": ACTIVITY,
                "Arguments": {"job": "{% $states.input.id %}"},
                "TimeoutSeconds": "{% $states.input.t %}",
                "HeartbeatSeconds": 5,
                **_end(Output={"answer": "{% $states.result.r %}", "id": "{% $states.input.id %}"}),
            }
        }
    )
    record = start(engine, definition, {"id": "j1", "t": 30})
    got = engine.get_activity_task(ACTIVITY, "w", 5)
    assert got is not None
    token, task_input = got
    assert json.loads(task_input) == {"job": "j1"}
    engine.send_task_success(token, '{"r": 42}')
    assert record.done.wait(5)
    assert output(record) == {"answer": 42, "id": "j1"}
    scheduled = details(record, "ActivityScheduled")[0]
    assert (scheduled["timeoutInSeconds"], scheduled["heartbeatInSeconds"]) == (30, 5)


def test_catcher_output_reads_error_output(engine: Engine) -> None:
    definition = jsonata(
        {
            "T": {
                "Type": "Task",
                "Resource": ACTIVITY,
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {"caught": "{% $states.errorOutput.Error %}"},
                        "Next": "E",
                    }
                ],
                **_end(),
            },
            "E": {"Type": "Succeed"},
        }
    )
    record = start(engine, definition)
    got = engine.get_activity_task(ACTIVITY, "w", 5)
    assert got is not None
    engine.send_task_failure(got[0], "Boom", "it broke")
    assert record.done.wait(5)
    assert output(record) == {"caught": "Boom"}


def test_evaluation_failure_is_caught_after_its_event(engine: Engine) -> None:
    definition = jsonata(
        {
            "P": {
                "Type": "Parallel",
                "Arguments": "{% $undefinedVariable %}",
                "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Succeed"}}}],
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "E"}],
                **_end(),
            },
            "E": {"Type": "Pass", **_end(Output="{% $states.input.Error %}")},
        }
    )
    record = run(engine, definition)
    assert output(record) == "States.QueryEvaluationError"
    assert types(record)[1:5] == [
        "ParallelStateEntered",
        "EvaluationFailed",
        "ParallelStateFailed",
        "ParallelStateExited",
    ]


def test_undefined_result_fails_the_pass_state(engine: Engine) -> None:
    definition = jsonata({"S": {"Type": "Pass", **_end(Output={"r": "{% $nothing %}"})}})
    record = run(engine, definition)
    assert record.status == "FAILED" and record.error == "States.QueryEvaluationError"
    assert types(record) == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    assert record.cause.startswith(
        "An error occurred while executing the state 'S' (entered at the event id #2)."
    )


@pytest.mark.parametrize(
    ("timestamp", "status"),
    [("2016-03-14T01:59:00Z", "SUCCEEDED"), ("2016-13-05T21:29:29Z", "FAILED")],
)
def test_wait_timestamp_expression(engine: Engine, timestamp: str, status: str) -> None:
    definition = jsonata({"W": {"Type": "Wait", "Timestamp": "{% $states.input.ts %}", **_end()}})
    record = run(engine, definition, {"ts": timestamp})
    assert record.status == status
    if status == "FAILED":
        assert record.error == "States.QueryEvaluationError"
        assert details(record, "EvaluationFailed")[0]["location"] == "Timestamp"


def test_fail_error_and_cause_expressions(engine: Engine) -> None:
    definition = jsonata(
        {
            "F": {
                "Type": "Fail",
                "Error": "{% 'Custom.' & $states.input.kind %}",
                "Cause": "{% $string($states.input.n) %}",
            }
        }
    )
    record = run(engine, definition, {"kind": "Bad", "n": 3})
    assert (record.error, record.cause) == ("Custom.Bad", "3")
