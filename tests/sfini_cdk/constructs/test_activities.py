"""The Activities construct: one activity per registered activity, KMS, worker grants."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

import sfini_cdk as sfini
from sfini_cdk.constructs import Activities, DuplicateActivityName, InvalidResourceName
from tests.sfini_cdk.constructs.conftest import (
    only,
    registration,
    resources_of,
    role_statements,
    template_of,
)

WORKER_ACTIONS = [
    "states:GetActivityTask",
    "states:SendTaskSuccess",
    "states:SendTaskFailure",
    "states:SendTaskHeartbeat",
]


def test_one_activity_per_registered_activity_named_as_registered(stack: cdk.Stack) -> None:
    acts = Activities(stack, "Acts", registration("app1-", "resize", "getCentres"))

    activities = resources_of(stack, "AWS::StepFunctions::Activity")
    assert sorted(r["Properties"]["Name"] for r in activities.values()) == [
        "app1-getCentres",
        "app1-resize",
    ]
    assert all("EncryptionConfiguration" not in r["Properties"] for r in activities.values())
    assert acts.names == ["app1-resize", "app1-getCentres"]
    assert stack.resolve(acts.arn_of("app1-resize")) == {
        "Ref": next(k for k, r in activities.items() if r["Properties"]["Name"] == "app1-resize")
    }


def test_accepts_an_iterable_of_activities(stack: cdk.Stack) -> None:
    Activities(stack, "Acts", [sfini.Activity("one"), sfini.Activity("two")])
    names = {
        r["Properties"]["Name"]
        for r in resources_of(stack, "AWS::StepFunctions::Activity").values()
    }
    assert names == {"one", "two"}


def test_grant_worker_grants_exactly_the_worker_actions_on_the_activity_arns(
    stack: cdk.Stack,
) -> None:
    acts = Activities(stack, "Acts", registration("p", "a", "b"))
    worker = iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))

    acts.grant_worker(worker)

    logical = {
        r["Properties"]["Name"]: k
        for k, r in resources_of(stack, "AWS::StepFunctions::Activity").items()
    }
    assert role_statements(stack) == [
        {
            "Action": WORKER_ACTIONS,
            "Effect": "Allow",
            "Resource": [{"Ref": logical["pa"]}, {"Ref": logical["pb"]}],
        }
    ]


def test_grant_worker_for_some_activities_only(stack: cdk.Stack) -> None:
    acts = Activities(stack, "Acts", registration("p", "a", "b"))
    worker = iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))

    acts.grant_worker(worker, "pb")

    (statement,) = role_statements(stack)
    assert statement["Resource"] == stack.resolve(acts.arn_of("pb"))


def test_customer_managed_key_encrypts_activities_and_worker_may_decrypt(
    stack: cdk.Stack,
) -> None:
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    acts = Activities(
        stack,
        "Acts",
        registration("p", "a"),
        encryption_key=key,
        data_key_reuse=cdk.Duration.seconds(120),
    )
    worker = iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"))
    acts.grant_worker(worker)

    activity = only(resources_of(stack, "AWS::StepFunctions::Activity"))
    assert activity["Properties"]["EncryptionConfiguration"] == {
        "KmsKeyId": stack.resolve(key.key_arn),
        "KmsDataKeyReusePeriodSeconds": 120,
        "Type": "CUSTOMER_MANAGED_KMS_KEY",
    }
    statements = role_statements(stack)
    assert statements[1] == {
        "Action": "kms:Decrypt",
        "Condition": {
            "StringEquals": {
                "kms:EncryptionContext:aws:states:activityArn": [stack.resolve(acts.arn_of("pa"))]
            }
        },
        "Effect": "Allow",
        "Resource": stack.resolve(key.key_arn),
    }
    # Step Functions itself may use the key for these activities only (key policy).
    key_policy = only(resources_of(stack, "AWS::KMS::Key"))["Properties"]["KeyPolicy"]
    service = [
        s
        for s in key_policy["Statement"]
        if s.get("Principal") == {"Service": "states.amazonaws.com"}
    ]
    assert service and service[0]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_removal_policy_applies_to_every_activity(stack: cdk.Stack) -> None:
    Activities(stack, "Acts", registration("p", "a", "b"), removal_policy=cdk.RemovalPolicy.RETAIN)
    for resource in resources_of(stack, "AWS::StepFunctions::Activity").values():
        assert resource["DeletionPolicy"] == "Retain"


def test_two_activities_with_one_name_are_rejected_naming_it(stack: cdk.Stack) -> None:
    with pytest.raises(DuplicateActivityName, match="'same'"):
        Activities(stack, "Acts", [sfini.Activity("same"), sfini.Activity("same")])


def test_same_name_in_two_constructs_of_one_stack_is_rejected(stack: cdk.Stack) -> None:
    Activities(stack, "One", registration("p", "a"))
    with pytest.raises(DuplicateActivityName, match="'pa'"):
        Activities(stack, "Two", registration("p", "a"))


def test_same_name_in_two_stacks_is_allowed() -> None:
    app = cdk.App()
    stacks = [cdk.Stack(app, stack_id) for stack_id in ("One", "Two")]
    for stack in stacks:
        Activities(stack, "Acts", registration("p", "a"))
    for stack in stacks:
        assert len(resources_of(stack, "AWS::StepFunctions::Activity")) == 1


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a" * 81, "81 characters"),
        ("has space", "' '"),
        ("colon:name", "':'"),
        ("", "non-empty"),
    ],
)
def test_names_aws_rejects_fail_before_synthesis(stack: cdk.Stack, name: str, problem: str) -> None:
    with pytest.raises(InvalidResourceName, match=problem):
        Activities(stack, "Acts", [sfini.Activity(name)])
    assert "Resources" not in template_of(stack)
