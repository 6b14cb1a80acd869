"""The Choice state: picks the next state by the first matching rule, else ``Default``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..choice_rules import compile_choice_rule
from ..failures import StatesError
from .base import CompiledState, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame


class ChoiceState(CompiledState):
    """``Type: Choice``."""

    type_name = "Choice"
    simple = True
    dataflow_fields = ("InputPath", "OutputPath")

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.rules = [(compile_choice_rule(rule), rule["Next"]) for rule in spec["Choices"]]
        self.default: str | None = spec.get("Default")

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.dataflow
        try:
            value = flow.effective_input(raw_input, context) if self.has_dataflow else raw_input
            for rule, next_name in self.rules:
                if rule(value, context):
                    target = next_name
                    break
            else:
                if self.default is None:
                    raise StatesError(
                        "States.NoChoiceMatched",
                        f"No Choice matched and no Default was specified in state '{self.name}'",
                    )
                target = self.default
            return (flow.output(value) if self.has_dataflow else value), target
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
