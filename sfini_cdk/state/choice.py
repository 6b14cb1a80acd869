"""Choice rules: the conditions of a ``Choice`` state.

Comparisons test the value at ``Variable`` (JSONPath) against a literal, or against the value at
another path (the ``...Path`` operators); type tests (``IsPresent``, ``IsNull``, ...) take a
boolean; ``And``/``Or``/``Not`` combine rules; ``Condition`` is a JSONata expression. Only
top-level rules (those added to the ``Choice`` state) have a next state.
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING, Any

from sfini_asl.timestamps import timestamp_problem
from sfini_cdk._default import DEFAULT, JSONable
from sfini_cdk.errors import ComparisonTypeError, InvalidChoiceRule, NaiveDatetime
from sfini_cdk.state._base import put

if TYPE_CHECKING:
    from sfini_cdk.state._base import State


class ChoiceRule:
    """A choice case for the ``Choice`` state.

    Args:
        next_state: state to execute when the rule matches (top-level rules only)
        assign: variables to assign when the rule matches (top-level rules only)
    """

    #: the ASL operator key; ``None`` for abstract rules
    operator: str | None = None

    def __init__(
        self, next_state: State | None = None, *, assign: dict[str, JSONable] = DEFAULT
    ) -> None:
        self.next_state = next_state
        self.assign = assign

    def __str__(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self}>"

    def _get_comparison(self) -> JSONable:
        raise NotImplementedError

    def _body(self) -> dict[str, JSONable]:
        """The rule without ``Next`` and ``Assign``."""
        if self.operator is None:
            raise InvalidChoiceRule(f"{type(self).__name__!r} is not a valid choice rule")
        return {self.operator: self._get_comparison()}

    def to_dict(self) -> dict[str, JSONable]:
        """Convert this rule to its ASL definition.

        Raises:
            InvalidChoiceRule: abstract rule, or malformed nested rules
            ComparisonTypeError: comparison value of the wrong type
            NaiveDatetime: timestamp comparison value without a time zone
        """
        defn: dict[str, Any] = self._body()
        if self.next_state is not None:
            defn["Next"] = self.next_state.name
        put(defn, "Assign", self.assign)
        return defn


class Comparison(ChoiceRule):
    """Compare the value at ``variable_path`` with ``comparison_value``.

    Args:
        variable_path: JSONPath of the variable to compare
        comparison_value: value to compare against
        next_state: state to execute on success
        assign: variables to assign on success
    """

    _expected_value_type: type | tuple[type, ...] = object
    _value_description = "a value"

    def __init__(
        self,
        variable_path: str,
        comparison_value: Any,
        next_state: State | None = None,
        *,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(next_state, assign=assign)
        self.variable_path = variable_path
        self.comparison_value = comparison_value

    def __str__(self) -> str:
        target = "" if self.next_state is None else f" -> {self.next_state}"
        return f"{self.variable_path!r} {type(self).__name__} {self.comparison_value!r}{target}"

    def _check_type(self) -> Any:
        value = self.comparison_value
        wrong_bool = isinstance(value, bool) and bool not in _as_tuple(self._expected_value_type)
        if wrong_bool or not isinstance(value, self._expected_value_type):
            raise ComparisonTypeError(
                f"{type(self).__name__} comparison value must be {self._value_description}, "
                f"got {type(value).__name__} {value!r}"
            )
        return value

    def _get_comparison(self) -> JSONable:
        return self._check_type()

    def _body(self) -> dict[str, JSONable]:
        return {"Variable": self.variable_path, **super()._body()}


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


class _BooleanRule(Comparison):
    _expected_value_type = bool
    _value_description = "a bool"


class _NumericRule(Comparison):
    _expected_value_type = (int, float)
    _value_description = "a number (int or float, not bool)"

    def _get_comparison(self) -> JSONable:
        value = self._check_type()
        if not math.isfinite(value):  # JSON has no NaN or infinity
            raise ComparisonTypeError(
                f"{type(self).__name__} comparison value must be a finite number, got {value!r}"
            )
        return value


class _StringRule(Comparison):
    _expected_value_type = str
    _value_description = "a str"


class _PathRule(Comparison):
    """Compare with the value at another path (``comparison_value`` is a JSONPath)."""

    _expected_value_type = str
    _value_description = "a JSONPath str"


class _TimestampRule(Comparison):
    """Compare timestamps: the value is a time-zone-aware ``datetime`` (or ISO 8601 str)."""

    _expected_value_type = (datetime.datetime, str)
    _value_description = "an aware datetime.datetime or an ISO 8601 str"

    def _get_comparison(self) -> str:
        value = self._check_type()
        if isinstance(value, str):
            problem = timestamp_problem(value)
            if problem == "format":
                raise ComparisonTypeError(
                    f"{type(self).__name__} comparison value {value!r} is not an ISO 8601 "
                    "timestamp as ASL writes them (RFC 3339, e.g. '2016-08-18T17:33:00Z')"
                )
            if problem is not None:
                raise NaiveDatetime(
                    f"{type(self).__name__} comparison value {value!r} has no time zone"
                )
            return value
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise NaiveDatetime(
                f"{type(self).__name__} comparison time {value.isoformat()} must be aware "
                "(have a time zone)"
            )
        return value.isoformat("T")


class BooleanEquals(_BooleanRule):
    operator = "BooleanEquals"


class NumericEquals(_NumericRule):
    operator = "NumericEquals"


class NumericGreaterThan(_NumericRule):
    operator = "NumericGreaterThan"


class NumericGreaterThanEquals(_NumericRule):
    operator = "NumericGreaterThanEquals"


class NumericLessThan(_NumericRule):
    operator = "NumericLessThan"


class NumericLessThanEquals(_NumericRule):
    operator = "NumericLessThanEquals"


class StringEquals(_StringRule):
    operator = "StringEquals"


class StringGreaterThan(_StringRule):
    operator = "StringGreaterThan"


class StringGreaterThanEquals(_StringRule):
    operator = "StringGreaterThanEquals"


class StringLessThan(_StringRule):
    operator = "StringLessThan"


class StringLessThanEquals(_StringRule):
    operator = "StringLessThanEquals"


class StringMatches(_StringRule):
    """Match a pattern where ``*`` is a wildcard (``\\*`` and ``\\\\`` escape)."""

    operator = "StringMatches"


class TimestampEquals(_TimestampRule):
    operator = "TimestampEquals"


class TimestampGreaterThan(_TimestampRule):
    operator = "TimestampGreaterThan"


class TimestampGreaterThanEquals(_TimestampRule):
    operator = "TimestampGreaterThanEquals"


class TimestampLessThan(_TimestampRule):
    operator = "TimestampLessThan"


class TimestampLessThanEquals(_TimestampRule):
    operator = "TimestampLessThanEquals"


class TimestampGreaterThanOrEquals(TimestampGreaterThanEquals):
    """The sfini 0.1.0 documentation's spelling of ``TimestampGreaterThanEquals``."""


class TimestampLessThanOrEquals(TimestampLessThanEquals):
    """The sfini 0.1.0 documentation's spelling of ``TimestampLessThanEquals``."""


class BooleanEqualsPath(_PathRule):
    operator = "BooleanEqualsPath"


class NumericEqualsPath(_PathRule):
    operator = "NumericEqualsPath"


class NumericGreaterThanPath(_PathRule):
    operator = "NumericGreaterThanPath"


class NumericGreaterThanEqualsPath(_PathRule):
    operator = "NumericGreaterThanEqualsPath"


class NumericLessThanPath(_PathRule):
    operator = "NumericLessThanPath"


class NumericLessThanEqualsPath(_PathRule):
    operator = "NumericLessThanEqualsPath"


class StringEqualsPath(_PathRule):
    operator = "StringEqualsPath"


class StringGreaterThanPath(_PathRule):
    operator = "StringGreaterThanPath"


class StringGreaterThanEqualsPath(_PathRule):
    operator = "StringGreaterThanEqualsPath"


class StringLessThanPath(_PathRule):
    operator = "StringLessThanPath"


class StringLessThanEqualsPath(_PathRule):
    operator = "StringLessThanEqualsPath"


class TimestampEqualsPath(_PathRule):
    operator = "TimestampEqualsPath"


class TimestampGreaterThanPath(_PathRule):
    operator = "TimestampGreaterThanPath"


class TimestampGreaterThanEqualsPath(_PathRule):
    operator = "TimestampGreaterThanEqualsPath"


class TimestampLessThanPath(_PathRule):
    operator = "TimestampLessThanPath"


class TimestampLessThanEqualsPath(_PathRule):
    operator = "TimestampLessThanEqualsPath"


class _TypeTest(_BooleanRule):
    """Test the variable's presence or type: ``comparison_value`` is ``True`` or ``False``."""

    def __init__(
        self,
        variable_path: str,
        comparison_value: bool = True,
        next_state: State | None = None,
        *,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(variable_path, comparison_value, next_state, assign=assign)


class IsPresent(_TypeTest):
    operator = "IsPresent"


class IsNull(_TypeTest):
    operator = "IsNull"


class IsNumeric(_TypeTest):
    operator = "IsNumeric"


class IsString(_TypeTest):
    operator = "IsString"


class IsBoolean(_TypeTest):
    operator = "IsBoolean"


class IsTimestamp(_TypeTest):
    operator = "IsTimestamp"


class Logical(ChoiceRule):
    """Logical combination of choice rules (nested rules have no next state)."""

    @staticmethod
    def _get_rule_defn(choice_rule: ChoiceRule) -> dict[str, JSONable]:
        if not isinstance(choice_rule, ChoiceRule):
            raise InvalidChoiceRule(f"{choice_rule!r} is not a choice rule")
        if choice_rule.next_state is not None:
            raise InvalidChoiceRule(
                f"nested choice rule {choice_rule} has a next state: only top-level rules can"
            )
        if isinstance(choice_rule, Condition):
            raise InvalidChoiceRule("a JSONata Condition cannot be nested in And/Or/Not")
        return choice_rule.to_dict()


class _NonUnary(Logical):
    """Logical operation on a list of choice rules.

    Args:
        choice_rules: choice rules to operate on
        next_state: state to execute on success
        assign: variables to assign on success
    """

    def __init__(
        self,
        choice_rules: list[ChoiceRule],
        next_state: State | None = None,
        *,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(next_state, assign=assign)
        self.choice_rules = choice_rules

    def __str__(self) -> str:
        joined = f" {type(self).__name__} ".join(f"({rule})" for rule in self.choice_rules)
        return joined + ("" if self.next_state is None else f" -> {self.next_state}")

    def _get_comparison(self) -> list[dict[str, JSONable]]:
        if not self.choice_rules:
            raise InvalidChoiceRule(f"{type(self).__name__} needs at least one choice rule")
        return [self._get_rule_defn(rule) for rule in self.choice_rules]


class And(_NonUnary):
    operator = "And"


class Or(_NonUnary):
    operator = "Or"


class Not(Logical):
    """Logical negation of a choice rule.

    Args:
        choice_rule: choice rule to negate
        next_state: state to execute on success
        assign: variables to assign on success
    """

    operator = "Not"

    def __init__(
        self,
        choice_rule: ChoiceRule,
        next_state: State | None = None,
        *,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(next_state, assign=assign)
        self.choice_rule = choice_rule

    def __str__(self) -> str:
        target = "" if self.next_state is None else f" -> {self.next_state}"
        return f"Not {self.choice_rule}{target}"

    def _get_comparison(self) -> dict[str, JSONable]:
        return self._get_rule_defn(self.choice_rule)


class Condition(ChoiceRule):
    """A JSONata choice rule: ``condition`` is a ``{% ... %}`` expression (or a literal
    boolean, as AWS accepts).

    Args:
        condition: JSONata expression evaluating to a boolean, or ``True``/``False``
        next_state: state to execute when it is true
        output: state output when it is true
        assign: variables to assign when it is true
    """

    operator = "Condition"

    def __init__(
        self,
        condition: str | bool,
        next_state: State | None = None,
        *,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(next_state, assign=assign)
        self.condition = condition
        self.output = output

    def __str__(self) -> str:
        target = "" if self.next_state is None else f" -> {self.next_state}"
        return f"{self.condition}{target}"

    def _get_comparison(self) -> JSONable:
        if not isinstance(self.condition, (str, bool)):
            raise ComparisonTypeError(
                f"Condition must be a str or a bool, got {type(self.condition).__name__}"
            )
        return self.condition

    def to_dict(self) -> dict[str, JSONable]:
        defn = super().to_dict()
        put(defn, "Output", self.output)
        return defn
