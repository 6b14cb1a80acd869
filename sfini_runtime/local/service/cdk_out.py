"""Pre-create the activities and state machines of a CDK cloud assembly (``cdk.out``).

The stacks' CloudFormation templates are read (through ``manifest.json``, nested assemblies
included), the intrinsic functions the Step Functions resources use are resolved against the
engine's region and account (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split), and
each resource is created through the API operations, so everything is validated as a
CreateActivity / CreateStateMachine call would be.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

ACTIVITY_TYPE = "AWS::StepFunctions::Activity"
STATE_MACHINE_TYPE = "AWS::StepFunctions::StateMachine"
FUNCTION_TYPE = "AWS::Lambda::Function"
#: the property naming each resource type's physical name, and the longest name it takes
_NAMES = {
    ACTIVITY_TYPE: ("Name", 80),
    STATE_MACHINE_TYPE: ("StateMachineName", 80),
    FUNCTION_TYPE: ("FunctionName", 64),
}
_SUB_RE = re.compile(r"\$\{([^}!][^}]*)\}")


class CloudAssemblyError(ValueError):
    """The cloud assembly cannot be read or one of its resources cannot be resolved."""


def stack_templates(assembly: Path) -> Iterator[tuple[str, str, Path]]:
    """(stack name, artifact id, template path) of every stack, nested assemblies included."""
    manifest_path = assembly / "manifest.json"
    if not manifest_path.is_file():
        templates = sorted(assembly.glob("*.template.json"))
        if not templates:
            raise CloudAssemblyError(
                f"{assembly} is not a cloud assembly (no manifest.json, no *.template.json)"
            )
        for path in templates:
            name = path.name.split(".")[0]
            yield name, name, path
        return
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CloudAssemblyError(f"cannot read {manifest_path}: {exc}") from None
    artifacts = manifest.get("artifacts") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or not isinstance(artifacts or {}, dict):
        raise CloudAssemblyError(f"{manifest_path} is not a cloud assembly manifest")
    for artifact_id, artifact in (artifacts or {}).items():
        if not isinstance(artifact, dict):
            raise CloudAssemblyError(f"{manifest_path}: artifact {artifact_id!r} is not an object")
        properties = artifact.get("properties") or {}
        key = {"aws:cloudformation:stack": "templateFile", "cdk:cloud-assembly": "directoryName"}
        field = key.get(artifact.get("type"))  # type: ignore[arg-type]
        if field is None:
            continue
        if not isinstance(properties, dict) or not isinstance(properties.get(field), str):
            raise CloudAssemblyError(
                f"{manifest_path}: artifact {artifact_id!r} has no properties.{field}"
            )
        if field == "templateFile":
            name = properties.get("stackName") or artifact.get("displayName") or artifact_id
            yield name, artifact_id, assembly / properties[field]
        else:
            yield from stack_templates(assembly / properties[field])


def template_files(assembly: Path) -> Iterator[tuple[str, Path]]:
    """(stack name, template path) for every stack of the assembly, nested ones included."""
    for name, _artifact_id, path in stack_templates(assembly):
        yield name, path


class _Resolver:
    """Evaluates the intrinsic functions of one template."""

    def __init__(self, service: StepFunctionsService, stack: str, template: dict[str, Any]):
        self.arns = service.arns
        self.stack = stack
        self.resources: dict[str, Any] = template.get("Resources") or {}
        self.parameters = {
            name: spec.get("Default", name)
            for name, spec in (template.get("Parameters") or {}).items()
        }
        self.names: dict[str, str] = {}

    def physical_name(self, logical_id: str) -> str:
        resource = self.resources.get(logical_id) or {}
        properties = resource.get("Properties") or {}
        given, longest = _NAMES.get(resource.get("Type", ""), (None, 80))
        if given and properties.get(given) is not None:
            return str(self.resolve(properties[given]))
        return f"{self.stack}-{logical_id}"[:longest]

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.arns.region,
            "AWS::AccountId": self.arns.account_id,
            "AWS::Partition": self.arns.partition,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack,
            "AWS::NoValue": None,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = (self.resources.get(name) or {}).get("Type")
        if kind == ACTIVITY_TYPE:
            return self.arns.activity(self.physical_name(name))
        if kind == STATE_MACHINE_TYPE:
            return self.arns.state_machine(self.physical_name(name))
        return self.physical_name(name)

    def _get_att(self, logical_id: str, attribute: str) -> Any:
        kind = (self.resources.get(logical_id) or {}).get("Type", "")
        name = self.physical_name(logical_id)
        if attribute == "Name" or attribute.endswith("Name"):
            return name
        if kind in (ACTIVITY_TYPE, STATE_MACHINE_TYPE) and attribute == "Arn":
            return self._ref(logical_id)
        region, account = self.arns.region, self.arns.account_id
        if kind == "AWS::IAM::Role":
            return f"arn:{self.arns.partition}:iam::{account}:role/{name}"
        if kind == "AWS::Logs::LogGroup":
            return f"arn:{self.arns.partition}:logs:{region}:{account}:log-group:{name}:*"
        if kind == FUNCTION_TYPE:
            return f"arn:{self.arns.partition}:lambda:{region}:{account}:function:{name}"
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
        return f"arn:{self.arns.partition}:{service}:{region}:{account}:{name}"

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in variables:
                return str(variables[key])
            if "." in key:
                logical_id, attribute = key.split(".", 1)
                return str(self._get_att(logical_id, attribute))
            return str(self._ref(key))

        return _SUB_RE.sub(value, text).replace("${!", "${")

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
                return self._get_att(logical_id, self.resolve(attribute))
            if key == "Fn::Join":
                separator, items = arg
                return str(separator).join(str(self.resolve(i)) for i in self.resolve(items))
            if key == "Fn::Sub":
                if isinstance(arg, str):
                    return self._sub(arg, {})
                return self._sub(arg[0], self.resolve(arg[1]))
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = arg
                return str(self.resolve(text)).split(separator)
            if key.startswith("Fn::"):
                raise CloudAssemblyError(f"{self.stack}: {key} is not supported here")
        return {key: self.resolve(value) for key, value in node.items()}


def _tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    tags = properties.get("Tags") or []
    if isinstance(tags, dict):  # some resource specs use a map
        return [{"key": k, "value": str(v)} for k, v in tags.items()]
    return [{"key": t["Key"], "value": str(t.get("Value", ""))} for t in tags]


def _definition(resolver: _Resolver, logical_id: str, properties: dict[str, Any]) -> str:
    if "DefinitionString" in properties:
        text = str(resolver.resolve(properties["DefinitionString"]))
    elif "Definition" in properties:
        text = json.dumps(resolver.resolve(properties["Definition"]))
    else:
        raise CloudAssemblyError(
            f"{resolver.stack}/{logical_id}: only inline definitions can be loaded locally"
        )
    substitutions = resolver.resolve(properties.get("DefinitionSubstitutions") or {})
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", str(value))
    return text


def _selected(assembly: Path, stacks: Collection[str] | None) -> list[tuple[str, Path]]:
    """The stacks to load: all, or those named (by stack name or artifact id), in manifest order."""
    found = list(stack_templates(assembly))
    if stacks is None:
        return [(name, path) for name, _, path in found]
    wanted = set(stacks)
    unknown = sorted(wanted - {name for name, _, _ in found} - {aid for _, aid, _ in found})
    if unknown:
        available = ", ".join(sorted({name for name, _, _ in found})) or "none"
        raise CloudAssemblyError(
            f"no stack {', '.join(repr(n) for n in unknown)} in {assembly} (stacks: {available})"
        )
    return [(name, path) for name, aid, path in found if name in wanted or aid in wanted]


def _state_machine_request(
    service: StepFunctionsService, resolver: _Resolver, logical_id: str, properties: dict[str, Any]
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "name": resolver.physical_name(logical_id),
        "definition": _definition(resolver, logical_id, properties),
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
    """Create the assembly's activities, then its state machines, then serve its Python
    Lambda functions (see ``lambdas.assembly``; ``environment`` is added to theirs, under the
    template's variables); returns the ARNs created, functions served last.

    ``stacks`` (stack names or artifact ids) loads only those stacks. One engine is one account
    and region, so names must not clash: an activity several stacks declare is created once and
    shared (an activity is only a name), and so is a state machine several stacks define alike;
    a state machine name that stacks define differently is a :class:`CloudAssemblyError` naming
    both stacks, raised before anything is created.
    """
    assembly = Path(directory)
    if not assembly.is_dir():
        raise CloudAssemblyError(f"no cloud assembly at {assembly}")
    activities: dict[str, dict[str, Any]] = {}
    machines: dict[str, tuple[str, str, dict[str, Any]]] = {}
    functions: dict[str, AssemblyFunction] = {}
    for stack, path in _selected(assembly, stacks):
        try:
            template = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CloudAssemblyError(f"cannot read template {path}: {exc}") from None
        _check_template(template, path)
        resolver = _Resolver(service, stack, template)
        for logical_id, resource in resolver.resources.items():
            properties = resource.get("Properties") or {}
            if resource.get("Type") == ACTIVITY_TYPE:
                request = _malformed_guard(
                    path, logical_id, _activity_request, resolver, logical_id, properties
                )
                activities.setdefault(request["name"], request)
            elif resource.get("Type") == STATE_MACHINE_TYPE:
                request = _malformed_guard(
                    path,
                    logical_id,
                    _state_machine_request,
                    service,
                    resolver,
                    logical_id,
                    properties,
                )
                name = request["name"]
                if name not in machines:
                    machines[name] = (stack, logical_id, request)
                elif not _same_machine(machines[name][2], request):
                    first_stack, first_id, _ = machines[name]
                    raise CloudAssemblyError(
                        f"state machine name '{name}' is defined differently by stack "
                        f"'{first_stack}' ({first_id}) and stack '{stack}' ({logical_id}); one "
                        "engine holds one state machine per name: give the stacks distinct "
                        "names (this project's app.py: synthesise with "
                        "-c sfini:distinct-names=true) or load one stack (--stack NAME)"
                    )
            elif resource.get("Type") == FUNCTION_TYPE:
                name = resolver.physical_name(logical_id)
                function = _malformed_guard(
                    path,
                    logical_id,
                    read_function,
                    name,
                    resolver._get_att(logical_id, "Arn"),
                    resource,
                    resolver.resolve,
                    path.parent,
                )
                functions.setdefault(name, function)
    created: list[str] = []
    for request in activities.values():
        created.append(_create(service, "CreateActivity", request, "activityArn"))
    for stack, logical_id, request in machines.values():
        created.append(
            _create(service, "CreateStateMachine", request, "stateMachineArn", stack, logical_id)
        )
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


def _activity_request(
    resolver: _Resolver, logical_id: str, properties: dict[str, Any]
) -> dict[str, Any]:
    request: dict[str, Any] = {"name": resolver.physical_name(logical_id)}
    if properties.get("Tags"):
        request["tags"] = _tags(properties)
    return request


def _malformed_guard(path: Path, logical_id: str, build: Callable[..., Any], *args: Any) -> Any:
    """``build(*args)``; a template whose shapes it cannot read is a ``CloudAssemblyError``."""
    try:
        return build(*args)
    except CloudAssemblyError:
        raise
    except (TypeError, KeyError, AttributeError, IndexError, ValueError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
        raise CloudAssemblyError(
            f"{path}: resource {logical_id!r} is malformed ({problem})"
        ) from None


def _check_template(template: Any, path: Path) -> None:
    """A CloudFormation template is an object whose Resources are objects."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(template, dict) or not isinstance(resources or {}, dict):
        raise CloudAssemblyError(f"{path} is not a CloudFormation template")
    for logical_id, resource in (resources or {}).items():
        properties = resource.get("Properties") if isinstance(resource, dict) else None
        if not isinstance(resource, dict) or not isinstance(properties or {}, dict):
            raise CloudAssemblyError(f"{path}: resource {logical_id!r} is not an object")


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
        raise CloudAssemblyError(f"{where}: {error.code}: {error.message}") from None


def _lower_keys(node: Any) -> Any:
    """CloudFormation's PascalCase property names as the API's camelCase members."""
    if isinstance(node, list):
        return [_lower_keys(item) for item in node]
    if isinstance(node, dict):
        return {key[:1].lower() + key[1:]: _lower_keys(value) for key, value in node.items()}
    return node
