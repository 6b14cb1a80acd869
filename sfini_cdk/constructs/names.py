"""AWS naming rules for activities and state machines, checked before anything reaches jsii."""

from __future__ import annotations

import re

from sfini_asl.spec import RESOURCE_NAME_MAX, forbidden_name_character
from sfini_cdk.constructs.errors import InvalidResourceName

MAX_NAME_LENGTH = RESOURCE_NAME_MAX


def check_resource_name(kind: str, name: object) -> str:
    """``name`` if AWS accepts it as the name of a ``kind``; else raise InvalidResourceName."""
    if not isinstance(name, str) or not name:
        raise InvalidResourceName(f"{kind} name must be a non-empty string, got {name!r}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidResourceName(
            f"{kind} name {name!r} is {len(name)} characters long; "
            f"AWS allows at most {MAX_NAME_LENGTH}"
        )
    bad = forbidden_name_character(name)
    if bad is not None:
        raise InvalidResourceName(
            f"{kind} name {name!r} contains {bad!r}, a character AWS does not allow"
        )
    return name


def alphanumeric(name: str) -> str:
    """``name`` with everything but ASCII letters and digits removed (for logical IDs and keys)."""
    return re.sub(r"[^A-Za-z0-9]", "", name)
