"""State machine versions: Publish (also ``publish=True`` on Create/Update), List, Delete.

A version is an immutable snapshot of a machine's revision, numbered 1, 2, ... per machine
(numbers are never reused). Publishing a revision that already has a version answers that
version (idempotent) unless the description differs (ConflictException).
"""

from __future__ import annotations

from sfini_runtime.arns import parse_state_machine_ref
from sfini_runtime.local.errors import ConflictException, StateMachineDoesNotExist
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.published import find_version, publish_version
from sfini_runtime.local.service.operations.registry import Request, Response, operation
from sfini_runtime.local.service.operations.state_machines import active_machine
from sfini_runtime.local.service.pagination import paginate
from sfini_runtime.local.service.store import StateMachineVersion

__all__ = ["version_of"]


def version_of(service: ServiceContext, arn: str) -> StateMachineVersion:
    """The version ``arn`` (a version ARN); ``StateMachineDoesNotExist`` when there is none."""
    ref = parse_state_machine_ref(arn, machine=False, version=True)
    version = find_version(service, ref)
    if version is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    return version


@operation("PublishStateMachineVersion")
def publish_state_machine_version(service: ServiceContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    parse_state_machine_ref(arn)
    with service.store.lock:
        machine = active_machine(service, arn)
        revision_id = request.get("revisionId")
        current = machine.revision.revision_id
        if revision_id is not None and revision_id != current:
            raise ConflictException(
                f"Failed to publish the version: the revision ID '{revision_id}' is not the "
                f"current revision of '{arn}' (current: '{current or 'INITIAL'}')"
            )
        version = publish_version(service, machine, request.get("description"))
    return {"stateMachineVersionArn": version.arn, "creationDate": version.creation_date}


@operation("ListStateMachineVersions")
def list_state_machine_versions(service: ServiceContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    parse_state_machine_ref(arn)
    with service.store.lock:
        # AWS declares no "does not exist" error here: an unknown machine has no versions
        machine = service.store.state_machines.get(arn)
        found = machine.versions.values() if machine is not None else []
        versions = sorted(found, key=lambda v: v.number, reverse=True)
    listing = f"ListStateMachineVersions:{arn}"
    page, token = paginate(versions, lambda v: v.number, request, listing, descending=True)
    response: Response = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
        ]
    }
    if token:
        response["nextToken"] = token
    return response


@operation("DeleteStateMachineVersion")
def delete_state_machine_version(service: ServiceContext, request: Request) -> Response:
    """As on AWS: deleting a version an alias routes to is a ConflictException; deleting one
    that does not exist succeeds. Running executions of the version run on to their end."""
    arn = request["stateMachineVersionArn"]
    ref = parse_state_machine_ref(arn, machine=False, version=True)
    with service.store.lock:
        machine = service.store.state_machines.get(ref.machine_arn)
        if machine is None or ref.version not in machine.versions:
            return {}
        referencing = [
            alias.name
            for alias in machine.aliases.values()
            if any(version_arn == arn for version_arn, _ in alias.routing)
        ]
        if referencing:
            raise ConflictException(
                "Version to be deleted must not be referenced by an alias. Current list of "
                f"aliases referencing this version: [{', '.join(referencing)}]"
            )
        del machine.versions[ref.version]
    return {}
