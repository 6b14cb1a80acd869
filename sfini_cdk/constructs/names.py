"""AWS naming rules for activities and state machines, checked before anything reaches jsii."""

from __future__ import annotations

import re

from sfini_cdk.constructs.errors import InvalidResourceName

MAX_NAME_LENGTH = 80

# CreateActivity / CreateStateMachine reject whitespace, brackets, wildcards, these punctuation
# characters and control characters (U+0000-001F, U+007F-009F).
_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


def check_resource_name(kind: str, name: object) -> str:
    """``name`` if AWS accepts it as the name of a ``kind``; else raise InvalidResourceName."""
    if not isinstance(name, str) or not name:
        raise InvalidResourceName(f"{kind} name must be a non-empty string, got {name!r}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidResourceName(
            f"{kind} name {name!r} is {len(name)} characters long; "
            f"AWS allows at most {MAX_NAME_LENGTH}"
        )
    bad = _FORBIDDEN.search(name)
    if bad:
        raise InvalidResourceName(
            f"{kind} name {name!r} contains {bad.group()!r}, a character AWS does not allow"
        )
    return name


def alphanumeric(name: str) -> str:
    """``name`` with everything but ASCII letters and digits removed (for logical IDs and keys)."""
    return re.sub(r"[^A-Za-z0-9]", "", name)
