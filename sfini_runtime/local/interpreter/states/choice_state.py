"""The Choice state: picks the next state by the first matching rule, else ``Default``.

A state-level ``Assign`` applies whichever way the state goes (AWS); a matched rule's own
``Assign`` is applied after it, so its values win. Every ``Assign`` reads the variables as
they were when the state was entered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..jsonata.expressions import states_binding
from ..jsonpath.choice_rules import compile_choice_rule
from ..variables import CompiledAssign, compile_assign
from .base import JSONATA, JSONPATH, CompiledState, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame


def _no_choice(name: str) -> StatesError:
    return StatesError(
        "States.NoChoiceMatched",
        f"No Choice matched and no Default was specified in state '{name}'",
    )


def _assigns(*assigns: CompiledAssign | None) -> list[CompiledAssign]:
    return [a for a in assigns if a is not None]


class ChoiceState(CompiledState):
    """``Type: Choice``."""

    type_name = "Choice"
    simple = True
    dataflow_fields = ("InputPath", "OutputPath")

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        spec = self.spec
        self.default: str | None = spec.get("Default")
        if self.query_language == JSONATA:
            return
        #: (rule, next state, the Assigns to apply when it matches)
        self.rules = [
            (
                compile_choice_rule(rule),
                rule["Next"],
                _assigns(
                    self.assign,
                    compile_assign(rule["Assign"], JSONPATH, f"Choices/{index}/Assign")
                    if "Assign" in rule
                    else None,
                ),
            )
            for index, rule in enumerate(spec["Choices"])
        ]
        self.default_assigns = _assigns(self.assign)

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.dataflow
        try:
            value = flow.effective_input(raw_input, context) if self.has_dataflow else raw_input
            for rule, next_name, rule_assigns in self.rules:
                if rule(value, context):
                    target, assigns = next_name, rule_assigns
                    break
            else:
                if self.default is None:
                    raise _no_choice(self.name)
                target = self.default
                assigns = self.default_assigns
            output = flow.output(value) if self.has_dataflow else value
            if assigns:
                values: dict[str, Any] = {}
                for assign in assigns:  # Assign reads the (effective) state input
                    values.update(assign.evaluate_jsonpath(value, context))
                frame.assign(values)
            return output, target
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None


class JsonataChoiceState(ChoiceState):
    """``Type: Choice`` in a JSONata state: rules are ``Condition`` expressions; a matched
    rule's Output replaces the state's."""

    query_language = JSONATA
    dataflow_fields = ()

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.jsonata
        variables = frame.variables
        try:
            outcome = flow.choose(raw_input, context, self.default, variables)
            if outcome.next_state is None:
                raise _no_choice(self.name)
            output, assigned = outcome.output, outcome.assigned
            if outcome.rule_index is not None and (flow.assign or flow.output):
                states = states_binding(raw_input, context)
                if flow.assign is not None:
                    assigned = {
                        **flow.assign.evaluate_jsonata(states, variables),
                        **(assigned or {}),
                    }
                if flow.output is not None and flow.rules[outcome.rule_index].output is None:
                    output = flow.output.render(states, variables)
            if assigned is not None:
                frame.assign(assigned)
            return output, outcome.next_state
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
