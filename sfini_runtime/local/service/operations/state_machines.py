"""State machines: Create/Update/Describe/List/Delete and ValidateStateMachineDefinition."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from sfini_runtime.arns import STATE_MACHINE, is_role_arn, parse_state_machine_ref, parse_states_arn
from sfini_runtime.local.errors import (
    InvalidArn,
    InvalidLoggingConfiguration,
    MissingRequiredParameter,
    StateMachineAlreadyExists,
    StateMachineDeleting,
    StateMachineDoesNotExist,
    ValidationException,
)
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.published import (
    MAX_VERSIONS,
    find_version,
    publish_version,
    quota_exceeded,
)
from sfini_runtime.local.service.operations.registry import Request, Response, operation
from sfini_runtime.local.service.operations.tags import merged_tags
from sfini_runtime.local.service.pagination import paginate
from sfini_runtime.local.service.store import StateMachine, StateMachineRevision, now
from sfini_runtime.local.service.validation import check_name


def _logging_configuration(given: dict[str, Any] | None) -> dict[str, Any]:
    """The logging configuration as AWS stores it (defaults: level OFF, no execution data)."""
    given = given or {}
    level = given.get("level") or "OFF"
    destinations = given.get("destinations") or []
    if len(destinations) > 1 or (level != "OFF" and not destinations):
        raise InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination."
        )
    for destination in destinations:
        group = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn") or ""
        if not (group.startswith("arn:") and ":logs:" in group and ":log-group:" in group):
            raise InvalidLoggingConfiguration(
                f"Invalid Logging Configuration: Log Destination not a valid ARN: '{group}'"
            )
    configuration: dict[str, Any] = {
        "level": level,
        "includeExecutionData": bool(given.get("includeExecutionData", False)),
    }
    if destinations:
        configuration["destinations"] = destinations
    return configuration


def _tracing_configuration(given: dict[str, Any] | None) -> dict[str, Any]:
    return {"enabled": bool((given or {}).get("enabled", False))}


def _check_role(role_arn: str) -> None:
    if not is_role_arn(role_arn):
        raise InvalidArn(f"Invalid Arn: 'Invalid ARN prefix: {role_arn}'")


def _check_version_description(request: Request) -> None:
    if request.get("versionDescription") and not request.get("publish"):
        raise ValidationException("Version description can only be set when publish is true")


def _check_mocks(service: ServiceContext, name: str, definition: str) -> None:
    """The mock configuration's test cases for a machine of this name must name its states."""
    mocks = getattr(service.integrations, "mocks", None)
    if mocks is not None:
        try:
            mocks.check_state_machine(name, definition)
        except ValueError as exc:  # MockConfigError
            raise ValidationException(str(exc)) from None


@operation("CreateStateMachine")
def create_state_machine(service: ServiceContext, request: Request) -> Response:
    name = request["name"]
    check_name(name)
    _check_role(request["roleArn"])
    _check_version_description(request)
    machine_type = request.get("type") or "STANDARD"
    logging = _logging_configuration(request.get("loggingConfiguration"))
    tracing = _tracing_configuration(request.get("tracingConfiguration"))
    arn = service.arns.state_machine(name)
    with service.store.lock:
        existing = service.store.state_machines.get(arn)
        if existing is not None:
            if existing.status == "DELETING":
                raise _deleting(arn)
            current = existing.revision
            same = (current.definition, current.type, current.logging_configuration) == (
                request["definition"],
                machine_type,
                logging,
            )
            if same and current.tracing_configuration == tracing:
                return {"stateMachineArn": arn, "creationDate": existing.creation_date}
            raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
    compiled = service.engine.compile(request["definition"])
    _check_mocks(service, name, request["definition"])
    tags = merged_tags({}, request.get("tags") or [], arn)
    with service.store.lock:
        if arn in service.store.state_machines:  # created meanwhile by a concurrent call
            return create_state_machine(service, request)
        created = now()
        revision = StateMachineRevision(
            arn=arn,
            name=name,
            definition=request["definition"],
            compiled=compiled,
            role_arn=request["roleArn"],
            type=machine_type,
            logging_configuration=logging,
            tracing_configuration=tracing,
            update_date=created,
            revision_id=None,
        )
        machine = StateMachine(revision, created, service.store.next_sequence(), tags)
        service.store.state_machines[arn] = machine
        response: Response = {"stateMachineArn": arn, "creationDate": created}
        if request.get("publish"):
            version = publish_version(service, machine, request.get("versionDescription"))
            response["stateMachineVersionArn"] = version.arn
    return response


def _machine(service: ServiceContext, arn: str) -> StateMachine:
    parse_states_arn(arn, STATE_MACHINE)
    return service.store.state_machine(arn)


@operation("DescribeStateMachine")
def describe_state_machine(service: ServiceContext, request: Request) -> Response:
    """The machine, or (given a version ARN) that version: its definition, revisionId and
    description."""
    arn = request["stateMachineArn"]
    ref = parse_state_machine_ref(arn, version=True)
    machine = service.store.state_machine(ref.machine_arn)
    revision, created, description = machine.revision, machine.creation_date, None
    if ref.version is not None:
        version = find_version(service, ref)
        if version is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        revision, created, description = (
            version.revision,
            version.creation_date,
            version.description,
        )
    response: Response = {
        "stateMachineArn": ref.arn,
        "name": revision.name,
        "status": machine.status,
        "definition": revision.definition,
        "roleArn": revision.role_arn,
        "type": revision.type,
        "creationDate": created,
        "loggingConfiguration": revision.logging_configuration,
        "tracingConfiguration": revision.tracing_configuration,
    }
    if revision.revision_id:
        response["revisionId"] = revision.revision_id
    if description:
        response["description"] = description
    if request.get("includedData") == "METADATA_ONLY":
        del response["definition"]
    return response


@operation("UpdateStateMachine")
def update_state_machine(service: ServiceContext, request: Request) -> Response:
    arn = request["stateMachineArn"]
    existing = _machine(service, arn)
    changes = ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
    if all(request.get(key) is None for key in changes):
        raise MissingRequiredParameter(
            "Either the definition, the role ARN, the LoggingConfiguration, "
            "or the TracingConfiguration must be specified"
        )
    _check_version_description(request)
    if request.get("roleArn") is not None:
        _check_role(request["roleArn"])
    logging = tracing = None
    if request.get("loggingConfiguration") is not None:
        logging = _logging_configuration(request["loggingConfiguration"])
    if request.get("tracingConfiguration") is not None:
        tracing = _tracing_configuration(request["tracingConfiguration"])
    compiled = None
    if request.get("definition") is not None:
        compiled = service.engine.compile(request["definition"])
        _check_mocks(service, existing.revision.name, request["definition"])
    with service.store.lock:
        machine = active_machine(service, arn)
        if request.get("publish") and len(machine.versions) >= MAX_VERSIONS:
            raise quota_exceeded(machine)
        current = machine.revision
        updated = now()
        revision = dataclasses.replace(
            current,
            definition=request.get("definition") or current.definition,
            compiled=compiled if compiled is not None else current.compiled,
            role_arn=request.get("roleArn") or current.role_arn,
            logging_configuration=logging or current.logging_configuration,
            tracing_configuration=tracing or current.tracing_configuration,
            update_date=updated,
            revision_id=str(uuid.uuid4()),
        )
        machine.revision = revision
        response: Response = {"updateDate": updated, "revisionId": revision.revision_id}
        if request.get("publish"):
            version = publish_version(service, machine, request.get("versionDescription"))
            response["stateMachineVersionArn"] = version.arn
    return response


def _deleting(arn: str) -> StateMachineDeleting:
    return StateMachineDeleting(f"State machine is being deleted: '{arn}'")


def active_machine(service: ServiceContext, arn: str) -> StateMachine:
    """The state machine ``arn`` if it is not being deleted (StateMachineDeleting if it is)."""
    machine = service.store.state_machine(arn)
    if machine.status == "DELETING":
        raise _deleting(arn)
    return machine


def _remove_when_idle(service: ServiceContext, arn: str) -> None:
    with service.store.lock:
        machine = service.store.state_machines.get(arn)
        if machine is None or machine.status != "DELETING":
            return
        if all(e.record.status != "RUNNING" for e in service.store.executions_of(arn)):
            del service.store.state_machines[arn]


@operation("DeleteStateMachine")
def delete_state_machine(service: ServiceContext, request: Request) -> Response:
    """As on AWS: the machine is DELETING until its running executions have ended, and each
    of them fails (States.Runtime) at its next state transition."""
    arn = request["stateMachineArn"]
    parse_states_arn(arn, STATE_MACHINE)
    with service.store.lock:
        machine = service.store.state_machines.get(arn)
        if machine is None or machine.status == "DELETING":
            return {}
        machine.status = "DELETING"
        cause = f"State machine {machine.name} has been deleted."
        for execution in service.store.executions_of(arn):
            if execution.record.status == "RUNNING":
                service.engine.terminate_at_next_transition(
                    execution.arn,
                    "States.Runtime",
                    cause,
                    lambda record: _remove_when_idle(service, arn),
                )
        _remove_when_idle(service, arn)
    return {}


@operation("ListStateMachines")
def list_state_machines(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        machines = sorted(service.store.state_machines.values(), key=lambda m: m.sequence)
    page, token = paginate(machines, lambda m: m.sequence, request, "ListStateMachines")
    response: Response = {
        "stateMachines": [
            {
                "stateMachineArn": m.arn,
                "name": m.name,
                "type": m.type,
                "creationDate": m.creation_date,
            }
            for m in page
        ]
    }
    if token:
        response["nextToken"] = token
    return response


@operation("ValidateStateMachineDefinition")
def validate_state_machine_definition(service: ServiceContext, request: Request) -> Response:
    diagnostics = list(service.engine.validate(request["definition"]))
    failed = any(d.get("severity") == "ERROR" for d in diagnostics)
    if (request.get("severity") or "ERROR") == "ERROR":
        diagnostics = [d for d in diagnostics if d.get("severity") == "ERROR"]
    limit = request.get("maxResults") or 100
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": diagnostics[:limit],
        "truncated": len(diagnostics) > limit,
    }
