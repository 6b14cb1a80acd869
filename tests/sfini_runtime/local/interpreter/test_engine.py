"""Behaviour of the Engine through its API: histories, data flow, Retry/Catch, Parallel, Map,
Wait, stop, timeouts and limits."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local.errors import ExecutionDoesNotExist, InvalidDefinition
from sfini_runtime.local.interpreter import Engine

from ._engine_helpers import details, output, run, start, types


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine(time_scale=0) as eng:
        yield eng


def _pass(name: str, nxt: str | None = None, **fields: object) -> dict[str, object]:
    state: dict[str, object] = {"Type": "Pass", **fields}
    if nxt is None:
        state["End"] = True
    else:
        state["Next"] = nxt
    return state


def test_simple_run_has_aws_ids_and_links(engine: Engine) -> None:
    record = run(
        engine, {"StartAt": "A", "States": {"A": _pass("A", "B"), "B": _pass("B")}}, {"x": 1}
    )
    assert record.status == "SUCCEEDED"
    assert output(record) == {"x": 1}
    links = [(e["id"], e["previousEventId"], e["type"]) for e in record.history]
    assert links == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 5, "ExecutionSucceeded"),
    ]
    started = details(record, "ExecutionStarted")[0]
    assert started["roleArn"].endswith(":role/test")
    assert started["inputDetails"] == {"truncated": False}
    assert "stateMachineAliasArn" not in started
    assert record.stop_date is not None and record.stop_date >= record.start_date


def test_choice_loop_with_math_add_counts_to_limit(engine: Engine) -> None:
    definition = {
        "StartAt": "Init",
        "States": {
            "Init": _pass("Init", "Inc", Parameters={"i": 0}),
            "Inc": _pass("Inc", "Check", Parameters={"i.$": "States.MathAdd($.i, 1)"}),
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": 500, "Next": "Inc"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    record = run(engine, definition)
    assert output(record) == {"i": 500}
    assert types(record).count("ChoiceStateEntered") == 500
    # every event links to the one before it in a single-branch execution
    assert all(e["previousEventId"] == e["id"] - 1 for e in record.history[2:])


@pytest.mark.parametrize(
    ("fail_state", "error", "cause"),
    [
        ({"Type": "Fail", "Error": "Oops", "Cause": "bad"}, "Oops", "bad"),
        ({"Type": "Fail", "Error": "OnlyError"}, "OnlyError", None),
        ({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$$.State.Name"}, "from-input", "F"),
        (
            {
                "Type": "Fail",
                "ErrorPath": "States.Format('E.{}', $.e)",
                "CausePath": "States.Format('{} in {}', $.e, $$.State.Name)",
            },
            "E.from-input",
            "from-input in F",
        ),
    ],
)
def test_fail_state(engine: Engine, fail_state: dict, error: str, cause: str | None) -> None:
    record = run(engine, {"StartAt": "F", "States": {"F": fail_state}}, {"e": "from-input"})
    assert record.status == "FAILED"
    assert (record.error, record.cause) == (error, cause)
    assert types(record) == ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"]
    assert record.history[-1]["previousEventId"] == 2


def test_fail_state_rejects_unknown_intrinsic_in_cause_path(engine: Engine) -> None:
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "CausePath": "States.Nope($)"}}}
    with pytest.raises(InvalidDefinition, match=r"States\.Nope"):
        run(engine, definition, {})


def test_runtime_error_cause_names_state_and_event(engine: Engine) -> None:
    definition = {"StartAt": "P", "States": {"P": _pass("P", InputPath="$.missing")}}
    record = run(engine, definition, {"a": 1})
    assert record.error == "States.Runtime"
    assert record.cause == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "Invalid path '$.missing' : No results for path: $['missing']"
    )


def test_parallel_outputs_in_branch_order_and_catch(engine: Engine) -> None:
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": f"B{i}", "States": {f"B{i}": _pass(f"B{i}", Result=i)}}
                    for i in range(4)
                ],
                "ResultPath": "$.par",
                "Next": "Boom",
            },
            "Boom": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Fail", "Error": "E"}}}],
                "Catch": [{"ErrorEquals": ["E"], "ResultPath": "$.err", "Next": "End"}],
                "End": True,
            },
            "End": _pass("End"),
        },
    }
    record = run(engine, definition)
    assert output(record) == {"par": [0, 1, 2, 3], "err": {"Error": "E"}}
    exited = [json.loads(d["output"]) for d in details(record, "ParallelStateExited")]
    assert exited == [{"par": [0, 1, 2, 3]}, {"par": [0, 1, 2, 3], "err": {"Error": "E"}}]
    kinds = types(record)
    assert kinds.index("ParallelStateFailed") < kinds.index(
        "ParallelStateExited", kinds.index("FailStateEntered")
    )


def test_retry_then_fail_reschedules_without_reentering(engine: Engine) -> None:
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Fail", "Error": "E"}}}],
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                "End": True,
            }
        },
    }
    record = run(engine, definition)
    assert record.status == "FAILED" and record.error == "E"
    kinds = types(record)
    assert kinds.count("ParallelStateEntered") == 1
    assert kinds.count("ParallelStateStarted") == 3
    assert kinds.count("ParallelStateFailed") == 1


def test_runtime_errors_are_not_retried_or_caught(engine: Engine) -> None:
    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "InputPath": "$.nope",
                "Branches": [{"StartAt": "X", "States": {"X": _pass("X")}}],
                "Retry": [{"ErrorEquals": ["States.ALL"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                "End": True,
            },
            "C": _pass("C"),
        },
    }
    record = run(engine, definition)
    assert record.error == "States.Runtime"
    assert types(record) == ["ExecutionStarted", "ParallelStateEntered", "ExecutionFailed"]


def _map(**fields: object) -> dict[str, object]:
    return {
        "Type": "Map",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "Item",
            "States": {
                "Item": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.bad", "BooleanEquals": True, "Next": "Bad"}],
                    "Default": "Ok",
                },
                "Ok": {"Type": "Pass", "OutputPath": "$.v", "End": True},
                "Bad": {"Type": "Fail", "Error": "ItemFailed"},
            },
        },
        "End": True,
        **fields,
    }


@pytest.mark.parametrize("concurrency", [0, 1, 3])
def test_map_outputs_in_item_order(engine: Engine, concurrency: int) -> None:
    items = [{"v": i, "bad": False} for i in range(7)]
    record = run(engine, {"StartAt": "M", "States": {"M": _map(MaxConcurrency=concurrency)}}, items)
    assert output(record) == list(range(7))
    assert details(record, "MapStateStarted") == [{"length": 7}]
    assert sorted(d["index"] for d in details(record, "MapIterationSucceeded")) == list(range(7))


def test_map_max_concurrency_one_runs_items_in_sequence(engine: Engine) -> None:
    items = [{"v": i, "bad": False} for i in range(3)]
    record = run(engine, {"StartAt": "M", "States": {"M": _map(MaxConcurrency=1)}}, items)
    iteration_events = [t for t in types(record) if t.startswith("MapIteration")]
    assert iteration_events == ["MapIterationStarted", "MapIterationSucceeded"] * 3


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({}, "FAILED", "ItemFailed"),
        ({"ToleratedFailureCount": 1}, "SUCCEEDED", None),
        ({"ToleratedFailurePercentage": 10}, "FAILED", "States.ExceedToleratedFailureThreshold"),
        ({"ToleratedFailurePercentage": 50}, "SUCCEEDED", None),
    ],
)
def test_map_tolerated_failures(
    engine: Engine, fields: dict, status: str, error: str | None
) -> None:
    items = [{"v": 0, "bad": False}, {"v": 1, "bad": True}, {"v": 2, "bad": False}]
    record = run(engine, {"StartAt": "M", "States": {"M": _map(MaxConcurrency=1, **fields)}}, items)
    assert (record.status, record.error) == (status, error)
    if status == "SUCCEEDED":
        assert output(record) == [0, None, 2]


@pytest.mark.parametrize("field", ["ItemSelector", "Parameters"])
def test_map_item_selector_sees_index_and_value(engine: Engine, field: str) -> None:
    """ItemSelector (or the legacy Parameters) shapes each item, never the Map's input."""
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.xs",
                field: {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": _pass("P")}},
                "ResultPath": "$.out",
                "End": True,
            }
        },
    }
    record = run(engine, definition, {"xs": ["a", "b"]})
    assert output(record)["out"] == [{"i": 0, "v": "a"}, {"i": 1, "v": "b"}]


def test_context_object(engine: Engine) -> None:
    definition = {"StartAt": "P", "States": {"P": _pass("P", Parameters={"c.$": "$$"})}}
    record = run(engine, definition, {"k": 1})
    ctx = output(record)["c"]
    assert ctx["Execution"]["Id"] == record.execution_arn
    assert ctx["Execution"]["Input"] == {"k": 1}
    assert ctx["StateMachine"] == {"Id": record.state_machine_arn, "Name": "machine"}
    assert ctx["State"]["Name"] == "P"
    assert ctx["State"]["EnteredTime"].endswith("Z")


@pytest.mark.parametrize(
    ("wait", "payload"),
    [
        ({"Seconds": 5}, {}),
        ({"SecondsPath": "$.s"}, {"s": 3}),
        ({"Timestamp": "2016-03-05T21:29:29.243167252Z"}, {}),
        ({"TimestampPath": "$.t"}, {"t": "2099-01-01T00:00:00Z"}),
    ],
)
def test_wait_forms_succeed_at_time_scale_zero(engine: Engine, wait: dict, payload: dict) -> None:
    record = run(
        engine, {"StartAt": "W", "States": {"W": {"Type": "Wait", "End": True, **wait}}}, payload
    )
    assert record.status == "SUCCEEDED"
    assert types(record) == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "ExecutionSucceeded",
    ]


@pytest.mark.parametrize(
    ("wait", "payload", "cause_end"),
    [
        ({"SecondsPath": "$.s"}, {"s": 1.5}, "cannot be parsed as a long value: $.s == 1.5"),
        (
            {"TimestampPath": "$.t"},
            {"t": "2016-12-05 21:29:29Z"},
            "offset date-time format string: $.t == 2016-12-05 21:29:29Z",
        ),
    ],
)
def test_wait_path_errors(engine: Engine, wait: dict, payload: dict, cause_end: str) -> None:
    record = run(
        engine, {"StartAt": "W", "States": {"W": {"Type": "Wait", "End": True, **wait}}}, payload
    )
    assert record.error == "States.Runtime"
    assert record.cause is not None and record.cause.endswith(cause_end)


def test_stop_a_waiting_execution() -> None:
    with Engine(time_scale=1) as engine:
        record = start(
            engine, {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": True}}}
        )
        for _ in range(200):
            if types(record)[-1] == "WaitStateEntered":
                break
            threading.Event().wait(0.01)
        stopped = engine.stop_execution(record.execution_arn, error="Why", cause="Because")
        assert record.done.is_set() and record.status == "ABORTED"
        assert stopped == record.stop_date
        assert types(record)[-2:] == ["WaitStateAborted", "ExecutionAborted"]
        assert details(record, "ExecutionAborted") == [{"error": "Why", "cause": "Because"}]


def test_machine_timeout() -> None:
    with Engine(time_scale=0.001) as engine:
        definition = {
            "TimeoutSeconds": 5,
            "StartAt": "W",
            "States": {"W": {"Type": "Wait", "Seconds": 100, "End": True}},
        }
        record = run(engine, definition)
        assert record.status == "TIMED_OUT"
        assert types(record)[-2:] == ["WaitStateEntered", "ExecutionTimedOut"]
        # as AWS records it: no details, and no error on the execution
        assert details(record, "ExecutionTimedOut") == [{}]
        assert (record.error, record.cause) == (None, None)


def test_payload_over_256_kib_fails(engine: Engine) -> None:
    definition = {"StartAt": "P", "States": {"P": _pass("P", Result="x" * (256 * 1024))}}
    record = run(engine, definition)
    assert record.error == "States.DataLimitExceeded"


def test_history_limit_fails_the_execution(engine: Engine) -> None:
    loop = {"Variable": "$.stop", "IsPresent": True, "Next": "Done"}
    definition = {
        "StartAt": "A",
        "States": {
            "A": _pass("A", "B"),
            "B": {"Type": "Choice", "Choices": [loop], "Default": "A"},
            "Done": {"Type": "Succeed"},
        },
    }
    record = run(engine, definition)
    assert record.status == "FAILED"
    assert len(record.history) == 25_000
    assert record.history[-1]["type"] == "ExecutionFailed"
    # the cause AWS writes (quoted in cloudonaut.io, "Step Functions pitfall: The execution
    # reached the maximum number of history events (25000)", 2022); the error name is unverified
    assert record.cause == "The execution reached the maximum number of history events (25000)."


@pytest.mark.parametrize(("iterations", "status"), [(6249, "SUCCEEDED"), (6250, "FAILED")])
def test_the_25000th_event_may_be_execution_succeeded(
    engine: Engine, iterations: int, status: str
) -> None:
    # AWS ("Avoid reaching the history quota"): at 24,999 events the execution waits for the
    # next one; if event 25,000 is ExecutionSucceeded the execution succeeds, otherwise
    # ExecutionFailed is event 25,000. Events: 1 + 4 per iteration + 2 (Succeed) + 1 = 4n + 4.
    definition = {
        "StartAt": "Count",
        "States": {
            "Count": _pass("Count", "Check", Parameters={"i.$": "States.MathAdd($.i, 1)"}),
            "Check": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericEquals": iterations, "Next": "Done"}],
                "Default": "Count",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    record = run(engine, definition, {"i": 0})
    assert record.status == status
    assert len(record.history) == 25_000
    last = "ExecutionSucceeded" if status == "SUCCEEDED" else "ExecutionFailed"
    assert [e["type"] for e in record.history[-1:]] == [last]


def test_many_executions_share_one_thread() -> None:
    with Engine(time_scale=0.001) as engine:
        before = set(threading.enumerate())
        definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
        records = [start(engine, definition, {"n": i}) for i in range(2000)]
        # other tests' threads may come and go in this process; none scale with executions
        started = [t.name for t in set(threading.enumerate()) - before]
        assert len(started) <= 2, started
        assert all(r.done.wait(10) for r in records)
        assert {r.status for r in records} == {"SUCCEEDED"}


def test_unknown_execution(engine: Engine) -> None:
    with pytest.raises(ExecutionDoesNotExist):
        engine.get_execution("arn:aws:states:us-east-1:123456789012:execution:m:none")


def test_invalid_definition_message(engine: Engine) -> None:
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nowhere"}, "B": _pass("B")}}
    with pytest.raises(InvalidDefinition) as info:
        engine.compile(json.dumps(bad))
    assert info.value.message == (
        "Invalid State Machine Definition: "
        "'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next, "
        'MISSING_TRANSITION_TARGET: State "B" is not reachable. at /States/B\''
    )


@pytest.mark.parametrize(
    ("definition", "problems"),
    [
        (  # only a state's own Next/Default/Choices/Catch lead anywhere
            {
                "StartAt": "A",
                "States": {
                    "A": {"Type": "Pass", "End": True},
                    "Orphan": {"Type": "Pass", "Next": "A"},
                },
            },
            ['State "Orphan" is not reachable. at /States/Orphan'],
        ),
        (  # inside a Parallel branch, located there
            {
                "StartAt": "P",
                "States": {
                    "P": {
                        "Type": "Parallel",
                        "End": True,
                        "Branches": [
                            {
                                "StartAt": "X",
                                "States": {
                                    "X": {"Type": "Succeed"},
                                    "Y": {"Type": "Succeed"},
                                },
                            }
                        ],
                    }
                },
            },
            ['State "Y" is not reachable. at /States/P/Branches/0/States/Y'],
        ),
    ],
)
def test_unreachable_states_are_rejected(
    engine: Engine, definition: dict[str, Any], problems: list[str]
) -> None:
    with pytest.raises(InvalidDefinition) as info:
        engine.compile(json.dumps(definition))
    for problem in problems:
        assert f"MISSING_TRANSITION_TARGET: {problem}" in info.value.message


def test_states_reached_through_choices_defaults_and_catchers_are_reachable(
    engine: Engine,
) -> None:
    definition = {
        "StartAt": "C",
        "States": {
            "Caught": {"Type": "Succeed"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "P"}],
                "Default": "D",
            },
            "D": {"Type": "Pass", "Next": "C"},
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail"}}}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
        },
    }
    record = run(engine, definition, {"a": 1})
    assert record.status == "SUCCEEDED"


def test_a_task_an_engine_without_integrations_cannot_run_fails_saying_so(
    engine: Engine,
) -> None:
    arn = "arn:aws:states:eu-west-1:123456789012:lambda:invoke"
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": arn,
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "C"}],
                "End": True,
            },
            "C": _pass("C"),
        },
    }
    record = run(engine, definition, {"a": 1})
    assert record.status == "SUCCEEDED"
    assert output(record)["Error"] == "Lambda.AWSException"
    assert "no integrations configured" in output(record)["Cause"]
    scheduled = details(record, "TaskScheduled")[0]
    assert (scheduled["resourceType"], scheduled["region"]) == ("lambda", "eu-west-1")
    assert json.loads(scheduled["parameters"]) == {"a": 1}
    assert types(record)[2:6] == ["TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited"]


def test_stop_inside_map_and_parallel_records_aborted_events() -> None:
    def wait(name: str) -> dict[str, object]:
        return {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": 60, "End": True}}}

    definition = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    wait("W1"),
                    {
                        "StartAt": "M",
                        "States": {"M": {"Type": "Map", "ItemProcessor": wait("W2"), "End": True}},
                    },
                ],
                "End": True,
            }
        },
    }
    with Engine(time_scale=1) as engine:
        record = start(engine, definition, [1, 2])
        for _ in range(300):
            if types(record).count("WaitStateEntered") == 3:
                break
            threading.Event().wait(0.01)
        engine.stop_execution(record.execution_arn)
    kinds = types(record)
    assert record.status == "ABORTED" and kinds[-1] == "ExecutionAborted"
    assert kinds.count("WaitStateAborted") == 3
    assert kinds.count("MapIterationAborted") == 2
    assert kinds.index("MapStateAborted") < kinds.index("ParallelStateAborted")


@pytest.mark.parametrize("kind", ["Map", "Parallel"])
def test_a_failing_child_aborts_its_running_siblings_as_aws_records_it(kind: str) -> None:
    """A Map iteration (Parallel branch) fails: each sibling still running records its state's
    <Type>StateAborted (then MapIterationAborted), all following the event that failed, and
    <Map|Parallel>StateFailed follows that event too (AWS's recorded Map time-out history)."""

    def waiting(name: str) -> dict[str, Any]:
        return {"StartAt": name, "States": {name: {"Type": "Wait", "Seconds": 60, "End": True}}}

    failing = {
        "StartAt": "Go",
        "States": {
            "Go": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Boom"}],
                "Default": "Nap",
            },
            "Nap": {"Type": "Wait", "Seconds": 60, "End": True},
            "Boom": {"Type": "Fail", "Error": "Boom"},
        },
    }
    if kind == "Map":
        state = {"Type": "Map", "ItemProcessor": failing, "End": True}
        payload: Any = [{"fail": False}, {"fail": False}, {"fail": True}]
    else:
        branches = [waiting("Nap1"), waiting("Nap2"), failing]
        state = {"Type": "Parallel", "Branches": branches, "End": True}
        payload = {"fail": True}
    with Engine(time_scale=1) as engine:
        record = start(engine, {"StartAt": "S", "States": {"S": state}}, payload)
        assert record.done.wait(10)
    assert (record.status, record.error) == ("FAILED", "Boom")
    events = record.history
    failed_at = next(e["id"] for e in events if e["type"] == "FailStateEntered")
    tail = [(e["type"], e["previousEventId"]) for e in events if e["id"] > failed_at]
    aborted = [("WaitStateAborted", failed_at)]
    if kind == "Map":
        assert tail[0] == ("MapIterationFailed", failed_at)
        aborted.append(("MapIterationAborted", failed_at))
        tail = tail[1:]
    assert tail[:-2] == aborted * 2
    assert tail[-2] == (f"{kind}StateFailed", failed_at)
    assert tail[-1][0] == "ExecutionFailed"
    if kind == "Map":
        indexes = [d["index"] for d in details(record, "MapIterationAborted")]
        assert indexes == [0, 1]
