"""Reading rendered ASL: every Task state, the placeholders it uses and its integration pattern.

The constructs decide IAM statements and workflow-type checks from the definition exactly as it
will be deployed (the JSON the model rendered), Parallel branches and Map processors included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

# "arn:aws:states:::states:startExecution.sync:2" -> service "states", action "startExecution",
# pattern ".sync:2". Region and account are empty for service integrations.
_INTEGRATION = re.compile(
    r"^arn:[^:]+:states:::(?P<service>[^:]+):(?P<action>[^.]+)(?P<pattern>\..+)?$"
)


@dataclass(frozen=True)
class TaskUse:
    """One Task state's use of a substituted resource."""

    state: str
    key: str
    #: "direct" (the Resource is this ARN, or the integration this key stands for),
    #: "request", "sync" or "callback" (the integration pattern of the Task using this ARN)
    pattern: str


def iter_states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (name, state) in a definition, descending into Parallel branches and Map states."""
    for name, state in definition.get("States", {}).items():
        yield name, state
        for branch in state.get("Branches", ()):
            yield from iter_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from iter_states(state[key])


def placeholders_in(value: Any) -> list[str]:
    """Every ``${Key}`` placeholder key found in the strings of a JSON value, in order."""
    if isinstance(value, str):
        return PLACEHOLDER.findall(value)
    if isinstance(value, dict):
        return [key for item in value.values() for key in placeholders_in(item)]
    if isinstance(value, list):
        return [key for item in value for key in placeholders_in(item)]
    return []


def integration_pattern(resource: str) -> str:
    """The pattern of a Task ``Resource``: direct ARN, request-response, ``.sync`` or callback."""
    match = _INTEGRATION.match(resource)
    if match is None:
        return "direct"
    pattern = match.group("pattern") or ""
    if pattern.startswith(".sync"):
        return "sync"
    if pattern == ".waitForTaskToken":
        return "callback"
    return "request"


def task_uses(
    definition: dict[str, Any], integrations: Mapping[str, str] | None = None
) -> list[TaskUse]:
    """Every placeholder each Task state uses, with the state's integration pattern.

    Args:
        definition: rendered ASL with ``${Key}`` placeholders
        integrations: for placeholders standing for a service integration ``Resource``, the
            integration ARN (any partition), which gives the pattern
    """
    integrations = integrations or {}
    # Machines repeat a few resources over many Tasks: read each Resource string once.
    read: dict[str, tuple[str, list[str]]] = {}
    uses = []
    for name, state in iter_states(definition):
        if state.get("Type") != "Task":
            continue
        resource = state.get("Resource", "")
        if not isinstance(resource, str):
            resource = ""
        if resource not in read:
            expanded = PLACEHOLDER.sub(lambda m: integrations.get(m.group(1), m.group(0)), resource)
            read[resource] = (integration_pattern(expanded), placeholders_in(resource))
        pattern, keys = read[resource]
        for key in keys:
            uses.append(TaskUse(name, key, "direct" if pattern == "direct" else pattern))
        for field in ("Parameters", "Arguments"):
            if field in state:
                for key in placeholders_in(state[field]):
                    uses.append(TaskUse(name, key, pattern))
    return uses
