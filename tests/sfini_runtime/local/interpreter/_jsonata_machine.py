"""A small reference driver for the JSONata/variables data plane, for the tests.

It runs Pass, Choice, Succeed, Fail, Wait (without waiting) and inline Map states the way the
wiring guide in the report tells the control plane to: JSONata states through
``JsonataStateDataflow``, JSONPath states through the variable-aware adapters of
``variables``, one ``VariableScope`` per Map iteration. It counts history events only to
name the ``...StateEntered`` event id in causes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sfini_asl.jsonpath import compile_reference_path, set_at_path
from sfini_asl.spec import JSONATA
from sfini_asl.timestamps import parse_timestamp
from sfini_runtime.local.interpreter.failures import STATES_RUNTIME, StatesError
from sfini_runtime.local.interpreter.jsonata.dataflow import JsonataStateDataflow
from sfini_runtime.local.interpreter.jsonata.expressions import QueryEvaluationError
from sfini_runtime.local.interpreter.variables import VariableScope, compile_assign
from tests.conformance import case_files

from ._variable_helpers import (
    compile_variable_choice_rule,
    compile_variable_path,
    compile_variable_template,
    resolve_query_language,
)

_TYPES = {"Pass", "Choice", "Succeed", "Fail", "Wait", "Map"}


def _walk_states(definition: dict[str, Any]):
    for state in definition.get("States", {}).values():
        yield state
        for branch in state.get("Branches", []):
            yield from _walk_states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from _walk_states(state[key])


def jsonata_or_variable_cases() -> list[dict[str, Any]]:
    """Corpus cases that use JSONata or Assign, whose states this driver runs."""
    selected = []
    for path in case_files():
        case = json.loads(path.read_text())
        text = json.dumps(case["definition"])
        if "JSONata" not in text and '"Assign"' not in text:
            continue
        if all(state.get("Type") in _TYPES for state in _walk_states(case["definition"])):
            selected.append(case)
    return selected


class Run:
    """One execution: the event counter and the assignments made, in order."""

    def __init__(self, definition: dict[str, Any], execution_input: Any) -> None:
        self.definition = definition
        self.execution_input = execution_input
        self.machine_language = definition.get("QueryLanguage")
        self.events = 1  # ExecutionStarted
        self.assignments: list[tuple[str, dict[str, Any]]] = []

    def context(self, state_name: str, item: tuple[int, Any] | None = None) -> dict[str, Any]:
        context: dict[str, Any] = {
            "Execution": {"Id": "execution-arn", "Input": self.execution_input, "Name": "x"},
            "State": {"Name": state_name, "EnteredTime": "entered-time"},
            "StateMachine": {"Id": "state-machine-arn", "Name": "sm"},
        }
        if item is not None:
            context["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
        return context

    def execute(self) -> Any:
        return self.run_states(self.definition, self.execution_input, VariableScope())

    def run_states(self, machine: dict[str, Any], value: Any, scope: VariableScope) -> Any:
        name = machine["StartAt"]
        while True:
            state = machine["States"][name]
            self.events += 1
            entered = self.events
            try:
                value, next_name = self.run_state(name, state, value, scope)
            except StatesError as exc:
                raise exc.at_state(name, entered) from None
            if next_name is None:
                return value
            name = next_name

    def _bind(self, name: str, scope: VariableScope, assigned: dict[str, Any] | None) -> None:
        if assigned is not None:
            scope.assign(assigned)
            self.assignments.append((name, assigned))

    def run_state(
        self, name: str, state: dict[str, Any], value: Any, scope: VariableScope
    ) -> tuple[Any, str | None]:
        kind = state["Type"]
        context = self.context(name)
        language = resolve_query_language(state, self.machine_language)
        if language == JSONATA:
            return self._run_jsonata(name, kind, state, value, context, scope)
        return self._run_jsonpath(name, kind, state, value, context, scope)

    # -- JSONata --------------------------------------------------------------------------

    def _run_jsonata(self, name, kind, state, value, context, scope):
        flow = JsonataStateDataflow.compile(name, state)
        next_name = None if state.get("End") else state.get("Next")
        if kind == "Fail":
            error = flow.fail_error(value, context, scope)
            cause = flow.fail_cause(value, context, scope)
            raise StatesError(error or "", cause)
        if kind == "Choice":
            outcome = flow.choose(value, context, state.get("Default"), scope)
            if outcome.next_state is None:
                raise StatesError("States.NoChoiceMatched", "No Matches!")
            self.events += 1
            self._bind(name, scope, outcome.assigned)
            return outcome.output, outcome.next_state
        if kind == "Wait":
            if flow.wait_timestamp(value, context, scope) is None:
                flow.wait_seconds(value, context, scope)
            exit_ = flow.finish(value, context, scope)
        elif kind == "Map":
            items = flow.map_items(value, context, scope)
            flow.max_concurrency_value(value, context, scope)
            flow.tolerated_failure_count_value(value, context, scope)
            flow.tolerated_failure_percentage_value(value, context, scope)
            results = self._iterate(name, state, items, scope, flow=flow, state_input=value)
            exit_ = flow.finish(value, context, scope, result=results)
        else:  # Pass, Succeed
            exit_ = flow.finish(value, context, scope)
        self.events += 1
        self._bind(name, scope, exit_.assigned)
        return exit_.output, None if kind == "Succeed" else next_name

    def _iterate(self, name, state, items, scope, *, flow=None, state_input=None, selector=None):
        processor = state.get("ItemProcessor") or state["Iterator"]
        self.events += 1  # MapStateStarted
        results = []
        for index, item in enumerate(items):
            self.events += 1  # MapIterationStarted
            item_context = self.context(name, (index, item))
            if flow is not None:
                item_input = flow.item_input(state_input, item, item_context, scope)
            elif selector is not None:
                item_input = selector.render(state_input, item_context, scope)
            else:
                item_input = item
            results.append(self.run_states(processor, item_input, scope.child()))
            self.events += 1  # MapIterationSucceeded
        self.events += 1  # MapStateSucceeded
        return results

    # -- JSONPath -------------------------------------------------------------------------

    def _run_jsonpath(self, name, kind, state, value, context, scope):
        next_name = None if state.get("End") else state.get("Next")
        if kind == "Fail":
            raise StatesError(state.get("Error", ""), state.get("Cause"))
        if kind == "Choice":
            for rule in state["Choices"]:
                if compile_variable_choice_rule(rule)(value, context, scope):
                    assign, next_name = rule.get("Assign"), rule["Next"]
                    break
            else:
                if "Default" not in state:
                    raise StatesError("States.NoChoiceMatched", None)
                assign, next_name = state.get("Assign"), state["Default"]
            assigned = (
                compile_assign(assign, "JSONPath").evaluate_jsonpath(value, context, scope)
                if assign is not None
                else None
            )
            self.events += 1
            self._bind(name, scope, assigned)
            output = self._select(state.get("OutputPath", "$"), value, context, scope)
            return output, next_name
        effective = self._select(state.get("InputPath", "$"), value, context, scope)
        if kind == "Map":
            items = self._select(state.get("ItemsPath", "$"), effective, context, scope)
            selector_source = state.get("ItemSelector", state.get("Parameters"))
            selector = (
                compile_variable_template(selector_source) if selector_source is not None else None
            )
            if "MaxConcurrencyPath" in state:
                compile_variable_path(state["MaxConcurrencyPath"]).get(effective, context, scope)
            result = self._iterate(
                name, state, items, scope, selector=selector, state_input=effective
            )
        else:
            if "Parameters" in state:
                effective = compile_variable_template(state["Parameters"]).render(
                    effective, context, scope
                )
            if kind == "Wait" and "Timestamp" in state:
                parse_timestamp(state["Timestamp"])
            result = state["Result"] if kind == "Pass" and "Result" in state else effective
        assigned = (
            compile_assign(state["Assign"], "JSONPath").evaluate_jsonpath(result, context, scope)
            if "Assign" in state
            else None
        )
        if kind in ("Pass", "Map") and "ResultPath" in state:
            path = state["ResultPath"]
            result = (
                value if path is None else set_at_path(value, compile_reference_path(path), result)
            )
        output = self._select(state.get("OutputPath", "$"), result, context, scope)
        self.events += 1
        self._bind(name, scope, assigned)
        return output, None if kind == "Succeed" else next_name

    @staticmethod
    def _select(path: str | None, value: Any, context: Any, scope: VariableScope) -> Any:
        if path is None:
            return {}
        try:
            return compile_variable_path(path).get(value, context, scope)
        except LookupError as exc:
            raise StatesError(STATES_RUNTIME, str(exc), in_state=True) from None


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def normalise(value: Any, *, uuids: bool = False) -> Any:
    """Date-times become ``date`` (and UUIDs ``<uuid:1>``), as the corpus records them."""
    if isinstance(value, str):
        if uuids and _UUID.fullmatch(value):
            return "<uuid:1>"
        return "date" if _DATE.fullmatch(value) else value
    if isinstance(value, dict):
        return {key: normalise(item, uuids=uuids) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise(item, uuids=uuids) for item in value]
    return value


def recorded(value: Any) -> Any:
    """A recorded output or variable value: JSON text is parsed, objects are kept."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def expected_assignments(case: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(state name, variables) of every StateExited event that assigned variables."""
    found = []
    for event in case["expect"].get("events", []):
        details = event.get("stateExitedEventDetails")
        if details and "assignedVariables" in details:
            variables = {k: recorded(v) for k, v in details["assignedVariables"].items()}
            found.append((details["name"], variables))
    return found


def is_query_evaluation_error(exc: BaseException) -> bool:
    return isinstance(exc, QueryEvaluationError)
