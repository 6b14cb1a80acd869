"""History parsing: every API event type has a class; each class reads its details."""

from __future__ import annotations

import datetime
import json

import botocore.loaders
import pytest

from sfini_runtime.execution import history
from sfini_runtime.execution.formatting import active_states, format_events, history_to_json
from sfini_runtime.execution.history import NOT_GIVEN, parse_history

TZ = datetime.timezone(datetime.timedelta(hours=10))
T0 = datetime.datetime(2019, 6, 23, 19, 27, 34, 26000, tzinfo=TZ)


def _model_shapes() -> dict:
    return botocore.loaders.Loader().load_service_model("stepfunctions", "service-2")["shapes"]


API_EVENT_TYPES = _model_shapes()["HistoryEventType"]["enum"]
API_DETAIL_KEYS = {
    key for key in _model_shapes()["HistoryEvent"]["members"] if key.endswith("EventDetails")
}


@pytest.mark.parametrize("event_type", API_EVENT_TYPES)
def test_every_api_event_type_has_a_class(event_type: str) -> None:
    assert event_type in history.EVENT_CLASSES


@pytest.mark.parametrize("event_type", API_EVENT_TYPES)
def test_details_key_of_every_type_is_an_api_member_or_absent(event_type: str) -> None:
    key = history.details_key(event_type)
    # A type whose details the API does not define (ParallelStateFailed, ...) is parsed by a
    # class that needs none; every other reads an EventDetails member the API really has.
    if key not in API_DETAIL_KEYS:
        assert history.EVENT_CLASSES[event_type] in (history.Progress, history.Failed), event_type


def event(event_type: str, event_id: int = 1, details: dict | None = None, **extra) -> dict:
    data = {"timestamp": T0, "type": event_type, "id": event_id, **extra}
    if details is not None:
        data[history.details_key(event_type)] = details
    return data


PARSE_TABLE = [
    # (event, class, attributes, details_str)
    (
        event("ExecutionStarted", details={"input": '{"a": 1}', "roleArn": "arn:role"}),
        history.ExecutionStarted,
        {"execution_input": {"a": 1}, "role_arn": "arn:role"},
        "",
    ),
    (
        event("TaskStateEntered", 2, {"name": "raise", "input": "{}"}, previousEventId=1),
        history.StateEntered,
        {"state_name": "raise", "state_input": {}, "previous_event_id": 1},
        "name: raise",
    ),
    (
        event("MapStateExited", 3, {"name": "map", "output": "[1, 2]"}),
        history.StateExited,
        {"state_name": "map", "output": [1, 2]},
        "name: map",
    ),
    (
        event(
            "ActivityScheduled",
            4,
            {"resource": "arn:act", "input": "{}", "timeoutInSeconds": 10, "heartbeatInSeconds": 5},
        ),
        history.ActivityScheduled,
        {"resource": "arn:act", "task_input": {}, "timeout": 10, "heartbeat": 5},
        "resource: arn:act",
    ),
    (
        event("ActivityStarted", 5, {"workerName": "myWorker-81a5a3e4"}),
        history.ActivityStarted,
        {"worker_name": "myWorker-81a5a3e4"},
        "worker: myWorker-81a5a3e4",
    ),
    (
        event("ActivityTimedOut", 6, {"error": "States.Timeout"}),
        history.Failed,
        {"error": "States.Timeout", "cause": None},
        "error: States.Timeout",
    ),
    (
        event("ActivitySucceeded", 7, {"output": "45"}),
        history.ObjectSucceeded,
        {"output": 45},
        "",
    ),
    (
        event("LambdaFunctionScheduled", 8, {"resource": "arn:fn", "input": "1"}),
        history.LambdaFunctionScheduled,
        {"resource": "arn:fn", "task_input": 1, "timeout": None},
        "resource: arn:fn",
    ),
    (
        event(
            "TaskScheduled",
            9,
            {
                "resourceType": "lambda",
                "resource": "invoke",
                "region": "eu-west-1",
                "parameters": '{"FunctionName": "f"}',
                "timeoutInSeconds": 30,
            },
        ),
        history.TaskScheduled,
        {"resource_type": "lambda", "region": "eu-west-1", "parameters": {"FunctionName": "f"}},
        "resource: lambda:invoke",
    ),
    (
        event("TaskStarted", 10, {"resourceType": "sqs", "resource": "sendMessage"}),
        history.TaskStarted,
        {"resource": "sendMessage"},
        "resource: sqs:sendMessage",
    ),
    (
        event(
            "TaskSubmitted", 11, {"resourceType": "batch", "resource": "submitJob", "output": "{}"}
        ),
        history.TaskSubmitted,
        {"output": {}},
        "resource: batch:submitJob",
    ),
    (
        event("TaskSucceeded", 12, {"resourceType": "sns", "resource": "publish", "output": '"x"'}),
        history.TaskSucceeded,
        {"output": "x", "resource_type": "sns"},
        "resource: sns:publish",
    ),
    (
        event(
            "TaskTimedOut",
            13,
            {"resourceType": "ecs", "resource": "runTask.sync", "error": "States.Timeout"},
        ),
        history.TaskFailed,
        {"error": "States.Timeout", "resource": "runTask.sync"},
        "error: States.Timeout",
    ),
    (
        event(
            "TaskSubmitFailed",
            14,
            {"resourceType": "ecs", "resource": "runTask", "error": "E", "cause": "c"},
        ),
        history.TaskFailed,
        {"error": "E", "cause": "c"},
        "error: E",
    ),
    (
        event(
            "EvaluationFailed",
            15,
            {
                "error": "States.QueryEvaluationError",
                "cause": "bad",
                "location": "Arguments",
                "state": "s",
            },
        ),
        history.EvaluationFailed,
        {"location": "Arguments", "state": "s", "error": "States.QueryEvaluationError"},
        "error: States.QueryEvaluationError",
    ),
    (
        event("MapStateStarted", 16, {"length": 3}),
        history.MapStateStarted,
        {"length": 3},
        "length: 3",
    ),
    (
        event("MapIterationSucceeded", 17, {"name": "map", "index": 2}),
        history.MapIterationEvent,
        {"name": "map", "index": 2},
        "name: map, index: 2",
    ),
    (
        event("MapRunStarted", 18, {"mapRunArn": "arn:maprun"}),
        history.MapRunStarted,
        {"map_run_arn": "arn:maprun"},
        "map run: arn:maprun",
    ),
    (
        event("MapRunRedriven", 19, {"mapRunArn": "arn:maprun", "redriveCount": 2}),
        history.MapRunRedriven,
        {"map_run_arn": "arn:maprun", "redrive_count": 2},
        "map run: arn:maprun",
    ),
    (
        event("ExecutionRedriven", 20, {"redriveCount": 1}),
        history.ExecutionRedriven,
        {"redrive_count": 1},
        "redrive count: 1",
    ),
    (
        event("ParallelStateFailed", 21),
        history.Failed,
        {"error": None},
        "error: None",
    ),
    (event("ParallelStateStarted", 22), history.Progress, {}, ""),
    (event("MapStateSucceeded", 24), history.Progress, {}, ""),
    (
        event("ExecutionAborted", 23, {"error": "Stop", "cause": "by hand"}),
        history.Failed,
        {"cause": "by hand"},
        "error: Stop",
    ),
]


@pytest.mark.parametrize(("raw", "cls", "attributes", "details_str"), PARSE_TABLE)
def test_parse_event(raw: dict, cls: type, attributes: dict, details_str: str) -> None:
    (parsed,) = parse_history([raw])
    assert type(parsed) is cls
    assert parsed.event_type == raw["type"]
    assert parsed.event_id == raw["id"]
    for name, value in attributes.items():
        assert getattr(parsed, name) == value, name
    assert parsed.details_str == details_str


def test_unknown_event_type_becomes_a_plain_event() -> None:
    (parsed,) = parse_history(
        [
            {
                "timestamp": T0,
                "type": "SomethingNewHappened",
                "id": 7,
                "somethingNewHappenedEventDetails": {"x": 1},
            }
        ]
    )
    assert type(parsed) is history.Event
    assert parsed.details == {"x": 1}
    assert str(parsed) == f"SomethingNewHappened [7] @ {T0}"


def test_output_left_out_is_not_given_and_json_null_is_none() -> None:
    left_out, null = parse_history(
        [event("ExecutionSucceeded", 1, {}), event("ExecutionSucceeded", 2, {"output": "null"})]
    )
    assert left_out.output is NOT_GIVEN
    assert null.output is None


def _error_handling_events() -> list[dict]:
    """The events of sfini 0.1.0's Error-handling example (its documented run)."""
    arn = "arn:...:sfiniActsraiseActivity"
    at = [
        T0,
        T0.replace(microsecond=52000),
        T0.replace(microsecond=52000),
        T0.replace(microsecond=130000),
        T0.replace(second=44, microsecond=131000),
        T0.replace(second=47, microsecond=132000),
        T0.replace(minute=30, second=45, microsecond=637000),
        T0.replace(minute=30, second=50, microsecond=908000),
        T0.replace(minute=30, second=50, microsecond=908000),
        T0.replace(minute=30, second=50, microsecond=916000),
        T0.replace(minute=30, second=50, microsecond=916000),
    ]
    raw = [
        ("ExecutionStarted", {"input": "{}"}),
        ("TaskStateEntered", {"name": "raise", "input": "{}"}),
        ("ActivityScheduled", {"resource": arn, "input": "{}", "timeoutInSeconds": 10}),
        ("ActivityStarted", {"workerName": "myWorker-81a5a3e4"}),
        ("ActivityTimedOut", {"error": "States.Timeout"}),
        ("ActivityScheduled", {"resource": arn, "input": "{}", "timeoutInSeconds": 10}),
        ("ActivityStarted", {"workerName": "myWorker-4b6b9dfb"}),
        ("ActivityFailed", {"error": "MyError", "cause": "Traceback ..."}),
        ("TaskStateExited", {"name": "raise", "output": "{}"}),
        ("FailStateEntered", {"name": "fail", "input": "{}"}),
        ("ExecutionFailed", {"error": "WorkerError", "cause": "MyError was raised"}),
    ]
    return [
        event(kind, i + 1, details) | {"timestamp": at[i]} for i, (kind, details) in enumerate(raw)
    ]


SEED_ERROR_HANDLING_HISTORY = """\
ExecutionStarted [1] @ 2019-06-23 19:27:34.026000+10:00
TaskStateEntered [2] @ 2019-06-23 19:27:34.052000+10:00:
  name: raise
ActivityScheduled [3] @ 2019-06-23 19:27:34.052000+10:00:
  resource: arn:...:sfiniActsraiseActivity
ActivityStarted [4] @ 2019-06-23 19:27:34.130000+10:00:
  worker: myWorker-81a5a3e4
ActivityTimedOut [5] @ 2019-06-23 19:27:44.131000+10:00:
  error: States.Timeout
ActivityScheduled [6] @ 2019-06-23 19:27:47.132000+10:00:
  resource: arn:...:sfiniActsraiseActivity
ActivityStarted [7] @ 2019-06-23 19:30:45.637000+10:00:
  worker: myWorker-4b6b9dfb
ActivityFailed [8] @ 2019-06-23 19:30:50.908000+10:00:
  error: MyError
TaskStateExited [9] @ 2019-06-23 19:30:50.908000+10:00:
  name: raise
FailStateEntered [10] @ 2019-06-23 19:30:50.916000+10:00:
  name: fail
ExecutionFailed [11] @ 2019-06-23 19:30:50.916000+10:00:
  error: WorkerError"""


def test_format_matches_sfini_0_1_0_error_handling_example() -> None:
    assert format_events(parse_history(_error_handling_events())) == SEED_ERROR_HANDLING_HISTORY


def test_format_ends_with_the_output_when_there_is_one() -> None:
    events = parse_history([event("ExecutionStarted", 1, {"input": "{}"})])
    assert format_events(events, {"a": [1, None]}).splitlines()[-1] == 'Output: {"a": [1, null]}'
    assert format_events(events, None).splitlines()[-1] == "Output: null"
    assert "Output" not in format_events(events)


def test_history_to_json_keeps_the_api_fields() -> None:
    data = history_to_json(parse_history(_error_handling_events()[:2]))
    assert data[1] == {
        "timestamp": "2019-06-23T19:27:34.052000+10:00",
        "type": "TaskStateEntered",
        "id": 2,
        "stateEnteredEventDetails": {"name": "raise", "input": "{}"},
    }
    json.dumps(data)  # serialisable as it is


def test_active_states_are_those_entered_and_not_exited() -> None:
    events = parse_history(
        [
            event("ExecutionStarted", 1, {}),
            event("ParallelStateEntered", 2, {"name": "par"}),
            event("TaskStateEntered", 3, {"name": "a"}),
            event("TaskStateEntered", 4, {"name": "b"}),
            event("TaskStateExited", 5, {"name": "a"}),
        ]
    )
    assert active_states(events) == ["par", "b"]
