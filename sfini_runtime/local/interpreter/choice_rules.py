"""Choice rules (JSONPath query language): every comparison operator, And, Or, Not.

A compiled rule is ``rule(input, context) -> bool``. A comparison against a value of another
type is false; a Variable (or ``...Path`` operand) that selects nothing raises States.Runtime,
except under ``IsPresent``. Timestamps compare as instants.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from sfini_asl.jsonpath import CompiledPath, PathNotFound, PathSyntaxError, compile_path
from sfini_asl.timestamps import TimestampFormatError, epoch_nanoseconds, is_timestamp

from .failures import STATES_RUNTIME, StatesError

__all__ = [
    "COMPARISON_OPERATORS",
    "ChoiceRule",
    "ChoiceRuleDefinitionError",
    "compile_choice_rule",
    "string_matches_pattern",
]

ChoiceRule = Callable[[Any, Any], bool]


class ChoiceRuleDefinitionError(ValueError):
    """A choice rule that is not valid ASL; the message names the problem."""


_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")

COMPARISON_OPERATORS: frozenset[str] = frozenset(
    [f"{kind}{order}" for kind in _KINDS for order in _ORDERINGS if kind != "Boolean"]
    + [f"{kind}{order}Path" for kind in _KINDS for order in _ORDERINGS if kind != "Boolean"]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches", *_TYPE_TESTS]
)

_RULE_KEYS_IGNORED = frozenset({"Next", "Comment", "Assign", "Output"})


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


def string_matches_pattern(pattern: str) -> re.Pattern[str]:
    """StringMatches: ``*`` matches any run of characters; ``\\*`` and ``\\\\`` are literal."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in "*\\":
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def _compile_path(value: Any, field: str) -> CompiledPath:
    if not isinstance(value, str):
        raise ChoiceRuleDefinitionError(f"The value of '{field}' must be a JSONPath string")
    try:
        return compile_path(value)
    except PathSyntaxError as exc:
        raise ChoiceRuleDefinitionError(f"Invalid JSONPath in '{field}': {exc}") from None


def _comparison(
    kind: str, order: str, variable: CompiledPath, operand: Any, from_path: bool
) -> ChoiceRule:
    test = _ORDERINGS[order]
    type_test: Callable[[Any], bool]
    key: Callable[[Any], Any]
    if kind == "String":
        type_test, key = _is_string, (lambda v: v) if order == "Equals" else _utf16
    elif kind == "Numeric":
        type_test, key = _is_number, lambda v: v
    elif kind == "Boolean":
        type_test, key = _is_boolean, lambda v: v
    else:
        type_test, key = is_timestamp, epoch_nanoseconds

    if from_path:
        other_path: CompiledPath = operand

        def compare_paths(data: Any, context: Any) -> bool:
            value = _read(variable, data, context)
            other = _read(other_path, data, context)
            if not (type_test(value) and type_test(other)):
                return False
            return test(key(value), key(other))

        return compare_paths

    expected = key(operand)

    def compare(data: Any, context: Any) -> bool:
        value = _read(variable, data, context)
        if not type_test(value):
            return False
        return test(key(value), expected)

    return compare


def _check_literal(kind: str, name: str, operand: Any) -> None:
    if kind == "String" and not isinstance(operand, str):
        raise ChoiceRuleDefinitionError(f"The value of '{name}' must be a string")
    if kind == "Numeric" and not _is_number(operand):
        raise ChoiceRuleDefinitionError(f"The value of '{name}' must be a number")
    if kind == "Boolean" and not _is_boolean(operand):
        raise ChoiceRuleDefinitionError(f"The value of '{name}' must be a boolean")
    if kind == "Timestamp":
        try:
            epoch_nanoseconds(operand)
        except TimestampFormatError:
            raise ChoiceRuleDefinitionError(
                f"The value of '{name}' must be an RFC 3339 timestamp, e.g. 2016-08-18T17:33:00Z"
            ) from None


def _type_test(name: str, variable: CompiledPath, expected: bool) -> ChoiceRule:
    if name == "IsPresent":

        def is_present(data: Any, context: Any) -> bool:
            return variable.exists(data, context) is expected

        return is_present
    test: Callable[[Any], bool] = {
        "IsNull": lambda v: v is None,
        "IsNumeric": _is_number,
        "IsString": _is_string,
        "IsBoolean": _is_boolean,
        "IsTimestamp": is_timestamp,
    }[name]

    def type_test(data: Any, context: Any) -> bool:
        return test(_read(variable, data, context)) is expected

    return type_test


def compile_choice_rule(rule: Mapping[str, Any]) -> ChoiceRule:
    """Compile a Choice Rule (top-level or nested); raises ChoiceRuleDefinitionError."""
    if not isinstance(rule, Mapping):
        raise ChoiceRuleDefinitionError("A choice rule must be a JSON object")
    keys = [key for key in rule if key not in _RULE_KEYS_IGNORED]
    for combinator in ("And", "Or"):
        if combinator in rule:
            if len(keys) != 1:
                raise ChoiceRuleDefinitionError(
                    f"A rule with '{combinator}' cannot have other conditions: {sorted(keys)}"
                )
            operands = rule[combinator]
            if not isinstance(operands, list) or not operands:
                raise ChoiceRuleDefinitionError(
                    f"'{combinator}' must be a non-empty array of choice rules"
                )
            parts = tuple(compile_choice_rule(operand) for operand in operands)
            if combinator == "And":
                return lambda data, context: all(part(data, context) for part in parts)
            return lambda data, context: any(part(data, context) for part in parts)
    if "Not" in rule:
        if len(keys) != 1:
            raise ChoiceRuleDefinitionError(
                f"A rule with 'Not' cannot have other conditions: {sorted(keys)}"
            )
        inner = compile_choice_rule(rule["Not"])
        return lambda data, context: not inner(data, context)

    if "Variable" not in rule:
        raise ChoiceRuleDefinitionError(
            "A choice rule needs 'Variable' and a comparison operator, or And/Or/Not"
        )
    variable = _compile_path(rule["Variable"], "Variable")
    operators = [key for key in keys if key != "Variable"]
    if len(operators) != 1:
        found = ", ".join(sorted(operators)) or "none"
        raise ChoiceRuleDefinitionError(
            f"A choice rule needs exactly one comparison operator (found: {found})"
        )
    name = operators[0]
    if name not in COMPARISON_OPERATORS:
        raise ChoiceRuleDefinitionError(f"Unknown comparison operator '{name}'")
    operand = rule[name]
    if name in _TYPE_TESTS:
        if not _is_boolean(operand):
            raise ChoiceRuleDefinitionError(f"The value of '{name}' must be true or false")
        return _type_test(name, variable, operand)
    if name == "StringMatches":
        if not isinstance(operand, str):
            raise ChoiceRuleDefinitionError("The value of 'StringMatches' must be a string")
        pattern = string_matches_pattern(operand)

        def matches(data: Any, context: Any) -> bool:
            value = _read(variable, data, context)
            return type(value) is str and pattern.fullmatch(value) is not None

        return matches
    from_path = name.endswith("Path")
    base = name[:-4] if from_path else name
    kind = next(kind for kind in _KINDS if base.startswith(kind))
    order = base[len(kind) :]
    if from_path:
        return _comparison(kind, order, variable, _compile_path(operand, name), True)
    _check_literal(kind, name, operand)
    return _comparison(kind, order, variable, operand, False)
