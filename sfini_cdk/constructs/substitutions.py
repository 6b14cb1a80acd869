"""Task resources as ``${Key}`` placeholders, and the deploy-time ARNs that fill them.

The definition is rendered once, in pure Python, with every Task resource replaced by a
placeholder; the construct then sets ``DefinitionSubstitutions`` from each placeholder key to the
resource's ARN (a CloudFormation Ref/GetAtt/Join known only at deploy time). The
``DefinitionString`` stays a plain JSON string, which cfn-lint validates (it accepts a field
whose whole value is a placeholder of a given substitution).

Accepted task resources:

* sfini ``Activity``, ``Lambda``, ``ServiceIntegration`` (``StateMachineResource`` included, whose
  ``StateMachineArn`` may be a sfini ``StateMachine``, a CDK ``IStateMachine`` or an ARN);
* CDK ``aws_stepfunctions.IActivity``, ``aws_lambda.IFunction``,
  ``aws_stepfunctions.IStateMachine`` (the sfini ``StateMachine`` construct included);
* ARN strings of an activity, a Lambda function or a state machine.

A sfini ``Lambda`` names its function; ``function_bindings`` lets the constructs bind it to a CDK
``aws_lambda.IFunction`` instead (``functions={pricing: fn}``): its ``Resource`` is then that
function's ARN (and the role may invoke exactly that function), so the function needs no fixed
name.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

import aws_cdk as cdk
from constructs import Construct

from sfini_cdk.activity import Activity
from sfini_cdk.constructs.errors import InvalidConstructOption
from sfini_cdk.constructs.names import alphanumeric
from sfini_cdk.state_machine import StateMachine as SfiniStateMachine
from sfini_cdk.task_resource import Lambda, ServiceIntegration


class ResourceKind(enum.Enum):
    """What a Task resource is, which decides its ARN and the IAM it needs."""

    ACTIVITY = "Activity"
    LAMBDA = "Function"
    STATE_MACHINE = "StateMachine"
    INTEGRATION = "Integration"


_ARN = re.compile(
    r"^arn:[^:]+:(?P<service>lambda|states):[^:]*:[^:]*:"
    r"(?P<type>function|activity|stateMachine):(?P<name>[^:]+)(:.*)?$"
)
_ARN_KINDS = {
    "function": ResourceKind.LAMBDA,
    "activity": ResourceKind.ACTIVITY,
    "stateMachine": ResourceKind.STATE_MACHINE,
}


@dataclass(frozen=True)
class TaskTarget:
    """A Task resource and the placeholder key that stands for its ARN in the definition."""

    key: str
    kind: ResourceKind
    resource: object


def classify(resource: object) -> ResourceKind | None:
    """The kind of a Task resource, or ``None`` when the constructs cannot deploy it."""
    if isinstance(resource, Activity):
        return ResourceKind.ACTIVITY
    if isinstance(resource, Lambda):
        return ResourceKind.LAMBDA
    if isinstance(resource, ServiceIntegration):
        return ResourceKind.INTEGRATION
    if isinstance(resource, SfiniStateMachine):
        return ResourceKind.STATE_MACHINE
    if isinstance(resource, str):
        match = _ARN.match(resource)
        return _ARN_KINDS[match.group("type")] if match else None
    # CDK objects (constructs or jsii interface proxies), recognised by the ARN they expose.
    if hasattr(resource, "node"):
        if hasattr(resource, "state_machine_arn"):
            return ResourceKind.STATE_MACHINE
        if hasattr(resource, "activity_arn"):
            return ResourceKind.ACTIVITY
        if hasattr(resource, "function_arn"):
            return ResourceKind.LAMBDA
    return None


def resource_name(resource: object) -> str | None:
    """The Python-side name of a sfini resource or ARN; ``None`` for CDK objects (tokens)."""
    if isinstance(resource, (Activity, Lambda, SfiniStateMachine)):
        return resource.name
    if isinstance(resource, str):
        match = _ARN.match(resource)
        return match.group("name") if match else None
    return None


def integration_arn(resource: ServiceIntegration, partition: str) -> str:
    """A service integration's ``Resource`` ARN in ``partition``."""
    suffix = "" if resource.integration is None else f".{resource.integration}"
    return f"arn:{partition}:states:::{resource.service_name}:{resource.action}{suffix}"


class PlaceholderResolver:
    """The ``resources`` callback for ``StateMachine.to_dict``: one ``${Key}`` per resource.

    Unsupported resources get a placeholder too (so rendering completes and every Task using one
    can be named in the error); ``unsupported`` lists them.
    """

    def __init__(self) -> None:
        self._by_identity: dict[int, TaskTarget] = {}
        self._by_arn: dict[str, TaskTarget] = {}
        self._keys: set[str] = set()
        self.unsupported: dict[str, object] = {}

    def __call__(self, resource: object) -> str:
        if isinstance(resource, str):
            target = self._by_arn.get(resource)
        else:
            target = self._by_identity.get(id(resource))
        if target is None:
            kind = classify(resource)
            key = self._new_key(resource, kind)
            if kind is None:
                self.unsupported[key] = resource
            # The target keeps the resource alive, so its id() is not reused by another one.
            target = TaskTarget(key, kind or ResourceKind.INTEGRATION, resource)
            if isinstance(resource, str):
                self._by_arn[resource] = target
            else:
                self._by_identity[id(resource)] = target
        return "${" + target.key + "}"

    @property
    def targets(self) -> dict[str, TaskTarget]:
        """Every supported resource seen, by placeholder key."""
        seen = [*self._by_identity.values(), *self._by_arn.values()]
        return {t.key: t for t in seen if t.key not in self.unsupported}

    def integrations(self) -> dict[str, str]:
        """Placeholder key to integration ARN (``aws`` partition), for reading patterns."""
        return {
            key: integration_arn(target.resource, "aws")  # type: ignore[arg-type]
            for key, target in self.targets.items()
            if target.kind is ResourceKind.INTEGRATION
        }

    def _new_key(self, resource: object, kind: ResourceKind | None) -> str:
        if kind is None:
            base = "Unsupported"
        elif kind is ResourceKind.INTEGRATION:
            assert isinstance(resource, ServiceIntegration)
            base = "Integration" + alphanumeric(
                f"{resource.service_name}{resource.action}{resource.integration or ''}"
            )
        else:
            name = resource_name(resource)
            if name is None:
                name = getattr(getattr(resource, "node", None), "id", "")
            base = kind.value + alphanumeric(name)[:60]
        key, n = base, 1
        while key in self._keys:
            n += 1
            key = f"{base}{n}"
        self._keys.add(key)
        return key


def state_machine_name(resource: object, name_prefix: str = "") -> str:
    """The deployed name of a nested state machine: its sfini name (after ``name_prefix``), the
    name in its ARN, or a token split from its ARN."""
    name = resource_name(resource)
    if name is not None:
        return name_prefix + name if isinstance(resource, SfiniStateMachine) else name
    arn = resource.state_machine_arn  # type: ignore[attr-defined]
    return cdk.Arn.split(arn, cdk.ArnFormat.COLON_RESOURCE_NAME).resource_name or ""


def deployed_arn(
    scope: Construct, target: TaskTarget, known_arns: dict[int, str], name_prefix: str = ""
) -> str:
    """The ARN a placeholder stands for, as a token resolved at deploy time.

    ``known_arns`` maps ``id()`` of sfini objects deployed by constructs in this stack
    (activities, state machines) to their ARN tokens; other sfini objects are referenced by name
    in the stack's account and region (deployed elsewhere; activities and state machines under
    ``name_prefix`` + their name, Lambda functions under their own name). CDK objects give their
    own ARN, ARN strings are used as they are.
    """
    resource = target.resource
    if target.kind is ResourceKind.INTEGRATION:
        return integration_arn(resource, cdk.Aws.PARTITION)  # type: ignore[arg-type]
    if isinstance(resource, str):
        return resource
    name = resource_name(resource)
    if name is None:
        attribute = {
            ResourceKind.ACTIVITY: "activity_arn",
            ResourceKind.LAMBDA: "function_arn",
            ResourceKind.STATE_MACHINE: "state_machine_arn",
        }[target.kind]
        return getattr(resource, attribute)
    if id(resource) in known_arns:
        return known_arns[id(resource)]
    if name.startswith("arn:"):
        return name
    if target.kind is not ResourceKind.LAMBDA:
        name = name_prefix + name
    service, resource_type = {
        ResourceKind.ACTIVITY: ("states", "activity"),
        ResourceKind.LAMBDA: ("lambda", "function"),
        ResourceKind.STATE_MACHINE: ("states", "stateMachine"),
    }[target.kind]
    return cdk.Stack.of(scope).format_arn(
        service=service,
        resource=resource_type,
        resource_name=name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )


def function_bindings(functions: Mapping[object, object] | None) -> dict[str, object]:
    """``{sfini Lambda or its name: CDK IFunction}`` as ``{Lambda name: IFunction}``.

    Raises:
        InvalidConstructOption: a key that is neither a sfini ``Lambda`` nor a non-empty name,
            a value that is not a CDK function (no ``function_arn``), or two functions bound to
            one name
    """
    bound: dict[str, object] = {}
    for key, function in (functions or {}).items():
        if isinstance(key, Lambda):
            name = key.name
        elif isinstance(key, str) and key:
            name = key
        else:
            raise InvalidConstructOption(
                f"functions: a key must be a sfini Lambda or its name, got {key!r}"
            )
        if not hasattr(function, "node") or not hasattr(function, "function_arn"):
            raise InvalidConstructOption(
                f"functions: Lambda {name!r} must be bound to an aws_lambda.IFunction, "
                f"got {function!r}"
            )
        if bound.setdefault(name, function) is not function:
            raise InvalidConstructOption(f"functions: two functions are bound to Lambda {name!r}")
    return bound
