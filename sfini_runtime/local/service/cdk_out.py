"""Pre-create the activities, state machines, versions and aliases of a CDK cloud assembly
(``cdk.out``), and serve its Python Lambda functions.

``sfini_runtime.cloud_assembly`` reads the stacks (through ``manifest.json``, nested assemblies
included, or bare ``*.template.json`` files) and resolves the intrinsic functions against the
engine's region and account; each resource is then created through the API operations, so
everything is validated as a CreateActivity / CreateStateMachine call would be.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sfini_runtime.cloud_assembly.errors import CloudAssemblyError, StackNotFound
from sfini_runtime.cloud_assembly.manifest import Stack, read_stacks
from sfini_runtime.cloud_assembly.resolver import (
    ACTIVITY_TYPE,
    ALIAS_TYPE,
    FUNCTION_TYPE,
    STATE_MACHINE_TYPE,
    VERSION_TYPE,
    Resolver,
)
from sfini_runtime.local.errors import ServiceError
from sfini_runtime.local.integrations.lambdas.assembly import (
    AssemblyFunction,
    FunctionCodeError,
    read_function,
)
from sfini_runtime.local.integrations.lambdas.workers import ProcessBackend, function_environment

if TYPE_CHECKING:
    from sfini_runtime.local.integrations.lambdas import LambdaFunctions
    from sfini_runtime.local.service.service import StepFunctionsService

__all__ = [
    "ACTIVITY_TYPE",
    "FUNCTION_TYPE",
    "STATE_MACHINE_TYPE",
    "CloudAssemblyError",
    "NotLoadable",
    "load_cloud_assembly",
    "stack_templates",
]


class NotLoadable(CloudAssemblyError):
    """A resource of the assembly cannot be created in the engine: a state machine whose
    definition is not inline, one name two stacks define differently, or a request the
    service rejects."""


def stack_templates(assembly: Path) -> Iterator[tuple[str, str, Path]]:
    """(stack name, artifact id, template path) of every stack, nested assemblies included;
    a directory without ``manifest.json`` may hold bare ``*.template.json`` files."""
    for stack in read_stacks(assembly, bare_templates=True):
        yield stack.name, stack.artifact_id, stack.template_path


def _tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    tags = properties.get("Tags") or []
    if isinstance(tags, dict):  # some resource specs use a map
        return [{"key": k, "value": str(v)} for k, v in tags.items()]
    return [{"key": t["Key"], "value": str(t.get("Value", ""))} for t in tags]


def definition_text(resolver: Resolver, logical_id: str, properties: dict[str, Any]) -> str:
    """The ASL text of the state machine ``logical_id`` (definition and substitutions)."""
    if "DefinitionString" in properties:
        text = str(resolver.resolve(properties["DefinitionString"]))
    elif "Definition" in properties:
        text = json.dumps(resolver.resolve(properties["Definition"]))
    else:
        raise NotLoadable(
            f"{resolver.stack}/{logical_id}: only inline definitions can be loaded locally"
        )
    substitutions = resolver.resolve(properties.get("DefinitionSubstitutions") or {})
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", str(value))
    return text


def _selected(assembly: Path, stacks: Collection[str] | None) -> list[Stack]:
    """The stacks to load: all, or those named (by stack name, artifact id or construct path),
    in manifest order."""
    found = read_stacks(assembly, bare_templates=True)
    if stacks is None:
        return found
    unknown = sorted(name for name in set(stacks) if not any(s.matches(name) for s in found))
    if unknown:
        available = ", ".join(sorted({stack.name for stack in found})) or "none"
        raise StackNotFound(
            f"no stack {', '.join(repr(n) for n in unknown)} in {assembly} (stacks: {available})"
        )
    return [stack for stack in found if any(stack.matches(name) for name in stacks)]


def _state_machine_request(
    service: StepFunctionsService, resolver: Resolver, logical_id: str, properties: dict[str, Any]
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "name": resolver.physical_name(logical_id),
        "definition": definition_text(resolver, logical_id, properties),
        "roleArn": str(
            resolver.resolve(properties.get("RoleArn"))
            or f"arn:aws:iam::{service.arns.account_id}:role/{logical_id}"
        ),
        "type": properties.get("StateMachineType") or "STANDARD",
    }
    for key, field in (
        ("LoggingConfiguration", "loggingConfiguration"),
        ("TracingConfiguration", "tracingConfiguration"),
    ):
        if properties.get(key):
            request[field] = _lower_keys(resolver.resolve(properties[key]))
    if properties.get("Tags"):
        request["tags"] = _tags(properties)
    return request


def _same_machine(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two stacks' state machines behave alike (role, logging and tags aside)."""
    try:
        same_definition = json.loads(first["definition"]) == json.loads(second["definition"])
    except ValueError:
        same_definition = first["definition"] == second["definition"]
    return same_definition and first["type"] == second["type"]


def load_cloud_assembly(
    service: StepFunctionsService,
    directory: str | Path,
    stacks: Collection[str] | None = None,
    environment: Mapping[str, str] | None = None,
) -> list[str]:
    """Create the assembly's activities, then its state machines, their versions
    (``AWS::StepFunctions::StateMachineVersion``: one published for the machine's revision)
    and aliases (``AWS::StepFunctions::StateMachineAlias``: its routing, or its deployment
    preference's version at 100%, where a CloudFormation deployment ends), then serve its Python
    Lambda functions (see ``lambdas.assembly``; ``environment`` is added to theirs, under the
    template's variables); returns the ARNs created, functions served last.

    ``stacks`` (stack names, artifact ids or construct paths) loads only those stacks. One
    engine is one account and region, so names must not clash: an activity several stacks
    declare is created once and shared (an activity is only a name), and so is a state machine
    several stacks define alike; a state machine name that stacks define differently is a
    :class:`NotLoadable` naming both stacks, raised before anything is created.
    """
    assembly = Path(directory)
    activities: dict[str, dict[str, Any]] = {}
    machines: dict[str, tuple[str, str, dict[str, Any]]] = {}
    functions: dict[str, AssemblyFunction] = {}
    #: versions and aliases, created once their state machines (and versions) exist
    qualifiers: list[tuple[str, Resolver, str, str, dict[str, Any]]] = []
    for stack in _selected(assembly, stacks):
        template = stack.template()
        resolver = Resolver(template, stack.name, service.arns)
        for logical_id, resource in template.resources.items():
            kind = template.resource_type(logical_id)
            properties = template.properties(logical_id)
            if kind == ACTIVITY_TYPE:
                with template.guard(logical_id):
                    request = _activity_request(resolver, logical_id, properties)
                activities.setdefault(request["name"], request)
            elif kind == STATE_MACHINE_TYPE:
                with template.guard(logical_id):
                    request = _state_machine_request(service, resolver, logical_id, properties)
                name = request["name"]
                if name not in machines:
                    machines[name] = (stack.name, logical_id, request)
                elif not _same_machine(machines[name][2], request):
                    first_stack, first_id, _ = machines[name]
                    raise NotLoadable(
                        f"state machine name '{name}' is defined differently by stack "
                        f"'{first_stack}' ({first_id}) and stack '{stack.name}' ({logical_id}); "
                        "one engine holds one state machine per name: give the stacks distinct "
                        "names (this project's app.py: synthesise with "
                        "-c sfini:distinct-names=true) or load one stack (--stack NAME)"
                    )
            elif kind in (VERSION_TYPE, ALIAS_TYPE):
                qualifiers.append((stack.name, resolver, logical_id, kind, properties))
            elif kind == FUNCTION_TYPE:
                with template.guard(logical_id):
                    name = resolver.physical_name(logical_id)
                    arn = resolver.get_att(logical_id, "Arn")
                    function = read_function(
                        name, arn, resource, resolver.resolve, stack.template_path.parent
                    )
                functions.setdefault(name, function)
    created: list[str] = []
    for request in activities.values():
        created.append(_create(service, "CreateActivity", request, "activityArn"))
    for stack_name, logical_id, request in machines.values():
        created.append(
            _create(
                service, "CreateStateMachine", request, "stateMachineArn", stack_name, logical_id
            )
        )
    created += _create_qualifiers(service, qualifiers)
    lambdas = getattr(getattr(service, "integrations", None), "lambdas", None)
    if lambdas is not None:
        created += _serve_functions(lambdas, functions.values(), environment or {})
    return created


def _serve_functions(
    lambdas: LambdaFunctions, functions: Iterable[AssemblyFunction], environment: Mapping[str, str]
) -> list[str]:
    """Serve each Python function in worker processes; record the others as not served."""
    served: list[str] = []
    for function in functions:
        config = function.config
        if function.reason is not None:
            lambdas.not_served(config.name, config.arn, function.reason)
            continue
        try:
            code_dir = function.prepare()
        except FunctionCodeError as error:
            lambdas.not_served(config.name, config.arn, str(error))
            continue
        env = function_environment(config, code_dir, lambdas.region, environment, os.environ)
        backend = ProcessBackend(code_dir, env, on_close=function.cleanup)
        lambdas.add(config, backend, reserved_concurrency=function.reserved_concurrency)
        served.append(config.arn)
    return served


def _create_qualifiers(
    service: StepFunctionsService,
    qualifiers: list[tuple[str, Resolver, str, str, dict[str, Any]]],
) -> list[str]:
    """Publish the versions, then create the aliases routing to them; each ARN becomes the
    ``Ref`` of its resource in its stack. An alias several stacks declare for one shared state
    machine is created once."""
    created: list[str] = []
    aliases: set[str] = set()
    for stack_name, resolver, logical_id, kind, properties in sorted(
        qualifiers, key=lambda entry: entry[3] == ALIAS_TYPE
    ):
        with resolver.template.guard(logical_id):
            if kind == VERSION_TYPE:
                request = _version_request(resolver, properties)
            else:
                request = _alias_request(resolver, logical_id, properties)
        if kind == VERSION_TYPE:
            arn = _create(
                service,
                "PublishStateMachineVersion",
                request,
                "stateMachineVersionArn",
                stack_name,
                logical_id,
            )
        else:
            machine = request["routingConfiguration"][0]["stateMachineVersionArn"]
            arn = f"{machine.rsplit(':', 1)[0]}:{request['name']}"
            if arn in aliases:
                resolver.created[logical_id] = arn
                continue
            aliases.add(arn)
            arn = _create(
                service,
                "CreateStateMachineAlias",
                request,
                "stateMachineAliasArn",
                stack_name,
                logical_id,
            )
        resolver.created[logical_id] = arn
        created.append(arn)
    return created


def _version_request(resolver: Resolver, properties: dict[str, Any]) -> dict[str, Any]:
    """PublishStateMachineVersion for the machine's current revision (the template's
    ``StateMachineRevisionId`` names the revision CloudFormation has just deployed)."""
    request: dict[str, Any] = {"stateMachineArn": resolver.resolve(properties["StateMachineArn"])}
    if properties.get("Description") is not None:
        request["description"] = resolver.resolve(properties["Description"])
    return request


def _alias_request(
    resolver: Resolver, logical_id: str, properties: dict[str, Any]
) -> dict[str, Any]:
    """CreateStateMachineAlias with the alias' routing; a deployment preference routes all
    executions to its version, as it does once CloudFormation's deployment completes."""
    preference = properties.get("DeploymentPreference")
    if preference:
        version = resolver.resolve(preference["StateMachineVersionArn"])
        routing = [{"stateMachineVersionArn": version, "weight": 100}]
    else:
        routing = [
            {
                "stateMachineVersionArn": resolver.resolve(route["StateMachineVersionArn"]),
                "weight": int(resolver.resolve(route["Weight"])),
            }
            for route in properties.get("RoutingConfiguration") or []
        ]
    if not routing:
        raise NotLoadable(
            f"{resolver.stack}/{logical_id}: an alias needs a RoutingConfiguration or a "
            "DeploymentPreference"
        )
    request: dict[str, Any] = {
        "name": resolver.resolve(properties["Name"]),
        "routingConfiguration": routing,
    }
    if properties.get("Description") is not None:
        request["description"] = resolver.resolve(properties["Description"])
    return request


def _activity_request(
    resolver: Resolver, logical_id: str, properties: dict[str, Any]
) -> dict[str, Any]:
    request: dict[str, Any] = {"name": resolver.physical_name(logical_id)}
    if properties.get("Tags"):
        request["tags"] = _tags(properties)
    return request


def _create(
    service: StepFunctionsService,
    operation: str,
    request: dict[str, Any],
    arn_key: str,
    stack: str | None = None,
    logical_id: str | None = None,
) -> str:
    try:
        return str(service.call(operation, request)[arn_key])
    except ServiceError as error:
        where = f"{stack}/{logical_id}" if stack else request["name"]
        raise NotLoadable(f"{where}: {error.code}: {error.message}") from None


def _lower_keys(node: Any) -> Any:
    """CloudFormation's PascalCase property names as the API's camelCase members."""
    if isinstance(node, list):
        return [_lower_keys(item) for item in node]
    if isinstance(node, dict):
        return {key[:1].lower() + key[1:]: _lower_keys(value) for key, value in node.items()}
    return node
