"""What the sfini constructs of one stack deployed, so later constructs reference it by token.

A Task whose resource is a sfini ``Activity`` (or nested sfini ``StateMachine``) deployed by a
construct in the same stack gets that construct's ARN token (CloudFormation then orders the
resources); one deployed nowhere in the stack is referenced by its name-derived ARN.
Names are unique per stack: CloudFormation could not create two resources with one name.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from constructs import Construct

from sfini_cdk.constructs.errors import ConstructError, DuplicateActivityName


@dataclass(frozen=True)
class Deployed:
    """A sfini object deployed in a stack, and its ARN token."""

    obj: object
    arn: str


_ATTRIBUTE = "_sfini_deployed"


def _entries(scope: Construct) -> dict[tuple[str, str], Deployed]:
    # Kept on the (Python) stack object itself: two apps may hold stacks with one path. The
    # scope remembers them too, so asking again costs no ``Stack.of`` round trip to Node.js.
    entries = getattr(scope, _ATTRIBUTE, None)
    if entries is not None:
        return entries
    stack = scope if isinstance(scope, cdk.Stack) else cdk.Stack.of(scope)
    entries = getattr(stack, _ATTRIBUTE, None)
    if entries is None:
        entries = {}
        setattr(stack, _ATTRIBUTE, entries)
    setattr(scope, _ATTRIBUTE, entries)
    return entries


def share(child: Construct, scope: Construct) -> None:
    """Let ``child`` (a construct just made in ``scope``) find the stack's entries directly."""
    setattr(child, _ATTRIBUTE, _entries(scope))


def register(scope: Construct, kind: str, name: str, obj: object, arn: str) -> None:
    """Record that ``obj`` (a sfini ``kind``) is deployed as ``name`` in ``scope``'s stack.

    Raises:
        DuplicateActivityName: another activity of this name is already in the stack
        ConstructError: another state machine of this name is already in the stack
    """
    entries = _entries(scope)
    existing = entries.get((kind, name))
    if existing is not None:
        problem = (
            f"two {kind}s named {name!r} in stack {cdk.Stack.of(scope).node.id!r} "
            f"({existing.obj!r} and {obj!r}); AWS names are unique in an account and region"
        )
        if kind == "activity":
            raise DuplicateActivityName(problem)
        raise ConstructError(problem)
    entries[(kind, name)] = Deployed(obj, arn)


def lookup(scope: Construct, kind: str, name: str) -> Deployed | None:
    """The ``kind`` deployed as ``name`` in ``scope``'s stack, if any."""
    return _entries(scope).get((kind, name))


def check_available(scope: Construct, kind: str, name: str, obj: object) -> None:
    """Raise as ``register`` would, without recording anything."""
    if (kind, name) in _entries(scope):
        register(scope, kind, name, obj, "")
