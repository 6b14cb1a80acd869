"""Resource names (state machines, activities, executions): the engine, the definition model and
the constructs decide with one rule (``sfini_asl.spec``), and it is AWS's documented one."""

from __future__ import annotations

import pytest

from sfini_asl.spec import forbidden_name_character, resource_name_problem
from sfini_cdk.constructs.errors import InvalidResourceName
from sfini_cdk.constructs.names import check_resource_name as construct_check
from sfini_cdk.errors import InvalidName
from sfini_cdk.validation import check_resource_name as model_check
from sfini_runtime.local.errors import InvalidName as EngineInvalidName
from sfini_runtime.local.service.validation import check_name as engine_check

#: the API reference: no white space, brackets, wildcards, these specials, control characters
#: (U+0000-001F, U+007F-009F, U+FFFE-FFFF) or surrogates
FORBIDDEN = [*' \t\n<>{}[]?*"#%\\^|~`$&,;:/', "\x00", "\x1f", "\x7f", "\x9f", "\ufffe", "\ud800"]
ALLOWED = ["a", "A-b_c.9", "état", "with(parens)", "x!y@z+w=", "n" * 80, "日本"]


def _verdicts(name: str) -> dict[str, bool]:
    verdicts = {"spec": resource_name_problem(name) is None}
    for side, check, error in (
        ("engine", engine_check, EngineInvalidName),
        ("model", lambda n: model_check("state machine", n), InvalidName),
        ("constructs", lambda n: construct_check("activity", n), InvalidResourceName),
    ):
        try:
            check(name)
        except error:
            verdicts[side] = False
        else:
            verdicts[side] = True
    return verdicts


@pytest.mark.parametrize("character", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_every_side_refuses_a_forbidden_character(character: str) -> None:
    name = f"bad{character}name"
    assert forbidden_name_character(name) == character
    assert _verdicts(name) == dict.fromkeys(("spec", "engine", "model", "constructs"), False)


@pytest.mark.parametrize("name", [*ALLOWED, "", "n" * 81])
def test_every_side_gives_one_verdict(name: str) -> None:
    expected = name in ALLOWED
    assert _verdicts(name) == dict.fromkeys(("spec", "engine", "model", "constructs"), expected)
