"""The exact ASL each state type and option emits."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

import sfini_cdk as sfini
from tests.sfini_cdk.conftest import fake_arn

UTC = datetime.timezone.utc
ACTIVITY = sfini.Activity("worker")
ACTIVITY_ARN = fake_arn(ACTIVITY)


def _task_with_retries() -> sfini.Task:
    task = sfini.Task("t", ACTIVITY)
    task.retry_for(["States.Timeout"], interval=3, max_attempts=2, backoff_rate=1.5)
    task.retry_for(
        [sfini.States.TASK_FAILED], interval=1, max_delay=10, jitter_strategy="FULL", comment="c"
    )
    task.retry_for([sfini.States.ALL])
    return task


def _task_with_catchers() -> sfini.Task:
    task = sfini.Task("t", ACTIVITY)
    task.catch(["MyError"], sfini.Fail("failed"), result_path="$.error-info")
    task.catch([sfini.States.ALL], sfini.Succeed("ignored"), result_path=None)
    return task


def _pass_to_next() -> sfini.Pass:
    first = sfini.Pass("t")
    first.goes_to(sfini.Succeed("done"))
    return first


# (state factory, expected ASL of the state named "t")
CASES: list[tuple[str, Callable[[], sfini.State], dict[str, Any]]] = [
    ("succeed", lambda: sfini.Succeed("t"), {"Type": "Succeed"}),
    (
        "succeed-paths",
        lambda: sfini.Succeed("t", comment="done", input_path="$.a", output_path="$.b"),
        {"Type": "Succeed", "Comment": "done", "InputPath": "$.a", "OutputPath": "$.b"},
    ),
    ("fail-bare", lambda: sfini.Fail("t"), {"Type": "Fail"}),
    (
        "fail",
        lambda: sfini.Fail("t", error="WorkerError", cause="MyError was raised"),
        {"Type": "Fail", "Error": "WorkerError", "Cause": "MyError was raised"},
    ),
    (
        "fail-paths",
        lambda: sfini.Fail("t", error_path="$.error", cause_path="$.cause"),
        {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"},
    ),
    (
        "fail-intrinsic-paths",  # the AWS guide's Fail state example
        lambda: sfini.Fail(
            "t",
            cause_path="States.Format('This is a custom error message for {}, caused by {}.', "
            "$.Error, $.Cause)",
            error_path="States.Format('{}', $.Error)",
        ),
        {
            "Type": "Fail",
            "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', "
            "$.Error, $.Cause)",
            "ErrorPath": "States.Format('{}', $.Error)",
        },
    ),
    ("pass", lambda: sfini.Pass("t"), {"Type": "Pass", "End": True}),
    ("pass-next", _pass_to_next, {"Type": "Pass", "Next": "done"}),
    (
        "pass-result",
        lambda: sfini.Pass("t", result={"x": 1}, result_path="$.counter"),
        {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.counter", "End": True},
    ),
    (
        "pass-nulls",
        lambda: sfini.Pass("t", input_path=None, output_path=None),
        {"Type": "Pass", "InputPath": None, "OutputPath": None, "End": True},
    ),
    (
        "pass-result-zero-and-null",
        lambda: sfini.Pass("t", result=None, result_path="$.r"),
        {"Type": "Pass", "Result": None, "ResultPath": "$.r", "End": True},
    ),
    (
        "pass-parameters-assign",
        lambda: sfini.Pass(
            "t",
            parameters={"greeting": "hi", "name.$": "$.name", "ctx.$": "$$.Execution.Id"},
            assign={"count.$": "$.count", "label": "x"},
        ),
        {
            "Type": "Pass",
            "Parameters": {"greeting": "hi", "name.$": "$.name", "ctx.$": "$$.Execution.Id"},
            "Assign": {"count.$": "$.count", "label": "x"},
            "End": True,
        },
    ),
    ("wait-seconds", lambda: sfini.Wait("t", 10), {"Type": "Wait", "Seconds": 10, "End": True}),
    (
        "wait-until-datetime",
        lambda: sfini.Wait("t", datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
        {"Type": "Wait", "Timestamp": "2030-01-02T03:04:05+00:00", "End": True},
    ),
    (
        "wait-until-path",
        lambda: sfini.Wait("t", "$.until"),
        {"Type": "Wait", "TimestampPath": "$.until", "End": True},
    ),
    (
        "wait-seconds-path",
        lambda: sfini.Wait("t", seconds_path="$.delay"),
        {"Type": "Wait", "SecondsPath": "$.delay", "End": True},
    ),
    (
        "wait-timestamp",
        lambda: sfini.Wait("t", timestamp="2030-01-02T03:04:05Z"),
        {"Type": "Wait", "Timestamp": "2030-01-02T03:04:05Z", "End": True},
    ),
    (
        "task-activity",
        lambda: sfini.Task("t", ACTIVITY),
        {"Type": "Task", "Resource": ACTIVITY_ARN, "End": True},
    ),
    (
        "task-options",
        lambda: sfini.Task(
            "t",
            ACTIVITY,
            comment="work",
            input_path="$.in",
            output_path="$.out",
            result_path=None,
            timeout=60,
            heartbeat=10,
            parameters={"a.$": "$.a"},
            result_selector={"b.$": "$.b"},
        ),
        {
            "Type": "Task",
            "Comment": "work",
            "Resource": ACTIVITY_ARN,
            "InputPath": "$.in",
            "OutputPath": "$.out",
            "ResultPath": None,
            "TimeoutSeconds": 60,
            "HeartbeatSeconds": 10,
            "Parameters": {"a.$": "$.a"},
            "ResultSelector": {"b.$": "$.b"},
            "End": True,
        },
    ),
    (
        "task-timeout-paths",
        lambda: sfini.Task("t", ACTIVITY, timeout_path="$.timeout", heartbeat_path="$.beat"),
        {
            "Type": "Task",
            "Resource": ACTIVITY_ARN,
            "TimeoutSecondsPath": "$.timeout",
            "HeartbeatSecondsPath": "$.beat",
            "End": True,
        },
    ),
    (
        "task-retry",
        _task_with_retries,
        {
            "Type": "Task",
            "Resource": ACTIVITY_ARN,
            "Retry": [
                {
                    "ErrorEquals": ["States.Timeout"],
                    "IntervalSeconds": 3,
                    "MaxAttempts": 2,
                    "BackoffRate": 1.5,
                },
                {
                    "ErrorEquals": ["States.TaskFailed"],
                    "Comment": "c",
                    "IntervalSeconds": 1,
                    "MaxDelaySeconds": 10,
                    "JitterStrategy": "FULL",
                },
                {"ErrorEquals": ["States.ALL"]},
            ],
            "End": True,
        },
    ),
    (
        "task-catch",
        _task_with_catchers,
        {
            "Type": "Task",
            "Resource": ACTIVITY_ARN,
            "Catch": [
                {"ErrorEquals": ["MyError"], "Next": "failed", "ResultPath": "$.error-info"},
                {"ErrorEquals": ["States.ALL"], "Next": "ignored", "ResultPath": None},
            ],
            "End": True,
        },
    ),
]


def _parallel(**options: Any) -> sfini.Parallel:
    parallel = sfini.Parallel("t", **options)
    parallel.add(sfini.construct_state_machine("branch", sfini.Succeed("inner")))
    return parallel


def _jsonata_choice() -> sfini.Choice:
    gate = sfini.Choice("t", output="{% $states.input.next %}", assign={"seen": True})
    gate.add(sfini.Condition("{% $states.input.go %}", sfini.Succeed("go"), assign={"n": 1}))
    gate.set_default(sfini.Fail("stop", error="{% 'Stopped' %}"))
    return gate


BRANCH = {"StartAt": "inner", "States": {"inner": {"Type": "Succeed"}}}

CASES += [
    (
        "task-credentials",
        lambda: sfini.Task(
            "t", ACTIVITY, credentials={"RoleArn": "arn:aws:iam::123456789012:role/worker"}
        ),
        {
            "Type": "Task",
            "Resource": ACTIVITY_ARN,
            "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/worker"},
            "End": True,
        },
    ),
    (
        "parallel-parameters-assign",
        lambda: _parallel(
            parameters={"id.$": "$.id"}, assign={"started.$": "$$.State.EnteredTime"}
        ),
        {
            "Type": "Parallel",
            "Parameters": {"id.$": "$.id"},
            "Assign": {"started.$": "$$.State.EnteredTime"},
            "Branches": [BRANCH],
            "End": True,
        },
    ),
    (
        "wait-assign",
        lambda: sfini.Wait("t", 5, assign={"waited": 5}),
        {"Type": "Wait", "Seconds": 5, "Assign": {"waited": 5}, "End": True},
    ),
    (
        "map-assign",
        lambda: sfini.Map("t", sfini.Succeed("inner"), assign={"m": 1}),
        {
            "Type": "Map",
            "Assign": {"m": 1},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **BRANCH},
            "End": True,
        },
    ),
]

# (state factory, expected ASL of the state named "t" in a JSONata machine)
JSONATA_CASES: list[tuple[str, Callable[[], sfini.State], dict[str, Any]]] = [
    (
        "succeed-output",
        lambda: sfini.Succeed("t", output={"done": "{% $states.input.x %}"}),
        {"Type": "Succeed", "Output": {"done": "{% $states.input.x %}"}},
    ),
    (
        "pass-output-assign",
        lambda: sfini.Pass("t", output="{% $states.input %}", assign={"v": "{% 1 + 1 %}"}),
        {
            "Type": "Pass",
            "Output": "{% $states.input %}",
            "Assign": {"v": "{% 1 + 1 %}"},
            "End": True,
        },
    ),
    (
        "wait-timestamp-expression",
        lambda: sfini.Wait("t", timestamp="{% $states.input.at %}", output={"w": 1}),
        {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "Output": {"w": 1}, "End": True},
    ),
    (
        "choice-output-assign",
        _jsonata_choice,
        {
            "Type": "Choice",
            "Output": "{% $states.input.next %}",
            "Assign": {"seen": True},
            "Choices": [
                {"Condition": "{% $states.input.go %}", "Next": "go", "Assign": {"n": 1}},
            ],
            "Default": "stop",
        },
    ),
    (
        "parallel-arguments",
        lambda: _parallel(
            arguments={"id": "{% $states.input.id %}"},
            output="{% $states.result[0] %}",
            assign={"p": "{% $count($states.result) %}"},
        ),
        {
            "Type": "Parallel",
            "Arguments": {"id": "{% $states.input.id %}"},
            "Output": "{% $states.result[0] %}",
            "Assign": {"p": "{% $count($states.result) %}"},
            "Branches": [BRANCH],
            "End": True,
        },
    ),
    (
        "map-items",
        lambda: sfini.Map(
            "t",
            sfini.Succeed("inner"),
            items="{% $states.input.xs %}",
            item_selector={"x": "{% $states.context.Map.Item.Value %}"},
            max_concurrency="{% $states.input.n %}",
            tolerated_failure_count=2,
            tolerated_failure_percentage="{% 5 %}",
            output={"all": "{% $states.result %}"},
        ),
        {
            "Type": "Map",
            "Items": "{% $states.input.xs %}",
            "ItemSelector": {"x": "{% $states.context.Map.Item.Value %}"},
            "MaxConcurrency": "{% $states.input.n %}",
            "ToleratedFailureCount": 2,
            "ToleratedFailurePercentage": "{% 5 %}",
            "Output": {"all": "{% $states.result %}"},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **BRANCH},
            "End": True,
        },
    ),
    (
        "task-arguments-timeouts",
        lambda: sfini.Task(
            "t",
            ACTIVITY,
            arguments="{% $states.input.payload %}",
            timeout="{% 60 %}",
            heartbeat="{% 10 %}",
        ),
        {
            "Type": "Task",
            "Resource": ACTIVITY_ARN,
            "Arguments": "{% $states.input.payload %}",
            "TimeoutSeconds": "{% 60 %}",
            "HeartbeatSeconds": "{% 10 %}",
            "End": True,
        },
    ),
]


@pytest.mark.parametrize(
    ("factory", "expected"),
    [case[1:] for case in JSONATA_CASES],
    ids=[case[0] for case in JSONATA_CASES],
)
def test_jsonata_state_asl(render, factory, expected):
    state = factory()
    definition = render(sfini.construct_state_machine("m", state, query_language="JSONata"))
    assert definition["QueryLanguage"] == "JSONata"
    assert definition["States"]["t"] == expected


@pytest.mark.parametrize(
    ("factory", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_state_asl(render, factory, expected):
    state = factory()
    assert state.to_dict(resources=fake_arn) == expected
    definition = render(sfini.construct_state_machine("m", state))
    assert definition["States"]["t"] == expected
    assert definition["StartAt"] == "t"


def test_callable_activity_task_adds_heartbeat_like_sfini(render):
    activities = sfini.ActivityRegistration(prefix="p")

    @activities.activity("act", heartbeat=7)
    def act(data):
        return data

    task = sfini.Task("t", act, timeout=60)
    assert render(sfini.construct_state_machine("m", task))["States"]["t"] == {
        "Type": "Task",
        "Resource": fake_arn(act),
        "TimeoutSeconds": 60,
        "HeartbeatSeconds": 12,
        "End": True,
    }
    explicit = sfini.Task("t2", act, heartbeat=3)
    assert explicit.to_dict(resources=fake_arn)["HeartbeatSeconds"] == 3
    by_path = sfini.Task("t3", act, heartbeat_path="$.hb")
    assert "HeartbeatSeconds" not in by_path.to_dict(resources=fake_arn)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(13, 12), (12, None), (5, None)],
)
def test_automatic_heartbeat_only_below_the_timeout(render, timeout, expected):
    activities = sfini.ActivityRegistration(prefix="p")

    @activities.activity("act", heartbeat=7)
    def act(data):
        return data

    states = render(sfini.construct_state_machine("m", sfini.Task("t", act, timeout=timeout)))
    assert states["States"]["t"].get("HeartbeatSeconds") == expected
    assert states["States"]["t"]["TimeoutSeconds"] == timeout


@pytest.mark.parametrize(("heartbeat", "expected"), [(99_999_994, 99_999_999), (99_999_995, None)])
def test_automatic_heartbeat_only_up_to_the_aws_limit(render, heartbeat, expected):
    activities = sfini.ActivityRegistration(prefix="p")

    @activities.activity("act", heartbeat=heartbeat)
    def act(data):
        return data

    states = render(sfini.construct_state_machine("m", sfini.Task("t", act)))
    assert states["States"]["t"].get("HeartbeatSeconds") == expected


def test_explicit_heartbeat_not_below_timeout_is_rejected():
    task = sfini.Task("slow", sfini.Lambda("fn"), timeout=10, heartbeat=10)
    with pytest.raises(sfini.errors.InvalidField, match=r"state 'slow'.*HeartbeatSeconds \(10\)"):
        sfini.construct_state_machine("m", task).to_dict(resources=lambda r: "arn:aws:x")


def test_parallel_asl(render):
    parallel = sfini.Parallel(
        "p", result_path="$.parallel", output_path="$.parallel", result_selector={"a.$": "$[0]"}
    )
    parallel.add(sfini.construct_state_machine("one", sfini.Pass("a")))
    parallel.add(sfini.construct_state_machine("two", sfini.Succeed("b"), comment="second"))
    parallel.retry_for(["States.BranchFailed"], max_attempts=1)
    parallel.catch(["States.ALL"], sfini.Fail("oops"))
    definition = render(sfini.construct_state_machine("m", parallel))
    assert definition["States"]["p"] == {
        "Type": "Parallel",
        "ResultPath": "$.parallel",
        "OutputPath": "$.parallel",
        "ResultSelector": {"a.$": "$[0]"},
        "Branches": [
            {"StartAt": "a", "States": {"a": {"Type": "Pass", "End": True}}},
            {"StartAt": "b", "States": {"b": {"Type": "Succeed"}}, "Comment": "second"},
        ],
        "Retry": [{"ErrorEquals": ["States.BranchFailed"], "MaxAttempts": 1}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "oops"}],
        "End": True,
    }
    assert definition["States"]["oops"] == {"Type": "Fail"}


def test_map_asl(render):
    processor = sfini.Task("process", ACTIVITY, result_path=None)
    mapped = sfini.Map(
        "each",
        processor,
        items_path="$.items",
        item_selector={"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
        max_concurrency=2,
        result_path="$.results",
        result_selector={"n.$": "$.length"},
    )
    mapped.retry_for(["States.ALL"], interval=2)
    definition = render(sfini.construct_state_machine("m", mapped))
    assert definition["States"]["each"] == {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
        "MaxConcurrency": 2,
        "ResultPath": "$.results",
        "ResultSelector": {"n.$": "$.length"},
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "process",
            "States": {
                "process": {
                    "Type": "Task",
                    "Resource": ACTIVITY_ARN,
                    "ResultPath": None,
                    "End": True,
                }
            },
        },
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2}],
        "End": True,
    }
    assert mapped.processor.name == "eachProcessor"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"max_concurrency_path": "$.n"}, {"MaxConcurrencyPath": "$.n"}),
        ({"tolerated_failure_count": 3}, {"ToleratedFailureCount": 3}),
        ({"tolerated_failure_percentage": 12.5}, {"ToleratedFailurePercentage": 12.5}),
        ({"tolerated_failure_count_path": "$.c"}, {"ToleratedFailureCountPath": "$.c"}),
        ({"tolerated_failure_percentage_path": "$.p"}, {"ToleratedFailurePercentagePath": "$.p"}),
        ({"items_path": None}, {"ItemsPath": None}),
        ({"parameters": {"x.$": "$"}}, {"Parameters": {"x.$": "$"}}),
        ({"label": "batch"}, {"Label": "batch"}),
    ],
)
def test_map_options(render, options, expected):
    mapped = sfini.Map("each", sfini.Pass("inner"), **options)
    state = render(sfini.construct_state_machine("m", mapped))["States"]["each"]
    assert {key: state[key] for key in expected} == expected


def test_map_accepts_a_state_machine_processor(render):
    processor = sfini.construct_state_machine("proc", sfini.Succeed("inner"))
    mapped = sfini.Map("each", processor)
    state = render(sfini.construct_state_machine("m", mapped))["States"]["each"]
    assert state["ItemProcessor"] == {
        "ProcessorConfig": {"Mode": "INLINE"},
        "StartAt": "inner",
        "States": {"inner": {"Type": "Succeed"}},
    }


def test_choice_asl(render):
    low, high, other = sfini.Succeed("low"), sfini.Succeed("high"), sfini.Fail("other")
    choice = sfini.Choice("t", comment="route", input_path="$.x", output_path="$.y")
    choice.add(sfini.NumericLessThan("$.v", 10, low))
    choice.add(sfini.NumericGreaterThanEquals("$.v", 10, high, assign={"big": True}))
    choice.set_default(other)
    assert render(sfini.construct_state_machine("m", choice))["States"]["t"] == {
        "Type": "Choice",
        "Comment": "route",
        "InputPath": "$.x",
        "OutputPath": "$.y",
        "Choices": [
            {"Variable": "$.v", "NumericLessThan": 10, "Next": "low"},
            {
                "Variable": "$.v",
                "NumericGreaterThanEquals": 10,
                "Next": "high",
                "Assign": {"big": True},
            },
        ],
        "Default": "other",
    }


def test_choice_remove_and_overrides(render, caplog):
    a, b, c = sfini.Succeed("a"), sfini.Succeed("b"), sfini.Succeed("c")
    choice = sfini.Choice("t")
    rule = sfini.BooleanEquals("$.x", True, a)
    choice.add(rule)
    choice.add(sfini.BooleanEquals("$.x", False, b))
    choice.remove(rule)
    assert [r.next_state for r in choice.choices] == [b]
    with pytest.raises(ValueError, match="not registered"):
        choice.remove(rule)
    choice.set_default(a)
    with caplog.at_level("WARNING"):
        choice.set_default(c)  # sfini 0.1.0 warns and overwrites
    assert "Overwriting current default state" in caplog.text
    states = render(sfini.construct_state_machine("m", choice))["States"]
    assert states["t"] == {
        "Type": "Choice",
        "Choices": [{"Variable": "$.x", "BooleanEquals": False, "Next": "b"}],
        "Default": "c",
    }
    assert set(states) == {"t", "b", "c"}  # the removed rule's and old default's targets are gone


def test_goes_to_overrides_with_a_warning(caplog):
    first = sfini.Pass("first")
    first.goes_to(sfini.Pass("old"))
    with caplog.at_level("WARNING"):
        first.goes_to(sfini.Succeed("new"))
    assert "Overriding current next state" in caplog.text
    assert first.to_dict()["Next"] == "new"


def test_goes_to_and_remove_next():
    first, second = sfini.Pass("first"), sfini.Pass("second")
    first.goes_to(second)
    assert first.to_dict()["Next"] == "second"
    first.remove_next()
    assert first.to_dict()["End"] is True
    assert "Next" not in first.to_dict()


def _catching(result_path: Any) -> sfini.Task:
    task = sfini.Task("t", ACTIVITY)
    if result_path is sfini.DEFAULT:
        task.catch(["E"], sfini.Succeed("handled"))
    else:
        task.catch(["E"], sfini.Succeed("handled"), result_path=result_path)
    return task


NOT_GIVEN_VS_NONE = [
    ("InputPath", lambda value: sfini.Pass("t", input_path=value)),
    ("OutputPath", lambda value: sfini.Pass("t", output_path=value)),
    ("ResultPath", lambda value: sfini.Pass("t", result_path=value)),
    ("ResultPath", lambda value: sfini.Task("t", ACTIVITY, result_path=value)),
    ("ResultPath", lambda value: _parallel(result_path=value)),
    ("Catch.ResultPath", _catching),
]


@pytest.mark.parametrize(
    ("field", "make"),
    NOT_GIVEN_VS_NONE,
    ids=[f"{field}-{index}" for index, (field, _) in enumerate(NOT_GIVEN_VS_NONE)],
)
@pytest.mark.parametrize(
    ("value", "rendered"),
    [(sfini.DEFAULT, "absent"), (None, None), ("$.x", "$.x")],
    ids=["not-given", "None", "path"],
)
def test_not_given_is_left_out_and_none_is_json_null(render, field, make, value, rendered):
    state = render(sfini.construct_state_machine("m", make(value)))["States"]["t"]
    if field == "Catch.ResultPath":
        state, field = state["Catch"][0], "ResultPath"
    if rendered == "absent":
        assert field not in state
    else:
        assert state[field] == rendered


def test_a_literal_boolean_condition_renders_and_validates() -> None:
    gate = sfini.Choice("gate", query_language="JSONata")
    gate.add(sfini.Condition(True, sfini.Succeed("always")))
    gate.set_default(sfini.Fail("never"))
    machine = sfini.construct_state_machine("literal", gate)
    rule = machine.to_dict()["States"]["gate"]["Choices"][0]
    assert rule == {"Condition": True, "Next": "always"}
    with pytest.raises(sfini.InvalidDefinition, match="Condition must be a str or a bool"):
        bad = sfini.Choice("bad", query_language="JSONata")
        bad.add(sfini.Condition(1, sfini.Succeed("one")))  # type: ignore[arg-type]
        bad.set_default(sfini.Fail("no"))
        sfini.construct_state_machine("bad", bad).to_dict()
