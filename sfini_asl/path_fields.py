"""What a JSONPath field of a state may hold (InputPath, ResultPath, SecondsPath, ...; ErrorPath
and CausePath may call a string intrinsic function instead), and the message naming the field
and the value when it holds something else. The checker's path rules and the definition
model's ``check_path`` are these functions.

Paths may read the context object (``$$.``) and workflow variables (``$name.``): a variable
path has the syntax of a data path from ``$``.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from sfini_asl.intrinsics import IntrinsicSyntaxError, parse_intrinsic, paths_of
from sfini_asl.jsonpath import PathSyntaxError, compile_path
from sfini_asl.spec import STRING_INTRINSICS

__all__ = [
    "data_path",
    "intrinsic_fault",
    "intrinsic_problem",
    "path_error",
    "path_problem",
    "string_intrinsic_problem",
]

_VARIABLE = re.compile(r"\$([^\W\d]\w*)")


def data_path(text: str) -> str:
    """``text`` with a leading workflow variable (``$name``) read as ``$``."""
    if text.startswith("$$"):
        return text
    variable = _VARIABLE.match(text)
    return "$" + text[variable.end() :] if variable else text


@functools.lru_cache(maxsize=4096)
def _parsed(path: str) -> tuple[str | None, bool, bool]:
    """(syntax error or None, whether it selects one node, whether it reads the context)."""
    try:
        compiled = compile_path(data_path(path))
    except PathSyntaxError as error:
        return str(error), False, False
    return None, compiled.definite and compiled.function is None, compiled.context


def path_error(path: str) -> str | None:
    """The syntax error of ``path`` (a data, context or variable path), or None."""
    return _parsed(path)[0]


def path_problem(value: Any, label: str, *, reference: bool, data_only: bool = False) -> str | None:
    """Why ``value`` cannot be the JSONPath of field ``label``, or None.

    Args:
        value: the path
        label: the field, as messages name it (``ResultPath``, ``Catch[0].ResultPath``)
        reference: whether it must be a reference path (one definite node)
        data_only: whether it must point into the state's data (ResultPath), not the context
            object or a variable
    """
    if not isinstance(value, str):
        return f"{label} must be a JSONPath str, got {type(value).__name__} {value!r}"
    if not value.startswith("$"):
        return f"{label} {value!r} is not a JSONPath: it must start with '$'"
    error, singular, context = _parsed(value)
    if error is not None:
        return f"{label} {value!r} is not a valid JSONPath: {error}"
    if reference and not singular:
        return (
            f"{label} {value!r} must be a reference path identifying one node (no wildcards, "
            "filters, slices, unions or '..')"
        )
    if data_only and context:
        return f"{label} {value!r} must be a reference path into the state's data, not '$$'"
    if data_only and value != data_path(value):
        return f"{label} {value!r} must be a reference path into the state's data, not a variable"
    return None


def intrinsic_fault(text: str) -> tuple[str, str] | None:
    """What is wrong with the intrinsic function call ``text``: ``(reason, "")`` when Step
    Functions cannot parse it, ``(error, path)`` when ``path``, one of its arguments, is no
    valid JSONPath; None when it is a valid call."""
    try:
        call = parse_intrinsic(text)
    except IntrinsicSyntaxError as error:
        return error.reason, ""
    for path in paths_of(call):
        error = path_error(path)
        if error is not None:
            return error, path
    return None


def intrinsic_problem(value: str, label: str) -> str | None:
    """Why ``value`` is not a valid intrinsic function call for field ``label``, or None."""
    fault = intrinsic_fault(value)
    if fault is None:
        return None
    error, path = fault
    if path:
        return f"{label} argument {path!r} is not a valid JSONPath: {error}"
    return f"{label} {value!r} is not a valid intrinsic function call: {error}"


def string_intrinsic_problem(value: str, label: str) -> str | None:
    """ErrorPath and CausePath may call an intrinsic function that returns a string."""
    function = value.split("(", 1)[0]
    if function not in STRING_INTRINSICS:
        return (
            f"{label} {value!r} is neither a reference path nor one of the intrinsic functions "
            f"{label} accepts ({', '.join(sorted(STRING_INTRINSICS))})"
        )
    return intrinsic_problem(value, label)
