"""JSONPath Choice Rules (``{"Variable": "$.x", "NumericEquals": 1}``, ``And``/``Or``/``Not``)
parsed into one tree: the checker reports what is wrong with a rule, the local engine compiles
the tree into a test. The messages are what both report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfini_asl.jsonpath import CompiledPath, PathSyntaxError, compile_path
from sfini_asl.timestamps import TimestampFormatError, epoch_nanoseconds

__all__ = [
    "COMPARISON_OPERATORS",
    "KINDS",
    "ORDERS",
    "TYPE_TESTS",
    "ChoiceRuleSyntaxError",
    "Combination",
    "Comparison",
    "Negation",
    "RuleNode",
    "StringMatch",
    "TypeTest",
    "parse_choice_rule",
    "string_matches_pattern",
]

#: the kinds of comparison and their orderings (Boolean has Equals only)
KINDS = ("String", "Numeric", "Boolean", "Timestamp")
ORDERS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
COMPARISON_OPERATORS: frozenset[str] = frozenset(
    [f"{kind}{order}" for kind in KINDS for order in ORDERS if kind != "Boolean"]
    + [f"{kind}{order}Path" for kind in KINDS for order in ORDERS if kind != "Boolean"]
    + ["BooleanEquals", "BooleanEqualsPath", "StringMatches", *TYPE_TESTS]
)
#: members of a rule that are not part of its condition
_NOT_CONDITIONS = frozenset({"Next", "Comment", "Assign", "Output"})


class ChoiceRuleSyntaxError(ValueError):
    """A Choice Rule that is not valid ASL; the message names the problem, ``field`` the
    member of the rule it is in (``Variable``, ``Not.NumericEqualsPath``, ``And[1]``; empty
    for the rule itself) and ``path`` whether it is a JSONPath that is wrong."""

    def __init__(self, message: str, field: str = "", *, path: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.path = path


@dataclass(frozen=True)
class Comparison:
    """``Variable`` compared with a literal or (``from_path``) with another path's value."""

    variable: CompiledPath
    operator: str
    kind: str
    order: str
    operand: Any
    from_path: bool


@dataclass(frozen=True)
class TypeTest:
    """``IsNull``, ``IsPresent``, ... of ``Variable``, expected true or false."""

    variable: CompiledPath
    operator: str
    expected: bool


@dataclass(frozen=True)
class StringMatch:
    """``StringMatches``: the pattern as written and compiled."""

    variable: CompiledPath
    pattern: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Combination:
    """``And`` or ``Or`` of rules."""

    operator: str
    rules: tuple[RuleNode, ...]


@dataclass(frozen=True)
class Negation:
    """``Not`` of a rule."""

    rule: RuleNode


RuleNode = Comparison | TypeTest | StringMatch | Combination | Negation


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


def _path(value: Any, field: str, where: str, *, reference: bool = False) -> CompiledPath:
    """``Variable`` (any path) or a ``...Path`` operand (a reference path: one node)."""
    if not isinstance(value, str):
        raise ChoiceRuleSyntaxError(
            f"The value of '{field}' must be a JSONPath string", where + field, path=True
        )
    try:
        compiled = compile_path(value)
    except PathSyntaxError as exc:
        raise ChoiceRuleSyntaxError(
            f"Invalid JSONPath in '{field}': {exc}", where + field, path=True
        ) from None
    if reference and not (compiled.definite and compiled.function is None):
        raise ChoiceRuleSyntaxError(
            f"Invalid JSONPath in '{field}': '{value}' must be a reference path identifying one "
            "node (no wildcards, filters, slices, unions or '..')",
            where + field,
            path=True,
        )
    return compiled


def _is_number(value: Any) -> bool:
    return (type(value) is int or type(value) is float) and value is not True


def _check_literal(kind: str, name: str, operand: Any, field: str) -> None:
    if kind == "String" and not isinstance(operand, str):
        raise ChoiceRuleSyntaxError(f"The value of '{name}' must be a string", field)
    if kind == "Numeric" and not _is_number(operand):
        raise ChoiceRuleSyntaxError(f"The value of '{name}' must be a number", field)
    if kind == "Boolean" and type(operand) is not bool:
        raise ChoiceRuleSyntaxError(f"The value of '{name}' must be a boolean", field)
    if kind == "Timestamp":
        try:
            epoch_nanoseconds(operand)
        except TimestampFormatError:
            raise ChoiceRuleSyntaxError(
                f"The value of '{name}' must be an RFC 3339 timestamp, e.g. 2016-08-18T17:33:00Z",
                field,
            ) from None


def parse_choice_rule(rule: Any) -> RuleNode:
    """The tree of a Choice Rule (top-level or nested); raises :class:`ChoiceRuleSyntaxError`."""
    return _parse(rule, "")


def _parse(rule: Any, where: str) -> RuleNode:
    """``where``: the rule's place in the top-level rule (``""``, ``"And[1]."``, ``"Not."``)."""
    itself = where[:-1]
    if not isinstance(rule, Mapping):
        raise ChoiceRuleSyntaxError("A choice rule must be a JSON object", itself)
    keys = [key for key in rule if key not in _NOT_CONDITIONS]
    for combinator in ("And", "Or"):
        if combinator in rule:
            if len(keys) != 1:
                raise ChoiceRuleSyntaxError(
                    f"A rule with '{combinator}' cannot have other conditions: {sorted(keys)}",
                    itself,
                )
            operands = rule[combinator]
            if not isinstance(operands, list) or not operands:
                raise ChoiceRuleSyntaxError(
                    f"'{combinator}' must be a non-empty array of choice rules",
                    where + combinator,
                )
            return Combination(
                combinator,
                tuple(_parse(o, f"{where}{combinator}[{i}].") for i, o in enumerate(operands)),
            )
    if "Not" in rule:
        if len(keys) != 1:
            raise ChoiceRuleSyntaxError(
                f"A rule with 'Not' cannot have other conditions: {sorted(keys)}", itself
            )
        return Negation(_parse(rule["Not"], f"{where}Not."))
    if "Variable" not in rule:
        raise ChoiceRuleSyntaxError(
            "A choice rule needs 'Variable' and a comparison operator, or And/Or/Not", itself
        )
    variable = _path(rule["Variable"], "Variable", where)
    operators = [key for key in keys if key != "Variable"]
    if len(operators) != 1:
        found = ", ".join(sorted(operators)) or "none"
        raise ChoiceRuleSyntaxError(
            f"A choice rule needs exactly one comparison operator (found: {found})", itself
        )
    name = operators[0]
    field = where + name
    if name not in COMPARISON_OPERATORS:
        raise ChoiceRuleSyntaxError(f"Unknown comparison operator '{name}'", field)
    operand = rule[name]
    if name in TYPE_TESTS:
        if type(operand) is not bool:
            raise ChoiceRuleSyntaxError(f"The value of '{name}' must be true or false", field)
        return TypeTest(variable, name, operand)
    if name == "StringMatches":
        if not isinstance(operand, str):
            raise ChoiceRuleSyntaxError("The value of 'StringMatches' must be a string", field)
        return StringMatch(variable, operand, string_matches_pattern(operand))
    from_path = name.endswith("Path")
    base = name[:-4] if from_path else name
    kind = next(kind for kind in KINDS if base.startswith(kind))
    order = base[len(kind) :]
    if from_path:
        operand_path = _path(operand, name, where, reference=True)
        return Comparison(variable, name, kind, order, operand_path, True)
    _check_literal(kind, name, operand, field)
    return Comparison(variable, name, kind, order, operand, False)
