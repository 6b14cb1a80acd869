"""Publishing a state machine version, and finding one (shared by the version operations
and by Create/Update/DescribeStateMachine)."""

from __future__ import annotations

from sfini_runtime.arns import StateMachineRef
from sfini_runtime.local.errors import ConflictException, ServiceQuotaExceededException
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.store import (
    StateMachine,
    StateMachineRevision,
    StateMachineVersion,
    now,
)

__all__ = ["MAX_VERSIONS", "find_version", "publish_version", "quota_exceeded"]

#: the most versions one state machine may hold (AWS's quota)
MAX_VERSIONS = 1000


def _same_revision(a: StateMachineRevision, b: StateMachineRevision) -> bool:
    return (a.revision_id, a.update_date) == (b.revision_id, b.update_date)


def quota_exceeded(machine: StateMachine) -> ServiceQuotaExceededException:
    """The error for publishing past the 1,000 versions a machine may hold."""
    return ServiceQuotaExceededException(
        f"Failed to publish the version: '{machine.arn}' has reached the limit of "
        f"{MAX_VERSIONS} versions; delete a version first"
    )


def publish_version(
    service: ServiceContext, machine: StateMachine, description: str | None
) -> StateMachineVersion:
    """Publish ``machine``'s current revision (the caller holds the store's lock)."""
    revision = machine.revision
    for existing in machine.versions.values():
        if _same_revision(existing.revision, revision):
            if (existing.description or None) != (description or None):
                raise ConflictException(
                    f"Failed to publish the version: the current revision of '{machine.arn}' "
                    f"is already published as version {existing.number} with a different "
                    "description"
                )
            return existing
    if len(machine.versions) >= MAX_VERSIONS:
        raise quota_exceeded(machine)
    version = StateMachineVersion(
        machine_arn=machine.arn,
        number=machine.next_version,
        revision=revision,
        description=description or None,
        creation_date=now(),
        sequence=service.store.next_sequence(),
    )
    machine.versions[version.number] = version
    machine.next_version += 1
    return version


def find_version(service: ServiceContext, ref: StateMachineRef) -> StateMachineVersion | None:
    """The version ``ref`` names, or None (no such machine or version)."""
    machine = service.store.state_machines.get(ref.machine_arn)
    if machine is None or ref.version is None:
        return None
    return machine.versions.get(ref.version)
