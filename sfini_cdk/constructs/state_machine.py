"""The ``StateMachine`` construct: a sfini state machine as ``AWS::StepFunctions::StateMachine``.

The definition is rendered by the sfini model (one source of truth for the ASL) into a plain
JSON ``DefinitionString``; every ARN known only at deploy time is a ``${Key}`` placeholder filled
by ``DefinitionSubstitutions``, so cfn-lint validates the definition (it skips definitions built
with ``Fn::Join``). Everything is checked in Python before jsii is involved: a bad definition fails
with the model's ``InvalidDefinition`` message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from sfini_cdk.constructs import iam as policies
from sfini_cdk.constructs import registry
from sfini_cdk.constructs import versions as versioning
from sfini_cdk.constructs.activities import Activities
from sfini_cdk.constructs.asl import TaskUse, task_uses
from sfini_cdk.constructs.distributed import distributed_map_statements, distributed_maps
from sfini_cdk.constructs.errors import (
    ConstructError,
    DuplicateActivityName,
    InvalidConstructOption,
    UnknownActivity,
    UnsupportedByWorkflowType,
    UnsupportedTaskResource,
)
from sfini_cdk.constructs.names import check_resource_name
from sfini_cdk.constructs.substitutions import (
    PlaceholderResolver,
    ResourceKind,
    TaskTarget,
    deployed_arn,
    function_bindings,
    resource_name,
    state_machine_name,
)
from sfini_cdk.state_machine import StateMachine as SfiniStateMachine
from sfini_cdk.task_resource import Lambda

if TYPE_CHECKING:
    # Imported where used: aws_logs and aws_cloudwatch cost ~30 ms to import, and most
    # state machines create no log group (their jsii types load on first use).
    from aws_cdk import aws_cloudwatch as cloudwatch
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_logs as logs

WORKFLOW_TYPES = ("STANDARD", "EXPRESS")
LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")


@dataclass(frozen=True)
class LogOptions:
    """CloudWatch Logs for executions.

    Args:
        level: ``"ALL"``, ``"ERROR"``, ``"FATAL"`` or ``"OFF"``
        include_execution_data: log state input and output too (may hold sensitive data)
        destination: log group, default: a new one named
            ``/aws/vendedlogs/states/<state machine name>`` (the prefix AWS recommends, which
            keeps the account's log resource policy small)
        retention: retention of the log group created when no destination is given,
            default: one year (``RetentionDays.ONE_YEAR``)
    """

    level: str = "ALL"
    include_execution_data: bool = False
    destination: logs.ILogGroup | None = None
    retention: logs.RetentionDays | None = None


def _states_using(uses: Sequence[TaskUse], key: str) -> str:
    names = list(dict.fromkeys(u.state for u in uses if u.key == key))
    return ", ".join(map(repr, names)) or "(no Task state)"


def render_definition(
    state_machine: SfiniStateMachine, workflow_type: str = "STANDARD"
) -> tuple[dict[str, Any], PlaceholderResolver, list[TaskUse]]:
    """Render and check a sfini state machine for deployment, in pure Python.

    Returns:
        the definition with ``${Key}`` placeholders, the resolver holding what each key stands
        for, and every Task's use of a placeholder

    Raises:
        InvalidDefinition: the model rejects the definition (its own message)
        InvalidResourceName: the state machine's name is not a valid AWS name
        UnsupportedTaskResource: a Task's resource is of an unsupported type (names the states)
        UnsupportedByWorkflowType: EXPRESS with activities, ``.sync`` or callback tasks
    """
    if workflow_type not in WORKFLOW_TYPES:
        raise InvalidConstructOption(
            f"state machine type must be one of {', '.join(WORKFLOW_TYPES)}, got {workflow_type!r}"
        )
    check_resource_name("state machine", state_machine.name)
    resolver = PlaceholderResolver()
    definition = state_machine.to_dict(resources=resolver)
    uses = task_uses(definition, resolver.integrations())
    for key, resource in resolver.unsupported.items():
        states = _states_using(uses, key)
        raise UnsupportedTaskResource(
            f"state machine {state_machine.name!r}, Task {states}: resource of type "
            f"{type(resource).__module__}.{type(resource).__qualname__} is not supported; use a "
            "sfini Activity, Lambda or StateMachine, or a CDK IActivity, IFunction or "
            "IStateMachine",
            state_name=next((u.state for u in uses if u.key == key), None),
        )
    targets = resolver.targets
    for use in uses:
        target = targets.get(use.key)
        is_machine = target is not None and target.kind is ResourceKind.STATE_MACHINE
        if is_machine and use.pattern == "direct":
            raise UnsupportedTaskResource(
                f"state machine {state_machine.name!r}: a state machine cannot be a Task's "
                "Resource; run it with sfini_cdk.task_resource.StateMachineResource(...)",
                state_name=use.state,
            )
    if workflow_type == "EXPRESS":
        for name, _ in distributed_maps(definition):
            raise UnsupportedByWorkflowType(
                f"state machine {state_machine.name!r}: Map {name!r} runs in Distributed mode; "
                "EXPRESS workflows support only inline Maps",
                state_name=name,
            )
        for use in uses:
            target = targets.get(use.key)
            if target is not None and target.kind is ResourceKind.ACTIVITY:
                problem = "runs an activity; EXPRESS workflows do not support activities"
            elif use.pattern in ("sync", "callback"):
                problem = (
                    f"uses the {use.pattern} integration pattern; EXPRESS workflows support "
                    "only request-response"
                )
            else:
                continue
            raise UnsupportedByWorkflowType(
                f"state machine {state_machine.name!r}: {problem}", state_name=use.state
            )
    return definition, resolver, uses


def _sfini_name(target: TaskTarget) -> str | None:
    """The name of a sfini activity, Lambda or state machine; ``None`` for ARNs and CDK objects."""
    return None if isinstance(target.resource, str) else resource_name(target.resource)


def _normalise_activities(
    activities: Activities | Sequence[Activities] | None,
) -> list[Activities] | None:
    if activities is None:
        return None
    if isinstance(activities, Activities):
        return [activities]
    return list(activities)


class StateMachine(Construct):
    """A sfini ``StateMachine`` deployed as an ``AWS::StepFunctions::StateMachine``.

    The physical name is the sfini name (after ``name_prefix``); the sfini ``timeout`` is the
    definition's ``TimeoutSeconds``. The role (unless given) gets exactly the statements the
    states need for Lambda functions and nested state machines (see
    ``sfini_cdk.constructs.iam``); other service integrations get none: add theirs with
    ``add_to_role_policy``. ``state_machine`` is the CDK ``IStateMachine`` of the deployed
    machine, and the common ``grant_*``/``metric_*`` methods are forwarded to it, so CDK's grants
    and metrics work as usual.

    Args:
        scope: parent construct
        id: construct id
        state_machine: the sfini state machine
        activities: ``Activities`` construct(s) that deploy the activities its Tasks run; when
            given, every sfini activity must be in one of them. Default: activities deployed by
            an ``Activities`` construct in the same stack, else referenced by name (deployed
            elsewhere in the same account and region)
        type: ``"STANDARD"`` or ``"EXPRESS"``
        role: IAM role for executions, used as it is (no policy added), default: a new role with
            exactly the statements the states need
        logs: CloudWatch Logs for executions, default: none
        tracing: X-Ray tracing of executions
        removal_policy: default ``DESTROY`` (a state machine holds no data)
        tags: tags for the state machine and the resources this construct creates
        name_prefix: put before the machine's name to give its AWS name (the definition is
            unchanged); sfini activities and state machines its Tasks use are looked up (in
            the stack, else by name) under the same prefix, as ``Activities`` and
            ``WorkflowStack`` deploy them with it
        functions: ``{sfini Lambda or its name: aws_lambda.IFunction}``: a Task running that
            sfini ``Lambda`` calls the CDK function instead of a function named after it (its
            ``Resource`` is the function's ARN, and the role may invoke exactly that function,
            its versions and aliases), so the function needs no fixed name. Lambdas not bound
            here are referenced by name; bindings no Task uses are ignored
        versions: publish a version with each deployment that changes the machine
            (``True`` or ``Versions(description=..., retain=...)``); ``version_arn`` is the
            newest one's ARN
        alias: an alias (``Alias(name, deployment=Deployment(...))`` or a name) pointing at the
            newest version, moved all at once or gradually; implies ``versions``.
            ``alias_arn`` is its ARN; ``grant_start_alias_execution`` lets a caller start
            executions through it (and only through it)

    Raises:
        InvalidDefinition: the definition is rejected by the model, or by these constructs
            (unsupported task resource, activity not in ``activities``, duplicate names, EXPRESS
            with activities or ``.sync``/callback tasks, state machine name AWS rejects)
        InvalidConstructOption: an option AWS or the constructs do not accept (a ``functions``
            key that is not a sfini Lambda or a name, a value that is not an ``IFunction``)
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        state_machine: SfiniStateMachine,
        *,
        activities: Activities | Sequence[Activities] | None = None,
        type: str = "STANDARD",
        role: iam.IRole | None = None,
        logs: LogOptions | None = None,
        tracing: bool = False,
        removal_policy: cdk.RemovalPolicy | None = None,
        tags: Mapping[str, str] | None = None,
        name_prefix: str = "",
        functions: Mapping[Lambda | str, lambda_.IFunction] | None = None,
        versions: versioning.Versions | bool | None = None,
        alias: versioning.Alias | str | None = None,
    ) -> None:
        version_options, alias_options = versioning.normalise(versions, alias)
        if logs is not None and logs.level not in LOG_LEVELS:
            raise InvalidConstructOption(
                f"log level must be one of {', '.join(LOG_LEVELS)}, got {logs.level!r}"
            )
        definition, resolver, uses = render_definition(state_machine, type)
        physical = check_resource_name("state machine", name_prefix + state_machine.name)
        targets = resolver.targets
        activity_constructs = _normalise_activities(activities)
        self.name_prefix = name_prefix
        self.functions = function_bindings(functions)
        self._check_activities(state_machine, targets, uses, activity_constructs)
        registry.check_available(scope, "state machine", physical, state_machine)

        super().__init__(scope, id)
        registry.share(self, scope)
        self.definition = state_machine
        self.workflow_type = type
        self.definition_json = json.dumps(definition, separators=(",", ":"))

        arns = {key: self._arn_for(target, activity_constructs) for key, target in targets.items()}
        self.definition_substitutions = arns

        self.role: iam.IRole
        statements: list[iam.PolicyStatement] = []
        if role is None:
            self.role = iam.Role(
                self, "Role", assumed_by=iam.ServicePrincipal("states.amazonaws.com")
            )
            statements = self._statements(targets, uses, arns, activity_constructs, logs, tracing)
            children, child_wildcards = distributed_map_statements(self, definition, physical)
            statements += children
            for statement in statements:
                self.role.add_to_principal_policy(statement)
            wildcards = policies.forced_wildcards(statements) + child_wildcards
            if wildcards:
                self._acknowledge_forced_wildcards(wildcards)
        else:
            self.role = role

        self.log_group = self._log_group(physical, logs, removal_policy)
        self.resource = sfn.CfnStateMachine(
            self,
            "Resource",
            state_machine_name=physical,
            state_machine_type=type,
            role_arn=self.role.role_arn,
            definition_string=self.definition_json,
            definition_substitutions=arns or None,
            logging_configuration=self._logging_configuration(logs),
            tracing_configuration=(
                sfn.CfnStateMachine.TracingConfigurationProperty(enabled=True) if tracing else None
            ),
        )
        self.resource.apply_removal_policy(removal_policy or cdk.RemovalPolicy.DESTROY)
        if statements:
            # RoleArn (GetAtt) already orders the role; the policy must exist before executions.
            # (The role gets its DefaultPolicy with its first statement, and only then.)
            policy = self.role.node.try_find_child("DefaultPolicy")
            if policy is not None:
                self.resource.node.add_dependency(policy)
        for key, value in (tags or {}).items():
            cdk.Tags.of(self).add(key, value)

        self.state_machine_arn: str = self.resource.ref
        self.state_machine_name: str = self.resource.attr_name
        self._interface: sfn.IStateMachine | None = None
        self.version: sfn.CfnStateMachineVersion | None = None
        self.version_arn: str | None = None
        self.alias: sfn.CfnStateMachineAlias | None = None
        self.alias_name: str | None = None
        self.alias_arn: str | None = None
        if version_options is not None:
            self.version = versioning.add_version(self, self.resource, version_options)
            self.version_arn = self.version.ref
        if alias_options is not None and self.version_arn is not None:
            self.alias = versioning.add_alias(self, self.version_arn, alias_options)
            self.alias_name = alias_options.name
            self.alias_arn = self.alias.ref
        registry.register(self, "state machine", physical, state_machine, self.state_machine_arn)

    @property
    def state_machine(self) -> sfn.IStateMachine:
        """The deployed machine as a CDK ``IStateMachine`` (made on first use: one jsii call
        fewer for every machine nobody grants on)."""
        if self._interface is None:
            self._interface = sfn.StateMachine.from_state_machine_arn(
                self, "Interface", self.state_machine_arn
            )
        return self._interface

    # --- checks and ARNs ---------------------------------------------------------------------

    def _check_activities(
        self,
        state_machine: SfiniStateMachine,
        targets: Mapping[str, TaskTarget],
        uses: Sequence[TaskUse],
        activity_constructs: list[Activities] | None,
    ) -> None:
        for key, target in targets.items():
            name = _sfini_name(target)
            if target.kind is not ResourceKind.ACTIVITY or name is None:
                continue
            check_resource_name("activity", name)
            if activity_constructs is None:
                check_resource_name("activity", self.name_prefix + name)
                continue
            owner = next((c for c in activity_constructs if name in c), None)
            states = _states_using(uses, key)
            if owner is None:
                raise UnknownActivity(
                    f"state machine {state_machine.name!r}, Task {states}: activity {name!r} "
                    "is not in the Activities construct(s) given",
                    state_name=next(u.state for u in uses if u.key == key),
                )
            deployed = owner.sfini_activity(name)
            if deployed is not target.resource:
                raise DuplicateActivityName(
                    f"state machine {state_machine.name!r}, Task {states}: runs activity "
                    f"{target.resource!r}, but a different activity {deployed!r} is deployed "
                    f"under the name {name!r}"
                )

    def _arn_for(self, target: TaskTarget, activity_constructs: list[Activities] | None) -> str:
        name = _sfini_name(target)
        known: dict[int, str] = {}
        if isinstance(target.resource, Lambda) and name in self.functions:
            return self.functions[name].function_arn  # type: ignore[attr-defined]
        if name is not None:
            if target.kind is ResourceKind.ACTIVITY and activity_constructs is not None:
                owner = next(c for c in activity_constructs if name in c)
                known[id(target.resource)] = owner.arn_of(name)
            else:
                kind = "activity" if target.kind is ResourceKind.ACTIVITY else "state machine"
                deployed = registry.lookup(self, kind, self.name_prefix + name)
                if target.kind is not ResourceKind.LAMBDA and deployed is not None:
                    if deployed.obj is not target.resource:
                        error = (
                            DuplicateActivityName
                            if target.kind is ResourceKind.ACTIVITY
                            else ConstructError
                        )
                        raise error(
                            f"a different {kind} named {name!r} ({deployed.obj!r}) is deployed "
                            f"in this stack than the one a Task uses ({target.resource!r})"
                        )
                    known[id(target.resource)] = deployed.arn
        return deployed_arn(self, target, known, self.name_prefix)

    # --- IAM -----------------------------------------------------------------------------------

    def _statements(
        self,
        targets: Mapping[str, TaskTarget],
        uses: Sequence[TaskUse],
        arns: Mapping[str, str],
        activity_constructs: list[Activities] | None,
        log_options: LogOptions | None,
        tracing: bool,
    ) -> list[iam.PolicyStatement]:
        used_keys = list(dict.fromkeys(u.key for u in uses if u.key in targets))
        lambdas = [arns[k] for k in used_keys if targets[k].kind is ResourceKind.LAMBDA]
        nested: list[policies.NestedStateMachine] = []
        for key in used_keys:
            target = targets[key]
            if target.kind is not ResourceKind.STATE_MACHINE:
                continue
            sync = any(u.pattern == "sync" for u in uses if u.key == key)
            nested.append(
                policies.NestedStateMachine(
                    arns[key], state_machine_name(target.resource, self.name_prefix), sync
                )
            )
        encrypted = self._encrypted_activities(targets, used_keys, arns, activity_constructs)

        statements: list[iam.PolicyStatement] = []
        invoke = policies.lambda_statement(lambdas)
        if invoke is not None:
            statements.append(invoke)
        statements += policies.nested_state_machine_statements(self, nested)
        statements += policies.activity_key_statements(encrypted)
        if log_options is not None and log_options.level != "OFF":
            statements.append(policies.logging_statement())
        if tracing:
            statements.append(policies.tracing_statement())
        return statements

    def _encrypted_activities(
        self,
        targets: Mapping[str, TaskTarget],
        used_keys: Sequence[str],
        arns: Mapping[str, str],
        activity_constructs: list[Activities] | None,
    ) -> list[policies.EncryptedActivity]:
        encrypted = []
        for key in used_keys:
            target = targets[key]
            name = _sfini_name(target)
            if target.kind is not ResourceKind.ACTIVITY or name is None:
                continue
            owners = activity_constructs or []
            owner = next((c for c in owners if name in c), None)
            if owner is not None and owner.encryption_key is not None:
                encrypted.append(policies.EncryptedActivity(arns[key], owner.encryption_key))
        return encrypted

    def _acknowledge_forced_wildcards(self, wildcards: Sequence[tuple[str, str]]) -> None:
        """Acknowledge (``Validations``, as cdk-nag reads them) the wildcards AWS forces."""
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is None:
            return
        acknowledgments = [
            cdk.Acknowledgment(
                id=f"AwsSolutions::AwsSolutions-IAM5[Resource::{policies.nag_resource(self, r)}]",
                reason=reason,
            )
            for r, reason in dict(wildcards).items()
        ]
        if acknowledgments:
            cdk.Validations.of(policy).acknowledge(*acknowledgments)

    # --- logging -------------------------------------------------------------------------------

    def _log_group(
        self,
        name: str,
        log_options: LogOptions | None,
        removal_policy: cdk.RemovalPolicy | None,
    ) -> logs.ILogGroup | None:
        if log_options is None:
            return None
        if log_options.destination is not None:
            return log_options.destination
        from aws_cdk import aws_logs as logs

        return logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{name}",
            retention=log_options.retention or logs.RetentionDays.ONE_YEAR,
            removal_policy=removal_policy or cdk.RemovalPolicy.RETAIN,
        )

    def _logging_configuration(
        self, log_options: LogOptions | None
    ) -> sfn.CfnStateMachine.LoggingConfigurationProperty | None:
        if log_options is None or self.log_group is None:
            return None
        return sfn.CfnStateMachine.LoggingConfigurationProperty(
            level=log_options.level,
            include_execution_data=log_options.include_execution_data,
            destinations=[
                sfn.CfnStateMachine.LogDestinationProperty(
                    cloud_watch_logs_log_group=sfn.CfnStateMachine.CloudWatchLogsLogGroupProperty(
                        log_group_arn=self.log_group.log_group_arn
                    )
                )
            ],
        )

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the created role (for service integrations other than Lambda
        and nested state machines, whose needs the constructs do not derive).

        Raises:
            InvalidConstructOption: the role was passed in (it is used as it is)
        """
        if not isinstance(self.role, iam.Role):
            raise InvalidConstructOption(
                "this state machine uses a role that was passed in; change that role instead"
            )
        self.role.add_to_principal_policy(statement)
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            # The machine must not be created (and run) before the statement is in force.
            self.resource.node.add_dependency(policy)

    # --- IStateMachine forwarding --------------------------------------------------------------

    def grant(self, identity: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant ``actions`` on this state machine (see ``IStateMachine.grant``)."""
        return self.state_machine.grant(identity, *actions)

    def grant_start_execution(self, identity: iam.IGrantable) -> iam.Grant:
        """Let ``identity`` start executions."""
        return self.state_machine.grant_start_execution(identity)

    def grant_start_alias_execution(self, identity: iam.IGrantable) -> iam.Grant:
        """Let ``identity`` start executions through the alias, and no other way (Step
        Functions authorises the unqualified ARN with the alias in
        ``states:StateMachineQualifier``; the alias ARN as a resource would not work).

        Raises:
            InvalidConstructOption: the state machine has no alias
        """
        if self.alias_name is None:
            raise InvalidConstructOption(
                f"state machine {self.definition.name!r} has no alias: pass alias=... first"
            )
        return self._grant_qualified(identity, [self.alias_name])

    def grant_start_version_execution(self, identity: iam.IGrantable) -> iam.Grant:
        """Let ``identity`` start executions of the newest version, and no other way.

        Raises:
            InvalidConstructOption: the state machine publishes no versions
        """
        if self.version_arn is None:
            raise InvalidConstructOption(
                f"state machine {self.definition.name!r} publishes no versions: pass "
                "versions=True first"
            )
        number = cdk.Fn.select(7, cdk.Fn.split(":", self.version_arn))
        return self._grant_qualified(identity, [number])

    def _grant_qualified(self, identity: iam.IGrantable, qualifiers: list[str]) -> iam.Grant:
        statement = versioning.qualified_start_statement(self.state_machine_arn, qualifiers)
        return iam.Grant.add_to_principal(
            grantee=identity,
            actions=statement.actions,
            resource_arns=statement.resources,
            conditions=statement.conditions,
        )

    def grant_start_sync_execution(self, identity: iam.IGrantable) -> iam.Grant:
        """Let ``identity`` start synchronous (EXPRESS) executions."""
        return self.state_machine.grant_start_sync_execution(identity)

    def grant_read(self, identity: iam.IGrantable) -> iam.Grant:
        """Let ``identity`` list and describe executions and the state machine."""
        return self.state_machine.grant_read(identity)

    def grant_task_response(self, identity: iam.IGrantable) -> iam.Grant:
        """Let ``identity`` send task success, failure and heartbeats."""
        return self.state_machine.grant_task_response(identity)

    def grant_execution(self, identity: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant ``actions`` on this state machine's executions."""
        return self.state_machine.grant_execution(identity, *actions)

    def metric(self, metric_name: str, **options: Any) -> cloudwatch.Metric:
        """A CloudWatch metric of this state machine (see ``IStateMachine.metric``)."""
        return self.state_machine.metric(metric_name, **options)

    def __getattr__(self, name: str) -> Any:
        # The other metric_* methods (metric_failed, metric_time, ...) of IStateMachine.
        if name.startswith(("metric_", "grant_")):
            return getattr(self.state_machine, name)
        raise AttributeError(name)
