"""Workers end to end on the local engine: outcomes, limits, heartbeats, cancellation,
concurrency, ending, retries."""

from __future__ import annotations

import collections
import http.client
import http.server
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_runtime.execution import Execution
from sfini_runtime.session import AWSSession
from sfini_runtime.worker import (
    MAX_CAUSE_LENGTH,
    MAX_ERROR_LENGTH,
    Worker,
    WorkerCancel,
    WorkerGroup,
    current_task,
)

pytestmark = pytest.mark.engine

#: Generous deadline (seconds) for a condition to come true on a loaded machine.
DEADLINE = 30.0


def wait_for(condition: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    """Wait until ``condition()`` is true (fail after ``timeout`` seconds, saying ``what``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def deploy(session: AWSSession, activity: Any, **task_options: Any) -> Any:
    """A one-Task state machine running ``activity``, registered on the engine.

    The Task's heartbeat time-out is 10 s on the engine (1000 s scaled by 0.01) unless given:
    ample time for a worker on a loaded machine to report (the activity's default, 25 s,
    would leave 0.25 s).
    """
    task_options.setdefault("heartbeat", 1000)
    activity.session = session
    activity.register()
    machine = sfini.construct_state_machine(
        f"sm-{activity.name}", sfini.Task("task", activity, **task_options), session=session
    )
    machine.register()
    return machine


def run_one(machine: Any, worker: Worker, execution_input: Any = None) -> Execution:
    worker.start()
    try:
        execution = machine.start_execution({} if execution_input is None else execution_input)
        execution.wait(raise_on_failure=False, timeout=30)
    finally:
        worker.end()
        worker.join()
    return execution


def test_success_costs_one_poll_and_one_report(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("add")
    def add(data):
        return data["a"] + data["b"]

    machine = deploy(session, add)
    worker = Worker(add, session=session)
    worker.start()
    executions = [machine.start_execution({"a": i, "b": 1}) for i in range(5)]
    for execution in executions:
        execution.wait(timeout=30)
    worker.end()
    worker.join()
    assert [e.output for e in executions] == [1, 2, 3, 4, 5]
    assert worker.outcomes["succeeded"] == 5
    assert worker.api_calls["send_task_success"] == 5
    assert worker.api_calls["send_task_heartbeat"] == 0
    # one poll per task, plus the polls in flight (or cut short) when it ended
    assert 5 <= worker.api_calls["get_activity_task"] <= 5 + worker.pollers


class MyError(Exception):
    pass


def test_exception_reports_class_name_and_traceback(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("fail")
    def fail(data):
        raise MyError("boom")

    execution = run_one(deploy(session, fail), Worker(fail, session=session))
    assert execution.status == "FAILED"
    assert execution.error == "MyError"
    assert execution.cause.startswith("Traceback (most recent call last):")
    assert execution.cause.rstrip().endswith("MyError: boom")
    assert 'in fail\n    raise MyError("boom")' in execution.cause


def test_error_and_cause_are_cut_to_aws_limits(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    long_error = type("E" * 300, (Exception,), {})

    @registration.activity("long")
    def long(data):
        raise long_error("x" * 40_000 + "THE END")

    worker = Worker(long, session=session)
    execution = run_one(deploy(session, long), worker)
    assert execution.status == "FAILED"
    assert execution.error == "E" * MAX_ERROR_LENGTH
    assert len(execution.cause) == MAX_CAUSE_LENGTH
    assert execution.cause.endswith("THE END\n")
    assert "characters cut" in execution.cause
    assert worker.outcomes["failed"] == 1


@pytest.mark.parametrize(
    ("result", "error", "says"),
    [
        ({1, 2}, "ResultNotSerialisable", "not JSON-serialisable"),
        (float("nan"), "ResultNotSerialisable", "not JSON-serialisable"),
        ("x" * 262_150, "ResultTooLarge", "over the 262144-byte (256 KiB) limit"),
    ],
)
def test_results_aws_would_refuse_become_failures(
    session: AWSSession, result: Any, error: str, says: str
) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("bad")
    def bad(data):
        return result

    execution = run_one(deploy(session, bad), Worker(bad, session=session))
    assert execution.status == "FAILED"
    assert execution.error == error
    assert says in execution.cause


def test_result_just_within_the_limit_succeeds(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    text = "x" * (262_144 - 2)  # plus the two quotes of its JSON

    @registration.activity("big")
    def big(data):
        return text

    execution = run_one(deploy(session, big), Worker(big, session=session))
    assert execution.status == "SUCCEEDED"
    assert execution.output == text


def test_smart_activity_missing_parameters_fail_the_task_naming_them(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.smart_activity("smart")
    def smart(a, b, c=3):
        return a + b + c

    machine = deploy(session, smart)
    execution = run_one(machine, Worker(smart, session=session), {"a": 1})
    assert execution.status == "FAILED"
    assert execution.error == "MissingActivityInput"
    assert execution.cause.splitlines()[-1].endswith(
        "activity 't-smart': task input is missing required 'b'"
    )
    ok = run_one(machine, Worker(smart, session=session), {"a": 1, "b": 2, "extra": 0})
    assert ok.output == 6


def test_concurrency_runs_tasks_at_once(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    barrier = threading.Barrier(4, timeout=10)

    @registration.activity("meet")
    def meet(data):
        barrier.wait()  # only passes when 4 tasks run at the same time
        return data

    machine = deploy(session, meet)
    worker = Worker(meet, session=session, concurrency=4)
    worker.start()
    executions = [machine.start_execution(i) for i in range(4)]
    for execution in executions:
        execution.wait(timeout=30)
    worker.end()
    worker.join()
    assert sorted(e.output for e in executions) == [0, 1, 2, 3]


def test_several_activities_in_one_process(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("double")
    def double(data):
        return data * 2

    @registration.activity("negate")
    def negate(data):
        return -data

    for activity in registration.activities.values():
        activity.session = session
    registration.register()
    first = sfini.Task("double", double, heartbeat=1000)
    first.goes_to(sfini.Task("negate", negate, heartbeat=1000))
    machine = sfini.construct_state_machine("chain", first, session=session)
    machine.register()
    group = WorkerGroup([Worker(double, session=session), Worker(negate, session=session)])
    group.start()
    execution = machine.start_execution(21)
    execution.wait(timeout=30)
    group.end()
    group.join()
    assert execution.output == -42
    # both left a poll in flight (held 60 s by the engine); a task for either is still run
    assert not group.drain(timeout=0.05)
    again = machine.start_execution(1)
    again.wait(timeout=DEADLINE)
    assert again.output == -2
    assert group.drain(timeout=DEADLINE)
    assert all(worker.polls_in_flight == 0 for worker in group.workers)


def test_heartbeats_keep_a_long_task_alive(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("slow", heartbeat=1)
    def slow(data):
        time.sleep(2.0)  # the engine allows 1.5 s (150 s scaled by 0.01) between heartbeats
        return "done"

    slow.heartbeat = 0.1  # 15 times as often as needed: a loaded machine may delay some
    worker = Worker(slow, session=session)
    execution = run_one(deploy(session, slow, heartbeat=150), worker)
    assert execution.status == "SUCCEEDED", execution.error
    assert worker.api_calls["send_task_heartbeat"] >= 2


def test_heartbeat_timeout_cancels_the_task_and_sends_nothing_more(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    seen: list[str] = []

    @registration.activity("stuck")
    def stuck(data):
        try:
            for _ in range(200):
                time.sleep(0.05)
        except WorkerCancel:
            seen.append("cancelled" if current_task().cancelled.is_set() else "raised")
            raise
        return "never"

    stuck.heartbeat = 0.3  # the engine times the task out after 0.05 s without one
    worker = Worker(stuck, session=session)
    execution = run_one(deploy(session, stuck, heartbeat=5), worker)
    assert execution.status == "FAILED"
    assert execution.error == "States.HeartbeatTimeout"
    assert seen == ["cancelled"]
    assert worker.outcomes["lost"] == 1
    assert worker.api_calls["send_task_failure"] == 0
    assert worker.api_calls["send_task_success"] == 0


def test_stopped_execution_cancels_its_running_task(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    started = threading.Event()
    seen: list[str] = []

    @registration.activity("long")
    def long(data):
        started.set()
        try:
            while True:
                time.sleep(0.02)
        except WorkerCancel:
            seen.append("cancelled")
            raise

    long.heartbeat = 0.1
    machine = deploy(session, long, heartbeat=1000)
    worker = Worker(long, session=session)
    worker.start()
    execution = machine.start_execution({})
    assert started.wait(10)
    execution.stop("Stopped", "by the test")
    wait_for(lambda: seen, "the task's code to be cancelled")
    worker.end()
    worker.join()
    assert execution.status == "ABORTED"
    assert seen == ["cancelled"]
    assert worker.api_calls["send_task_failure"] == 0


def test_end_cuts_the_long_poll_short(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("idle")
    def idle(data):
        return data

    deploy(session, idle)
    worker = Worker(idle, session=session, concurrency=3)
    worker.start()
    # the polls are now under way (60 s long polls on the engine)
    wait_for(lambda: worker.api_calls["get_activity_task"] == 3, "three polls")
    joiner = threading.Thread(target=lambda: (worker.end(), worker.join()))
    joiner.start()
    joiner.join(DEADLINE)
    assert not joiner.is_alive(), "end() waited for the long poll"
    assert worker.ended


def test_task_received_after_end_is_run_not_dropped(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("late")
    def late(data):
        return data["n"] + 1

    machine = deploy(session, late)
    first = Worker(late, session=session)
    first.start()
    wait_for(lambda: first.api_calls["get_activity_task"] == 1, "the poll")  # now in flight
    first.end()
    first.join()  # returns without waiting for that poll
    # The next task goes to the poll left in flight: it must still be run.
    execution = machine.start_execution({"n": 1})
    execution.wait(timeout=30)
    assert execution.output == 2
    assert first.drain(DEADLINE)  # the report is counted once its call has returned
    assert first.outcomes["succeeded"] == 1


def test_task_received_during_shutdown_is_failed_at_once(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    ran: list[Any] = []

    @registration.activity("late")
    def late(data):
        ran.append(data)

    machine = deploy(session, late)
    execution = machine.start_execution({"n": 1})
    task = session.sfn.get_activity_task(activityArn=late.arn, workerName="test")
    worker = Worker(late, session=session)
    worker.start()
    worker.begin_grace(5.0)
    worker._dispatch(task["taskToken"], task["input"])  # what a poll in flight brings back
    worker.join()
    execution.wait(raise_on_failure=False, timeout=30)
    assert ran == []
    assert execution.status == "FAILED"
    assert execution.error == "WorkerCancel"
    assert worker.outcomes["cancelled"] == 1


def test_shutdown_cancels_tasks_still_running_after_the_grace_period(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    started = threading.Event()
    seen: list[str] = []

    @registration.activity("endless")
    def endless(data):
        started.set()
        try:
            while True:
                time.sleep(0.02)
        except WorkerCancel:
            seen.append("cancelled")
            raise

    machine = deploy(session, endless, heartbeat=1000)
    worker = Worker(endless, session=session)
    worker.start()
    execution = machine.start_execution({})
    assert started.wait(DEADLINE)
    worker.shutdown(grace_period=0.2)
    # the failure was reported before join returned: the outcome is counted already
    assert worker.outcomes == {"cancelled": 1}
    execution.wait(raise_on_failure=False, timeout=DEADLINE)
    assert execution.error == "WorkerCancel"
    assert "shut down before it finished" in execution.cause
    wait_for(lambda: seen, "the task's code to be cancelled")
    assert seen == ["cancelled"]


def test_join_returns_once_a_task_cancelled_by_another_thread_is_reported_and_counted(
    session: AWSSession,
) -> None:
    """The keeper cancels a task after the grace period; its code unwinds while the failure
    report is still being sent: a join() then must wait for that report (and its count)."""
    registration = sfini.ActivityRegistration(prefix="t-")
    started, unwound, release = threading.Event(), threading.Event(), threading.Event()

    @registration.activity("stuck")
    def stuck(data):
        started.set()
        try:
            while True:
                time.sleep(0.02)
        except WorkerCancel:
            unwound.set()
            raise

    def hold_report(**_: Any) -> None:
        assert release.wait(DEADLINE)

    machine = deploy(session, stuck)
    worker = Worker(stuck, session=session)
    session.sfn.meta.events.register("before-call.sfn.SendTaskFailure", hold_report)
    worker.start()
    execution = machine.start_execution({})
    assert started.wait(DEADLINE)
    worker.begin_grace(0)  # the keeper cancels the task; its report is held
    assert unwound.wait(DEADLINE)
    seen_by_join: list[dict[str, int]] = []

    def join() -> None:
        worker.join()
        seen_by_join.append(dict(worker.outcomes))

    joiner = threading.Thread(target=join)
    joiner.start()
    joiner.join(0.5)  # gives a join that would not wait the time to return (and fail below)
    release.set()
    joiner.join(DEADLINE)
    assert seen_by_join == [{"cancelled": 1}]
    execution.wait(raise_on_failure=False, timeout=DEADLINE)
    assert execution.error == "WorkerCancel"


def test_shutdown_lets_tasks_finish_within_the_grace_period(session: AWSSession) -> None:
    registration = sfini.ActivityRegistration(prefix="t-")
    started = threading.Event()
    release = threading.Event()

    @registration.activity("finishing")
    def finishing(data):
        started.set()
        assert release.wait(DEADLINE)
        return "finished"

    machine = deploy(session, finishing, heartbeat=1000)
    worker = Worker(finishing, session=session)
    worker.start()
    execution = machine.start_execution({})
    assert started.wait(DEADLINE)
    worker.begin_grace(DEADLINE)
    assert worker.ended and not worker.settled  # polling stopped, the task still runs
    release.set()
    worker.join()
    assert worker.outcomes == {"succeeded": 1}
    execution.wait(timeout=DEADLINE)
    assert execution.output == "finished"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_polling_retries_until_the_endpoint_answers(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sfini_runtime.local import LocalEngine

    port = _free_port()
    session = AWSSession(endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1)
    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("patient")
    def patient(data):
        return "answered"

    arn = f"arn:aws:states:us-east-1:123456789012:activity:{patient.name}"
    worker = Worker(patient, session=session, arn=arn)
    worker.poll_backoff_initial = 0.05
    worker.start()
    # polls fail (nothing listens yet) and are retried, without giving up
    wait_for(lambda: worker.api_calls["get_activity_task"] >= 3, "polls to be retried")
    assert worker.polling and worker.error is None
    late_engine = LocalEngine(time_scale=0.01, port=port)
    # the activity exists before the port answers: a poll reaching an engine without it
    # would be ActivityDoesNotExist, a fatal error (by design), not the transient one tested
    status, _ = late_engine.service.handle(
        "AWSStepFunctions.CreateActivity",
        json.dumps({"name": patient.name}).encode(),
        "application/x-amz-json-1.0",
    )
    assert status == 200
    with late_engine:
        machine = deploy(session, patient)
        execution = machine.start_execution({})
        execution.wait(timeout=30)
        worker.end()
        worker.join()
        assert late_engine.endpoint_url.endswith(str(port))
    assert execution.output == "answered"


def test_missing_activity_is_a_fatal_polling_error(session: AWSSession) -> None:
    from botocore.exceptions import ClientError

    registration = sfini.ActivityRegistration(prefix="t-")

    @registration.activity("ghost")
    def ghost(data):
        return data

    worker = Worker(ghost, session=session)
    worker.start()
    with pytest.raises(ClientError, match="ActivityDoesNotExist"):
        worker.join()


def test_activity_without_code_is_refused(session: AWSSession) -> None:
    with pytest.raises(TypeError, match="cannot be executed"):
        Worker(sfini.Activity("plain", session=session), session=session).start()


class FaultyEndpoint:
    """A fake Step Functions endpoint in front of the engine: it answers the first ``count``
    calls of each planned operation with an AWS error and forwards every other request."""

    def __init__(self, upstream: str, plan: dict[str, tuple[int, int, str]]) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.plan = dict(plan)  # operation -> (calls to fail, HTTP status, error code)
        self.injected: collections.Counter[str] = collections.Counter()
        self.forwarded: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultyEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, operation: str, body: bytes, headers: Any) -> tuple[int, bytes]:
        count, status, code = self.plan.get(operation, (0, 0, ""))
        with self._lock:
            inject = self.injected[operation] < count
            self.injected[operation] += inject
            self.forwarded[operation] += not inject
        if inject:
            return status, json.dumps({"__type": code, "message": f"injected {code}"}).encode()
        upstream = http.client.HTTPConnection(
            self.upstream.hostname, self.upstream.port, timeout=DEADLINE * 3
        )
        try:
            upstream.request("POST", "/", body=body, headers=dict(headers))
            response = upstream.getresponse()
            return response.status, response.read()
        finally:
            upstream.close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
                status, answer = endpoint._answer(operation, body, self.headers)
                head = (
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    f"x-amzn-RequestId: fake\r\nContent-Length: {len(answer)}\r\n\r\n"
                )
                self.wfile.write(head.encode() + answer)  # one write: no delayed-ACK stall

            def log_message(self, *_: Any) -> None:
                pass

        return Handler


def test_transient_api_errors_are_retried_with_backoff(engine: Any) -> None:
    plan = {
        "GetActivityTask": (2, 500, "ServiceUnavailable"),
        "SendTaskHeartbeat": (2, 400, "ThrottlingException"),
        "SendTaskSuccess": (2, 400, "ThrottlingException"),
    }
    with FaultyEndpoint(engine.endpoint_url, plan) as endpoint:
        # one attempt per call in botocore: the worker's own retries must do the work
        session = AWSSession(endpoint_url=endpoint.url, max_attempts=1)
        registration = sfini.ActivityRegistration(prefix="t-")

        @registration.activity("flaky")
        def flaky(data):
            wait_for(lambda: endpoint.forwarded["SendTaskHeartbeat"], "a heartbeat to get through")
            return "survived"

        flaky.heartbeat = 0.05
        machine = deploy(session, flaky, heartbeat=1000)
        worker = Worker(flaky, session=session)
        worker.poll_backoff_initial = 0.05
        execution = run_one(machine, worker)
    assert execution.status == "SUCCEEDED", execution.format_history()
    assert execution.output == "survived"
    assert {operation: endpoint.injected[operation] for operation in plan} == {
        "GetActivityTask": 2,
        "SendTaskHeartbeat": 2,
        "SendTaskSuccess": 2,
    }
    assert worker.outcomes == {"succeeded": 1}
    assert worker.api_calls["send_task_success"] == 3  # one report, sent three times
    assert endpoint.forwarded["SendTaskSuccess"] == 1
    assert worker.error is None


def test_a_report_aws_refuses_is_not_retried_and_counted_unreported(engine: Any) -> None:
    with FaultyEndpoint(engine.endpoint_url, {"SendTaskSuccess": (1, 400, "InvalidOutput")}) as e:
        session = AWSSession(endpoint_url=e.url, max_attempts=1)
        registration = sfini.ActivityRegistration(prefix="t-")

        @registration.activity("refused")
        def refused(data):
            return "x"

        machine = deploy(session, refused, heartbeat=1000)
        worker = Worker(refused, session=session)
        worker.start()
        execution = machine.start_execution({})
        wait_for(lambda: worker.outcomes, "the task's outcome")
        worker.end()
        worker.join()
        execution.stop("Halt", "the test is over")
    assert worker.outcomes == {"unreported": 1}
    assert e.injected["SendTaskSuccess"] == 1
    assert e.forwarded["SendTaskSuccess"] == 0  # not sent again: AWS would refuse it again
