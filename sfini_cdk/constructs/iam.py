"""IAM policy statements for a state machine's role, collected from what its states use.

Rules (least privilege; no wildcard where a narrower ARN exists):

* Lambda functions (direct ``Resource`` or ``lambda:invoke``): ``lambda:InvokeFunction`` on
  exactly those functions and ``<function ARN>:*`` (their versions and aliases).
* Nested state machines: ``states:StartExecution`` on exactly those state machines; for ``.sync``
  also ``states:DescribeExecution``/``states:StopExecution`` on their executions
  (``execution:<name>:*``, execution names are chosen at run time) and ``events:PutTargets``,
  ``events:PutRule``, ``events:DescribeRule`` on the one EventBridge rule Step Functions manages
  for this (``rule/StepFunctionsGetEventsForStepFunctionsExecutionRule``).
* Activities: nothing (workers poll; the state machine needs no permission), except
  ``kms:Decrypt``/``kms:GenerateDataKey`` on an activity's customer-managed key, limited by the
  ``aws:states:activityArn`` encryption context, so the state machine can encrypt task input.
* CloudWatch Logs delivery and X-Ray: only when enabled, and on ``*``: AWS requires it, since
  ``logs:CreateLogDelivery`` and friends and the X-Ray APIs support no resource-level permissions.
* Other service integrations (``ServiceIntegration("sqs", "sendMessage")``, DynamoDB, SNS, ...):
  nothing, since what they need depends on the resources named in their ``Parameters``; add it
  with ``StateMachine.add_to_role_policy``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

if TYPE_CHECKING:
    from aws_cdk import aws_kms as kms

LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)
XRAY_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
SYNC_EVENTS_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"
ACTIVITY_ENCRYPTION_CONTEXT = "kms:EncryptionContext:aws:states:activityArn"


@dataclass(frozen=True)
class NestedStateMachine:
    """A state machine a Task starts, and whether it waits for it (``.sync``)."""

    arn: str
    name: str
    sync: bool


@dataclass(frozen=True)
class EncryptedActivity:
    """An activity a Task runs whose input is encrypted with a customer-managed key."""

    arn: str
    key: kms.IKey


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def lambda_statement(function_arns: Sequence[str]) -> iam.PolicyStatement | None:
    """Invoke exactly these functions, and their versions and aliases."""
    arns = _unique(function_arns)
    if not arns:
        return None
    resources = [r for arn in arns for r in (arn, f"{arn}:*")]
    return iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=resources)


def nested_state_machine_statements(
    scope: Construct, nested: Sequence[NestedStateMachine]
) -> list[iam.PolicyStatement]:
    """Start exactly these state machines; for ``.sync`` also track and stop their executions."""
    if not nested:
        return []
    from sfini_cdk.constructs.versions import qualified_start_statement, split_qualified_arn

    stack = cdk.Stack.of(scope)
    plain: list[str] = []
    qualified: dict[str, list[str]] = {}  # unqualified ARN -> aliases/versions started
    for machine in nested:
        arn, qualifier = split_qualified_arn(machine.arn)
        if qualifier is None:
            plain.append(arn)
        else:
            qualified.setdefault(arn, []).append(qualifier)
    statements = []
    if plain:
        statements.append(
            iam.PolicyStatement(actions=["states:StartExecution"], resources=_unique(plain))
        )
    # a version or alias is authorised on the unqualified ARN, by its qualifier (aws-cdk #30265)
    statements += [qualified_start_statement(arn, q) for arn, q in qualified.items()]
    sync = [n for n in nested if n.sync]
    if sync:
        executions = _unique(
            stack.format_arn(
                service="states",
                resource="execution",
                resource_name=f"{n.name}:*",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
            )
            for n in sync
        )
        statements.append(
            iam.PolicyStatement(
                actions=["states:DescribeExecution", "states:StopExecution"],
                resources=executions,
            )
        )
        rule = stack.format_arn(
            service="events",
            resource="rule",
            resource_name=SYNC_EVENTS_RULE,
            arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
        )
        statements.append(
            iam.PolicyStatement(
                actions=["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                resources=[rule],
            )
        )
    return statements


def activity_key_statements(activities: Sequence[EncryptedActivity]) -> list[iam.PolicyStatement]:
    """Use each customer-managed key only for the activities it encrypts."""
    by_key: dict[int, tuple[kms.IKey, list[str]]] = {}
    for activity in activities:
        by_key.setdefault(id(activity.key), (activity.key, []))[1].append(activity.arn)
    return [
        iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[key.key_arn],
            conditions={"StringEquals": {ACTIVITY_ENCRYPTION_CONTEXT: _unique(arns)}},
        )
        for key, arns in by_key.values()
    ]


def logging_statement() -> iam.PolicyStatement:
    """CloudWatch Logs delivery for execution logs (AWS supports only ``*`` for these actions)."""
    return iam.PolicyStatement(actions=list(LOG_DELIVERY_ACTIONS), resources=["*"])


def tracing_statement() -> iam.PolicyStatement:
    """X-Ray trace segments and sampling (AWS supports only ``*`` for these actions)."""
    return iam.PolicyStatement(actions=list(XRAY_ACTIONS), resources=["*"])


def worker_grant(
    grantee: iam.IGrantable, activity_arns: Sequence[str], key: kms.IKey | None
) -> iam.Grant:
    """What an activity worker needs: poll these activities and report on their tasks.

    With a customer-managed key the worker also gets ``kms:Decrypt`` on it (limited to these
    activities by encryption context): Step Functions decrypts the task input it returns from
    ``GetActivityTask`` with the caller's permissions.
    """
    arns = _unique(activity_arns)
    grant = iam.Grant.add_to_principal(
        grantee=grantee,
        actions=[
            "states:GetActivityTask",
            "states:SendTaskSuccess",
            "states:SendTaskFailure",
            "states:SendTaskHeartbeat",
        ],
        resource_arns=arns,
    )
    if key is not None:
        grant = grant.combine(
            iam.Grant.add_to_principal(
                grantee=grantee,
                actions=["kms:Decrypt"],
                resource_arns=[key.key_arn],
                conditions={"StringEquals": {ACTIVITY_ENCRYPTION_CONTEXT: arns}},
            )
        )
    return grant


_WILDCARD_REASONS = {
    "logs:": "CloudWatch Logs delivery and X-Ray actions support no resource-level permissions: "
    "AWS requires Resource '*'",
    "xray:": "CloudWatch Logs delivery and X-Ray actions support no resource-level permissions: "
    "AWS requires Resource '*'",
    "lambda:": "'<function ARN>:*' stands for the versions and aliases of exactly the functions "
    "the states invoke",
    "states:": "nested .sync executions are named at run time: AWS requires "
    "'execution:<state machine name>:*'",
}


def forced_wildcards(statements: Sequence[iam.PolicyStatement]) -> list[tuple[str, str]]:
    """The wildcard resources among ``statements`` that AWS forces, each with the reason."""
    found = []
    for statement in statements:
        prefix = statement.actions[0].split(":")[0] + ":" if statement.actions else ""
        reason = _WILDCARD_REASONS.get(prefix)
        if reason is None:
            continue
        found += [(r, reason) for r in statement.resources if r == "*" or r.endswith(":*")]
    return found


def nag_resource(scope: Construct, resource: str) -> str:
    """A resource as cdk-nag writes it in finding ids (``<AWS::Region>``, ``<Logical.Arn>``)."""
    return _render(cdk.Stack.of(scope).resolve(resource))


def _render(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Fn::Join":
            separator, parts = argument
            return separator.join(_render(p) for p in parts)
        if function == "Ref":
            return f"<{argument}>"
        if function == "Fn::GetAtt":
            return f"<{'.'.join(argument)}>"
    return str(value)
