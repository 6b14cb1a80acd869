"""Payload templates of JSONPath states (Parameters, ResultSelector, ItemSelector, Assign):
what a ``"key.$"`` field may hold, and the message when it holds something else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sfini_asl.path_fields import intrinsic_fault, path_error

__all__ = ["dynamic_members", "dynamic_value_problem", "template_value_problem"]


def _fault(expression: Any) -> tuple[str, str, str] | None:
    """What is wrong with the value of a ``"key.$"`` member, or None: ``(what, text, error)``
    where ``what`` is "type" (not a string), "path" (``text`` is no valid JSONPath),
    "intrinsic" (``text`` is no intrinsic function call Step Functions parses), "argument"
    (``text``, an argument of the call, is no valid JSONPath) or "neither"."""
    if not isinstance(expression, str):
        return "type", "", ""
    text = expression.strip()
    if text.startswith("$"):
        error = path_error(text)
        return None if error is None else ("path", text, error)
    if text.startswith("States."):
        fault = intrinsic_fault(text)
        if fault is None:
            return None
        error, path = fault
        return ("argument", path, error) if path else ("intrinsic", text, error)
    return "neither", text, ""


def dynamic_value_problem(field: str, expression: Any) -> str | None:
    """Why ``expression`` cannot be the value of the ``"field.$"`` member ``field``, as the
    engine words it: it must be a string holding a JSONPath or an intrinsic function call
    (whose path arguments are JSONPaths; any of them may read the context object or a
    workflow variable); ``None`` when it can."""
    fault = _fault(expression)
    if fault is None:
        return None
    what, _text, error = fault
    start = f"The value for the field '{field}' must be"
    if what == "type":
        return f"{start} a STRING that contains a JSONPath or an intrinsic function call"
    if what == "path":
        return f"{start} a valid JSONPath: {error}"
    if what == "neither":
        return f"{start} a valid JSONPath or a valid intrinsic function call"
    call = expression.strip()
    return f"{start} a valid intrinsic function call: Invalid intrinsic function '{call}': {error}"


def template_value_problem(label: str, expression: Any) -> str | None:
    """The same problem as :func:`dynamic_value_problem`, in full, for the member ``label``
    (``Parameters.nested.x.$``): the value, and the argument that is wrong."""
    fault = _fault(expression)
    if fault is None:
        return None
    what, text, error = fault
    if what == "type":
        return f"{label} must be a path or intrinsic function str (its key ends in '.$')"
    if what == "path":
        return f"{label} {text!r} is not a valid JSONPath: {error}"
    if what == "argument":
        return f"{label} argument {text!r} is not a valid JSONPath: {error}"
    if what == "intrinsic":
        return f"{label} {text!r} is not a valid intrinsic function call: {error}"
    return (
        f"{label} {text!r} is neither a JSONPath (it starts with '$') nor an intrinsic "
        "function call (it starts with 'States.')"
    )


def dynamic_members(template: Any, label: str, pointer: str) -> Iterator[tuple[str, str, str, Any]]:
    """(label, JSON pointer, key, value) of every ``"key.$"`` member of a template, nested
    ones included; ``label`` and ``pointer`` name the template (``Parameters``,
    ``/States/A/Parameters``) and grow as messages name members: ``Parameters.nested.x.$``,
    ``Output[0].x.$``."""
    if isinstance(template, dict):
        for key, value in template.items():
            where, at = f"{label}.{key}", f"{pointer}/{key}"
            if isinstance(key, str) and key.endswith(".$"):
                yield where, at, key, value
            else:
                yield from dynamic_members(value, where, at)
    elif isinstance(template, list):
        for index, item in enumerate(template):
            yield from dynamic_members(item, f"{label}[{index}]", f"{pointer}/{index}")
