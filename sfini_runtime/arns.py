"""Amazon Resource Names for Step Functions resources: build them, parse them, partition-aware.

Formats (as AWS writes them)::

    arn:aws:states:REGION:ACCOUNT:activity:NAME
    arn:aws:states:REGION:ACCOUNT:stateMachine:NAME
    arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE_NAME:EXECUTION_NAME
    arn:aws:states:REGION:ACCOUNT:express:STATE_MACHINE_NAME:EXECUTION_NAME:UUID

``parse_arn`` splits any ARN (what a stack's outputs or a user hand the runtime);
``parse_states_arn`` checks a Step Functions ARN as the service does (the local engine answers
with it); ``ArnFactory`` builds the ARNs of one region and account.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sfini_runtime.local.errors import InvalidArn as InvalidArnError

__all__ = [
    "ACTIVITY",
    "EXECUTION",
    "EXPRESS",
    "STATE_MACHINE",
    "Arn",
    "ArnFactory",
    "InvalidArn",
    "StateMachineRef",
    "activity_arn",
    "execution_arn",
    "is_role_arn",
    "parse_arn",
    "parse_state_machine_ref",
    "parse_states_arn",
    "partition_for_region",
    "role_arn",
    "state_machine_arn",
]

ACTIVITY = "activity"
STATE_MACHINE = "stateMachine"
EXECUTION = "execution"
EXPRESS = "express"

# Region prefix -> partition, longest prefix first (used when botocore's partition data
# does not know a region, e.g. a made-up local one).
_PARTITION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
)
# how many names follow each Step Functions resource type
_RESOURCE_PARTS = {ACTIVITY: 1, STATE_MACHINE: 1, EXECUTION: 2, EXPRESS: 3}
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_REGION_RE = re.compile(r"^[a-z0-9-]+$")


class InvalidArn(ValueError):
    """A string is not an ARN of the expected shape."""


@dataclasses.dataclass(frozen=True)
class Arn:
    """The parts of an ARN: ``arn:partition:service:region:account:resource``."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """The resource type (``activity``, ``stateMachine``, ``execution``, ``role``, ...)."""
        return self.resource.replace("/", ":").split(":", 1)[0]

    @property
    def name(self) -> str:
        """The resource's name: for an execution, the execution name; else the resource name."""
        rest = self.resource.replace("/", ":").split(":")
        if self.resource_type in (EXECUTION, EXPRESS) and len(rest) >= 3:
            return rest[2]
        return rest[1] if len(rest) > 1 else rest[0]

    def __str__(self) -> str:
        return ":".join(
            ("arn", self.partition, self.service, self.region, self.account, self.resource)
        )


def parse_arn(arn: str) -> Arn:
    """Split an ARN into its parts; raise ``InvalidArn`` if it is not one."""
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2] or not parts[5]:
        raise InvalidArn(f"not an ARN: {arn!r}")
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def _api_invalid_arn(reason: str) -> InvalidArnError:
    """The engine's ``InvalidArn`` API error, with AWS's message."""
    # imported here: only the engine checks ARNs this way, and importing this module stays cheap
    from sfini_runtime.local.errors import InvalidArn as InvalidArnError

    return InvalidArnError(f"Invalid Arn: '{reason}'")


def parse_states_arn(arn: str, *allowed: str) -> Arn:
    """Check a Step Functions ARN whose resource type is one of ``allowed`` (``ACTIVITY``,
    ``STATE_MACHINE``, ``EXECUTION``, ``EXPRESS``) as the service does, and split it.

    Raises the engine's ``sfini_runtime.local.errors.InvalidArn`` (an API error, code
    ``InvalidArn``) with AWS's message when the ARN is malformed or names another kind of
    resource.
    """
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise _api_invalid_arn(f"Invalid ARN prefix: {arn}")
    _, partition, service, region, account_id, resource_type = parts[:6]
    if not partition.startswith("aws") or service != "states":
        raise _api_invalid_arn(f"Invalid ARN prefix: {arn}")
    if not _REGION_RE.match(region):
        raise _api_invalid_arn(f"Invalid region: {region}")
    if not _ACCOUNT_RE.match(account_id):
        raise _api_invalid_arn(f"Invalid account id: {account_id}")
    if resource_type not in allowed:
        raise _api_invalid_arn(f"Resource type not valid in this context: {resource_type}")
    names = parts[6:]
    if len(names) != _RESOURCE_PARTS[resource_type] or not all(names):
        raise _api_invalid_arn(f"Invalid Arn resource id: {':'.join(parts[5:])}")
    return Arn(partition, service, region, account_id, ":".join(parts[5:]))


@dataclasses.dataclass(frozen=True)
class StateMachineRef:
    """A state machine ARN, perhaps qualified by a version number or an alias name."""

    #: the unqualified ARN (``...:stateMachine:NAME``)
    machine_arn: str
    #: the version number (``...:stateMachine:NAME:3``), or None
    version: int | None = None
    #: the alias name (``...:stateMachine:NAME:PROD``), or None
    alias: str | None = None

    @property
    def arn(self) -> str:
        """The ARN as given (qualified when it names a version or an alias)."""
        if self.version is not None:
            return f"{self.machine_arn}:{self.version}"
        if self.alias is not None:
            return f"{self.machine_arn}:{self.alias}"
        return self.machine_arn


def parse_state_machine_ref(
    arn: str, *, machine: bool = True, version: bool = False, alias: bool = False
) -> StateMachineRef:
    """Check a state machine ARN as the service does, allowing an unqualified ARN when
    ``machine``, a version ARN (``...:stateMachine:NAME:3``) when ``version`` and an alias ARN
    (``...:stateMachine:NAME:ALIAS``) when ``alias``; raise the engine's ``InvalidArn``."""
    parts = arn.split(":")
    if len(parts) == 8 and parts[5] == STATE_MACHINE and (version or alias):
        machine_arn = ":".join(parts[:7])
        parse_states_arn(machine_arn, STATE_MACHINE)
        qualifier = parts[7]
        if version and qualifier.isdigit() and qualifier.isascii() and int(qualifier) > 0:
            return StateMachineRef(machine_arn, version=int(qualifier))
        if alias and qualifier and not qualifier.isdigit():
            return StateMachineRef(machine_arn, alias=qualifier)
        raise _api_invalid_arn(f"Invalid Arn resource id: {':'.join(parts[5:])}")
    if not machine and len(parts) == 7:
        kinds = " or ".join(k for k, on in (("version", version), ("alias", alias)) if on)
        raise _api_invalid_arn(f"Not a state machine {kinds} ARN: {arn}")
    parse_states_arn(arn, STATE_MACHINE)
    return StateMachineRef(arn)


def is_role_arn(arn: str) -> bool:
    """Whether ``arn`` is shaped like an ARN at all (AWS checks role ARNs no further here)."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and bool(parts[2]) and bool(parts[5])


def partition_for_region(region: str | None) -> str:
    """The AWS partition a region belongs to (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
    if not region:
        return "aws"
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def _states_arn(kind: str, name: str, region: str, account: str, partition: str | None) -> str:
    partition = partition or partition_for_region(region)
    return f"arn:{partition}:states:{region}:{account}:{kind}:{name}"


def activity_arn(name: str, region: str, account: str, partition: str | None = None) -> str:
    """The ARN of the activity ``name``."""
    return _states_arn(ACTIVITY, name, region, account, partition)


def state_machine_arn(name: str, region: str, account: str, partition: str | None = None) -> str:
    """The ARN of the state machine ``name``."""
    return _states_arn(STATE_MACHINE, name, region, account, partition)


def execution_arn(state_machine: str, execution: str) -> str:
    """The ARN of execution ``execution`` of the state machine with ARN ``state_machine``."""
    parsed = parse_arn(state_machine)
    machine_name = parsed.resource.split(":", 2)[1]
    return (
        f"arn:{parsed.partition}:states:{parsed.region}:{parsed.account}:"
        f"{EXECUTION}:{machine_name}:{execution}"
    )


def role_arn(name: str, account: str, partition: str = "aws") -> str:
    """The ARN of the IAM role ``name`` (IAM ARNs have no region)."""
    return f"arn:{partition}:iam::{account}:role/{name}"


@dataclasses.dataclass(frozen=True)
class ArnFactory:
    """Builds the Step Functions ARNs of one region and account."""

    region: str
    account_id: str
    partition: str = "aws"

    def activity(self, name: str) -> str:
        """The ARN of the activity ``name``."""
        return activity_arn(name, self.region, self.account_id, self.partition)

    def state_machine(self, name: str) -> str:
        """The ARN of the state machine ``name``."""
        return state_machine_arn(name, self.region, self.account_id, self.partition)

    def execution(self, state_machine_name: str, name: str) -> str:
        """The ARN of the standard execution ``name`` of ``state_machine_name``."""
        return _states_arn(
            EXECUTION, f"{state_machine_name}:{name}", self.region, self.account_id, self.partition
        )

    def express_execution(self, state_machine_name: str, name: str) -> str:
        """A new ARN for the express execution ``name`` of ``state_machine_name`` (AWS adds a
        unique suffix, so two runs of one name differ)."""
        import uuid  # here: only the engine starts express executions

        resource = f"{state_machine_name}:{name}:{uuid.uuid4()}"
        return _states_arn(EXPRESS, resource, self.region, self.account_id, self.partition)
