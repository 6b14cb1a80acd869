"""Activity tasks through the Engine API: polling, answers, heartbeats, timeouts, tokens."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sfini_runtime.local.errors import InvalidOutput, InvalidToken, TaskDoesNotExist, TaskTimedOut
from sfini_runtime.local.interpreter import Engine

from ._engine_helpers import ACTIVITY, details, start, types


def _task(**fields: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": ACTIVITY, "End": True, **fields}},
    }


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(time_scale=0.01) as eng:
        yield eng


def _poll(engine: Engine, worker: str | None = "w1", wait: float = 5.0) -> tuple[str, str]:
    got = engine.get_activity_task(ACTIVITY, worker, wait)
    assert got is not None, "no task"
    return got


def test_success_history(engine: Engine) -> None:
    record = start(engine, _task(TimeoutSeconds=60, HeartbeatSeconds=10), {"v": 1})
    token, task_input = _poll(engine)
    assert json.loads(task_input) == {"v": 1}
    engine.send_task_success(token, '{"done": true}')
    assert record.done.wait(5)
    assert record.status == "SUCCEEDED" and json.loads(record.output) == {"done": True}
    assert types(record) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = details(record, "ActivityScheduled")[0]
    assert scheduled["resource"] == ACTIVITY
    assert (scheduled["timeoutInSeconds"], scheduled["heartbeatInSeconds"]) == (60, 10)
    assert details(record, "ActivityStarted") == [{"workerName": "w1"}]
    assert [e["previousEventId"] for e in record.history] == [0, 0, 2, 3, 4, 5, 6]


def test_timeouts_absent_unless_set_and_no_worker_name(engine: Engine) -> None:
    record = start(engine, _task())
    token, _ = _poll(engine, worker=None)
    engine.send_task_success(token, "{}")
    assert record.done.wait(5)
    scheduled = details(record, "ActivityScheduled")[0]
    assert "timeoutInSeconds" not in scheduled and "heartbeatInSeconds" not in scheduled
    assert details(record, "ActivityStarted") == [{}]


def test_poller_waiting_before_schedule_gets_the_task(engine: Engine) -> None:
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(engine.get_activity_task, ACTIVITY, "early", 5.0)
        threading.Event().wait(0.05)
        record = start(engine, _task(), {"x": 2})
        token, task_input = future.result(timeout=5)
    assert json.loads(task_input) == {"x": 2}
    engine.send_task_success(token, task_input)
    assert record.done.wait(5) and record.status == "SUCCEEDED"


def test_each_task_goes_to_exactly_one_poller(engine: Engine) -> None:
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(engine.get_activity_task, ACTIVITY, f"w{i}", 1.0) for i in range(8)]
        records = [start(engine, _task(), {"n": n}) for n in range(3)]
        results = [f.result(timeout=5) for f in futures]
    got = [r for r in results if r is not None]
    assert len(got) == 3
    assert sorted(json.loads(i)["n"] for _, i in got) == [0, 1, 2]
    for token, task_input in got:
        engine.send_task_success(token, task_input)
    assert all(r.done.wait(5) and r.status == "SUCCEEDED" for r in records)


def test_poll_times_out_with_none(engine: Engine) -> None:
    assert engine.get_activity_task(ACTIVITY, "w", 0.05) is None


def test_close_wakes_pollers() -> None:
    engine = Engine(time_scale=0)
    engine.start()
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(engine.get_activity_task, ACTIVITY, "w", 30.0)
        threading.Event().wait(0.05)
        engine.close()
        assert future.result(timeout=5) is None


def test_failure_and_catch(engine: Engine) -> None:
    definition = _task(Catch=[{"ErrorEquals": ["Boom"], "ResultPath": "$.error", "Next": "C"}])
    definition["States"]["T"].pop("End")
    definition["States"]["T"]["Next"] = "C"
    definition["States"]["C"] = {"Type": "Pass", "End": True}
    record = start(engine, definition, {"a": 1})
    token, _ = _poll(engine)
    engine.send_task_failure(token, "Boom", "it broke")
    assert record.done.wait(5)
    assert json.loads(record.output) == {"a": 1, "error": {"Error": "Boom", "Cause": "it broke"}}
    assert details(record, "ActivityFailed") == [{"error": "Boom", "cause": "it broke"}]
    with pytest.raises(TaskDoesNotExist):
        engine.send_task_success(token, "{}")


def test_retry_schedules_again(engine: Engine) -> None:
    record = start(engine, _task(Retry=[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}]))
    token, _ = _poll(engine)
    engine.send_task_failure(token, "Any")
    token, _ = _poll(engine)
    engine.send_task_success(token, '"ok"')
    assert record.done.wait(5) and json.loads(record.output) == "ok"
    assert types(record).count("ActivityScheduled") == 2
    assert types(record).count("TaskStateEntered") == 1


def test_heartbeat_timeout(engine: Engine) -> None:
    record = start(engine, _task(HeartbeatSeconds=5, TimeoutSeconds=1000))
    token, _ = _poll(engine)
    assert record.done.wait(5)
    assert (record.status, record.error) == ("FAILED", "States.HeartbeatTimeout")
    assert details(record, "ActivityTimedOut") == [{"error": "States.HeartbeatTimeout"}]
    with pytest.raises(TaskTimedOut):
        engine.send_task_success(token, "{}")


def test_heartbeats_keep_the_task_alive() -> None:
    with Engine(time_scale=0.1) as engine:  # 2 s heartbeat -> 0.2 s real
        record = start(engine, _task(HeartbeatSeconds=2))
        token, _ = _poll(engine)
        for _ in range(4):
            threading.Event().wait(0.1)
            engine.send_task_heartbeat(token)
        engine.send_task_success(token, "{}")
        assert record.done.wait(5) and record.status == "SUCCEEDED"


@pytest.mark.parametrize("fields", [{"TimeoutSeconds": 3}, {"HeartbeatSeconds": 3}])
def test_task_clocks_start_when_a_worker_takes_the_task(
    engine: Engine, fields: dict[str, int]
) -> None:
    # AWS: "An activity task state doesn't start until you poll a task token"; a task stuck in
    # ActivityScheduled is timed out only by the machine's TimeoutSeconds (developer guide,
    # "Troubleshooting activities"). 3 s at scale 0.01 is 0.03 s; the task waits 0.5 s queued.
    record = start(engine, _task(**fields))
    assert not record.done.wait(0.5)
    assert types(record)[-1] == "ActivityScheduled"
    _poll(engine)
    assert record.done.wait(5)
    expected = "States.Timeout" if "TimeoutSeconds" in fields else "States.HeartbeatTimeout"
    assert record.error == expected
    assert types(record)[2:5] == ["ActivityScheduled", "ActivityStarted", "ActivityTimedOut"]


def test_a_machine_timeout_ends_a_task_no_worker_took() -> None:
    with Engine(time_scale=0.01) as engine:
        record = start(engine, {**_task(TimeoutSeconds=1000), "TimeoutSeconds": 3})
        assert record.done.wait(5)
    assert record.status == "TIMED_OUT"
    assert types(record)[-2:] == ["ActivityScheduled", "ExecutionTimedOut"]


def test_timeout_seconds_path(engine: Engine) -> None:
    record = start(engine, _task(TimeoutSecondsPath="$.t"), {"t": 2})
    _poll(engine)
    assert record.done.wait(5)
    assert details(record, "ActivityScheduled")[0]["timeoutInSeconds"] == 2
    assert record.error == "States.Timeout"


def test_missing_activity_fails_like_aws() -> None:
    with Engine(time_scale=0, activity_exists=lambda arn: False) as engine:
        record = start(engine, _task())
        assert record.done.wait(5)
    assert record.error == "States.Runtime"
    assert record.cause == (
        "An error occurred while executing the state 'T' (entered at the event id #2). "
        f"The activity {ACTIVITY} does not exist."
    )
    assert types(record) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


@pytest.mark.parametrize("token", ["", "garbage", "A" * 32 + "." + "B" * 22])
def test_forged_tokens(engine: Engine, token: str) -> None:
    with pytest.raises(InvalidToken):
        engine.send_task_success(token, "{}")
    with pytest.raises(InvalidToken):
        engine.send_task_heartbeat(token)


def test_invalid_output_keeps_the_task(engine: Engine) -> None:
    record = start(engine, _task())
    token, _ = _poll(engine)
    with pytest.raises(InvalidOutput):
        engine.send_task_success(token, "{not json")
    engine.send_task_success(token, "[1]")
    assert record.done.wait(5) and json.loads(record.output) == [1]


def test_stop_while_task_runs(engine: Engine) -> None:
    record = start(engine, _task())
    token, _ = _poll(engine)
    engine.stop_execution(record.execution_arn)
    assert record.status == "ABORTED"
    assert types(record)[-2:] == ["TaskStateAborted", "ExecutionAborted"]
    with pytest.raises(TaskTimedOut):
        engine.send_task_failure(token, "late")


def test_time_scale_zero_skips_waits_and_retries_but_arms_no_time_out() -> None:
    """At time_scale 0 Waits and retry intervals take no time, while an activity task with
    (tiny) TimeoutSeconds/HeartbeatSeconds under a machine TimeoutSeconds still waits for its
    worker: a time-out scaled to zero would fire before any worker could answer."""
    definition = {
        "TimeoutSeconds": 1,
        "StartAt": "Nap",
        "States": {
            "Nap": {"Type": "Wait", "Seconds": 86_400, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": ACTIVITY,
                "TimeoutSeconds": 2,
                "HeartbeatSeconds": 1,
                "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 86_400}],
                "End": True,
            },
        },
    }
    with Engine(time_scale=0) as engine:
        record = start(engine, definition, {"n": 1})
        first, _ = _poll(engine)
        engine.send_task_failure(first, "Flaky", "try again")
        second, task_input = _poll(engine)  # the day-long retry interval took no time
        # well past every (scaled) time-out: nothing may have fired meanwhile
        assert not record.done.wait(0.3)
        engine.send_task_heartbeat(second)
        assert not record.done.wait(0.2)
        engine.send_task_success(second, task_input)
        assert record.done.wait(5)
    assert record.status == "SUCCEEDED", (record.error, record.cause)
    assert json.loads(record.output) == {"n": 1}
    assert "ActivityTimedOut" not in types(record)
    assert types(record).count("ActivityScheduled") == 2


def test_context_retry_count_counts_the_retries_of_the_state(engine: Engine) -> None:
    definition = _task(
        Parameters={"retry.$": "$$.State.RetryCount", "name.$": "$$.State.Name"},
        Retry=[{"ErrorEquals": ["Again"], "IntervalSeconds": 1, "MaxAttempts": 5}],
    )
    record = start(engine, definition)
    seen = []
    for attempt in range(3):
        token, task_input = _poll(engine)
        seen.append(json.loads(task_input))
        if attempt < 2:
            engine.send_task_failure(token, "Again")
        else:
            engine.send_task_success(token, task_input)
    assert record.done.wait(5) and record.status == "SUCCEEDED"
    assert seen == [{"retry": n, "name": "T"} for n in range(3)]


@pytest.mark.parametrize("output", ["[" * 100_000 + "]" * 100_000, "1e999", '{"a": NaN}'])
def test_output_aws_would_not_parse_is_invalid_output(engine: Engine, output: str) -> None:
    record = start(engine, _task())
    token, _ = _poll(engine)
    with pytest.raises(InvalidOutput):
        engine.send_task_success(token, output)
    engine.send_task_success(token, '{"fine": 1}')  # the task is still there to answer
    assert record.done.wait(5) and json.loads(record.output) == {"fine": 1}


RESULT_TOO_LARGE = (
    f"The state/task '{ACTIVITY}' returned a result with a size exceeding the maximum number of "
    "bytes service limit."
)


def _caught_by(error_equals: list[str]) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": ACTIVITY,
                "Catch": [{"ErrorEquals": error_equals, "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }


@pytest.mark.parametrize("error_equals", [["States.ALL"], ["States.DataLimitExceeded"]])
def test_a_worker_result_over_256_kib_is_a_task_failure_catch_can_handle(
    engine: Engine, error_equals: list[str]
) -> None:
    # Recorded against AWS for a Lambda result (LocalStack's test_states_errors snapshot,
    # 21-03-2024): LambdaFunctionFailed States.DataLimitExceeded, no Succeeded event, the cause
    # names the Task's resource, and a States.ALL (or the exact name) Catch handles it.
    record = start(engine, _caught_by(error_equals))
    token, _ = _poll(engine)
    engine.send_task_success(token, json.dumps("é" * (128 * 1024)))  # 256 KiB + 2 in UTF-8
    assert record.done.wait(5)
    assert record.status == "SUCCEEDED"
    assert types(record)[3:6] == ["ActivityStarted", "ActivityFailed", "TaskStateExited"]
    assert details(record, "ActivityFailed") == [
        {"error": "States.DataLimitExceeded", "cause": RESULT_TOO_LARGE}
    ]
    assert json.loads(record.output) == {
        "Error": "States.DataLimitExceeded",
        "Cause": RESULT_TOO_LARGE,
    }


def test_a_worker_result_over_256_kib_fails_an_execution_without_a_catch(
    engine: Engine,
) -> None:
    record = start(engine, _task())
    token, _ = _poll(engine)
    engine.send_task_success(token, json.dumps("x" * (256 * 1024)))
    assert record.done.wait(5)
    assert (record.status, record.error, record.cause) == (
        "FAILED",
        "States.DataLimitExceeded",
        RESULT_TOO_LARGE,
    )
    assert "ActivitySucceeded" not in types(record)


def test_a_data_limit_inside_a_state_stays_terminal(engine: Engine) -> None:
    # A state's own output over 256 KiB is not a task failure: no Catch applies.
    definition = _caught_by(["States.ALL"])
    definition["States"]["T"]["ResultPath"] = "$.result"
    record = start(engine, definition, {"pad": "x" * (150 * 1024)})
    token, _ = _poll(engine)
    engine.send_task_success(token, json.dumps("y" * (150 * 1024)))  # each fits, both do not
    assert record.done.wait(5)
    assert (record.status, record.error) == ("FAILED", "States.DataLimitExceeded")
    assert "PassStateEntered" not in types(record)


def test_a_task_input_over_256_kib_fails_before_scheduling(engine: Engine) -> None:
    definition = _task(Parameters={"big.$": "States.StringSplit($.text, ',')"})
    record = start(engine, definition, {"text": ",".join(["abcdefgh"] * 40_000)})
    assert record.done.wait(5)
    assert (record.status, record.error) == ("FAILED", "States.DataLimitExceeded")
    assert "ActivityScheduled" not in types(record)
