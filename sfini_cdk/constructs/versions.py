"""Versions and aliases of a deployed state machine: ``AWS::StepFunctions::StateMachineVersion``
and ``AWS::StepFunctions::StateMachineAlias``, and the IAM statements that start them.

A version is published whenever a deployment changes the state machine (the version resource
follows the machine's ``StateMachineRevisionId``, so a new revision replaces it, and the old
version is retained for the executions and aliases still using it). An alias points at the
newest version, all at once or by a CloudFormation-managed gradual deployment (``CANARY`` or
``LINEAR``, rolled back when one of its CloudWatch alarms goes off).

Starting an execution through a version or alias is authorised by Step Functions against the
*unqualified* state machine ARN, with the qualifier (alias name or version number) in the
``states:StateMachineQualifier`` condition key; a statement naming the qualified ARN as its
resource does not work (aws-cdk #30265). ``qualified_start_statement`` writes it that way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from sfini_cdk.constructs.errors import InvalidConstructOption

if TYPE_CHECKING:
    from aws_cdk import aws_cloudwatch as cloudwatch

__all__ = [
    "DEPLOYMENT_TYPES",
    "QUALIFIER_CONDITION_KEY",
    "Alias",
    "Deployment",
    "Versions",
    "qualified_start_statement",
    "split_qualified_arn",
]

DEPLOYMENT_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")
#: the IAM condition key holding the alias name or version number an API call uses
QUALIFIER_CONDITION_KEY = "states:StateMachineQualifier"
#: CreateStateMachineAlias' name pattern: letters, digits, ``_-.``, not digits only
_ALIAS_NAME = re.compile(r"(?=.*[a-zA-Z_\-.])[a-zA-Z0-9_\-.]{1,80}")
_MAX_DESCRIPTION = 256
_MAX_ALARMS = 100
_PERCENTAGE = (1, 99)
_INTERVAL_MINUTES = (1, 2100)


@dataclass(frozen=True)
class Versions:
    """Publish a version of the state machine with each deployment that changes it.

    Args:
        description: the versions' description (at most 256 characters)
        retain: keep a version when a later deployment publishes a new one, or when the
            stack is deleted (executions and aliases may still use it); ``False`` deletes it
    """

    description: str | None = None
    retain: bool = True

    def __post_init__(self) -> None:
        _check_description("version", self.description)


@dataclass(frozen=True)
class Deployment:
    """How an alias moves to a new version: a CloudFormation gradual deployment.

    Args:
        type: ``"ALL_AT_ONCE"`` (every execution at once, then watched), ``"CANARY"``
            (``percentage`` first, the rest after ``interval`` minutes) or ``"LINEAR"``
            (``percentage`` more every ``interval`` minutes)
        percentage: the share of executions moved per step, 1-99 (CANARY and LINEAR)
        interval: minutes between steps, 1-2100 (CANARY and LINEAR)
        alarms: CloudWatch alarms (or their names) that roll the deployment back when one goes
            into ALARM (at most 100)
    """

    type: str = "ALL_AT_ONCE"
    percentage: int | None = None
    interval: int | None = None
    alarms: Sequence[cloudwatch.IAlarm | str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.type not in DEPLOYMENT_TYPES:
            raise InvalidConstructOption(
                f"deployment type must be one of {', '.join(DEPLOYMENT_TYPES)}, got {self.type!r}"
            )
        gradual = self.type != "ALL_AT_ONCE"
        for label, value, (low, high), unit in (
            ("percentage", self.percentage, _PERCENTAGE, ""),
            ("interval", self.interval, _INTERVAL_MINUTES, " minutes"),
        ):
            if value is None:
                if gradual:
                    raise InvalidConstructOption(f"a {self.type} deployment needs a {label}")
                continue
            if not gradual:
                raise InvalidConstructOption(
                    f"an ALL_AT_ONCE deployment takes no {label} (it moves every execution at once)"
                )
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidConstructOption(
                    f"deployment {label} must be a whole number from {low} to {high}{unit}, "
                    f"got {value!r}"
                )
        if len(self.alarms) > _MAX_ALARMS:
            raise InvalidConstructOption(
                f"a deployment watches at most {_MAX_ALARMS} alarms, got {len(self.alarms)}"
            )

    def alarm_names(self) -> list[str]:
        """The alarms' names (CloudFormation takes names, not ARNs)."""
        return [a if isinstance(a, str) else a.alarm_name for a in self.alarms]


@dataclass(frozen=True)
class Alias:
    """A named pointer to the state machine's newest version (``<machine ARN>:<name>``).

    Args:
        name: the alias name: letters, digits, ``_``, ``-`` and ``.``, not only digits, at most
            80 characters
        description: the alias' description (at most 256 characters)
        deployment: how the alias moves to a new version; default: at once, unwatched
    """

    name: str
    description: str | None = None
    deployment: Deployment | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _ALIAS_NAME.fullmatch(self.name):
            raise InvalidConstructOption(
                f"invalid alias name {self.name!r}: use 1-80 letters, digits, '_', '-' or '.', "
                "not only digits (a number stands for a version)"
            )
        _check_description("alias", self.description)


def _check_description(kind: str, description: str | None) -> None:
    if description is not None and (
        not isinstance(description, str) or len(description) > _MAX_DESCRIPTION
    ):
        raise InvalidConstructOption(
            f"a {kind} description must be a string of at most {_MAX_DESCRIPTION} characters"
        )


def normalise(
    versions: Versions | bool | None, alias: Alias | str | None
) -> tuple[Versions | None, Alias | None]:
    """The options as objects: an alias needs versions (it routes to one), so it implies them."""
    if isinstance(alias, str):
        alias = Alias(alias)
    if alias is not None and not isinstance(alias, Alias):
        raise InvalidConstructOption(f"alias must be an Alias or a name, got {alias!r}")
    if versions is True or (versions is None and alias is not None):
        versions = Versions()
    if versions is False:
        if alias is not None:
            raise InvalidConstructOption(
                "an alias routes to versions: it cannot be used with versions=False"
            )
        versions = None
    if versions is not None and not isinstance(versions, Versions):
        raise InvalidConstructOption(f"versions must be Versions or a bool, got {versions!r}")
    return versions, alias


def add_version(
    scope: Construct, machine: sfn.CfnStateMachine, options: Versions
) -> sfn.CfnStateMachineVersion:
    """The version resource: replaced (a new version published) with each new revision."""
    version = sfn.CfnStateMachineVersion(
        scope,
        "Version",
        state_machine_arn=machine.ref,
        state_machine_revision_id=machine.attr_state_machine_revision_id,
        description=options.description,
    )
    policy = cdk.RemovalPolicy.RETAIN if options.retain else cdk.RemovalPolicy.DESTROY
    version.apply_removal_policy(policy)
    return version


def add_alias(scope: Construct, version_arn: str, options: Alias) -> sfn.CfnStateMachineAlias:
    """The alias resource, moving to ``version_arn`` as ``options.deployment`` says."""
    deployment = options.deployment
    preference = None
    routing = None
    if deployment is None:
        routing = [
            sfn.CfnStateMachineAlias.RoutingConfigurationVersionProperty(
                state_machine_version_arn=version_arn, weight=100
            )
        ]
    else:
        preference = sfn.CfnStateMachineAlias.DeploymentPreferenceProperty(
            state_machine_version_arn=version_arn,
            type=deployment.type,
            percentage=deployment.percentage,
            interval=deployment.interval,
            alarms=deployment.alarm_names() or None,
        )
    return sfn.CfnStateMachineAlias(
        scope,
        "Alias",
        name=options.name,
        description=options.description,
        routing_configuration=routing,
        deployment_preference=preference,
    )


def qualified_start_statement(
    state_machine_arn: str, qualifiers: Sequence[str], actions: Sequence[str] = ()
) -> iam.PolicyStatement:
    """Allow ``states:StartExecution`` (and ``actions``) through exactly these qualifiers (alias
    names or version numbers) of the unqualified ``state_machine_arn``, and nothing else."""
    unique = list(dict.fromkeys(qualifiers))
    return iam.PolicyStatement(
        actions=["states:StartExecution", *actions],
        resources=[state_machine_arn],
        conditions={
            "StringEquals": {QUALIFIER_CONDITION_KEY: unique[0] if len(unique) == 1 else unique}
        },
    )


def split_qualified_arn(arn: str) -> tuple[str, str | None]:
    """``(unqualified ARN, qualifier)`` of a literal state machine ARN (qualifier ``None`` when
    unqualified or not a literal); CDK tokens come back unchanged."""
    if cdk.Token.is_unresolved(arn):
        return arn, None
    parts = arn.split(":")
    if len(parts) == 8 and parts[5] == "stateMachine":
        return ":".join(parts[:7]), parts[7]
    return arn, None
