"""The Succeed state: ends its branch (or the execution) successfully."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..jsonata.fields import exit_with
from .base import JSONATA, CompiledState, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame


class SucceedState(CompiledState):
    """``Type: Succeed``."""

    type_name = "Succeed"
    simple = True
    dataflow_fields = ("InputPath", "OutputPath")

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        if not self.has_dataflow:
            return raw_input, None
        flow = self.dataflow
        try:
            return flow.output(flow.effective_input(raw_input, context)), None
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None


class JsonataSucceedState(SucceedState):
    """``Type: Succeed`` in a JSONata state: Output (default: the input)."""

    query_language = JSONATA
    dataflow_fields = ()

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.jsonata
        if flow.output is None:
            return raw_input, None
        try:
            return exit_with(frame, flow.finish(raw_input, context, frame.variables)), None
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
