"""Payload templates of JSONPath states (Parameters, ResultSelector, ItemSelector, Assign):
what a ``"key.$"`` field may hold, and the message when it holds something else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sfini_asl.intrinsics import IntrinsicSyntaxError, parse_intrinsic, paths_of
from sfini_asl.jsonpath import PathSyntaxError, compile_path

__all__ = ["dynamic_fields", "dynamic_value_problem"]


def dynamic_value_problem(field: str, expression: Any) -> str | None:
    """Why ``expression`` cannot be the value of the ``"field.$"`` member ``field``: it must
    be a string holding a JSONPath or an intrinsic function call (whose path arguments are
    JSONPaths); ``None`` when it can."""
    if not isinstance(expression, str):
        return (
            f"The value for the field '{field}' must be a STRING that contains a JSONPath "
            "or an intrinsic function call"
        )
    text = expression.strip()
    if text.startswith("$"):
        try:
            compile_path(text)
        except PathSyntaxError as exc:
            return f"The value for the field '{field}' must be a valid JSONPath: {exc}"
        return None
    if text.startswith("States."):
        try:
            for path in paths_of(parse_intrinsic(text)):
                try:
                    compile_path(path)
                except PathSyntaxError as exc:
                    raise IntrinsicSyntaxError(text, str(exc)) from None
        except IntrinsicSyntaxError as exc:
            return (
                f"The value for the field '{field}' must be a valid intrinsic function call: {exc}"
            )
        return None
    return (
        f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic "
        "function call"
    )


def dynamic_fields(template: Any) -> Iterator[tuple[str, Any]]:
    """Every ``("key.$", value)`` member of a template, nested ones included."""
    if isinstance(template, dict):
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                yield key, value
            else:
                yield from dynamic_fields(value)
    elif isinstance(template, list):
        for item in template:
            yield from dynamic_fields(item)
