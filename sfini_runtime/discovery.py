"""Finding what was deployed: activity and state-machine ARNs from a CloudFormation stack's
outputs, from a ``cdk.out`` cloud assembly, or by name from the region and account.

Every source gives a ``DeployedArns``: the sfini names of the activities and state machines
mapped to their ARNs. A stack output counts when its value is a Step Functions activity or state
machine ARN; it is known by the name in the ARN, and also by the name its description gives
(``WorkflowStack`` describes each output as ``sfini activity <name>`` or ``sfini state machine
<name>`` with the sfini name, see ``sfini_cdk/constructs/outputs.py``), so names CloudFormation
generated and names deployed under a ``name_prefix`` still resolve to the sfini names.

A cloud assembly is read the same way: every activity and state machine resource is known by its
AWS name (when the template fixes it) and its logical id, and by the sfini name of the output
that references it (``Ref``/``Fn::GetAtt``); stacks inside stages (nested assemblies) count too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sfini_runtime import arns
from sfini_runtime.session import AWSSession, default_session

__all__ = [
    "AmbiguousName",
    "AssemblyError",
    "DeployedArns",
    "DiscoveryError",
    "NotDeployed",
    "arns_by_name",
    "arns_from_assembly",
    "arns_from_outputs",
    "arns_from_stack",
]

_KIND_BY_RESOURCE = {"activity": "activity", "stateMachine": "stateMachine"}
_CFN_TYPES = {
    "AWS::StepFunctions::Activity": ("activity", "Name"),
    "AWS::StepFunctions::StateMachine": ("stateMachine", "StateMachineName"),
}
# "sfini activity <name>" / "sfini state machine <name>" (descriptions), or a bare name.
_DESCRIPTION = re.compile(r"^(?:sfini\s+)?(?:activity|state[ -]?machine)\s+(\S.*?)\s*$", re.I)


class DiscoveryError(LookupError):
    """Deployed resources could not be found."""


class NotDeployed(DiscoveryError):
    """An activity or state machine is not among the deployed ones."""


class AmbiguousName(DiscoveryError):
    """A name stands for different ARNs (e.g. one workflow in several stacks of an assembly)."""


class AssemblyError(DiscoveryError):
    """A ``cdk.out`` directory is missing or not a cloud assembly."""


@dataclasses.dataclass
class DeployedArns:
    """ARNs of deployed activities and state machines, by sfini name."""

    activities: dict[str, str] = dataclasses.field(default_factory=dict)
    state_machines: dict[str, str] = dataclasses.field(default_factory=dict)
    source: str = ""
    #: names that stand for more than one ARN, with every ARN they stand for
    ambiguous: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    #: names that find an ARN but are not listed in messages (``kind:name``, e.g. logical ids)
    aliases: set[str] = dataclasses.field(default_factory=set)
    #: where each ARN was found (a stack's name), for messages
    origins: dict[str, str] = dataclasses.field(default_factory=dict)

    def add(
        self,
        arn: str,
        *names: str | None,
        aliases: Iterable[str | None] = (),
        origin: str | None = None,
    ) -> None:
        """Record ``arn`` under its own resource name and any other ``names``; ``aliases`` find
        it too but are not listed in messages; ``origin`` says where it was found."""
        parsed = arns.parse_arn(arn)
        kind = _KIND_BY_RESOURCE.get(parsed.resource_type)
        if parsed.service != "states" or kind is None:
            return
        if origin:
            self.origins.setdefault(arn, origin)
        table = self.activities if kind == "activity" else self.state_machines
        listed = [name for name in dict.fromkeys((parsed.name, *names)) if name]
        hidden = [alias for alias in aliases if alias and alias not in listed]
        for name in listed:
            self.aliases.discard(f"{kind}:{name}")
        for alias in hidden:
            if alias not in table:  # a name listed already stays listed
                self.aliases.add(f"{kind}:{alias}")
        for name in dict.fromkeys((*listed, *hidden)):
            known = table.setdefault(name, arn)
            if known != arn:
                self.ambiguous.setdefault(f"{kind}:{name}", {known}).add(arn)

    def names(self, kind: str) -> list[str]:
        """The names listed for ``kind`` (``activity`` or ``stateMachine``), aliases left out."""
        table = self.activities if kind == "activity" else self.state_machines
        return sorted(name for name in table if f"{kind}:{name}" not in self.aliases)

    def activity_arn(self, name: str) -> str:
        """The ARN of the activity ``name``; raises ``NotDeployed``."""
        return self._find(self.activities, name, "activity")

    def state_machine_arn(self, name: str) -> str:
        """The ARN of the state machine ``name``; raises ``NotDeployed``."""
        return self._find(self.state_machines, name, "state machine")

    def _find(self, table: Mapping[str, str], name: str, kind: str) -> str:
        table_kind = "activity" if table is self.activities else "stateMachine"
        choices = self.ambiguous.get(f"{table_kind}:{name}")
        if choices:
            described = ", ".join(
                f"{arn} (stack {self.origins[arn]})" if arn in self.origins else arn
                for arn in sorted(choices)
            )
            raise AmbiguousName(
                f"{kind} {name!r} stands for several ARNs in "
                f"{self.source or 'the deployed resources'} ({described}): give the ARN, or "
                "choose one stack (sfini ... --cdk-out DIR --stack NAME)"
            )
        try:
            return table[name]
        except KeyError:
            known = ", ".join(self.names(table_kind)) or "none"
            raise NotDeployed(
                f"{kind} {name!r} is not in {self.source or 'the deployed resources'} "
                f"(found: {known})"
            ) from None


def _name_from_output(description: str | None) -> str | None:
    if isinstance(description, str) and description:
        match = _DESCRIPTION.search(description)
        if match:
            return match.group(1).strip("'\"")
    return None


def arns_from_outputs(outputs: Iterable[Mapping[str, Any]], source: str = "") -> DeployedArns:
    """``DeployedArns`` from CloudFormation stack outputs (``OutputKey``/``OutputValue``/...)."""
    deployed = DeployedArns(source=source)
    for output in outputs:
        value = output.get("OutputValue")
        if not isinstance(value, str) or not value.startswith("arn:"):
            continue
        try:
            deployed.add(value, _name_from_output(output.get("Description")))
        except arns.InvalidArn:
            continue
    return deployed


def arns_from_stack(stack_name: str, *, session: AWSSession | None = None) -> DeployedArns:
    """``DeployedArns`` from the outputs of the deployed stack ``stack_name`` (DescribeStacks)."""
    session = default_session(session)
    cloudformation = session.client("cloudformation")
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code == "ValidationError":
            raise DiscoveryError(f"stack {stack_name!r} does not exist") from None
        raise
    outputs = [output for stack in stacks for output in stack.get("Outputs", [])]
    return arns_from_outputs(outputs, source=f"stack {stack_name!r}")


def arns_by_name(
    activities: Iterable[str] = (),
    state_machines: Iterable[str] = (),
    *,
    region: str | None = None,
    account: str | None = None,
    session: AWSSession | None = None,
) -> DeployedArns:
    """``DeployedArns`` built from names, in ``region`` and ``account`` (default: the session's)."""
    if region is None or account is None:
        session = default_session(session)
        region = region or session.region
        account = account or session.account_id
    partition = arns.partition_for_region(region)
    deployed = DeployedArns(source=f"region {region}, account {account}")
    for name in activities:
        deployed.add(arns.activity_arn(name, region, account, partition))
    for name in state_machines:
        deployed.add(arns.state_machine_arn(name, region, account, partition))
    return deployed


def _resolve(value: Any, region: str, account: str, partition: str) -> str | None:
    """A template value as a string: a literal, or a ``Fn::Join``/``Fn::Sub`` of pseudo
    parameters (what the CDK writes for names it builds)."""
    pseudo = {
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::Partition": partition,
        "AWS::URLSuffix": "amazonaws.com",
    }
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and argument in pseudo:
            return pseudo[argument]
        if (
            function == "Fn::Join"
            and isinstance(argument, list)
            and len(argument) == 2
            and isinstance(argument[1], list)
        ):
            parts = [_resolve(part, region, account, partition) for part in argument[1]]
            return None if None in parts else str(argument[0]).join(parts)  # type: ignore[arg-type]
        if function == "Fn::Sub" and isinstance(argument, str):
            return re.sub(r"\$\{([^}]+)\}", lambda m: pseudo.get(m.group(1), m.group(0)), argument)
    return None


def arns_from_assembly(
    cdk_out: str | Path,
    stack_name: str | None = None,
    *,
    session: AWSSession | None = None,
) -> DeployedArns:
    """``DeployedArns`` of the activities and state machines a ``cdk.out`` assembly defines.

    Their names come from the templates (and from the outputs' descriptions, see the module
    docstring); the region and account from each stack's environment, or the session's where
    the stack is environment-agnostic. Stacks in stages (nested assemblies) are read too.

    Args:
        cdk_out: the cloud assembly directory
        stack_name: read only this stack: its CloudFormation name, artifact id or construct
            path (``Stage/Stack``); default: every stack

    Raises:
        AssemblyError: no cloud assembly there, or no stack ``stack_name`` in it
    """
    directory = Path(cdk_out)
    deployed = DeployedArns(source=f"cloud assembly {directory}")
    found = _read_assembly(directory, stack_name, session, deployed)
    if stack_name is not None and not found:
        raise AssemblyError(f"no stack {stack_name!r} in the cloud assembly {directory}")
    return deployed


def _read_assembly(
    directory: Path,
    stack_name: str | None,
    session: AWSSession | None,
    deployed: DeployedArns,
    _parents: frozenset[Path] = frozenset(),
) -> bool:
    """Add the ARNs of the assembly in ``directory`` (and its nested assemblies) to ``deployed``;
    whether a stack was read."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file():
        raise AssemblyError(f"{directory} is not a cloud assembly (no manifest.json)")
    artifacts = _artifacts(manifest_path)
    found = False
    for artifact_id, artifact in artifacts.items():
        properties = _mapping(artifact.get("properties", {}), manifest_path, artifact_id)
        if artifact.get("type") == "cdk:cloud-assembly" and properties.get("directoryName"):
            nested = _file_in(directory, properties["directoryName"], manifest_path, artifact_id)
            if nested.resolve() in _parents | {directory.resolve()}:
                raise AssemblyError(
                    f"{manifest_path}: artifact {artifact_id!r} nests the assembly {nested} "
                    "inside itself"
                )
            found = (
                _read_assembly(
                    nested, stack_name, session, deployed, _parents | {directory.resolve()}
                )
                or found
            )
            continue
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        stack = properties.get("stackName", artifact_id)
        names = (stack, artifact_id, artifact.get("displayName"))
        if stack_name is not None and stack_name not in names:
            continue
        found = True
        region, account = _environment(artifact.get("environment", ""), session)
        template_path = _file_in(
            directory, properties.get("templateFile"), manifest_path, artifact_id
        )
        _read_template(_template(template_path), region, account, deployed, str(stack))
    return found


def _artifacts(manifest_path: Path) -> dict[str, dict[str, Any]]:
    """The ``artifacts`` of a manifest; ``AssemblyError`` naming the file if it is malformed."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise AssemblyError(f"cannot read {manifest_path}: {error.strerror or error}") from None
    except ValueError as error:  # UnicodeDecodeError is one
        raise AssemblyError(f"{manifest_path} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise AssemblyError(
            f"{manifest_path} is not a cloud assembly manifest "
            f"(a JSON {_json_type(manifest)}, not an object)"
        )
    artifacts = manifest.get("artifacts", {})
    if not isinstance(artifacts, dict):
        raise AssemblyError(
            f"{manifest_path}: 'artifacts' is a JSON {_json_type(artifacts)}, not an object"
        )
    for artifact_id, artifact in artifacts.items():
        _mapping(artifact, manifest_path, artifact_id, "")
    return artifacts


def _mapping(value: Any, manifest_path: Path, artifact_id: str, field: str = "properties") -> Any:
    """``value`` if it is a JSON object, else ``AssemblyError`` naming the file and artifact."""
    if not isinstance(value, dict):
        where = f"artifact {artifact_id!r}" + (f" {field!r}" if field else "")
        raise AssemblyError(
            f"{manifest_path}: {where} is a JSON {_json_type(value)}, not an object"
        )
    return value


def _file_in(directory: Path, name: Any, manifest_path: Path, artifact_id: str) -> Path:
    """The file or directory ``name`` a manifest's artifact refers to, inside ``directory``."""
    if not isinstance(name, str) or not name:
        raise AssemblyError(
            f"{manifest_path}: artifact {artifact_id!r} names no template or directory "
            f"(got {name!r})"
        )
    return directory / name


def _template(template_path: Path) -> dict[str, Any]:
    """A stack's template; ``AssemblyError`` naming the file if unreadable or malformed."""
    try:
        template = json.loads(template_path.read_text(encoding="utf-8"))
    except OSError as error:
        problem = error.strerror or str(error)
        raise AssemblyError(f"cannot read the template {template_path}: {problem}") from None
    except ValueError as error:
        raise AssemblyError(f"the template {template_path} is not valid JSON: {error}") from None
    if not isinstance(template, dict):
        raise AssemblyError(
            f"the template {template_path} is a JSON {_json_type(template)}, not an object"
        )
    for section in ("Outputs", "Resources"):
        value = template.get(section)
        if value is not None and not isinstance(value, dict):
            raise AssemblyError(
                f"the template {template_path}: {section!r} is a JSON {_json_type(value)}, "
                "not an object"
            )
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            raise AssemblyError(
                f"the template {template_path}: resource {logical_id!r} is a JSON "
                f"{_json_type(resource)}, not an object"
            )
        properties = resource.get("Properties")
        if properties is not None and not isinstance(properties, dict):
            raise AssemblyError(
                f"the template {template_path}: the Properties of {logical_id!r} are a JSON "
                f"{_json_type(properties)}, not an object"
            )
    return template


def _json_type(value: Any) -> str:
    """The JSON name of ``value``'s type (for messages)."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _referenced_resource(value: Any) -> str | None:
    """The logical id an output value ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, "Arn"]}`` names."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and isinstance(argument, str):
            return argument
        if function == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            if isinstance(parts, list) and len(parts) == 2 and parts[1] == "Arn":
                return str(parts[0])
    return None


def _read_template(
    template: Mapping[str, Any], region: str, account: str, deployed: DeployedArns, stack: str
) -> None:
    partition = arns.partition_for_region(region)
    described: dict[str, str] = {}  # logical id -> sfini name, from the outputs
    for output in (template.get("Outputs") or {}).values():
        if not isinstance(output, Mapping):
            continue
        name = _name_from_output(output.get("Description"))
        value = output.get("Value")
        logical_id = _referenced_resource(value)
        if name and logical_id:
            described[logical_id] = name
        elif isinstance(value, str) and value.startswith("arn:"):
            try:  # an ARN written out (a resource deployed elsewhere)
                deployed.add(value, name, origin=stack)
            except arns.InvalidArn:
                continue
    for logical_id, resource in (template.get("Resources") or {}).items():
        resource_type = resource.get("Type")
        kind_property = _CFN_TYPES.get(resource_type) if isinstance(resource_type, str) else None
        if kind_property is None:
            continue
        kind, name_property = kind_property
        physical = _resolve(
            (resource.get("Properties") or {}).get(name_property), region, account, partition
        )
        if physical is None:
            continue
        build = arns.activity_arn if kind == "activity" else arns.state_machine_arn
        deployed.add(
            build(physical, region, account, partition),
            described.get(logical_id),
            aliases=[logical_id],
            origin=stack,
        )


def _environment(environment: str, session: AWSSession | None) -> tuple[str, str]:
    """(region, account) of ``aws://ACCOUNT/REGION``, the session's where unknown."""
    account = region = None
    match = re.fullmatch(r"aws://([^/]*)/(.*)", environment if isinstance(environment, str) else "")
    if match:
        account, region = match.groups()
    if not account or account.startswith("unknown"):
        account = None
    if not region or region.startswith("unknown"):
        region = None
    if account is None or region is None:
        session = default_session(session)
        region = region or session.region
        account = account or session.account_id
    return region, account
