"""The Pass state: hands its input (or ``Result``) on, through the usual data flow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from .base import CompiledState, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame

_NO_RESULT = object()


class PassState(CompiledState):
    """``Type: Pass``."""

    type_name = "Pass"
    simple = True

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.result = spec.get("Result", _NO_RESULT)

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        if not self.has_dataflow and self.result is _NO_RESULT:
            return raw_input, self.next
        flow = self.dataflow
        try:
            if self.result is _NO_RESULT:
                result = flow.effective_input(raw_input, context)
            else:
                result = self.result
            return flow.output(flow.apply_result(raw_input, result)), self.next
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
