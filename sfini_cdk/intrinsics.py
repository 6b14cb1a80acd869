"""Intrinsic function calls (``States.Format('{}', $.name)``): the model reads them with
``sfini_asl.intrinsics``, the one parser the local engine uses too (re-exported here)."""

from __future__ import annotations

from sfini_asl.intrinsics import (
    FUNCTIONS,
    MAX_NESTING,
    Call,
    IntrinsicSyntaxError,
    Literal,
    PathArgument,
    StringLiteral,
    is_intrinsic,
    parse_intrinsic,
    paths_of,
)

#: every intrinsic function: {name: (fewest arguments, most arguments or None for no limit)}
INTRINSIC_FUNCTIONS = FUNCTIONS

__all__ = [
    "INTRINSIC_FUNCTIONS",
    "MAX_NESTING",
    "Call",
    "IntrinsicSyntaxError",
    "Literal",
    "PathArgument",
    "StringLiteral",
    "is_intrinsic",
    "parse_intrinsic",
    "paths_of",
]
