"""Putting a test's workflow objects on an engine: their activities, their state machines and
the machines those start, each created (or updated, so a test may change a definition an engine
kept from an earlier test), the objects made to use the engine's session."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from sfini_runtime.runner.loading import LoadError, collect, creation_order, is_activity
from sfini_runtime.session import AWSSession
from sfini_runtime.testing.errors import DeploymentError

__all__ = ["Deployment", "deploy"]


@dataclasses.dataclass
class Deployment:
    """What ``deploy`` created: ``{activity ARN: activity}``, ``{state machine name: ARN}``."""

    activities: dict[str, Any] = dataclasses.field(default_factory=dict)
    state_machines: dict[str, str] = dataclasses.field(default_factory=dict)


def deploy(objects: Iterable[Any], session: AWSSession) -> Deployment:
    """Create ``objects`` (activities, activity registrations, state machines, or lists of
    them) on the endpoint ``session`` talks to, nested state machines first.

    Raises:
        DeploymentError: an object is none of those, or the engine refused a definition
    """
    from botocore.exceptions import ClientError

    from sfini_runtime import registration

    try:
        found = collect(list(objects))
    except LoadError as error:
        raise DeploymentError(str(error)) from None
    machines = creation_order(found.state_machines)
    activities = list(found.activities.values())
    for machine in machines:
        for resource in machine.task_resources():
            if is_activity(resource) and all(resource is not a for a in activities):
                activities.append(resource)
    deployment = Deployment()
    try:
        with using_session([*activities, *machines], session):
            for activity in activities:
                arn = registration.register_activity(activity, session=session)
                deployment.activities[arn] = activity
            for machine in machines:
                arn = registration.register_state_machine(
                    machine, allow_update=True, session=session
                )
                deployment.state_machines[machine.name] = arn
    except ClientError as error:
        details = error.response.get("Error", {})
        message = details.get("Message") or str(error)
        raise DeploymentError(f"{details.get('Code', 'Error')}: {message}") from None
    return deployment


@contextlib.contextmanager
def using_session(objects: Iterable[Any], session: AWSSession) -> Iterator[None]:
    """Make ``objects`` (and their Tasks' resources) render their ARNs with ``session`` while
    the block runs, then give each back the session it had (``None``: the default one on next
    use), so that none keeps pointing at an engine a test has stopped."""
    saved: list[tuple[Any, Any]] = []
    for each in objects:
        resources = each.task_resources() if callable(getattr(each, "task_resources", None)) else []
        for resource in [each, *resources]:
            if hasattr(resource, "session") and all(resource is not r for r, _ in saved):
                # the model caches a session on first use: read the cache, not the property
                saved.append((resource, getattr(resource, "_session", None)))
                resource.session = session
    try:
        yield
    finally:
        for resource, previous in saved:
            resource.session = previous
