"""Exceptions raised by the definition model.

Every problem with a definition is an ``InvalidDefinition`` (a ``ValueError``) naming the state
(``state_name``, ``None`` for machine-level problems) and the problem.
"""

from __future__ import annotations


class InvalidDefinition(ValueError):
    """A state machine definition that AWS Step Functions would reject."""

    def __init__(self, problem: str, state_name: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.state_name = state_name

    def __str__(self) -> str:
        if self.state_name is None:
            return self.problem
        return f"state {self.state_name!r}: {self.problem}"


class UnknownStateTarget(InvalidDefinition):
    """A Next, Default, Catch or StartAt target that is not a state of the machine."""


class UnreachableState(InvalidDefinition):
    """A state that no transition leads to from its machine's (or branch's) StartAt."""


class DuplicateStateName(InvalidDefinition):
    """Two different states share a name (names are unique across branches and processors)."""


class InvalidStateName(InvalidDefinition):
    """A state name that is empty, longer than 80 characters, or has a forbidden character."""


class InvalidName(InvalidDefinition):
    """A state machine or activity name AWS would reject: empty, longer than 80 characters,
    or with a character AWS forbids in names."""


class ChoiceWithoutRules(InvalidDefinition):
    """A Choice state with no choice rules (with or without a default)."""


class InvalidChoiceRule(InvalidDefinition):
    """A malformed choice rule: missing or misplaced Next, empty logical operator, ..."""


class ComparisonTypeError(InvalidDefinition, TypeError):
    """A choice comparison value of the wrong type."""


class NaiveDatetime(InvalidDefinition):
    """A datetime without a time zone where ASL needs an absolute time."""


class InvalidErrorMatch(InvalidDefinition):
    """A Retry or Catch error list that is empty, misuses States.ALL or names no such error."""


class NoTerminalState(InvalidDefinition):
    """A state machine, Parallel branch or Map processor with no terminal state."""


class InvalidPath(InvalidDefinition):
    """A JSONPath (or reference path) with invalid syntax, or indefinite where it must not be."""


class InvalidExpression(InvalidDefinition):
    """A JSONata expression (``{% ... %}``) with invalid syntax."""


class QueryLanguageMismatch(InvalidDefinition):
    """A field the state's query language does not allow, or an invalid QueryLanguage."""


class InvalidField(InvalidDefinition):
    """A field with a value of the wrong type or range, or conflicting fields."""


class EmptyBranches(InvalidDefinition):
    """A Parallel state with no branches."""


class UnsupportedTaskResource(InvalidDefinition, TypeError):
    """A Task resource the resolver in use cannot turn into an ARN."""


class DuplicateActivity(ValueError):
    """An activity name already in use in an ``ActivityRegistration``."""


class MissingActivityInput(TypeError):
    """Task input lacking fields that a smart activity's required parameters need."""

    def __init__(self, activity_name: str, missing: list[str]) -> None:
        self.activity_name = activity_name
        self.missing = missing
        names = ", ".join(repr(n) for n in missing)
        super().__init__(f"activity {activity_name!r}: task input is missing required {names}")


class ActivityInputNotObject(TypeError):
    """A smart activity given task input that is not a JSON object."""


class ActivitySignatureUnavailable(InvalidDefinition, TypeError):
    """A smart activity's function whose parameters Python cannot read (some built-ins and
    C extensions have no signature), so task input fields cannot be matched to them."""
