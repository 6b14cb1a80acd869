"""The Succeed state: ends its branch (or the execution) successfully."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from .base import CompiledState, wrap_error

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
