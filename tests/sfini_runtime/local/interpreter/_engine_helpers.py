"""Shared helpers for the control-plane tests: run a definition on an Engine and wait."""

from __future__ import annotations

import itertools
import json
from typing import Any

from sfini_runtime.local.interpreter import Engine, ExecutionRecord

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/test"
ACTIVITY = f"arn:aws:states:{REGION}:{ACCOUNT}:activity:work"
_names = itertools.count()


def start(engine: Engine, definition: dict[str, Any], payload: Any = None) -> ExecutionRecord:
    """Start one execution of ``definition`` (a dict) with ``payload`` as input."""
    compiled = engine.compile(json.dumps(definition))
    name = f"exec-{next(_names)}"
    return engine.start_execution(
        definition=compiled,
        execution_arn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:machine:{name}",
        state_machine_arn=f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:machine",
        state_machine_name="machine",
        execution_name=name,
        input_text=json.dumps({} if payload is None else payload),
        role_arn=ROLE,
    )


def run(engine: Engine, definition: dict[str, Any], payload: Any = None) -> ExecutionRecord:
    """Start one execution and wait (at most 10 s) for it to end."""
    record = start(engine, definition, payload)
    assert record.done.wait(10), "execution did not end"
    return record


def types(record: ExecutionRecord) -> list[str]:
    """The event types of an execution's history, in order."""
    return [event["type"] for event in record.history]


def details(record: ExecutionRecord, event_type: str) -> list[dict[str, Any]]:
    """The detail dicts of every event of ``event_type``."""
    out = []
    for event in record.history:
        if event["type"] == event_type:
            out.extend(v for k, v in event.items() if k.endswith("EventDetails"))
    return out


def output(record: ExecutionRecord) -> Any:
    """The execution's output, parsed."""
    assert record.output is not None, (record.status, record.error, record.cause)
    return json.loads(record.output)
