"""Fixtures for the web view's tests: one local engine and one web view per module."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine
from sfini_runtime.session import AWSSession
from sfini_runtime.ui import UIHandle, start_ui

ROLE = "arn:aws:iam::123456789012:role/ui-tests"


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalEngine]:
    """A local engine (timeouts scaled by 0.01) shared by a module's tests."""
    with LocalEngine(time_scale=0.01) as running:
        yield running


@pytest.fixture(scope="module")
def sfn(engine: LocalEngine) -> Any:
    """A boto3 client of the engine (the tests' own: the view never writes)."""
    return engine.client()


@pytest.fixture(scope="module")
def view(engine: LocalEngine) -> Iterator[UIHandle]:
    """The web view of the engine, on a free loopback port."""
    with start_ui(session=AWSSession(endpoint_url=engine.endpoint_url)) as handle:
        yield handle


def create_machine(sfn: Any, name: str, definition: dict[str, Any]) -> str:
    """Create (or find again) the state machine ``name``; its ARN."""
    try:
        return sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)[
            "stateMachineArn"
        ]
    except sfn.exceptions.StateMachineAlreadyExists:
        account = sfn.list_state_machines()["stateMachines"]
        return next(m["stateMachineArn"] for m in account if m["name"] == name)


def run(sfn: Any, machine: str, payload: Any = None, name: str | None = None) -> str:
    """Start an execution of ``machine``; its ARN."""
    kwargs = {"stateMachineArn": machine, "input": json.dumps(payload or {})}
    if name:
        kwargs["name"] = name
    return sfn.start_execution(**kwargs)["executionArn"]


def wait_until_done(sfn: Any, arn: str, timeout: float = 20) -> str:
    """The execution's final status (polling; the engine runs on scaled time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sfn.describe_execution(executionArn=arn)["status"]
        if status != "RUNNING":
            return status
        time.sleep(0.02)
    raise AssertionError(f"{arn} still running after {timeout} s")


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_json(url: str) -> tuple[int, Any]:
    """(status, JSON body) of a GET."""
    status, _, body = get(url)
    return status, json.loads(body)
