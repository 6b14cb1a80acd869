"""Payload templates: Parameters, ItemSelector and ResultSelector.

In a template, a key ending in ``.$`` takes its value from a path (``$.x`` on the input,
``$$.x`` on the context object) or an intrinsic function call, and loses the ``.$``; other
keys are copied. Objects and arrays nest. What a ``.$`` value may hold is
``sfini_asl.templates``' rule, which the checker applied before a template is compiled here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfini_asl.jsonpath import CompiledPath, PathNotFound, compile_path

from ..failures import STATES_RUNTIME, StatesError
from .intrinsics import compact_json, compile_intrinsic

__all__ = ["CompiledTemplate", "compile_template", "copy_json"]


Renderer = Callable[[Any, Any], Any]


def copy_json(value: Any) -> Any:
    """A deep copy of a JSON value (much faster than copy.deepcopy)."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    return value


def _path_renderer(path: CompiledPath, field: str) -> Renderer:
    def render(data: Any, context: Any) -> Any:
        try:
            return path.get(data, context)
        except PathNotFound:
            raise StatesError(
                STATES_RUNTIME,
                f"The JSONPath '{path.source}' specified for the field '{field}' could not be "
                f"found in the input '{compact_json(data)}'",
                in_state=True,
            ) from None

    return render


def _dynamic(field: str, expression: str) -> Renderer:
    text = expression.strip()
    if text.startswith("$"):
        return _path_renderer(compile_path(text), field)
    return compile_intrinsic(text, field)


def _compile(node: Any) -> tuple[bool, Any]:
    """(True, value) for a constant subtree, else (False, renderer)."""
    if type(node) is dict:
        entries: list[tuple[str, bool, Any]] = []
        constant = True
        for key, value in node.items():
            if isinstance(key, str) and key.endswith(".$"):
                entries.append((key[:-2], False, _dynamic(key, value)))
                constant = False
            else:
                is_constant, compiled = _compile(value)
                entries.append((key, is_constant, compiled))
                constant = constant and is_constant
        if constant:
            return True, node

        def render_object(data: Any, context: Any) -> Any:
            out = {}
            for key, is_constant, compiled in entries:
                out[key] = copy_json(compiled) if is_constant else compiled(data, context)
            return out

        return False, render_object
    if type(node) is list:
        items = [_compile(item) for item in node]
        if all(is_constant for is_constant, _ in items):
            return True, node

        def render_array(data: Any, context: Any) -> Any:
            return [
                copy_json(compiled) if is_constant else compiled(data, context)
                for is_constant, compiled in items
            ]

        return False, render_array
    return True, node


class CompiledTemplate:
    """A compiled Parameters / ItemSelector / ResultSelector template."""

    __slots__ = ("_compiled", "constant", "template")

    def __init__(self, template: Any) -> None:
        self.template = template
        self.constant, self._compiled = _compile(template)

    def render(self, data: Any, context: Any = None) -> Any:
        """The payload for ``data`` (and the context object ``context``)."""
        if self.constant:
            return copy_json(self._compiled)
        return self._compiled(data, context)

    def __repr__(self) -> str:
        return f"CompiledTemplate({self.template!r})"


def compile_template(template: Any) -> CompiledTemplate:
    """Compile a payload template (one the checker passed)."""
    return CompiledTemplate(template)
