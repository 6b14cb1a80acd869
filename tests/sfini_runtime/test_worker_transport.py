"""The worker's long-poll transport next to other botocore hooks: moto's, a user's own events."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

import sfini_cdk as sfini
from sfini_runtime.session import AWSSession
from sfini_runtime.worker import PollingUnsupported, Worker
from tests.sfini_runtime.conftest import ENGINE_ENV_KEYS
from tests.sfini_runtime.test_worker import DEADLINE, deploy, wait_for


class _RawBody:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def test_worker_on_moto_fails_with_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    for key in ENGINE_ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto")
    registration = sfini.ActivityRegistration(prefix="moto-")

    @registration.activity("echo")
    def echo(data):
        return data

    with mock_aws():
        session = AWSSession()
        echo.session = session
        echo.register()  # moto answers the other calls: the worker's hooks leave them alone
        worker = Worker(echo, session=session)
        worker.start()
        wait_for(lambda: worker.ended, "the worker to give up on an endpoint that cannot serve it")
        with pytest.raises(PollingUnsupported):
            worker.join()
    # moto answered the poll itself (nothing went to AWS's real endpoint, which would have been
    # retried as a connection error instead of failing at once)
    assert worker.api_calls["get_activity_task"] == 1
    assert isinstance(worker.error, PollingUnsupported)
    message = str(worker.error)
    assert "GetActivityTask" in message and "states.us-east-1.amazonaws.com" in message
    assert "\n" not in message


@pytest.mark.engine
def test_users_client_events_fire_and_end_still_cuts_the_poll(engine: Any) -> None:
    boto_session = boto3.Session()
    seen: list[str] = []
    lock = threading.Lock()

    def record(event_name: str, **_: Any) -> None:
        with lock:
            seen.append(event_name)

    for event in ("before-call", "before-send", "after-call"):
        boto_session.events.register(f"{event}.sfn.GetActivityTask", record)
    session = AWSSession(boto_session)
    registration = sfini.ActivityRegistration(prefix="ev-")

    @registration.activity("double")
    def double(data):
        return data * 2

    machine = deploy(session, double)
    worker = Worker(double, session=session)
    worker.start()
    execution = machine.start_execution(21)
    execution.wait(timeout=DEADLINE)
    assert execution.output == 42
    # the second poll is now in flight through the transport; end() must still cut it short
    wait_for(lambda: worker.api_calls["get_activity_task"] >= 2, "the next poll")
    joiner = threading.Thread(target=lambda: (worker.end(abort_polls=True), worker.join()))
    joiner.start()
    joiner.join(DEADLINE)
    assert not joiner.is_alive(), "end() waited out the long poll"
    wait_for(lambda: not worker.polling, "the aborted poll to end")
    with lock:
        assert seen.count("before-call.sfn.GetActivityTask") >= 2
        assert seen.count("before-send.sfn.GetActivityTask") >= 2
        assert seen.count("after-call.sfn.GetActivityTask") >= 1  # the poll that got the task


@pytest.mark.engine
def test_a_users_handler_that_answers_the_poll_is_obeyed(engine: Any) -> None:
    boto_session = boto3.Session()
    answered = threading.Event()

    def stub_first_poll(request: Any, **_: Any) -> AWSResponse | None:
        if answered.is_set():
            return None  # the rest go to the engine, through the worker's transport
        answered.set()
        body = json.dumps({"taskToken": "stubbed-token", "input": '{"from": "stub"}'})
        return AWSResponse(request.url, 200, {}, _RawBody(body.encode()))

    boto_session.events.register("before-send.sfn.GetActivityTask", stub_first_poll)
    session = AWSSession(boto_session)
    registration = sfini.ActivityRegistration(prefix="stub-")
    inputs: list[Any] = []

    @registration.activity("note")
    def note(data):
        inputs.append(data)
        return data

    deploy(session, note)
    worker = Worker(note, session=session)
    worker.start()
    try:
        wait_for(lambda: inputs, "the stubbed task to run")
        wait_for(lambda: worker.api_calls["get_activity_task"] >= 2, "a real poll after it")
    finally:
        worker.end(abort_polls=True)
        worker.join()
    assert inputs == [{"from": "stub"}]
    # the engine does not know the stubbed token: the report comes back as a lost task
    assert worker.outcomes["lost"] == 1
