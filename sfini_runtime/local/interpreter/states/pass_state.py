"""The Pass state: hands its input (or ``Result``) on, through the usual data flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..jsonata.fields import exit_with
from .base import JSONATA, CompiledState, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame

_NO_RESULT = object()


class PassState(CompiledState):
    """``Type: Pass``."""

    type_name = "Pass"
    simple = True

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.result = self.spec.get("Result", _NO_RESULT)
        self.passthrough = not self.has_dataflow and self.result is _NO_RESULT

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        if self.passthrough and self.assign is None:
            return raw_input, self.next
        flow = self.dataflow
        try:
            if self.result is _NO_RESULT:
                result = flow.effective_input(raw_input, context)
            else:
                result = self.result
            output = flow.output(flow.apply_result(raw_input, result))
            if self.assign is not None:  # Assign reads the result (Result or Parameters)
                frame.assign(self.assign.evaluate_jsonpath(result, context))
            return output, self.next
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None


class JsonataPassState(PassState):
    """``Type: Pass`` in a JSONata state: Output (default: the input) and Assign."""

    query_language = JSONATA

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.jsonata
        if flow.output is None and flow.assign is None:
            return raw_input, self.next
        try:
            return exit_with(frame, flow.finish(raw_input, context, frame.variables)), self.next
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
