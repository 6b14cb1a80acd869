"""Errors raised while turning sfini definitions into CDK constructs.

They are raised in Python before anything crosses into jsii, so synthesis fails with the message,
not a Node.js stack trace. Each names the state, activity or state machine at fault.
"""

from __future__ import annotations

from sfini_cdk.errors import InvalidDefinition, UnsupportedTaskResource

__all__ = [
    "ConstructError",
    "DuplicateActivityName",
    "InvalidConstructOption",
    "InvalidResourceName",
    "UnknownActivity",
    "UnsupportedByWorkflowType",
    "UnsupportedTaskResource",
]


class ConstructError(InvalidDefinition):
    """A sfini definition that cannot be deployed as given (``state_name``: the state at fault)."""


class DuplicateActivityName(ConstructError):
    """Two different activities share one name (AWS activity names are unique per region)."""


class InvalidResourceName(ConstructError):
    """An activity or state machine name that AWS would reject (length or characters)."""


class UnknownActivity(ConstructError):
    """A Task runs an activity missing from the ``Activities`` construct it was given."""


class UnsupportedByWorkflowType(ConstructError):
    """A state uses a feature the chosen workflow type lacks (e.g. activities in EXPRESS)."""


class InvalidConstructOption(ConstructError):
    """A construct option with a value outside what AWS accepts."""
