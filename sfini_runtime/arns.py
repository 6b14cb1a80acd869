"""Amazon Resource Names for Step Functions resources: build them, parse them, partition-aware."""

from __future__ import annotations

import dataclasses

__all__ = [
    "Arn",
    "InvalidArn",
    "activity_arn",
    "execution_arn",
    "parse_arn",
    "partition_for_region",
    "role_arn",
    "state_machine_arn",
]

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
        if self.resource_type in ("execution", "express") and len(rest) >= 3:
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
    return _states_arn("activity", name, region, account, partition)


def state_machine_arn(name: str, region: str, account: str, partition: str | None = None) -> str:
    """The ARN of the state machine ``name``."""
    return _states_arn("stateMachine", name, region, account, partition)


def execution_arn(state_machine: str, execution: str) -> str:
    """The ARN of execution ``execution`` of the state machine with ARN ``state_machine``."""
    parsed = parse_arn(state_machine)
    machine_name = parsed.resource.split(":", 2)[1]
    return (
        f"arn:{parsed.partition}:states:{parsed.region}:{parsed.account}:"
        f"execution:{machine_name}:{execution}"
    )


def role_arn(name: str, account: str, partition: str = "aws") -> str:
    """The ARN of the IAM role ``name`` (IAM ARNs have no region)."""
    return f"arn:{partition}:iam::{account}:role/{name}"
