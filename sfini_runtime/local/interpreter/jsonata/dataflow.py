"""A JSONata state's data flow, compiled once per state (JSONPath's is ``jsonpath.dataflow``).

In a JSONata state the five JSONPath fields give way to ``Arguments`` (the input a Task or
Parallel hands on) and ``Output`` (the state output), and most numeric and text fields may be
expressions. Evaluation order (AWS): on entry ``Arguments`` (Task, Parallel) or ``Items`` /
``ItemSelector`` / ``MaxConcurrency`` / ``ToleratedFailure*`` (Map), ``TimeoutSeconds`` /
``HeartbeatSeconds`` (Task), ``Seconds`` / ``Timestamp`` (Wait), ``Error`` / ``Cause`` (Fail);
on exit ``Output`` and ``Assign`` together (:meth:`JsonataStateDataflow.finish`): both see
``$states.result`` and the variables as they were when the state was entered, and only then
are the new variables bound. A caught error runs the catcher's own ``Output`` / ``Assign``
with ``$states.errorOutput`` (:meth:`JsonataStateDataflow.catch`). A Choice state's matched
rule brings its own ``Output`` / ``Assign``; the state's apply when ``Default`` is taken.

Every runtime failure is a :class:`~.expressions.QueryEvaluationError` carrying the
field as ``location`` (for the ``EvaluationFailed`` event).

A state compiled here passed ``sfini_asl.checker``: which fields its type and query language
have (a Map has no ``Arguments``), literal numbers and timestamps, ``Items`` (an array or an
expression), each ``{% %}`` expression and each variable name; compiling checks none of it
again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sfini_asl.spec import JSONATA
from sfini_asl.timestamps import TimestampFormatError, parse_timestamp

from ..jsonpath.intrinsics import compact_json
from ..jsonpath.payload import copy_json
from ..variables import CompiledAssign, compile_assign
from .expressions import (
    CompiledExpression,
    CompiledJsonataTemplate,
    JsonataDefinitionError,
    QueryEvaluationError,
    compile_expression,
    compile_jsonata_template,
    is_jsonata_expression,
    jsonata_type_name,
    states_binding,
)

__all__ = [
    "ChoiceOutcome",
    "JsonataDataflowDefinitionError",
    "JsonataStateDataflow",
    "StateExit",
]

_ABSENT: Any = object()


class JsonataDataflowDefinitionError(ValueError):
    """An invalid field of a JSONata state; ``code`` is AWS's diagnostic code when it has one."""

    def __init__(
        self, field: str, message: str, state_name: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.state_name = state_name
        self.message = message
        self.code = code


class StateExit(NamedTuple):
    """What a state hands on: its output, and the variables it assigns (None: no Assign)."""

    output: Any
    assigned: dict[str, Any] | None


class ChoiceOutcome(NamedTuple):
    """The Choice state's decision: the next state (None: no rule matched and no Default)."""

    next_state: str | None
    rule_index: int | None
    output: Any
    assigned: dict[str, Any] | None


def _unexpected_type(
    expression: CompiledExpression, expected: str, value: Any
) -> QueryEvaluationError:
    return QueryEvaluationError(
        f"The JSONata expression '{expression.source}' specified for the field "
        f"'{expression.field}' returned an unexpected result type. Expected '{expected}', "
        f"but was '{jsonata_type_name(value)}' for value: {compact_json(value)}",
        expression.field,
    )


def _is_integer(value: Any) -> bool:
    return type(value) is int or (type(value) is float and value.is_integer())


class _NumberField:
    """A field that is a literal number or an expression yielding one (bounds checked)."""

    __slots__ = ("expression", "field", "integer", "maximum", "minimum", "value")

    def __init__(
        self,
        field: str,
        raw: Any,
        *,
        integer: bool,
        minimum: float,
        maximum: float | None,
        fail: Any,
    ) -> None:
        self.field = field
        self.integer = integer
        self.minimum = minimum
        self.maximum = maximum
        self.expression: CompiledExpression | None = None
        self.value: Any = None
        if is_jsonata_expression(raw):
            self.expression = _compile_expression(raw, field, fail)
        else:  # a number in range: the checker's rules of the field
            self.value = int(raw) if integer else raw

    def _describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        if self.maximum is None:
            return f"{kind} of at least {self.minimum:g}"
        return f"{kind} from {self.minimum:g} to {self.maximum:g}"

    def _valid(self, value: Any) -> bool:
        if type(value) not in (int, float) or type(value) is bool:
            return False
        if self.integer and not _is_integer(value):
            return False
        return value >= self.minimum and (self.maximum is None or value <= self.maximum)

    def evaluate(self, states: Mapping[str, Any], variables: Any) -> Any:
        if self.expression is None:
            return self.value
        value = self.expression.evaluate(states, variables)
        if not self._valid(value):
            expected = "integer" if self.integer else "number"
            if type(value) in (int, float) and type(value) is not bool:
                raise QueryEvaluationError(
                    f"The JSONata expression '{self.expression.source}' specified for the "
                    f"field '{self.field}' returned {value}, but the field must be "
                    f"{self._describe()}",
                    self.field,
                )
            raise _unexpected_type(self.expression, expected, value)
        return int(value) if self.integer else value


class _StringField:
    """A field that is a literal string or an expression yielding one (Fail Error/Cause)."""

    __slots__ = ("expression", "value")

    def __init__(self, field: str, raw: Any, fail: Any) -> None:
        self.expression: CompiledExpression | None = None
        self.value: Any = raw
        if is_jsonata_expression(raw):  # else a string (the checker's fail rule)
            self.expression = _compile_expression(raw, field, fail)

    def evaluate(self, states: Mapping[str, Any], variables: Any) -> str:
        if self.expression is None:
            return self.value
        value = self.expression.evaluate(states, variables)
        if type(value) is not str:
            raise _unexpected_type(self.expression, "string", value)
        return value


def _compile_expression(raw: str, field: str, fail: Any) -> CompiledExpression:
    try:
        return compile_expression(raw, field)
    except JsonataDefinitionError as exc:
        raise fail(field, exc.message, exc.code) from None


class _Rule(NamedTuple):
    condition: CompiledExpression
    next_state: str | None
    output: CompiledJsonataTemplate | None
    assign: CompiledAssign | None


class _Catcher(NamedTuple):
    output: CompiledJsonataTemplate | None
    assign: CompiledAssign | None


class JsonataStateDataflow:
    """The compiled JSONata fields of one state."""

    __slots__ = (
        "arguments",
        "assign",
        "catchers",
        "cause",
        "error",
        "heartbeat_seconds",
        "item_selector",
        "items",
        "max_concurrency",
        "output",
        "rules",
        "seconds",
        "state_name",
        "state_type",
        "timeout_seconds",
        "timestamp",
        "tolerated_failure_count",
        "tolerated_failure_percentage",
    )

    def __init__(self, state_name: str, state_type: str) -> None:
        self.state_name = state_name
        self.state_type = state_type
        self.arguments: CompiledJsonataTemplate | None = None
        self.output: CompiledJsonataTemplate | None = None
        self.assign: CompiledAssign | None = None
        self.items: CompiledJsonataTemplate | None = None
        self.item_selector: CompiledJsonataTemplate | None = None
        self.max_concurrency: _NumberField | None = None
        self.tolerated_failure_count: _NumberField | None = None
        self.tolerated_failure_percentage: _NumberField | None = None
        self.timeout_seconds: _NumberField | None = None
        self.heartbeat_seconds: _NumberField | None = None
        self.seconds: _NumberField | None = None
        self.timestamp: CompiledExpression | datetime | None = None
        self.error: _StringField | None = None
        self.cause: _StringField | None = None
        self.rules: tuple[_Rule, ...] = ()
        self.catchers: tuple[_Catcher, ...] = ()

    # -- compilation ----------------------------------------------------------------------

    def _fail(
        self, field: str, message: str, code: str | None = None
    ) -> JsonataDataflowDefinitionError:
        prefix = f"{code}: " if code else ""
        return JsonataDataflowDefinitionError(
            field, f"State '{self.state_name}': {field}: {prefix}{message}", self.state_name, code
        )

    def _template(self, value: Any, field: str) -> CompiledJsonataTemplate:
        try:
            return compile_jsonata_template(value, field)
        except JsonataDefinitionError as exc:
            raise self._fail(exc.field, exc.message, exc.code) from None

    def _assign(self, value: Any, field: str) -> CompiledAssign:
        try:
            return compile_assign(value, JSONATA, field)
        except JsonataDefinitionError as exc:
            raise self._fail(exc.field, exc.message, exc.code) from None

    def _number(
        self,
        state: Mapping[str, Any],
        field: str,
        *,
        integer: bool = True,
        minimum: float = 0,
        maximum: float | None = None,
    ) -> _NumberField | None:
        if field not in state:
            return None
        return _NumberField(
            field, state[field], integer=integer, minimum=minimum, maximum=maximum, fail=self._fail
        )

    @classmethod
    def compile(cls, state_name: str, state: Mapping[str, Any]) -> JsonataStateDataflow:
        """Compile the JSONata fields of ``state``; raises JsonataDataflowDefinitionError."""
        state_type = state["Type"]
        flow = cls(state_name, state_type)
        if "Arguments" in state:  # Task, Parallel (sfini_asl.spec.STATE_FIELDS)
            flow.arguments = flow._template(state["Arguments"], "Arguments")
        if "Output" in state:
            flow.output = flow._template(state["Output"], "Output")
        if "Assign" in state:
            flow.assign = flow._assign(state["Assign"], "Assign")
        if state_type == "Map":
            flow._compile_map(state)
        elif state_type == "Task":
            flow.timeout_seconds = flow._number(state, "TimeoutSeconds", minimum=1)
            flow.heartbeat_seconds = flow._number(state, "HeartbeatSeconds", minimum=1)
        elif state_type == "Wait":
            flow._compile_wait(state)
        elif state_type == "Fail":
            if "Error" in state:
                flow.error = _StringField("Error", state["Error"], flow._fail)
            if "Cause" in state:
                flow.cause = _StringField("Cause", state["Cause"], flow._fail)
        elif state_type == "Choice":
            flow._compile_choice(state)
        compiled = []
        for index, catcher in enumerate(state.get("Catch", ())):
            base = f"Catch[{index}]"
            output = (
                flow._template(catcher["Output"], f"{base}/Output") if "Output" in catcher else None
            )
            assign = (
                flow._assign(catcher["Assign"], f"{base}/Assign") if "Assign" in catcher else None
            )
            compiled.append(_Catcher(output, assign))
        flow.catchers = tuple(compiled)
        return flow

    def _compile_map(self, state: Mapping[str, Any]) -> None:
        if "Items" in state:  # an array or an expression (the checker's rule)
            self.items = self._template(state["Items"], "Items")
        if "ItemSelector" in state:
            self.item_selector = self._template(state["ItemSelector"], "ItemSelector")
        self.max_concurrency = self._number(state, "MaxConcurrency")
        self.tolerated_failure_count = self._number(state, "ToleratedFailureCount")
        self.tolerated_failure_percentage = self._number(
            state, "ToleratedFailurePercentage", integer=False, maximum=100
        )

    def _compile_wait(self, state: Mapping[str, Any]) -> None:
        if "Seconds" in state:
            self.seconds = self._number(state, "Seconds")
        if "Timestamp" in state:
            raw = state["Timestamp"]
            if is_jsonata_expression(raw):
                self.timestamp = _compile_expression(raw, "Timestamp", self._fail)
            else:  # a timestamp the checker has read
                self.timestamp = parse_timestamp(raw)

    def _compile_choice(self, state: Mapping[str, Any]) -> None:
        rules = []
        for index, rule in enumerate(state["Choices"]):
            base = f"Choices[{index}]"
            condition = rule["Condition"]  # an expression (the checker's rule), or a boolean
            if type(condition) is bool:
                condition = "{% true %}" if condition else "{% false %}"
            rules.append(
                _Rule(
                    _compile_expression(condition, f"{base}/Condition", self._fail),
                    rule.get("Next"),
                    self._template(rule["Output"], f"{base}/Output") if "Output" in rule else None,
                    self._assign(rule["Assign"], f"{base}/Assign") if "Assign" in rule else None,
                )
            )
        self.rules = tuple(rules)

    # -- evaluation -----------------------------------------------------------------------

    def effective_input(self, state_input: Any, context: Any, variables: Any = None) -> Any:
        """``Arguments`` (Task, Parallel): what the task or the branches receive."""
        if self.arguments is None:
            return state_input
        return self.arguments.render(states_binding(state_input, context), variables)

    def map_items(self, state_input: Any, context: Any, variables: Any = None) -> list[Any]:
        """Map ``Items`` (default: the state input), which must be an array."""
        if self.items is None:
            if type(state_input) is not list:
                raise QueryEvaluationError(
                    "The JSONata expression '$states.input' specified for the field 'Items' "
                    "returned an unexpected result type. Expected 'array', but was "
                    f"'{jsonata_type_name(state_input)}' for value: {compact_json(state_input)}",
                    "Items",
                )
            return state_input
        items = self.items.render(states_binding(state_input, context), variables)
        if type(items) is not list:
            raise _unexpected_type(self.items.expressions[0], "array", items)
        return items

    def item_input(
        self, state_input: Any, item: Any, item_context: Any, variables: Any = None
    ) -> Any:
        """One iteration's input: ``ItemSelector`` (``$states.context.Map.Item``) or the item."""
        if self.item_selector is None:
            return copy_json(item)
        return self.item_selector.render(states_binding(state_input, item_context), variables)

    def _number_value(
        self, field: _NumberField | None, state_input: Any, context: Any, variables: Any
    ) -> Any:
        if field is None:
            return None
        return field.evaluate(states_binding(state_input, context), variables)

    def max_concurrency_value(
        self, state_input: Any, context: Any, variables: Any = None
    ) -> int | None:
        """Map ``MaxConcurrency`` (None when absent; 0 means no limit)."""
        return self._number_value(self.max_concurrency, state_input, context, variables)

    def tolerated_failure_count_value(
        self, state_input: Any, context: Any, variables: Any = None
    ) -> int | None:
        """Map ``ToleratedFailureCount`` (None when absent)."""
        return self._number_value(self.tolerated_failure_count, state_input, context, variables)

    def tolerated_failure_percentage_value(
        self, state_input: Any, context: Any, variables: Any = None
    ) -> float | None:
        """Map ``ToleratedFailurePercentage`` (None when absent)."""
        return self._number_value(
            self.tolerated_failure_percentage, state_input, context, variables
        )

    def timeout_seconds_value(
        self, state_input: Any, context: Any, variables: Any = None
    ) -> int | None:
        """Task ``TimeoutSeconds`` (None when absent)."""
        return self._number_value(self.timeout_seconds, state_input, context, variables)

    def heartbeat_seconds_value(
        self, state_input: Any, context: Any, variables: Any = None
    ) -> int | None:
        """Task ``HeartbeatSeconds`` (None when absent)."""
        return self._number_value(self.heartbeat_seconds, state_input, context, variables)

    def wait_seconds(self, state_input: Any, context: Any, variables: Any = None) -> int | None:
        """Wait ``Seconds`` (None when the state waits for a Timestamp)."""
        return self._number_value(self.seconds, state_input, context, variables)

    def wait_timestamp(self, state_input: Any, context: Any, variables: Any = None) -> Any:
        """Wait ``Timestamp`` as a datetime (None when the state waits for Seconds)."""
        if self.timestamp is None or isinstance(self.timestamp, datetime):
            return self.timestamp
        value = self.timestamp.evaluate(states_binding(state_input, context), variables)
        try:
            return parse_timestamp(value)
        except TimestampFormatError:
            shown = value if type(value) is str else compact_json(value)
            raise QueryEvaluationError(
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                f"date-time format string: {shown}",
                "Timestamp",
            ) from None

    def fail_error(self, state_input: Any, context: Any, variables: Any = None) -> str | None:
        """Fail ``Error`` (None when absent)."""
        if self.error is None:
            return None
        return self.error.evaluate(states_binding(state_input, context), variables)

    def fail_cause(self, state_input: Any, context: Any, variables: Any = None) -> str | None:
        """Fail ``Cause`` (None when absent)."""
        if self.cause is None:
            return None
        return self.cause.evaluate(states_binding(state_input, context), variables)

    def _exit(
        self,
        output: CompiledJsonataTemplate | None,
        assign: CompiledAssign | None,
        states: Mapping[str, Any],
        default_output: Any,
        variables: Any,
    ) -> StateExit:
        # Assign and Output both read the variables as they were on entry
        assigned = assign.evaluate_jsonata(states, variables) if assign is not None else None
        value = output.render(states, variables) if output is not None else default_output
        return StateExit(value, assigned)

    def finish(
        self, state_input: Any, context: Any, variables: Any = None, result: Any = _ABSENT
    ) -> StateExit:
        """``Output`` and ``Assign`` once the state's work is done.

        ``result`` is the task's result or the Parallel/Map array (``$states.result``); without
        ``Output`` it is the output (the state input for Pass, Wait, Choice and Succeed).
        """
        states = states_binding(state_input, context, result)
        default = state_input if result is _ABSENT else result
        return self._exit(self.output, self.assign, states, default, variables)

    def catch(
        self, index: int, state_input: Any, context: Any, error_output: Any, variables: Any = None
    ) -> StateExit:
        """The catcher ``index``'s ``Output`` (default: the error output) and ``Assign``."""
        catcher = self.catchers[index] if index < len(self.catchers) else _Catcher(None, None)
        states = states_binding(state_input, context, error_output=error_output)
        return self._exit(catcher.output, catcher.assign, states, error_output, variables)

    def choose(
        self, state_input: Any, context: Any, default: str | None, variables: Any = None
    ) -> ChoiceOutcome:
        """The first rule whose ``Condition`` is true, with its Output/Assign; else Default."""
        states = states_binding(state_input, context)
        for index, rule in enumerate(self.rules):
            matched = rule.condition.evaluate(states, variables)
            if type(matched) is not bool:
                raise _unexpected_type(rule.condition, "boolean", matched)
            if matched:
                exit_ = self._exit(rule.output, rule.assign, states, state_input, variables)
                return ChoiceOutcome(rule.next_state, index, exit_.output, exit_.assigned)
        if default is None:
            return ChoiceOutcome(None, None, state_input, None)
        exit_ = self._exit(self.output, self.assign, states, state_input, variables)
        return ChoiceOutcome(default, None, exit_.output, exit_.assigned)

    def __repr__(self) -> str:
        return f"JsonataStateDataflow({self.state_name!r}, {self.state_type})"
