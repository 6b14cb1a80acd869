"""Evaluating the intrinsic functions of a stack's template: ``Ref`` (pseudo parameters,
parameter defaults, resources), ``Fn::GetAtt``, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select`` and
``Fn::Split``, for one region and account.

A resource's physical name is its ``Name`` / ``StateMachineName`` / ``FunctionName`` when the
template fixes it. Otherwise CloudFormation makes one up at deploy time: resolving for the local
engine, the resource is called ``{stack}-{logicalId}`` (cut to the longest name its type takes);
resolving what was deployed (``deployed=True``), such a name cannot be known.
"""

from __future__ import annotations

import re
from typing import Any

from sfini_runtime.arns import ArnFactory, role_arn
from sfini_runtime.cloud_assembly.errors import (
    MalformedTemplate,
    UnresolvableValue,
    UnsupportedIntrinsic,
    json_type,
)
from sfini_runtime.cloud_assembly.template import Template

__all__ = [
    "ACTIVITY_METADATA",
    "ACTIVITY_TYPE",
    "ALIAS_TYPE",
    "FUNCTION_TYPE",
    "NAME_PROPERTIES",
    "STATE_MACHINE_TYPE",
    "VERSION_TYPE",
    "Resolver",
]

ACTIVITY_TYPE = "AWS::StepFunctions::Activity"
STATE_MACHINE_TYPE = "AWS::StepFunctions::StateMachine"
FUNCTION_TYPE = "AWS::Lambda::Function"
ALIAS_TYPE = "AWS::StepFunctions::StateMachineAlias"
VERSION_TYPE = "AWS::StepFunctions::StateMachineVersion"
#: resource metadata sfini's constructs put on each activity: ``{"name": its sfini name,
#: "module": the module defining its function}``, so a worker can be started from the assembly
ACTIVITY_METADATA = "sfini:activity"
#: the property fixing each resource type's physical name, and the longest name it takes
NAME_PROPERTIES: dict[str, tuple[str, int]] = {
    ACTIVITY_TYPE: ("Name", 80),
    STATE_MACHINE_TYPE: ("StateMachineName", 80),
    FUNCTION_TYPE: ("FunctionName", 64),
}
_DEFAULT_LONGEST = 80
# ${Name} or ${Resource.Attribute}; ${!Literal} is written out as ${Literal}
_SUB_RE = re.compile(r"\$\{([^}!][^}]*)\}")


class Resolver:
    """Evaluates the intrinsic functions of ``template``, the template of the stack ``stack``
    in the region and account of ``arns``.

    ``deployed``: resolve values as CloudFormation deployed them, so what is only known once
    deployed (a generated name, a parameter without a default) raises ``UnresolvableValue``
    instead of standing for the local engine's choice.

    Malformed arguments of an intrinsic function raise ``TypeError``/``ValueError``/...; read
    a resource inside :meth:`Template.guard` to have them named.
    """

    def __init__(
        self, template: Template, stack: str, arns: ArnFactory, *, deployed: bool = False
    ) -> None:
        self.template = template
        self.stack = stack
        self.arns = arns
        self.deployed = deployed
        #: logical id -> the ``Ref`` of a resource only known once created (a version's ARN)
        self.created: dict[str, Any] = {}

    def physical_name(self, logical_id: str) -> str:
        """The name of the resource ``logical_id``."""
        kind = self.template.resource_type(logical_id)
        given, longest = NAME_PROPERTIES.get(kind or "", (None, _DEFAULT_LONGEST))
        if given is not None:
            name = self.resolve(self.template.properties(logical_id).get(given))
            if isinstance(name, str):
                return name
            if isinstance(name, (int, float)) and not isinstance(name, bool):
                return str(name)
            if name is not None:
                raise MalformedTemplate(
                    f"{self.template.path}: the {given} of {logical_id!r} is a JSON "
                    f"{json_type(name)}, not a string"
                )
        if self.deployed:
            raise UnresolvableValue(
                f"{self.template.path}: the name of {logical_id!r} is only known once "
                f"CloudFormation deploys the stack {self.stack!r}"
            )
        return f"{self.stack}-{logical_id}"[:longest]

    def ref(self, name: str) -> Any:
        """``{"Ref": name}``: a pseudo parameter, a parameter's default, a Step Functions
        resource's ARN or another resource's name."""
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
        parameters = self.template.parameters
        if name in parameters:
            spec = parameters[name]
            if isinstance(spec, dict) and "Default" in spec:
                return spec["Default"]
            if self.deployed:
                raise UnresolvableValue(
                    f"{self.template.path}: the parameter {name!r} has no default, its value "
                    f"is only known once CloudFormation deploys the stack {self.stack!r}"
                )
            return name
        if name in self.created:
            return self.created[name]
        kind = self.template.resource_type(name)
        if kind == ACTIVITY_TYPE:
            return self.arns.activity(self.physical_name(name))
        if kind == STATE_MACHINE_TYPE:
            return self.arns.state_machine(self.physical_name(name))
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        """``{"Fn::GetAtt": [logical_id, attribute]}``: a name attribute, or the resource's ARN."""
        kind = self.template.resource_type(logical_id) or ""
        name = self.physical_name(logical_id)
        if attribute == "Name" or attribute.endswith("Name"):
            return name
        if kind in (ACTIVITY_TYPE, STATE_MACHINE_TYPE, VERSION_TYPE, ALIAS_TYPE) and (
            attribute == "Arn"
        ):
            return self.ref(logical_id)
        partition, region, account = self.arns.partition, self.arns.region, self.arns.account_id
        if kind == "AWS::IAM::Role":
            return role_arn(name, account, partition)
        if kind == "AWS::Logs::LogGroup":
            return f"arn:{partition}:logs:{region}:{account}:log-group:{name}:*"
        if kind == FUNCTION_TYPE:
            return f"arn:{partition}:lambda:{region}:{account}:function:{name}"
        service = kind.split("::")[1].lower() if kind.count("::") == 2 else "unknown"
        return f"arn:{partition}:{service}:{region}:{account}:{name}"

    def resolve(self, node: Any) -> Any:
        """``node`` (any template value) with its intrinsic functions evaluated."""
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                logical_id, attribute = parts
                return self.get_att(logical_id, self.resolve(attribute))
            if key == "Fn::Join":
                separator, items = argument
                return str(separator).join(str(item) for item in self.resolve(items))
            if key == "Fn::Sub":
                if isinstance(argument, str):
                    return self._sub(argument, {})
                text, variables = argument
                return self._sub(text, self.resolve(variables))
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = argument
                return str(self.resolve(text)).split(separator)
            if key.startswith("Fn::"):
                raise UnsupportedIntrinsic(
                    f"{self.stack}: {key} is not supported here ({self.template.path})"
                )
        return {key: self.resolve(value) for key, value in node.items()}

    def _sub(self, text: str, variables: dict[str, Any]) -> str:
        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in variables:
                return str(variables[key])
            if "." in key:
                logical_id, attribute = key.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(key))

        return _SUB_RE.sub(value, text).replace("${!", "${")
