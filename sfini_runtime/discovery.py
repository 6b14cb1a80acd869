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
``sfini_runtime.cloud_assembly`` reads the assembly and resolves the names as deployed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sfini_runtime import arns
from sfini_runtime.cloud_assembly.errors import CloudAssemblyError
from sfini_runtime.cloud_assembly.manifest import Stack, read_stacks
from sfini_runtime.cloud_assembly.resolver import (
    ACTIVITY_TYPE,
    ALIAS_TYPE,
    STATE_MACHINE_TYPE,
    Resolver,
)
from sfini_runtime.cloud_assembly.template import Template
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
_KIND_BY_TYPE = {ACTIVITY_TYPE: "activity", STATE_MACHINE_TYPE: "stateMachine"}
# "sfini activity <name>" / "sfini state machine <name>" (descriptions), or a bare name.
_DESCRIPTION = re.compile(r"^(?:sfini\s+)?(?:activity|state[ -]?machine)\s+(\S.*?)\s*$", re.I)
# "sfini alias <machine>:<alias>" / "sfini version <machine>" (WorkflowStack's outputs)
_QUALIFIED_DESCRIPTION = re.compile(r"^sfini\s+(?:alias|version)\s+(\S.*?)\s*$", re.I)


class DiscoveryError(LookupError):
    """Deployed resources could not be found."""


class NotDeployed(DiscoveryError):
    """An activity or state machine is not among the deployed ones."""


class AmbiguousName(DiscoveryError):
    """A name stands for different ARNs (e.g. one workflow in several stacks of an assembly)."""


class AssemblyError(DiscoveryError, CloudAssemblyError):
    """A ``cdk.out`` directory is missing, not a cloud assembly, or a malformed one (also a
    ``sfini_runtime.cloud_assembly.CloudAssemblyError``)."""


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
        own = parsed.name
        qualifier = _qualifier(parsed)
        if qualifier is not None:  # a version or alias: found as <machine name>:<qualifier>
            own = _qualified(own, qualifier)
            names = tuple(_qualified(n, qualifier) for n in names)
            aliases = [_qualified(a, qualifier) for a in aliases]
        listed = [name for name in dict.fromkeys((own, *names)) if name]
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
        match = _QUALIFIED_DESCRIPTION.search(description) or _DESCRIPTION.search(description)
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


def arns_from_assembly(
    cdk_out: str | Path,
    stack_name: str | None = None,
    *,
    session: AWSSession | None = None,
    local_names: bool = False,
) -> DeployedArns:
    """``DeployedArns`` of the activities and state machines a ``cdk.out`` assembly defines.

    Their names come from the templates (and from the outputs' descriptions, see the module
    docstring); the region and account from each stack's environment, or the session's where
    the stack is environment-agnostic. Stacks in stages (nested assemblies) are read too.

    Args:
        cdk_out: the cloud assembly directory
        stack_name: read only this stack: its CloudFormation name, artifact id or construct
            path (``Stage/Stack``); default: every stack
        local_names: the assembly is loaded on the local engine (``serve --cdk-out``), which
            names a resource the template leaves unnamed ``<stack>-<logical id>``; without it,
            such resources are left out (CloudFormation names them at deploy time)

    Raises:
        AssemblyError: no cloud assembly there, a malformed one, or no stack ``stack_name`` in it
    """
    directory = Path(cdk_out)
    deployed = DeployedArns(source=f"cloud assembly {directory}")
    with _assembly_errors():
        stacks = read_stacks(directory)
        if stack_name is not None:
            stacks = [stack for stack in stacks if stack.matches(stack_name)]
            if not stacks:
                raise AssemblyError(f"no stack {stack_name!r} in the cloud assembly {directory}")
        for stack in stacks:
            region, account = _environment(stack, session)
            factory = arns.ArnFactory(region, account, arns.partition_for_region(region))
            _read_template(stack.template(), stack.name, factory, deployed, local_names)
    return deployed


def _qualified(name: str | None, qualifier: str) -> str | None:
    """``name:qualifier`` (``name`` as it is when it already ends so, or is ``None``)."""
    if name is None or name.endswith(f":{qualifier}"):
        return name
    return f"{name}:{qualifier}"


def _qualifier(parsed: arns.Arn) -> str | None:
    """The version number or alias name of a qualified state machine ARN (else ``None``)."""
    parts = parsed.resource.split(":")
    return parts[2] if parsed.resource_type == "stateMachine" and len(parts) == 3 else None


@contextlib.contextmanager
def _assembly_errors() -> Iterator[None]:
    """The cloud-assembly reader's errors as ``AssemblyError`` (a ``DiscoveryError``)."""
    try:
        yield
    except AssemblyError:
        raise
    except CloudAssemblyError as error:
        raise AssemblyError(str(error)) from None


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
    template: Template,
    stack: str,
    factory: arns.ArnFactory,
    deployed: DeployedArns,
    local_names: bool = False,
) -> None:
    """Add the activities and state machines of one stack's template to ``deployed``."""
    described: dict[str, str] = {}  # logical id -> sfini name, from the outputs
    for output in template.outputs.values():
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
    resolver = Resolver(template, stack, factory, deployed=not local_names)
    for logical_id in template.resources:
        kind = _KIND_BY_TYPE.get(template.resource_type(logical_id) or "")
        if kind is None:
            continue
        try:
            with template.guard(logical_id):
                physical = resolver.physical_name(logical_id)
        except CloudAssemblyError:  # named at deploy time, or by a value that cannot be read
            continue
        build = factory.activity if kind == "activity" else factory.state_machine
        deployed.add(build(physical), described.get(logical_id), aliases=[logical_id], origin=stack)
    for logical_id in template.resources:
        if template.resource_type(logical_id) == ALIAS_TYPE:
            _read_alias(template, logical_id, resolver, factory, described, deployed, stack)


def _read_alias(
    template: Template,
    logical_id: str,
    resolver: Resolver,
    factory: arns.ArnFactory,
    described: Mapping[str, str],
    deployed: DeployedArns,
    stack: str,
) -> None:
    """Add an alias (``<machine ARN>:<name>``) whose version and machine the template holds."""
    properties = template.properties(logical_id)
    targets = [
        properties.get("DeploymentPreference"),
        *(properties.get("RoutingConfiguration") or []),
    ]
    version_ids = [
        _referenced_resource(t.get("StateMachineVersionArn"))
        for t in targets
        if isinstance(t, Mapping)
    ]
    version_id = next((v for v in version_ids if v in template.resources), None)
    if version_id is None:
        return
    machine_id = _referenced_resource(template.properties(version_id).get("StateMachineArn"))
    if machine_id is None or machine_id not in template.resources:
        return
    try:
        with template.guard(logical_id):
            name = resolver.resolve(properties.get("Name"))
            physical = resolver.physical_name(machine_id)
    except CloudAssemblyError:
        return
    if not isinstance(name, str):
        return
    sfini_name = described.get(logical_id) or described.get(machine_id)
    arn = f"{factory.state_machine(physical)}:{name}"
    deployed.add(arn, sfini_name, aliases=[logical_id], origin=stack)


def _environment(stack: Stack, session: AWSSession | None) -> tuple[str, str]:
    """(region, account) of ``stack``, the session's where it is environment-agnostic."""
    region, account = stack.region, stack.account
    if account is None or region is None:
        session = default_session(session)
        region = region or session.region
        account = account or session.account_id
    return region, account
