"""Choice rules (JSONPath query language): every comparison operator, And, Or, Not.

A compiled rule is ``rule(input, context) -> bool``. A comparison against a value of another
type is false; a Variable (or ``...Path`` operand) that selects nothing raises States.Runtime,
except under ``IsPresent``. Timestamps compare as instants.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from sfini_asl.choice_rules import (
    COMPARISON_OPERATORS,
    ChoiceRuleSyntaxError,
    Combination,
    Comparison,
    Negation,
    RuleNode,
    StringMatch,
    TypeTest,
    parse_choice_rule,
    string_matches_pattern,
)
from sfini_asl.jsonpath import CompiledPath, PathNotFound
from sfini_asl.timestamps import epoch_nanoseconds, is_timestamp

from ..failures import STATES_RUNTIME, StatesError

__all__ = [
    "COMPARISON_OPERATORS",
    "ChoiceRule",
    "ChoiceRuleDefinitionError",
    "compile_choice_rule",
    "string_matches_pattern",
]

ChoiceRule = Callable[[Any, Any], bool]
#: a rule that is not valid ASL (the shared parser's error)
ChoiceRuleDefinitionError = ChoiceRuleSyntaxError

_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}


def _is_number(value: Any) -> bool:
    return (type(value) is int or type(value) is float) and value is not True


def _is_string(value: Any) -> bool:
    return type(value) is str


def _is_boolean(value: Any) -> bool:
    return type(value) is bool


def _utf16(text: str) -> bytes:
    # Java compares strings by UTF-16 code unit; big-endian bytes sort the same way.
    return text.encode("utf-16-be", "surrogatepass")


def _invalid_path(path: CompiledPath) -> StatesError:
    return StatesError(
        STATES_RUNTIME,
        f"Invalid path '{path.source}': The choice state's condition path references an "
        "invalid value.",
        in_state=True,
    )


def _read(path: CompiledPath, data: Any, context: Any) -> Any:
    try:
        return path.get(data, context)
    except PathNotFound:
        raise _invalid_path(path) from None


def _comparison(node: Comparison) -> ChoiceRule:
    test = _ORDERINGS[node.order]
    type_test: Callable[[Any], bool]
    key: Callable[[Any], Any]
    if node.kind == "String":
        type_test, key = _is_string, (lambda v: v) if node.order == "Equals" else _utf16
    elif node.kind == "Numeric":
        type_test, key = _is_number, lambda v: v
    elif node.kind == "Boolean":
        type_test, key = _is_boolean, lambda v: v
    else:
        type_test, key = is_timestamp, epoch_nanoseconds
    variable = node.variable

    if node.from_path:
        other_path: CompiledPath = node.operand

        def compare_paths(data: Any, context: Any) -> bool:
            value = _read(variable, data, context)
            other = _read(other_path, data, context)
            if not (type_test(value) and type_test(other)):
                return False
            return test(key(value), key(other))

        return compare_paths

    expected = key(node.operand)

    def compare(data: Any, context: Any) -> bool:
        value = _read(variable, data, context)
        if not type_test(value):
            return False
        return test(key(value), expected)

    return compare


def _type_test(node: TypeTest) -> ChoiceRule:
    variable, expected = node.variable, node.expected
    if node.operator == "IsPresent":

        def is_present(data: Any, context: Any) -> bool:
            return variable.exists(data, context) is expected

        return is_present
    test: Callable[[Any], bool] = {
        "IsNull": lambda v: v is None,
        "IsNumeric": _is_number,
        "IsString": _is_string,
        "IsBoolean": _is_boolean,
        "IsTimestamp": is_timestamp,
    }[node.operator]

    def type_test(data: Any, context: Any) -> bool:
        return test(_read(variable, data, context)) is expected

    return type_test


def _compile(node: RuleNode) -> ChoiceRule:
    if isinstance(node, Combination):
        parts = tuple(_compile(rule) for rule in node.rules)
        if node.operator == "And":
            return lambda data, context: all(part(data, context) for part in parts)
        return lambda data, context: any(part(data, context) for part in parts)
    if isinstance(node, Negation):
        inner = _compile(node.rule)
        return lambda data, context: not inner(data, context)
    if isinstance(node, TypeTest):
        return _type_test(node)
    if isinstance(node, StringMatch):
        variable, pattern = node.variable, node.regex

        def matches(data: Any, context: Any) -> bool:
            value = _read(variable, data, context)
            return type(value) is str and pattern.fullmatch(value) is not None

        return matches
    return _comparison(node)


def compile_choice_rule(rule: Mapping[str, Any]) -> ChoiceRule:
    """Compile a Choice Rule (top-level or nested) parsed by ``sfini_asl.choice_rules``;
    raises ChoiceRuleDefinitionError."""
    return _compile(parse_choice_rule(rule))
