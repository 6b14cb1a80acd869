"""Step Functions ARNs: building them for one region/account and parsing what clients send.

Formats (as AWS writes them)::

    arn:aws:states:REGION:ACCOUNT:activity:NAME
    arn:aws:states:REGION:ACCOUNT:stateMachine:NAME
    arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE_NAME:EXECUTION_NAME
    arn:aws:states:REGION:ACCOUNT:express:STATE_MACHINE_NAME:EXECUTION_NAME:UUID
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sfini_runtime.local.errors import InvalidArn

ACTIVITY = "activity"
STATE_MACHINE = "stateMachine"
EXECUTION = "execution"
EXPRESS = "express"

_RESOURCE_PARTS = {ACTIVITY: 1, STATE_MACHINE: 1, EXECUTION: 2, EXPRESS: 3}
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_REGION_RE = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True)
class ParsedArn:
    """The parts of a Step Functions resource ARN."""

    arn: str
    partition: str
    region: str
    account_id: str
    resource_type: str
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        """The resource's own name (an execution's name, not its state machine's)."""
        return self.names[1] if self.resource_type in (EXECUTION, EXPRESS) else self.names[0]


def _invalid(reason: str) -> InvalidArn:
    return InvalidArn(f"Invalid Arn: '{reason}'")


def parse_arn(arn: str, *allowed: str) -> ParsedArn:
    """Parse a Step Functions ARN whose resource type is one of ``allowed``.

    Raises ``InvalidArn`` with AWS's message when the ARN is malformed or names another kind
    of resource.
    """
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise _invalid(f"Invalid ARN prefix: {arn}")
    _, partition, service, region, account_id, resource_type = parts[:6]
    if not partition.startswith("aws") or service != "states":
        raise _invalid(f"Invalid ARN prefix: {arn}")
    if not _REGION_RE.match(region):
        raise _invalid(f"Invalid region: {region}")
    if not _ACCOUNT_RE.match(account_id):
        raise _invalid(f"Invalid account id: {account_id}")
    if resource_type not in allowed:
        raise _invalid(f"Resource type not valid in this context: {resource_type}")
    names = tuple(parts[6:])
    if len(names) != _RESOURCE_PARTS[resource_type] or not all(names):
        raise _invalid(f"Invalid Arn resource id: {':'.join(parts[5:])}")
    return ParsedArn(arn, partition, region, account_id, resource_type, names)


def is_role_arn(arn: str) -> bool:
    """Whether ``arn`` is shaped like an ARN at all (AWS checks role ARNs no further here)."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and bool(parts[2]) and bool(parts[5])


@dataclass(frozen=True)
class ArnFactory:
    """Builds the ARNs of one region and account."""

    region: str
    account_id: str
    partition: str = "aws"

    def _prefix(self) -> str:
        return f"arn:{self.partition}:states:{self.region}:{self.account_id}"

    def activity(self, name: str) -> str:
        return f"{self._prefix()}:{ACTIVITY}:{name}"

    def state_machine(self, name: str) -> str:
        return f"{self._prefix()}:{STATE_MACHINE}:{name}"

    def execution(self, state_machine_name: str, name: str) -> str:
        return f"{self._prefix()}:{EXECUTION}:{state_machine_name}:{name}"

    def express_execution(self, state_machine_name: str, name: str) -> str:
        return f"{self._prefix()}:{EXPRESS}:{state_machine_name}:{name}:{uuid.uuid4()}"
