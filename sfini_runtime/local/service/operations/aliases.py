"""State machine aliases: Create/Describe/Update/Delete/List, and routing a start by weight.

An alias (``MACHINE_ARN:NAME``) routes executions to one or two versions of its machine,
whose weights sum to 100; StartExecution on an alias picks a version at random by weight
(``Store.random``, seedable).
"""

from __future__ import annotations

import re
from typing import Any

from sfini_runtime.arns import StateMachineRef, parse_state_machine_ref
from sfini_runtime.local.errors import (
    ConflictException,
    InvalidName,
    ResourceNotFound,
    ServiceQuotaExceededException,
    StateMachineDeleting,
    ValidationException,
)
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.published import find_version
from sfini_runtime.local.service.operations.registry import Request, Response, operation
from sfini_runtime.local.service.pagination import paginate
from sfini_runtime.local.service.store import StateMachine, StateMachineAlias, now

__all__ = ["MAX_ALIASES", "alias_of", "route"]

#: the most aliases one state machine may hold (AWS's quota)
MAX_ALIASES = 100
#: botocore's CharacterRestrictedName: at least one letter, '_', '-' or '.' (not a number)
_ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}$")


def _not_found(arn: str, what: str = "Resource") -> ResourceNotFound:
    error = ResourceNotFound(f"{what} not found: '{arn}'")
    error.extra = {"resourceName": arn}
    return error


def _routing(service: ServiceContext, given: list[dict[str, Any]]) -> tuple[str, list[Any]]:
    """Check a routing configuration: (the machine's ARN, [(version ARN, weight)])."""
    routing: list[tuple[str, int]] = []
    machine_arns = set()
    for item in given:
        arn = item["stateMachineVersionArn"]
        ref = parse_state_machine_ref(arn, machine=False, version=True)
        machine_arns.add(ref.machine_arn)
        routing.append((ref.arn, int(item["weight"])))
    if len(machine_arns) > 1:
        raise ValidationException(
            "Routing configuration must contain versions of the same state machine"
        )
    if len({arn for arn, _ in routing}) != len(routing):
        raise ValidationException("Routing configuration must contain distinct versions")
    if sum(weight for _, weight in routing) != 100:
        raise ValidationException("Sum of routing configuration weights must be equal to 100")
    machine_arn = next(iter(machine_arns))
    for arn, _ in routing:
        if find_version(service, parse_state_machine_ref(arn, machine=False, version=True)) is None:
            raise _not_found(arn, "State machine version")
    return machine_arn, routing


def _routing_response(routing: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"stateMachineVersionArn": arn, "weight": weight} for arn, weight in routing]


def _machine_for(service: ServiceContext, machine_arn: str) -> StateMachine:
    machine = service.store.state_machines.get(machine_arn)
    if machine is None:
        raise _not_found(machine_arn, "State machine")
    if machine.status == "DELETING":
        raise StateMachineDeleting(f"State machine is being deleted: '{machine_arn}'")
    return machine


def alias_of(service: ServiceContext, arn: str) -> StateMachineAlias:
    """The alias ``arn``; ``ResourceNotFound`` when there is none."""
    ref = parse_state_machine_ref(arn, machine=False, alias=True)
    machine = service.store.state_machines.get(ref.machine_arn)
    alias = machine.aliases.get(ref.alias or "") if machine is not None else None
    if alias is None:
        raise _not_found(arn)
    return alias


def route(service: ServiceContext, alias: StateMachineAlias) -> str:
    """The version ARN a start on ``alias`` runs, picked by weight."""
    pick = service.store.random.randrange(100)
    for arn, weight in alias.routing:
        if pick < weight:
            return arn
        pick -= weight
    return alias.routing[-1][0]


@operation("CreateStateMachineAlias")
def create_state_machine_alias(service: ServiceContext, request: Request) -> Response:
    name = request["name"]
    if not _ALIAS_NAME.match(name):
        raise InvalidName(f"Invalid Name: '{name}'")
    description = request.get("description") or None
    with service.store.lock:
        machine_arn, routing = _routing(service, request["routingConfiguration"])
        machine = _machine_for(service, machine_arn)
        existing = machine.aliases.get(name)
        if existing is not None:
            if (existing.routing, existing.description) == (routing, description):
                return {
                    "stateMachineAliasArn": existing.arn,
                    "creationDate": existing.creation_date,
                }
            raise ConflictException(
                f"Failed to create alias because an alias with the same name and a different "
                f"routing configuration already exists: '{existing.arn}'"
            )
        if len(machine.aliases) >= MAX_ALIASES:
            raise ServiceQuotaExceededException(
                f"'{machine_arn}' has reached the limit of {MAX_ALIASES} aliases"
            )
        created = now()
        alias = StateMachineAlias(
            machine_arn=machine_arn,
            name=name,
            description=description,
            routing=routing,
            creation_date=created,
            update_date=created,
            sequence=service.store.next_sequence(),
        )
        machine.aliases[name] = alias
    return {"stateMachineAliasArn": alias.arn, "creationDate": created}


@operation("DescribeStateMachineAlias")
def describe_state_machine_alias(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        alias = alias_of(service, request["stateMachineAliasArn"])
        response: Response = {
            "stateMachineAliasArn": alias.arn,
            "name": alias.name,
            "routingConfiguration": _routing_response(alias.routing),
            "creationDate": alias.creation_date,
            "updateDate": alias.update_date,
        }
        if alias.description:
            response["description"] = alias.description
    return response


@operation("UpdateStateMachineAlias")
def update_state_machine_alias(service: ServiceContext, request: Request) -> Response:
    if request.get("description") is None and request.get("routingConfiguration") is None:
        raise ValidationException(
            "Either the description or the RoutingConfiguration must be specified"
        )
    arn = request["stateMachineAliasArn"]
    with service.store.lock:
        alias = alias_of(service, arn)
        machine = _machine_for(service, alias.machine_arn)
        if request.get("routingConfiguration") is not None:
            machine_arn, routing = _routing(service, request["routingConfiguration"])
            if machine_arn != machine.arn:
                raise ValidationException(
                    f"Routing configuration must contain versions of '{machine.arn}'"
                )
            alias.routing = routing
        if request.get("description") is not None:
            alias.description = request["description"] or None
        alias.update_date = now()
        return {"updateDate": alias.update_date}


@operation("DeleteStateMachineAlias")
def delete_state_machine_alias(service: ServiceContext, request: Request) -> Response:
    with service.store.lock:
        alias = alias_of(service, request["stateMachineAliasArn"])
        del service.store.state_machines[alias.machine_arn].aliases[alias.name]
    return {}


@operation("ListStateMachineAliases")
def list_state_machine_aliases(service: ServiceContext, request: Request) -> Response:
    """The aliases of a machine (a version ARN: the aliases routing to that version)."""
    arn = request["stateMachineArn"]
    ref: StateMachineRef = parse_state_machine_ref(arn, version=True)
    with service.store.lock:
        machine = service.store.state_machine(ref.machine_arn)
        if machine.status == "DELETING":
            raise StateMachineDeleting(f"State machine is being deleted: '{ref.machine_arn}'")
        if ref.version is not None and ref.version not in machine.versions:
            raise _not_found(arn)
        aliases = sorted(machine.aliases.values(), key=lambda a: a.sequence)
        if ref.version is not None:
            aliases = [a for a in aliases if any(v == ref.arn for v, _ in a.routing)]
    page, token = paginate(aliases, lambda a: a.sequence, request, f"ListStateMachineAliases:{arn}")
    response: Response = {
        "stateMachineAliases": [
            {"stateMachineAliasArn": a.arn, "creationDate": a.creation_date} for a in page
        ]
    }
    if token:
        response["nextToken"] = token
    return response
