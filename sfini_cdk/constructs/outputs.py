"""How ``WorkflowStack`` names its CloudFormation outputs, so the runtime finds what was deployed.

Naming scheme (stable; the runtime reads stack outputs by it):

* ``SfiniActivity<Key>``: the ARN of one activity;
* ``SfiniStateMachine<Key>``: the ARN of one state machine;
* ``SfiniVersion<Key>`` / ``SfiniAlias<Key>``: the ARN of a state machine's newest version /
  its alias (``<machine ARN>:<number>`` / ``<machine ARN>:<alias>``), described
  ``sfini version <name>`` / ``sfini alias <name>:<alias>``;

where ``<Key>`` is the resource's name with every character but ASCII letters and digits removed,
followed by the first 8 hex digits of the SHA-256 of the name when that removal changed the name
(so ``my-act`` and ``myact`` cannot collide). The output's value is the ARN, whose last
``:``-separated field is the resource's AWS name. The output's description is
``sfini activity <name>`` / ``sfini state machine <name>`` with the sfini name, which differs
from the AWS name when the stack deploys under a ``name_prefix``.

Pure Python: importable without aws_cdk, e.g. by the runtime.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

ACTIVITY_OUTPUT_PREFIX = "SfiniActivity"
STATE_MACHINE_OUTPUT_PREFIX = "SfiniStateMachine"
VERSION_OUTPUT_PREFIX = "SfiniVersion"
ALIAS_OUTPUT_PREFIX = "SfiniAlias"


def name_key(name: str) -> str:
    """``name`` as ASCII letters and digits, with a short hash of it if anything was removed."""
    cleaned = re.sub(r"[^A-Za-z0-9]", "", name)
    if cleaned == name:
        return name
    return cleaned + hashlib.sha256(name.encode()).hexdigest()[:8]


def activity_output_key(name: str) -> str:
    """The output key holding the ARN of the activity named ``name``."""
    return ACTIVITY_OUTPUT_PREFIX + name_key(name)


def state_machine_output_key(name: str) -> str:
    """The output key holding the ARN of the state machine named ``name``."""
    return STATE_MACHINE_OUTPUT_PREFIX + name_key(name)


def version_output_key(name: str) -> str:
    """The output key holding the ARN of the newest version of the state machine ``name``."""
    return VERSION_OUTPUT_PREFIX + name_key(name)


def alias_output_key(name: str) -> str:
    """The output key holding the ARN of the alias of the state machine ``name``."""
    return ALIAS_OUTPUT_PREFIX + name_key(name)


_DESCRIPTIONS = {
    ACTIVITY_OUTPUT_PREFIX: "sfini activity ",
    STATE_MACHINE_OUTPUT_PREFIX: "sfini state machine ",
}


def deployed_arns(
    outputs: Iterable[Mapping[str, str]] | Mapping[str, str],
) -> tuple[dict[str, str], dict[str, str]]:
    """Activity and state machine ARNs by name, from a stack's outputs.

    Args:
        outputs: ``DescribeStacks``' ``Outputs`` list (``OutputKey``/``OutputValue`` and
            ``Description`` items), named by the sfini names in the descriptions; or a mapping
            of output key to value, named by the AWS names in the ARNs

    Returns:
        (activity ARNs by name, state machine ARNs by name)
    """
    if isinstance(outputs, Mapping):
        triples = [(key, value, "") for key, value in outputs.items()]
    else:
        triples = [(o["OutputKey"], o["OutputValue"], o.get("Description") or "") for o in outputs]
    activities: dict[str, str] = {}
    state_machines: dict[str, str] = {}
    for key, arn, description in triples:
        for prefix, table in (
            (STATE_MACHINE_OUTPUT_PREFIX, state_machines),
            (ACTIVITY_OUTPUT_PREFIX, activities),
        ):
            if key.startswith(prefix):
                described = description.removeprefix(_DESCRIPTIONS[prefix])
                name = described if described != description else arn.rsplit(":", 1)[-1]
                table[name] = arn
                break
    return activities, state_machines
