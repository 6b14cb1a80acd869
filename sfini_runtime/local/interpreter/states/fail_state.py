"""The Fail state: fails its branch (or the execution) with Error and Cause."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfini_asl.jsonpath import compile_path

from ..failures import StatesError
from ..jsonpath.intrinsics import compile_intrinsic, is_intrinsic
from .base import JSONATA, CompiledState, lookup, runtime_error, user_error, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame


class _Intrinsic:
    """An intrinsic function call in ErrorPath/CausePath (AWS allows one there)."""

    __slots__ = ("evaluate", "source")

    def __init__(self, source: str, field: str) -> None:
        self.source = source
        self.evaluate = compile_intrinsic(source, field)


def _compile(spec: Mapping[str, Any], field: str) -> Any:
    """A reference path or an intrinsic function call, or None when ``field`` is absent."""
    if field not in spec:
        return None
    if is_intrinsic(spec[field]):
        return _Intrinsic(spec[field], field)
    return compile_path(spec[field])


class FailState(CompiledState):
    """``Type: Fail`` (Error/Cause or ErrorPath/CausePath)."""

    type_name = "Fail"
    simple = True
    dataflow_fields = ()

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        spec = self.spec
        self.error: str | None = spec.get("Error")
        self.cause: str | None = spec.get("Cause")
        self.error_path = _compile(spec, "ErrorPath")
        self.cause_path = _compile(spec, "CausePath")

    def _resolve(self, path: Any, field: str, raw_input: Any, context: Any) -> str:
        if isinstance(path, _Intrinsic):
            value = path.evaluate(raw_input, context)
        else:
            value = lookup(path, raw_input, context)
        if not isinstance(value, str):
            raise runtime_error(f"The {field} field must evaluate to a string: {path.source}")
        return value

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        error, cause = self.error, self.cause
        try:
            if self.error_path is not None:
                error = self._resolve(self.error_path, "ErrorPath", raw_input, context)
            if self.cause_path is not None:
                cause = self._resolve(self.cause_path, "CausePath", raw_input, context)
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
        raise user_error(error, cause)  # type: ignore[arg-type]


class JsonataFailState(FailState):
    """``Type: Fail`` in a JSONata state: Error and Cause may be ``{% %}`` expressions."""

    query_language = JSONATA

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.jsonata
        try:
            error = flow.fail_error(raw_input, context, frame.variables)
            cause = flow.fail_cause(raw_input, context, frame.variables)
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
        raise user_error(error, cause)  # type: ignore[arg-type]
