"""The Succeed state: ends its branch (or the execution) successfully."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..jsonata_expressions import states_binding
from .base import JSONATA, CompiledState, wrap_error
from .jsonata_fields import finish_jsonata, jsonata_output

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

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.output = jsonata_output(self.spec)

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        if self.output is None:
            return raw_input, None
        try:
            states = states_binding(raw_input, context)
            return finish_jsonata(frame, self.output, None, states, raw_input), None
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
