"""Checks of state machine definitions, with messages naming the state and the problem.

Two layers: ``check_state_objects`` looks at the Python objects (names agree, transitions lead
to the states in the machine); ``validate_definition`` checks the rendered ASL with
``sfini_asl.checker``, the rules the local engine applies too (every ASL rule is written
there, once), and raises its first diagnostic as the ``InvalidDefinition`` subclass of its
kind. The one rule left out is the model's to decide: a Task's Resource may be a CDK token or
a placeholder while the model checks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfini_asl.checker import check_definition
from sfini_asl.checker.field_rules import jsonata_problem
from sfini_asl.diagnostics import Diagnostic, Kind
from sfini_asl.path_fields import intrinsic_problem, path_problem
from sfini_asl.spec import (
    RESOURCE_NAME_MAX,
    STATE_FIELDS,
    describe_character,
    forbidden_name_character,
)
from sfini_cdk.errors import (
    ChoiceWithoutRules,
    DuplicateStateName,
    EmptyBranches,
    InvalidChoiceRule,
    InvalidDefinition,
    InvalidErrorMatch,
    InvalidExpression,
    InvalidField,
    InvalidName,
    InvalidPath,
    InvalidStateName,
    NaiveDatetime,
    NoTerminalState,
    QueryLanguageMismatch,
    UnknownStateTarget,
    UnreachableState,
)

if TYPE_CHECKING:
    from sfini_cdk.state_machine import StateMachine

__all__ = [
    "MAX_NAME_LENGTH",
    "STATE_FIELDS",
    "check_expression",
    "check_intrinsic",
    "check_path",
    "check_resource_name",
    "check_state_objects",
    "is_expression",
    "name_character_problem",
    "validate_definition",
]

#: the longest state machine or activity name
MAX_NAME_LENGTH = RESOURCE_NAME_MAX

#: the exception each kind of diagnostic is raised as
_EXCEPTIONS: dict[str, type[InvalidDefinition]] = {
    Kind.FIELD: InvalidField,
    Kind.GRAPH: InvalidDefinition,
    Kind.TARGET: UnknownStateTarget,
    Kind.UNREACHABLE: UnreachableState,
    Kind.TERMINAL: NoTerminalState,
    Kind.DUPLICATE_NAME: DuplicateStateName,
    Kind.STATE_NAME: InvalidStateName,
    Kind.PATH: InvalidPath,
    Kind.EXPRESSION: InvalidExpression,
    Kind.QUERY_LANGUAGE: QueryLanguageMismatch,
    Kind.ERROR_MATCH: InvalidErrorMatch,
    Kind.NO_CHOICES: ChoiceWithoutRules,
    Kind.CHOICE_RULE: InvalidChoiceRule,
    Kind.NO_BRANCHES: EmptyBranches,
    Kind.TIME_ZONE: NaiveDatetime,
    Kind.RESOURCE: InvalidField,
}


# --- object level ----------------------------------------------------------------------------


def check_state_objects(state_machine: StateMachine) -> None:
    """Check the Python objects: keys match state names, every transition leads to the very
    state object the machine holds under that name, recursively in branches.

    Raises:
        UnknownStateTarget: a transition leads to a state not in the machine
        DuplicateStateName: two different state objects share a name
    """
    states = state_machine.states
    if not isinstance(states, dict):
        raise InvalidField(f"state machine {state_machine.name!r}: states must be a dict")
    for key, state in states.items():
        if getattr(state, "name", None) != key:
            raise InvalidField(
                f"is stored under the name {key!r} in state machine {state_machine.name!r}",
                state_name=getattr(state, "name", key),
            )
    if state_machine.start_state not in states:
        raise UnknownStateTarget(
            f"StartAt {state_machine.start_state!r} is not a state of state machine "
            f"{state_machine.name!r}"
        )
    for state in states.values():
        for target in state.successors():
            held = states.get(target.name)
            if held is None:
                raise UnknownStateTarget(
                    f"transition target {target.name!r} is not a state of state machine "
                    f"{state_machine.name!r}",
                    state_name=state.name,
                )
            if held is not target:
                raise DuplicateStateName(
                    f"transition target {target.name!r} is a different state than the one "
                    f"of that name in state machine {state_machine.name!r}",
                    state_name=state.name,
                )


def check_resource_name(kind: str, name: Any) -> str:
    """Check the name of an AWS resource (``kind``: "state machine", "activity"): 1 to 80
    characters, none of those AWS forbids (whitespace, brackets, wildcards, special and control
    characters).

    Returns:
        ``name``

    Raises:
        InvalidName: the name AWS would reject, with the reason
    """
    if not isinstance(name, str) or not name:
        raise InvalidName(f"{kind} name must be a non-empty str, got {name!r}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidName(
            f"{kind} name {name!r} is {len(name)} characters long, more than {MAX_NAME_LENGTH}"
        )
    problem = name_character_problem(name)
    if problem is not None:
        raise InvalidName(f"{kind} name {name!r} contains {problem}, which AWS forbids in names")
    return name


def name_character_problem(name: str) -> str | None:
    """The first character AWS forbids in resource names (state machines, activities),
    described, or ``None`` if there is none (``sfini_asl.spec`` decides which)."""
    character = forbidden_name_character(name)
    return None if character is None else describe_character(character)


# --- ASL level -------------------------------------------------------------------------------


def validate_definition(
    definition: dict[str, Any], *, query_language: str | None, name: str | None = None
) -> None:
    """Check a rendered ASL definition with ``sfini_asl.checker``.

    Args:
        definition: the ASL (top-level machine)
        query_language: the machine's query language, or ``None`` if not known yet (then the
            rules whose verdict depends on it are left to rendering)
        name: the machine's name, for messages

    Raises:
        InvalidDefinition: the first problem found (the subclass of its kind)
    """
    if query_language is not None and "QueryLanguage" not in definition:
        definition = {"QueryLanguage": query_language, **definition}
    for problem in check_definition(definition, name=name, default_language=None):
        # a Task's Resource is the model's to check: here it may be a CDK token or a placeholder
        if problem.kind != Kind.RESOURCE:
            raise _as_invalid_definition(problem)


def _as_invalid_definition(problem: Diagnostic) -> InvalidDefinition:
    """The model's exception for one of the checker's diagnostics: its kind's class, naming
    its state and the problem in full."""
    kind = _EXCEPTIONS.get(problem.kind, InvalidField)
    return kind(problem.text, state_name=problem.state or None)


def check_path(value: Any, field: str, state_name: str | None, *, reference: bool) -> None:
    """Check that ``value`` is a JSONPath (``$``, ``$$`` context or ``$var`` variable paths).

    Args:
        value: the path
        field: the field holding it, for the message
        state_name: the state holding it, for the message
        reference: whether it must be a reference path (identify one definite node)

    Raises:
        InvalidPath: invalid syntax, or indefinite where a reference path is needed
    """
    problem = path_problem(value, field, reference=reference)
    if problem is not None:
        raise InvalidPath(problem, state_name)


def check_intrinsic(value: str, field: str, state_name: str | None) -> None:
    """Check an intrinsic function call: syntax, function, argument count, nesting, and the
    paths among its arguments.

    Raises:
        InvalidPath: the call is not one Step Functions can parse
    """
    problem = intrinsic_problem(value, field)
    if problem is not None:
        raise InvalidPath(problem, state_name)


def is_expression(value: Any) -> bool:
    """Whether ``value`` is written as a JSONata expression (``{% ... %}``)."""
    return isinstance(value, str) and value.startswith("{%")


def check_expression(value: Any, field: str, state_name: str | None) -> None:
    """Check that ``value`` is a syntactically valid ``{% ... %}`` JSONata expression.

    Raises:
        InvalidExpression: not an expression, or invalid JSONata syntax
    """
    if not is_expression(value):
        raise InvalidExpression(
            f"{field} {value!r} is not a JSONata expression: write it as '{{% ... %}}'",
            state_name,
        )
    problem = jsonata_problem(value, field)
    if problem is not None:
        _code, message, detail = problem
        raise InvalidExpression(detail or message, state_name)
