"""The Choice state: picks the next state by the first matching rule, else ``Default``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..choice_rules import compile_choice_rule
from ..failures import StatesError
from ..jsonata_expressions import compile_jsonata_template, states_binding
from ..variables import CompiledAssign, compile_assign
from .base import JSONATA, CompiledState, wrap_error
from .jsonata_fields import finish_jsonata, jsonata_output, unexpected_type

if TYPE_CHECKING:
    from ..execution import Frame


def _no_choice(name: str) -> StatesError:
    return StatesError(
        "States.NoChoiceMatched",
        f"No Choice matched and no Default was specified in state '{name}'",
    )


def _merge(
    state_assign: CompiledAssign | None, rule_assign: CompiledAssign | None
) -> list[CompiledAssign]:
    return [a for a in (state_assign, rule_assign) if a is not None]


class ChoiceState(CompiledState):
    """``Type: Choice``. A state-level Assign applies whichever way the state goes; a matched
    rule's Assign is applied after it (its values win)."""

    type_name = "Choice"
    simple = True
    dataflow_fields = ("InputPath", "OutputPath")

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        spec = self.spec
        self.default: str | None = spec.get("Default")
        self.rule_assigns: list[list[CompiledAssign]] = [
            _merge(
                self.assign,
                compile_assign(rule["Assign"], self.query_language) if "Assign" in rule else None,
            )
            for rule in spec["Choices"]
        ]
        self.default_assigns = _merge(self.assign, None)
        self.compile_rules(spec)

    def compile_rules(self, spec: Mapping[str, Any]) -> None:
        self.rules = [(compile_choice_rule(rule), rule["Next"]) for rule in spec["Choices"]]

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        flow = self.dataflow
        try:
            value = flow.effective_input(raw_input, context) if self.has_dataflow else raw_input
            for index, (rule, next_name) in enumerate(self.rules):
                if rule(value, context):
                    target = next_name
                    assigns = self.rule_assigns[index]
                    break
            else:
                if self.default is None:
                    raise _no_choice(self.name)
                target = self.default
                assigns = self.default_assigns
            output = flow.output(value) if self.has_dataflow else value
            if assigns:
                values: dict[str, Any] = {}
                for assign in assigns:  # every Assign reads the variables from before
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

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        self.output = jsonata_output(self.spec)

    def compile_rules(self, spec: Mapping[str, Any]) -> None:
        self.conditions = [
            compile_jsonata_template(rule["Condition"], "Condition") for rule in spec["Choices"]
        ]
        self.rule_outputs = [jsonata_output(rule) for rule in spec["Choices"]]
        self.targets = [rule["Next"] for rule in spec["Choices"]]

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        try:
            states = states_binding(raw_input, context)
            variables = frame.variables
            for index, condition in enumerate(self.conditions):
                matched = condition.render(states, variables)
                if type(matched) is not bool:
                    raise unexpected_type(condition, "Condition", "boolean", matched)
                if matched:
                    target = self.targets[index]
                    assigns = self.rule_assigns[index]
                    output = self.rule_outputs[index] or self.output
                    break
            else:
                if self.default is None:
                    raise _no_choice(self.name)
                target, assigns, output = self.default, self.default_assigns, self.output
            values: dict[str, Any] = {}
            for assign in assigns:
                values.update(assign.evaluate_jsonata(states, variables))
            result = finish_jsonata(frame, output, None, states, raw_input)
            if assigns:
                frame.assign(values)
            return result, target
        except StatesError as err:
            raise wrap_error(err, self.name, frame.entered_id) from None
