"""``WorkflowStack``: a registration's activities and its state machines in one stack, with outputs.

Outputs follow the naming scheme in ``sfini_cdk.constructs.outputs``: ``SfiniActivity<Key>`` and
``SfiniStateMachine<Key>`` hold ARNs, the resource name being the ARN's last ``:`` field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from constructs import Construct

from sfini_cdk.activity import Activity, ActivityRegistration
from sfini_cdk.constructs.activities import Activities
from sfini_cdk.constructs.errors import ConstructError, InvalidConstructOption
from sfini_cdk.constructs.outputs import (
    activity_output_key,
    alias_output_key,
    name_key,
    state_machine_output_key,
    version_output_key,
)
from sfini_cdk.constructs.state_machine import LogOptions, StateMachine
from sfini_cdk.constructs.substitutions import function_bindings
from sfini_cdk.constructs.versions import Alias, Versions
from sfini_cdk.state_machine import StateMachine as SfiniStateMachine
from sfini_cdk.state_machine import nested_first
from sfini_cdk.task_resource import Lambda

if TYPE_CHECKING:
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_lambda as lambda_

#: ``{sfini Lambda or its name: aws_lambda.IFunction}``
FunctionBindings = Mapping["Lambda | str", "lambda_.IFunction"]

_DEFAULT_LOGS = LogOptions(level="ALL", include_execution_data=False)


def _check_functions_used(
    bound: Mapping[str, object], machines: Sequence[SfiniStateMachine]
) -> None:
    """Every bound sfini Lambda is run by a Task of ``machines`` (else: a misspelt name)."""
    used = {
        resource.name
        for sm in machines
        for resource in sm.task_resources()
        if isinstance(resource, Lambda)
    }
    unused = sorted(set(bound) - used)
    if unused:
        raise InvalidConstructOption(
            f"functions: no Task of these state machines runs Lambda {', '.join(map(repr, unused))}"
        )


class WorkflowStack(cdk.Stack):
    """A stack holding a registration's activities and its state machines, with outputs.

    Defaults suit production and cdk-nag's AwsSolutions pack: executions logged to CloudWatch
    Logs (level ``ALL``, without execution data) and traced with X-Ray. Pass ``logs=None`` and
    ``tracing=False`` to turn them off. Works without an account or region (environment-agnostic).

    Args:
        scope: parent construct (usually the ``App``)
        id: construct id of the stack
        registration: the activities to deploy (``ActivityRegistration`` or iterable of
            ``Activity``); may be ``None`` when the state machines run no sfini activity
        state_machines: the sfini state machines to deploy (nested ones are deployed first)
        encryption_key: customer-managed KMS key for the activities' task input
        type: workflow type of every state machine, ``"STANDARD"`` or ``"EXPRESS"``
        logs: CloudWatch Logs options for every state machine
        tracing: X-Ray tracing for every state machine
        role: one IAM role for every state machine (used as it is), default: one role each
        tags: tags for every resource in the stack
        name_prefix: put before the AWS name of every activity and state machine (and log
            group) the stack deploys, so several copies of one workflow (or workflows reusing
            names) can live in one account and region; definitions are unchanged, and the
            outputs keep the sfini names in their descriptions (``sfini worker --stack`` finds
            them by sfini name)
        functions: ``{sfini Lambda or its name: aws_lambda.IFunction}``: the Tasks running
            those sfini Lambdas call these functions (see ``StateMachine``); every one must be
            run by a Task of these state machines. Or a callable given this stack and
            returning that mapping, to define the functions in this stack (before its state
            machines): ``functions=lambda stack: {pricing: aws_lambda.Function(stack, ...)}``
        versions: publish a version of every state machine with each deployment that changes
            it (see ``StateMachine``); output ``SfiniVersion<Key>``
        alias: give every state machine this alias (``Alias`` or a name; implies versions);
            output ``SfiniAlias<Key>``, found by discovery as ``<name>:<alias>``
        **stack_props: ``aws_cdk.Stack`` keyword arguments (``env``, ``description``, ...)

    Attributes:
        activities: the ``Activities`` construct
        state_machines: the ``StateMachine`` constructs, by sfini name
        functions: the bound functions (``IFunction``), by sfini Lambda name

    Raises:
        InvalidDefinition: as ``Activities`` and ``StateMachine`` do, or when two state
            machines share a name
        InvalidConstructOption: a ``functions`` binding that no Task uses, or one
            ``StateMachine`` rejects
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        registration: ActivityRegistration | Iterable[Activity] | None,
        state_machines: Iterable[SfiniStateMachine],
        encryption_key: kms.IKey | None = None,
        type: str = "STANDARD",
        logs: LogOptions | None = _DEFAULT_LOGS,
        tracing: bool = True,
        role: iam.IRole | None = None,
        tags: Mapping[str, str] | None = None,
        name_prefix: str = "",
        functions: FunctionBindings | Callable[[WorkflowStack], FunctionBindings] | None = None,
        versions: Versions | bool | None = None,
        alias: Alias | str | None = None,
        **stack_props: Any,
    ) -> None:
        machines = list(state_machines)
        names: dict[str, SfiniStateMachine] = {}
        for sm in machines:
            if names.setdefault(sm.name, sm) is not sm:
                raise ConstructError(f"two state machines are named {sm.name!r}")
        if not callable(functions):  # checked before the stack joins the app, when it can be
            _check_functions_used(function_bindings(functions), machines)
        super().__init__(scope, id, **stack_props)
        if callable(functions):
            functions = functions(self)
            _check_functions_used(function_bindings(functions), machines)
        self.functions = function_bindings(functions)
        self.activities = Activities(
            self,
            "Activities",
            registration or [],
            encryption_key=encryption_key,
            name_prefix=name_prefix,
        )
        self.state_machines: dict[str, StateMachine] = {}
        # a machine another one starts is created first; one not given here is not created
        for sm in (m for m in nested_first(machines) if any(m is g for g in machines)):
            self.state_machines[sm.name] = StateMachine(
                self,
                f"StateMachine{name_key(sm.name)}",
                sm,
                activities=self.activities,
                type=type,
                role=role,
                logs=logs,
                tracing=tracing,
                name_prefix=name_prefix,
                functions=functions,
                versions=versions,
                alias=alias,
            )
        for key, value in (tags or {}).items():
            cdk.Tags.of(self).add(key, value)
        self._add_outputs()

    def _add_outputs(self) -> None:
        outputs = [
            (activity_output_key(name), self.activities.arn_of(name), f"sfini activity {name}")
            for name in self.activities.names
        ]
        for name, machine in self.state_machines.items():
            outputs.append(
                (
                    state_machine_output_key(name),
                    machine.state_machine_arn,
                    f"sfini state machine {name}",
                )
            )
            if machine.version_arn is not None:
                outputs.append(
                    (version_output_key(name), machine.version_arn, f"sfini version {name}")
                )
            if machine.alias_arn is not None:
                alias = f"sfini alias {name}:{machine.alias_name}"
                outputs.append((alias_output_key(name), machine.alias_arn, alias))
        for key, value, description in outputs:
            cdk.CfnOutput(self, key, value=value, description=description)
