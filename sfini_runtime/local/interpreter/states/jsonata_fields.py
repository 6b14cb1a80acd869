"""What JSONata states share: compiled Output/number/string fields and the end of a state.

Every expression reads ``$states`` (``input``, ``context``, and ``result`` or ``errorOutput``
where the state has them) and the workflow variables as they were when the state was entered:
``Assign`` and ``Output`` are evaluated first, the new variables bound only afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..history import to_json
from ..jsonata_expressions import (
    CompiledJsonataTemplate,
    QueryEvaluationError,
    compile_jsonata_template,
    jsonata_type_name,
    states_binding,
)
from ..variables import CompiledAssign

if TYPE_CHECKING:
    from ..execution import Frame
    from .base import Catcher

__all__ = [
    "JsonataResultMixin",
    "JsonataValue",
    "finish_jsonata",
    "jsonata_output",
    "jsonata_value",
    "unexpected_type",
]


def jsonata_output(
    spec: Mapping[str, Any], field: str = "Output"
) -> CompiledJsonataTemplate | None:
    """The compiled Output (or another template field) of a state, None when absent."""
    return compile_jsonata_template(spec[field], field) if field in spec else None


def finish_jsonata(
    frame: Frame,
    output: CompiledJsonataTemplate | None,
    assign: CompiledAssign | None,
    states: Mapping[str, Any],
    default: Any,
) -> Any:
    """Evaluate Assign and Output against ``states``, then bind the variables; the output."""
    variables = frame.variables
    values = assign.evaluate_jsonata(states, variables) if assign is not None else None
    value = output.render(states, variables) if output is not None else default
    if values is not None:
        frame.assign(values)
    return value


def unexpected_type(
    template: CompiledJsonataTemplate | None, field: str, expected: str, value: Any
) -> QueryEvaluationError:
    """AWS's error for a field whose value has the wrong type."""
    source = template.expressions[0].source if template and template.expressions else None
    shown = to_json(value)
    if source is not None:
        detail = (
            f"The JSONata expression '{source}' specified for the field '{field}' returned an "
            f"unexpected result type. Expected '{expected}', but was "
            f"'{jsonata_type_name(value)}' for value: {shown}"
        )
    else:
        detail = (
            f"The value of the field '{field}' has an unexpected type. Expected '{expected}', "
            f"but was '{jsonata_type_name(value)}' for value: {shown}"
        )
    return QueryEvaluationError(detail, field)


class JsonataValue:
    """A field that is a constant or a ``{% %}`` expression (Seconds, MaxConcurrency, ...)."""

    __slots__ = ("field", "template")

    def __init__(self, value: Any, field: str) -> None:
        self.field = field
        self.template = compile_jsonata_template(value, field)

    def value(self, frame: Frame, states: Mapping[str, Any]) -> Any:
        """The field's value for ``states`` and the frame's variables."""
        return self.template.render(states, frame.variables)

    def integer(self, frame: Frame, states: Mapping[str, Any], minimum: int) -> int:
        """The value as an integer >= ``minimum`` (else States.QueryEvaluationError)."""
        value = self.value(frame, states)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise unexpected_type(
                self.template, self.field, "integer" if minimum < 1 else "positive integer", value
            )
        return value

    def number(self, frame: Frame, states: Mapping[str, Any], minimum: float) -> float:
        """The value as a number >= ``minimum`` (else States.QueryEvaluationError)."""
        value = self.value(frame, states)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise unexpected_type(self.template, self.field, "number", value)
        return value


def jsonata_value(spec: Mapping[str, Any], field: str) -> JsonataValue | None:
    """The compiled constant-or-expression field, None when absent."""
    return JsonataValue(spec[field], field) if field in spec else None


class JsonataResultMixin:
    """Task, Parallel and Map in JSONata: Output (default ``$states.result``) and Assign read
    the result; a catcher's Output (default ``$states.errorOutput``) and Assign read the
    error output."""

    name: str
    output: CompiledJsonataTemplate | None
    assign: CompiledAssign | None

    def result_output(self, frame: Frame, raw_input: Any, result: Any, context: Any) -> Any:
        states = states_binding(raw_input, context, result=result)
        return finish_jsonata(frame, self.output, self.assign, states, result)

    def caught(
        self, frame: Frame, raw_input: Any, catcher: Catcher, err: StatesError, context: Any
    ) -> Any:
        from .base import error_output, wrap_error

        error_out = error_output(err)
        states = states_binding(raw_input, context, error_output=error_out)
        try:
            return finish_jsonata(frame, catcher.output, catcher.assign, states, error_out)
        except StatesError as exc:
            raise wrap_error(exc, self.name, frame.entered_id) from None
