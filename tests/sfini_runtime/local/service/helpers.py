"""Shared definitions and helpers of the service tests."""

from __future__ import annotations

import itertools
import json
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/sfini-test"
PASS_DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
WAIT_DEFINITION = json.dumps(
    {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}
)

_names = itertools.count()


def unique(prefix: str) -> str:
    """A resource name no other test uses."""
    return f"{prefix}-{next(_names)}"


def activity_definition(activity_arn: str, **task: Any) -> str:
    """One activity Task state (extra Task fields from ``task``)."""
    state = {"Type": "Task", "Resource": activity_arn, "End": True, **task}
    return json.dumps({"StartAt": "Work", "States": {"Work": state}})


def create_machine(sfn: Any, definition: str = PASS_DEFINITION, **kwargs: Any) -> str:
    kwargs.setdefault("name", unique("machine"))
    kwargs.setdefault("roleArn", ROLE_ARN)
    return sfn.create_state_machine(definition=definition, **kwargs)["stateMachineArn"]
