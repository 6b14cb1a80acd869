"""Numeric fields: the ranges AWS documents, wrong types (a bool is not an int), at the edges."""

from __future__ import annotations

from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk import validation
from tests.sfini_cdk.conftest import fake_arn

MAX = 99_999_999
ARN = "arn:aws:states:us-east-1:123456789012:activity:worker"
ACTIVITY = sfini.Activity("worker")


def _task(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "t",
        "States": {"t": {"Type": "Task", "Resource": ARN, **fields, "End": True}},
    }


def _retry(**fields: Any) -> dict[str, Any]:
    return _task(Retry=[{"ErrorEquals": ["E"], **fields}])


def _wait(seconds: Any) -> dict[str, Any]:
    return {"StartAt": "t", "States": {"t": {"Type": "Wait", "Seconds": seconds, "End": True}}}


def _map(**fields: Any) -> dict[str, Any]:
    processor = {"StartAt": "i", "States": {"i": {"Type": "Succeed"}}}
    state = {"Type": "Map", "ItemProcessor": processor, **fields, "End": True}
    return {"StartAt": "t", "States": {"t": state}}


def _machine_timeout(value: Any) -> dict[str, Any]:
    return {"StartAt": "t", "TimeoutSeconds": value, "States": {"t": {"Type": "Succeed"}}}


# (id, definition, accepted)
EDGES = [
    ("interval-1", _retry(IntervalSeconds=1), True),
    ("interval-max", _retry(IntervalSeconds=MAX), True),
    ("interval-0", _retry(IntervalSeconds=0), False),
    ("interval-over-max", _retry(IntervalSeconds=MAX + 1), False),
    ("interval-float", _retry(IntervalSeconds=1.5), False),
    ("interval-bool", _retry(IntervalSeconds=True), False),
    ("interval-str", _retry(IntervalSeconds="1"), False),
    ("attempts-0", _retry(MaxAttempts=0), True),
    ("attempts-max", _retry(MaxAttempts=MAX), True),
    ("attempts-negative", _retry(MaxAttempts=-1), False),
    ("attempts-over-max", _retry(MaxAttempts=MAX + 1), False),
    ("attempts-bool", _retry(MaxAttempts=False), False),
    ("backoff-1", _retry(BackoffRate=1), True),
    ("backoff-1.5", _retry(BackoffRate=1.5), True),
    ("backoff-0.99", _retry(BackoffRate=0.99), False),
    ("backoff-bool", _retry(BackoffRate=True), False),
    ("backoff-str", _retry(BackoffRate="2"), False),
    ("max-delay-1", _retry(MaxDelaySeconds=1), True),
    ("max-delay-limit", _retry(MaxDelaySeconds=31_622_400), True),
    ("max-delay-0", _retry(MaxDelaySeconds=0), False),
    ("max-delay-over-limit", _retry(MaxDelaySeconds=31_622_401), False),
    ("max-delay-float", _retry(MaxDelaySeconds=2.5), False),
    ("jitter-full", _retry(JitterStrategy="FULL"), True),
    ("jitter-none", _retry(JitterStrategy="NONE"), True),
    ("jitter-lower-case", _retry(JitterStrategy="full"), False),
    ("jitter-null", _retry(JitterStrategy=None), False),
    ("task-timeout-1", _task(TimeoutSeconds=1), True),
    ("task-timeout-max", _task(TimeoutSeconds=MAX), True),
    ("task-timeout-0", _task(TimeoutSeconds=0), False),
    ("task-timeout-over-max", _task(TimeoutSeconds=MAX + 1), False),
    ("task-timeout-bool", _task(TimeoutSeconds=True), False),
    ("task-timeout-float", _task(TimeoutSeconds=1.5), False),
    ("task-timeout-str", _task(TimeoutSeconds="10"), False),
    ("heartbeat-1", _task(HeartbeatSeconds=1), True),
    ("heartbeat-max", _task(HeartbeatSeconds=MAX), True),
    ("heartbeat-0", _task(HeartbeatSeconds=0), False),
    ("heartbeat-over-max", _task(HeartbeatSeconds=MAX + 1), False),
    ("heartbeat-bool", _task(HeartbeatSeconds=True), False),
    ("heartbeat-below-timeout", _task(TimeoutSeconds=10, HeartbeatSeconds=9), True),
    ("heartbeat-equals-timeout", _task(TimeoutSeconds=10, HeartbeatSeconds=10), False),
    ("wait-0", _wait(0), True),
    ("wait-max", _wait(MAX), True),
    ("wait-negative", _wait(-1), False),
    ("wait-over-max", _wait(MAX + 1), False),
    ("wait-bool", _wait(True), False),
    ("wait-float", _wait(1.5), False),
    ("wait-str", _wait("5"), False),
    ("concurrency-0", _map(MaxConcurrency=0), True),
    ("concurrency-40", _map(MaxConcurrency=40), True),
    ("concurrency-negative", _map(MaxConcurrency=-1), False),
    ("concurrency-bool", _map(MaxConcurrency=True), False),
    ("concurrency-float", _map(MaxConcurrency=2.5), False),
    ("failure-count-0", _map(ToleratedFailureCount=0), True),
    ("failure-count-negative", _map(ToleratedFailureCount=-1), False),
    ("failure-count-bool", _map(ToleratedFailureCount=False), False),
    ("failure-percentage-0", _map(ToleratedFailurePercentage=0), True),
    ("failure-percentage-100", _map(ToleratedFailurePercentage=100), True),
    ("failure-percentage-fraction", _map(ToleratedFailurePercentage=12.5), True),
    ("failure-percentage-negative", _map(ToleratedFailurePercentage=-0.1), False),
    ("failure-percentage-over-100", _map(ToleratedFailurePercentage=100.5), False),
    ("failure-percentage-bool", _map(ToleratedFailurePercentage=True), False),
    ("failure-percentage-str", _map(ToleratedFailurePercentage="5"), False),
    ("machine-timeout-1", _machine_timeout(1), True),
    ("machine-timeout-year", _machine_timeout(31_536_000), True),
    ("machine-timeout-0", _machine_timeout(0), False),
    ("machine-timeout-bool", _machine_timeout(True), False),
    ("machine-timeout-null", _machine_timeout(None), False),
    ("machine-timeout-float", _machine_timeout(1.5), False),
]


@pytest.mark.parametrize(
    ("definition", "accepted"), [case[1:] for case in EDGES], ids=[case[0] for case in EDGES]
)
def test_numeric_field_edges(definition: dict[str, Any], accepted: bool, lint) -> None:
    if accepted:
        validation.validate_definition(definition, query_language="JSONPath")
        lint(definition)
        return
    with pytest.raises(sfini.InvalidField) as caught:
        validation.validate_definition(definition, query_language="JSONPath")
    message = str(caught.value)
    if "TimeoutSeconds" in definition:
        assert caught.value.state_name is None
        assert message.startswith("TimeoutSeconds of the state machine must be an int >= 1")
    else:
        assert caught.value.state_name == "t"
        assert message.startswith("state 't': ")


def _retrying(**options: Any) -> sfini.Task:
    task = sfini.Task("t", ACTIVITY)
    task.retry_for(["E"], **options)
    return task


# (id, build, message): built with the Python API, rejected when constructed
API_CASES = [
    (
        "interval-over-max",
        lambda: _retrying(interval=MAX + 1),
        "Retry[0].IntervalSeconds must be an int from 1 to 99999999, got 100000000",
    ),
    (
        "attempts-bool",
        lambda: _retrying(max_attempts=True),
        "Retry[0].MaxAttempts must be an int from 0 to 99999999, got True",
    ),
    (
        "backoff-below-1",
        lambda: _retrying(backoff_rate=0.5),
        "Retry[0].BackoffRate must be a number >= 1.0, got 0.5",
    ),
    (
        "max-delay-over-limit",
        lambda: _retrying(max_delay=31_622_401),
        "Retry[0].MaxDelaySeconds must be an int from 1 to 31622400, got 31622401",
    ),
    (
        "jitter",
        lambda: _retrying(jitter_strategy="SOME"),
        "Retry[0].JitterStrategy must be 'FULL' or 'NONE', got 'SOME'",
    ),
    (
        "task-timeout-bool",
        lambda: sfini.Task("t", ACTIVITY, timeout=True),
        "TimeoutSeconds must be an int from 1 to 99999999, got True",
    ),
    (
        "task-timeout-over-max",
        lambda: sfini.Task("t", ACTIVITY, timeout=MAX + 1),
        "TimeoutSeconds must be an int from 1 to 99999999, got 100000000",
    ),
    (
        "heartbeat-zero",
        lambda: sfini.Task("t", ACTIVITY, heartbeat=0),
        "HeartbeatSeconds must be an int from 1 to 99999999, got 0",
    ),
    (
        "wait-over-max",
        lambda: sfini.Wait("t", MAX + 1),
        "Seconds must be an int from 0 to 99999999, got 100000000",
    ),
    (
        "wait-seconds-float",
        lambda: sfini.Wait("t", seconds=2.5),
        "Seconds must be an int from 0 to 99999999, got 2.5",
    ),
    (
        "map-concurrency-bool",
        lambda: sfini.Map("t", sfini.Succeed("i"), max_concurrency=False),
        "MaxConcurrency must be an int >= 0, got False",
    ),
    (
        "map-failure-count-negative",
        lambda: sfini.Map("t", sfini.Succeed("i"), tolerated_failure_count=-2),
        "ToleratedFailureCount must be an int >= 0, got -2",
    ),
    (
        "map-percentage-over-100",
        lambda: sfini.Map("t", sfini.Succeed("i"), tolerated_failure_percentage=101),
        "ToleratedFailurePercentage must be a number from 0 to 100, got 101",
    ),
    (
        "map-percentage-jsonpath-str",
        lambda: sfini.Map("t", sfini.Succeed("i"), tolerated_failure_percentage="{% 5 %}"),
        "ToleratedFailurePercentage must be a number from 0 to 100, got '{% 5 %}'",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"), [case[1:] for case in API_CASES], ids=[case[0] for case in API_CASES]
)
def test_python_api_rejects_out_of_range_values_naming_state_and_field(make, message) -> None:
    state = make()
    with pytest.raises(sfini.InvalidField) as caught:
        sfini.construct_state_machine("m", state).to_dict(resources=fake_arn)
    assert caught.value.state_name == "t"
    assert str(caught.value) == f"state 't': {message}"


@pytest.mark.parametrize("timeout", [True, 0, -1, 1.5, "60"])
def test_machine_timeout_out_of_range_or_wrong_type(timeout: Any) -> None:
    with pytest.raises(sfini.InvalidField, match="TimeoutSeconds of state machine 'm'"):
        sfini.construct_state_machine("m", sfini.Succeed("s"), timeout=timeout)


def test_in_range_values_render_unchanged(render) -> None:
    task = _retrying(interval=MAX, max_attempts=0, backoff_rate=1, max_delay=31_622_400)
    task.timeout, task.heartbeat = MAX, MAX - 1
    definition = render(sfini.construct_state_machine("m", task, timeout=MAX))
    state = definition["States"]["t"]
    assert state["Retry"] == [
        {
            "ErrorEquals": ["E"],
            "IntervalSeconds": MAX,
            "MaxAttempts": 0,
            "BackoffRate": 1,
            "MaxDelaySeconds": 31_622_400,
        }
    ]
    assert (state["TimeoutSeconds"], state["HeartbeatSeconds"]) == (MAX, MAX - 1)
    assert definition["TimeoutSeconds"] == MAX


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TimeoutSeconds", "{% $states.input.t %}"),
        ("HeartbeatSeconds", "{% 5 %}"),
        ("MaxConcurrency", "{% $states.input.n %}"),
        ("ToleratedFailurePercentage", "{% 5 %}"),
    ],
)
def test_jsonata_expression_stands_in_for_a_number(field: str, value: str, lint) -> None:
    if field in ("TimeoutSeconds", "HeartbeatSeconds"):
        definition = _task(**{field: value})
    else:
        definition = _map(**{field: value})
    definition["QueryLanguage"] = "JSONata"
    validation.validate_definition(definition, query_language="JSONata")
    lint(definition)
    with pytest.raises(sfini.InvalidField, match=f"{field} must be"):
        validation.validate_definition(
            {**definition, "QueryLanguage": "JSONPath"}, query_language="JSONPath"
        )
