"""Following a long execution's history reads only the new events (``start --wait``'s view)."""

from __future__ import annotations

import io
import json
import math
import threading
from typing import Any

import pytest

from sfini_runtime.execution import Execution, HistoryFollower
from sfini_runtime.session import AWSSession
from tests.sfini_runtime.test_worker import DEADLINE

pytestmark = pytest.mark.engine

#: Pass/Choice iterations before the activity loop: 4 events each, a long history.
COUNT = 1_500
#: Activity tasks the test hands out one by one, polling the history between them.
ROUNDS = 5


def long_loop(activity_arn: str) -> dict[str, Any]:
    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": {"i": 0, "j": 0}, "Next": "Count"},
            "Count": {
                "Type": "Pass",
                "Parameters": {"i.$": "States.MathAdd($.i, 1)", "j.$": "$.j"},
                "Next": "Enough",
            },
            "Enough": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.i", "NumericLessThan": COUNT, "Next": "Count"}],
                "Default": "Work",
            },
            "Work": {
                "Type": "Task",
                "Resource": activity_arn,
                "ResultPath": None,
                "HeartbeatSeconds": 1000,
                "Next": "More",
            },
            "More": {
                "Type": "Pass",
                "Parameters": {"i.$": "$.i", "j.$": "States.MathAdd($.j, 1)"},
                "Next": "Again",
            },
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.j", "NumericLessThan": ROUNDS, "Next": "Work"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


class HistoryCalls:
    """Counts GetExecutionHistory calls and the events they return, and DescribeExecution calls."""

    def __init__(self, client: Any) -> None:
        self.calls = 0
        self.events = 0
        self.describes = 0
        self._lock = threading.Lock()
        client.meta.events.register("after-call.sfn.GetExecutionHistory", self._history)
        client.meta.events.register("after-call.sfn.DescribeExecution", self._describe)

    def _history(self, parsed: dict, **_: Any) -> None:
        with self._lock:
            self.calls += 1
            self.events += len(parsed.get("events", []))

    def _describe(self, **_: Any) -> None:
        with self._lock:
            self.describes += 1


def start_long_loop(session: AWSSession, name: str) -> tuple[Execution, str]:
    sfn = session.sfn
    activity_arn = sfn.create_activity(name=name)["activityArn"]
    machine_arn = sfn.create_state_machine(
        name=name,
        definition=json.dumps(long_loop(activity_arn)),
        roleArn="arn:aws:iam::123456789012:role/r",
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine_arn, input="{}")["executionArn"]
    return Execution.from_arn(arn, session=session), activity_arn


def next_task(session: AWSSession, activity_arn: str) -> str:
    task = session.sfn.get_activity_task(activityArn=activity_arn, workerName="test")
    assert task.get("taskToken"), "no task within the long poll"
    return task["taskToken"]


def test_follower_reads_each_event_once_a_page_or_so_per_poll(session: AWSSession) -> None:
    execution, activity_arn = start_long_loop(session, "followLoop")
    token = next_task(session, activity_arn)  # the execution is now past its long Pass loop
    follower = execution.follow_history()
    seen = follower.poll()
    assert len(seen) > 4 * COUNT
    assert follower.calls == math.ceil(len(seen) / 1000)  # catching up: whole pages, once
    assert follower.active.names == ["Work"]
    for _ in range(ROUNDS - 1):
        session.sfn.send_task_success(taskToken=token, output="{}")
        token = next_task(session, activity_arn)
        calls = follower.calls
        new = follower.poll()
        assert follower.calls - calls == 1  # however long the history already is
        assert 0 < len(new) < 20
        assert follower.active.names == ["Work"]
        seen += new
    assert follower.poll() == [] and follower.calls - calls == 2
    session.sfn.send_task_success(taskToken=token, output="{}")
    execution.wait(timeout=DEADLINE)
    seen += follower.poll()
    assert follower.active.names == []
    assert [event.event_id for event in seen] == list(range(1, len(seen) + 1))
    assert [event.event_type for event in seen] == [
        event["type"] for event in execution.get_history_events()
    ]


def test_follower_catches_up_in_large_pages_after_a_long_gap(session: AWSSession) -> None:
    execution, activity_arn = start_long_loop(session, "followGap")
    follower = HistoryFollower(session.sfn, execution.arn, page_size=10)
    first = follower.poll()  # whatever has happened so far
    next_task(session, activity_arn)
    calls = follower.calls
    rest = follower.poll()
    # far behind: one small page, then pages of 1000 (not thousands of 10-event pages)
    assert follower.calls - calls <= 2 + math.ceil(len(rest) / 1000)
    assert [e.event_id for e in first + rest] == list(range(1, len(first) + len(rest) + 1))
    execution.stop(error_code="Done")


@pytest.mark.parametrize("page_size", [0, 1001])
def test_page_size_is_checked(session: AWSSession, page_size: int) -> None:
    with pytest.raises(ValueError, match="page_size"):
        HistoryFollower(session.sfn, "arn", page_size=page_size)


def test_live_view_reads_a_long_history_once(session: AWSSession) -> None:
    from rich.console import Console

    from sfini_runtime.cli import executions

    execution, activity_arn = start_long_loop(session, "watchLoop")
    counter = HistoryCalls(session.sfn)
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=200, color_system=None)
    token = next_task(session, activity_arn)
    watcher = threading.Thread(target=executions._watch, args=(execution, terminal, 0.2))
    watcher.start()
    for round_number in range(ROUNDS):
        # let the view refresh (at least once) while the task is out
        refreshes = counter.describes
        waited = threading.Event()
        while counter.describes < refreshes + 2:
            assert not waited.wait(0.02) and watcher.is_alive()
        session.sfn.send_task_success(taskToken=token, output="{}")
        if round_number < ROUNDS - 1:
            token = next_task(session, activity_arn)
    watcher.join(DEADLINE)
    assert not watcher.is_alive()
    calls, events, refreshes = counter.calls, counter.events, counter.describes
    assert execution.status == "SUCCEEDED"
    total = len(execution.get_history_events())
    assert "in: Work" in screen.getvalue()
    # the first refresh reads the history in pages of 1000; every later one reads one page of
    # at most 100 new events
    assert calls <= math.ceil(total / 1000) + refreshes
    assert events <= total + 100 * refreshes
    # re-reading the whole history at each refresh would read it `refreshes` (>= 10) times
    assert refreshes >= 2 * ROUNDS
    assert events < 2 * total
