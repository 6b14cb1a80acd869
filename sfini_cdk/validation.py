"""Checks of state machine definitions, with messages naming the state and the problem.

Two layers: ``check_state_objects`` looks at the Python objects (names agree, transitions lead
to the states in the machine); ``validate_definition`` checks rendered ASL: graph, names, error
matchers, query-language fields, JSONPath and JSONata syntax, field types and ranges.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sfini_asl.intrinsics import IntrinsicSyntaxError, parse_intrinsic, paths_of
from sfini_asl.jsonpath import PathSyntaxError, compile_path
from sfini_asl.spec import forbidden_name_character, state_name_problem
from sfini_asl.timestamps import timestamp_problem
from sfini_cdk.errors import (
    ChoiceWithoutRules,
    DuplicateStateName,
    InvalidChoiceRule,
    InvalidDefinition,
    InvalidErrorMatch,
    InvalidExpression,
    InvalidField,
    InvalidName,
    InvalidPath,
    InvalidStateName,
    NoTerminalState,
    QueryLanguageMismatch,
    UnknownStateTarget,
    UnreachableState,
)
from sfini_cdk.state.error_names import PREDEFINED_ERRORS, States
from sfini_cdk.state.query_language import QUERY_LANGUAGES, QueryLanguage

if TYPE_CHECKING:
    from sfini_cdk.state_machine import StateMachine

MAX_NAME_LENGTH = 80

JSONPATH = QueryLanguage.JSONPATH
JSONATA = QueryLanguage.JSONATA

#: Fields that hold a JSONPath: {field: must be a reference path (one definite node)}.
PATH_FIELDS = {
    "InputPath": False,
    "OutputPath": False,
    "ResultPath": True,
    "ItemsPath": True,
    "SecondsPath": True,
    "TimestampPath": True,
    "TimeoutSecondsPath": True,
    "HeartbeatSecondsPath": True,
    "ErrorPath": True,
    "CausePath": True,
    "MaxConcurrencyPath": True,
    "ToleratedFailureCountPath": True,
    "ToleratedFailurePercentagePath": True,
}
#: Path fields that may instead call an intrinsic function returning a string (Fail state).
INTRINSIC_PATH_FIELDS = frozenset({"ErrorPath", "CausePath"})
STRING_INTRINSICS = frozenset(
    {
        "States.Format",
        "States.JsonToString",
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    }
)
#: Fields that may be null (JSON null has a meaning there).
NULLABLE_PATH_FIELDS = frozenset({"InputPath", "OutputPath", "ResultPath", "ItemsPath"})
#: Payload templates whose ``<key>.$`` entries are paths or intrinsic functions (JSONPath).
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")
#: Fields only JSONPath states have.
JSONPATH_ONLY_FIELDS = frozenset({*PATH_FIELDS, "Parameters", "ResultSelector", "Result"})
#: Fields only JSONata states have.
JSONATA_ONLY_FIELDS = frozenset({"Arguments", "Output", "Items"})
#: Fields that are JSONata expressions (or hold them) under JSONata.
EXPRESSION_FIELDS = ("Arguments", "Output", "Assign", "Items", "ItemSelector", "Error", "Cause")
#: Numeric fields that may be a ``{% %}`` expression under JSONata.
NUMERIC_FIELDS = (
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Seconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
)
STATE_TYPES = frozenset({"Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"})
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})
JITTER_STRATEGIES = frozenset({"FULL", "NONE"})
PROCESSOR_MODES = frozenset({"INLINE", "DISTRIBUTED"})
EXECUTION_TYPES = frozenset({"STANDARD", "EXPRESS"})
#: A Map state's Label: at most 40 characters, unique among the machine's Map states.
MAX_LABEL_LENGTH = 40

_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_IO = frozenset({"InputPath", "OutputPath"})
_FLOW = frozenset({"Next", "End"})
_RESULT = frozenset({"ResultPath", "ResultSelector", "Retry", "Catch", "Parameters"})
_JSONATA_IO = frozenset({"Arguments", "Output", "Assign"})
#: The fields each state type has (both query languages; which language allows which field is
#: checked separately). AWS rejects any other field; Arguments is listed where cfn-lint's
#: schema has it, to reject nothing AWS might accept.
STATE_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON | _IO | _FLOW | _JSONATA_IO | {"ResultPath", "Parameters", "Result"},
    "Task": _COMMON
    | _IO
    | _FLOW
    | _JSONATA_IO
    | _RESULT
    | {
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | _IO | _JSONATA_IO | {"Choices", "Default"},
    "Wait": _COMMON
    | _IO
    | _FLOW
    | _JSONATA_IO
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
    "Succeed": _COMMON | _IO | {"Output"},
    "Fail": _COMMON | _IO | {"Arguments", "Output", "Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _IO | _FLOW | _JSONATA_IO | _RESULT | {"Branches"},
    "Map": _COMMON
    | _IO
    | _FLOW
    | _JSONATA_IO
    | _RESULT
    | {
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
    },
}
#: The fields of Retry and Catch entries.
ENTRY_FIELDS = {
    "Retry": frozenset(
        {
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment",
        }
    ),
    "Catch": frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"}),
}
_VARIABLE_PATH = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)")
#: A state name made only of characters AWS allows, short enough (the per-character scan is
#: needed only for names this does not match).
_PLAIN_NAME = re.compile(rf"[A-Za-z0-9_.\-]{{1,{MAX_NAME_LENGTH}}}")


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


# --- ASL level -------------------------------------------------------------------------------


def validate_definition(
    definition: dict[str, Any], *, query_language: str | None, name: str | None = None
) -> None:
    """Check a rendered ASL definition.

    Args:
        definition: the ASL (top-level machine)
        query_language: the machine's query language, or ``None`` if not known yet (then the
            checks that depend on it are left to rendering)
        name: the machine's name, for messages

    Raises:
        InvalidDefinition: the first problem found (a subclass naming it)
    """
    top = definition.get("QueryLanguage", query_language)
    if top is not None and top not in QUERY_LANGUAGES:
        raise QueryLanguageMismatch(
            f"QueryLanguage must be one of {sorted(QUERY_LANGUAGES)}, got {top!r}"
        )
    names: Counter[str] = Counter()
    labels: Counter[str] = Counter()
    for state_name, state in _all_states(definition):
        names[state_name] += 1
        if isinstance(state, dict) and isinstance(state.get("Label"), str):
            labels[state["Label"]] += 1
    for state_name, count in names.items():
        if count > 1:
            raise DuplicateStateName(
                f"state name used {count} times (names must be unique across the machine, "
                "its Parallel branches and Map processors)",
                state_name=state_name,
            )
    for label, count in labels.items():
        if count > 1:
            raise InvalidField(
                f"Map Label {label!r} is used by {count} Map states (labels must be unique "
                "across the machine)"
            )
    where = "the state machine" if name is None else f"state machine {name!r}"
    _check_machine(definition, top, top_level_jsonata=top == JSONATA, where=where)
    if top is not None:
        _check_with_asl_rules(definition, top)


def _check_with_asl_rules(definition: dict[str, Any], top: str) -> None:
    """Run ``sfini_asl.checker``, the rules the local engine applies, after the model's own
    (more precise) messages have had their say: the first problem is raised as the
    ``InvalidDefinition`` subclass that names it."""
    from sfini_asl.checker import check_definition

    document = definition if "QueryLanguage" in definition else {**definition, "QueryLanguage": top}
    # a Task's Resource is the model's to check: here it may be a CDK token or a placeholder
    problems = [p for p in check_definition(document) if p.code != "INVALID_RESOURCE"]
    if problems:
        raise _as_invalid_definition(problems[0])


def _as_invalid_definition(problem: Any) -> InvalidDefinition:
    """The model's exception for one of the checker's diagnostics."""
    location = problem.location
    leaf = location.rsplit("/", 1)[-1]
    kind: type[InvalidDefinition] = InvalidField
    if problem.code == "DUPLICATE_STATE_NAME":
        kind = DuplicateStateName
    elif problem.code == "INVALID_STATE_NAME":
        kind = InvalidStateName
    elif problem.code == "MISSING_END_STATE":
        kind = NoTerminalState
    elif problem.code == "MISSING_TRANSITION_TARGET":
        kind = UnreachableState if "not reachable" in problem.message else UnknownStateTarget
    elif "JSONATA" in problem.code:
        kind = InvalidExpression
    elif "/Choices/" in location:
        kind = InvalidChoiceRule
    elif leaf.endswith("Path") or leaf in PATH_FIELDS:
        kind = InvalidPath
    elif leaf == "QueryLanguage":
        kind = QueryLanguageMismatch
    message = f"{problem.message} (at {location})"
    if problem.state is not None:
        prefix = f"State '{problem.state}': "
        message = message.removeprefix(prefix)
    return kind(message, state_name=problem.state)


def _all_states(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    states = machine.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        yield name, state
        if not isinstance(state, dict):
            continue
        for branch in state.get("Branches") or ():
            if isinstance(branch, dict):
                yield from _all_states(branch)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            yield from _all_states(processor)


def _check_machine(
    machine: dict[str, Any],
    query_language: str | None,
    *,
    top_level_jsonata: bool,
    where: str,
    owner: str | None = None,
) -> None:
    """Check a machine, Parallel branch or Map processor; ``owner`` is the Parallel or Map
    state holding it (``None`` at the top level), named by the machine-level errors."""
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        raise InvalidDefinition(f"{where} has no states", owner)
    start = machine.get("StartAt")
    if start not in states:
        raise UnknownStateTarget(f"StartAt {start!r} is not a state of {where}", owner)
    if "TimeoutSeconds" in machine and not MACHINE_TIMEOUT_RULE.accepts(machine["TimeoutSeconds"]):
        raise InvalidField(
            f"TimeoutSeconds of {where} must be {MACHINE_TIMEOUT_RULE.describe()}, got "
            f"{machine['TimeoutSeconds']!r}",
            owner,
        )
    if not any(_is_terminal(state) for state in states.values()):
        raise NoTerminalState(
            f"{where} has no terminal state (End: true, Succeed or Fail): executions could "
            "never finish",
            owner,
        )
    for name, state in states.items():
        _check_name(name)
        if not isinstance(state, dict):
            raise InvalidField("definition must be an object", state_name=name)
        _check_state(name, state, states, query_language, top_level_jsonata=top_level_jsonata)
    _check_reachable(states, start, where)


def _transition_targets(state: dict[str, Any]) -> Iterator[Any]:
    """The names a state can transition to (Next, Default, choice rules', catchers')."""
    if "Next" in state:
        yield state["Next"]
    if "Default" in state:
        yield state["Default"]
    for rule in state.get("Choices") or ():
        if isinstance(rule, dict) and "Next" in rule:
            yield rule["Next"]
    for catcher in state.get("Catch") or ():
        if isinstance(catcher, dict) and "Next" in catcher:
            yield catcher["Next"]


def _check_reachable(states: dict[str, Any], start: str, where: str) -> None:
    reached = {start}
    pending = [start]
    while pending:
        for target in _transition_targets(states[pending.pop()]):
            if isinstance(target, str) and target in states and target not in reached:
                reached.add(target)
                pending.append(target)
    for name in states:
        if name not in reached:
            raise UnreachableState(
                f"is not reachable from StartAt {start!r} of {where} (no Next, Default, "
                "choice rule or Catch leads to it)",
                name,
            )


def _is_terminal(state: Any) -> bool:
    return isinstance(state, dict) and (
        state.get("End") is True or state.get("Type") in TERMINAL_TYPES
    )


def name_character_problem(name: str) -> str | None:
    """The first character AWS forbids in resource names (state machines, activities),
    described, or ``None`` if there is none (``sfini_asl.spec`` decides which)."""
    character = forbidden_name_character(name)
    if character is None:
        return None
    code = ord(character)
    if character.isspace():
        return f"whitespace ({character!r})"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"a control character ({character!r})"
    return repr(character)


def _check_name(name: Any) -> None:
    """A state name is 1 to 80 characters, line breaks aside any characters (AWS's own
    examples have spaces and question marks: "Job Complete?"); the characters AWS forbids
    otherwise are forbidden in resource names."""
    if not isinstance(name, str) or not name:
        raise InvalidStateName(f"state name must be a non-empty str, got {name!r}")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidStateName(
            f"name is {len(name)} characters long, more than {MAX_NAME_LENGTH}", state_name=name
        )
    problem = state_name_problem(name)
    if problem is not None:
        raise InvalidStateName(problem, state_name=name)


def check_resource_name(kind: str, name: Any) -> str:
    """Check the name of an AWS resource (``kind``: "state machine", "activity"): 1 to 80
    characters, none of those AWS forbids (whitespace, brackets, wildcards, special and control
    characters).

    Returns:
        ``name``

    Raises:
        InvalidName: the name AWS would reject, with the reason
    """
    if isinstance(name, str) and _PLAIN_NAME.fullmatch(name):
        return name
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


def _check_state(
    name: str,
    state: dict[str, Any],
    siblings: dict[str, Any],
    inherited: str | None,
    *,
    top_level_jsonata: bool,
) -> None:
    state_type = state.get("Type")
    if state_type not in STATE_TYPES:
        raise InvalidField(f"Type must be one of {sorted(STATE_TYPES)}, got {state_type!r}", name)
    own = state.get("QueryLanguage")
    if own is not None:
        if own not in QUERY_LANGUAGES:
            raise QueryLanguageMismatch(
                f"QueryLanguage must be one of {sorted(QUERY_LANGUAGES)}, got {own!r}", name
            )
        if own == JSONPATH and top_level_jsonata:
            raise QueryLanguageMismatch(
                "a JSONPath state cannot be in a state machine whose QueryLanguage is JSONata",
                name,
            )
    language = own or inherited
    _check_targets(name, state, siblings)
    _check_transition_fields(name, state)
    unknown = state.keys() - STATE_FIELDS[state_type]
    if unknown:
        raise InvalidField(
            f"{', '.join(sorted(unknown))}: not a field of a {state_type} state (AWS rejects "
            "fields a state type does not have)",
            name,
        )
    if language is not None:
        _check_query_language_fields(name, state, language)
    if language != JSONATA:
        _check_paths(name, state)
    if language != JSONPATH:
        _check_expressions(name, state, required=language == JSONATA)
    _check_numbers(name, state, language)
    if "Assign" in state or "Choices" in state or "Catch" in state:
        _check_variable_names(name, state, language)
    for field in ("Retry", "Catch"):
        _check_error_matchers(name, state, field)
    checker = _TYPE_CHECKS.get(state_type)
    if checker is not None:
        checker(name, state, language)
    # nested states inherit the top-level QueryLanguage, not the enclosing state's
    nested_language = inherited
    for index, branch in enumerate(state.get("Branches") or ()):
        if not isinstance(branch, dict):
            raise InvalidField(f"branch {index} must be an object", name)
        _check_machine(
            branch,
            nested_language,
            top_level_jsonata=top_level_jsonata,
            where=f"branch {index} of Parallel state {name!r}",
            owner=name,
        )
    processor = state.get("ItemProcessor", state.get("Iterator"))
    if isinstance(processor, dict):
        _check_machine(
            processor,
            nested_language,
            top_level_jsonata=top_level_jsonata,
            where=f"the item processor of Map state {name!r}",
            owner=name,
        )


def _targets_known(state: dict[str, Any], siblings: dict[str, Any]) -> bool:
    """Whether every transition target names a sibling (``_check_targets`` without building
    the field labels its messages need)."""
    if "Next" in state and state["Next"] not in siblings:
        return False
    if "Default" in state and state["Default"] not in siblings:
        return False
    for rule in state.get("Choices") or ():
        if isinstance(rule, dict) and "Next" in rule and rule["Next"] not in siblings:
            return False
    for catcher in state.get("Catch") or ():
        if isinstance(catcher, dict) and catcher.get("Next") not in siblings:
            return False
    return True


def _check_targets(name: str, state: dict[str, Any], siblings: dict[str, Any]) -> None:
    if _targets_known(state, siblings):
        return
    targets: list[tuple[str, Any]] = []
    if "Next" in state:
        targets.append(("Next", state["Next"]))
    if "Default" in state:
        targets.append(("Default", state["Default"]))
    for index, rule in enumerate(state.get("Choices") or ()):
        if isinstance(rule, dict) and "Next" in rule:
            targets.append((f"Choices[{index}].Next", rule["Next"]))
    for index, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, dict):
            targets.append((f"Catch[{index}].Next", catcher.get("Next")))
    for field, target in targets:
        if target not in siblings:
            raise UnknownStateTarget(
                f"{field} target {target!r} is not a state of the same state machine, "
                "Parallel branch or Map processor",
                name,
            )


def _check_transition_fields(name: str, state: dict[str, Any]) -> None:
    state_type = state["Type"]
    if state_type in ("Choice", "Succeed", "Fail"):
        for field in ("Next", "End"):
            if field in state:
                raise InvalidField(f"a {state_type} state cannot have {field}", name)
        return
    has_next, has_end = "Next" in state, state.get("End") is True
    if has_next == has_end:
        raise InvalidField("needs exactly one of Next and End: true", name)


def _check_query_language_fields(name: str, state: dict[str, Any], language: str) -> None:
    forbidden = JSONPATH_ONLY_FIELDS if language == JSONATA else JSONATA_ONLY_FIELDS
    for field in state:
        if field in forbidden:
            raise QueryLanguageMismatch(
                f"{field} is not allowed in a {language} state ({_alternative(field, language)})",
                name,
            )
    for index, catcher in enumerate(state.get("Catch") or ()):
        if not isinstance(catcher, dict):
            continue
        bad = "ResultPath" if language == JSONATA else "Output"
        if bad in catcher:
            raise QueryLanguageMismatch(
                f"Catch[{index}].{bad} is not allowed in a {language} state", name
            )
    for index, rule in enumerate(state.get("Choices") or ()):
        if not isinstance(rule, dict):
            continue
        is_condition = "Condition" in rule
        if language == JSONATA and not is_condition:
            raise QueryLanguageMismatch(
                f"Choices[{index}] must be a JSONata Condition rule in a JSONata state, not a "
                "JSONPath comparison",
                name,
            )
        if language == JSONPATH and (is_condition or "Output" in rule):
            raise QueryLanguageMismatch(
                f"Choices[{index}] uses Condition/Output, which need QueryLanguage JSONata",
                name,
            )


def _alternative(field: str, language: str) -> str:
    if language == JSONATA:
        return "JSONata states use Arguments, Output, Items and {% %} expressions instead"
    return "it needs QueryLanguage JSONata"


# --- JSONPath --------------------------------------------------------------------------------


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
    if not isinstance(value, str):
        raise InvalidPath(
            f"{field} must be a JSONPath str, got {type(value).__name__} {value!r}", state_name
        )
    path = value
    if path.startswith("$$"):
        path = path[1:]
    else:
        variable = _VARIABLE_PATH.match(path)
        if variable:
            path = "$" + path[variable.end() :]
    if not path.startswith("$"):
        raise InvalidPath(
            f"{field} {value!r} is not a JSONPath: it must start with '$'", state_name
        )
    error, singular = _parse_jsonpath(path)
    if error is not None:
        raise InvalidPath(f"{field} {value!r} is not a valid JSONPath: {error}", state_name)
    if reference and not singular:
        raise InvalidPath(
            f"{field} {value!r} must be a reference path identifying one node (no wildcards, "
            "filters, slices, unions or '..')",
            state_name,
        )


@functools.lru_cache(maxsize=4096)
def _parse_jsonpath(path: str) -> tuple[str | None, bool]:
    """(syntax error or None, whether it identifies one node): ``sfini_asl.jsonpath``, the
    parser the local engine evaluates paths with."""
    try:
        compiled = compile_path(path)
    except PathSyntaxError as error:
        return str(error), False
    return None, compiled.definite and compiled.function is None


#: Every field ``_check_paths`` looks at: a state with none of them has no path to check.
_PATH_CHECKED_FIELDS = frozenset({*PATH_FIELDS, *TEMPLATE_FIELDS, "Catch", "Choices"})


def _check_paths(name: str, state: dict[str, Any]) -> None:
    if state.keys().isdisjoint(_PATH_CHECKED_FIELDS):
        return
    for field, reference in PATH_FIELDS.items():
        if field not in state:
            continue
        value = state[field]
        if value is None and field in NULLABLE_PATH_FIELDS:
            continue
        if (
            field in INTRINSIC_PATH_FIELDS
            and isinstance(value, str)
            and value.startswith("States.")
        ):
            _check_string_intrinsic(value, field, name)
            continue
        check_path(value, field, name, reference=reference)
    for index, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, dict) and catcher.get("ResultPath") is not None:
            check_path(catcher["ResultPath"], f"Catch[{index}].ResultPath", name, reference=True)
    for field in TEMPLATE_FIELDS:
        if field in state:
            _check_template(state[field], field, name)
    for index, rule in enumerate(state.get("Choices") or ()):
        if isinstance(rule, dict):
            _check_rule_paths(rule, f"Choices[{index}]", name)
            if "Assign" in rule:
                _check_template(rule["Assign"], f"Choices[{index}].Assign", name)
    for index, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, dict) and "Assign" in catcher:
            _check_template(catcher["Assign"], f"Catch[{index}].Assign", name)


def _check_string_intrinsic(value: str, field: str, name: str) -> None:
    function = value.split("(", 1)[0]
    if function not in STRING_INTRINSICS:
        raise InvalidPath(
            f"{field} {value!r} is neither a reference path nor one of the intrinsic functions "
            f"{field} accepts ({', '.join(sorted(STRING_INTRINSICS))})",
            name,
        )
    check_intrinsic(value, field, name)


def check_intrinsic(value: str, field: str, state_name: str | None) -> None:
    """Check an intrinsic function call: syntax, function, argument count, nesting, and the
    paths among its arguments.

    Raises:
        InvalidPath: the call is not one Step Functions can parse
    """
    try:
        call = parse_intrinsic(value)
    except IntrinsicSyntaxError as error:
        raise InvalidPath(
            f"{field} {value!r} is not a valid intrinsic function call: {error.reason}",
            state_name,
        ) from None
    for path in paths_of(call):
        check_path(path, f"{field} argument", state_name, reference=False)


def _check_template(template: Any, field: str, name: str) -> None:
    if isinstance(template, list):
        for index, item in enumerate(template):
            _check_template(item, f"{field}[{index}]", name)
        return
    if not isinstance(template, dict):
        return
    for key, value in template.items():
        where = f"{field}.{key}"
        if isinstance(key, str) and key.endswith(".$"):
            if not isinstance(value, str):
                raise InvalidPath(
                    f"{where} must be a path or intrinsic function str (its key ends in '.$')",
                    name,
                )
            if value.startswith("States."):
                check_intrinsic(value, where, name)
            else:
                check_path(value, where, name, reference=False)
        else:
            _check_template(value, where, name)


def _check_rule_paths(rule: dict[str, Any], where: str, name: str) -> None:
    if "Condition" in rule:
        return
    if "Variable" in rule:
        check_path(rule["Variable"], f"{where}.Variable", name, reference=False)
    for key, value in rule.items():
        if key.endswith("Path") and key != "Variable":
            check_path(value, f"{where}.{key}", name, reference=True)
        elif key in ("And", "Or") and isinstance(value, list):
            for index, nested in enumerate(value):
                if isinstance(nested, dict):
                    _check_rule_paths(nested, f"{where}.{key}[{index}]", name)
        elif key == "Not" and isinstance(value, dict):
            _check_rule_paths(value, f"{where}.Not", name)


# --- JSONata ---------------------------------------------------------------------------------


def is_expression(value: Any) -> bool:
    """Whether ``value`` is written as a JSONata expression (``{% ... %}``)."""
    return isinstance(value, str) and value.startswith("{%")


def check_expression(value: Any, field: str, state_name: str | None) -> None:
    """Check that ``value`` is a syntactically valid ``{% ... %}`` JSONata expression.

    Raises:
        InvalidExpression: not an expression, or invalid JSONata syntax
    """
    if not isinstance(value, str) or not value.startswith("{%") or not value.endswith("%}"):
        raise InvalidExpression(
            f"{field} {value!r} is not a JSONata expression: write it as '{{% ... %}}'",
            state_name,
        )
    body = value[2:-2]
    if not body.strip():
        raise InvalidExpression(f"{field} is an empty JSONata expression", state_name)
    error = _jsonata_syntax_error(body)
    if error is not None:
        raise InvalidExpression(
            f"{field} {value!r} is not a valid JSONata expression: {error}", state_name
        )


@functools.lru_cache(maxsize=4096)
def _jsonata_syntax_error(body: str) -> str | None:
    """What AWS refuses in the expression ``body``: ``sfini_asl.jsonata``, the check the local
    engine makes too (it must parse, and not read the top-level context or ``$$``)."""
    from sfini_asl.jsonata import JsonataSyntaxError, parse_jsonata

    try:
        parse_jsonata(body)
    except JsonataSyntaxError as error:
        return error.message
    return None


def _check_embedded(value: Any, field: str, name: str, *, jsonata: bool = False) -> None:
    """Check the ``{% %}`` expressions inside ``value``; in a JSONata state (``jsonata``) also
    reject ``<key>.$`` keys, which only JSONPath templates have."""
    if isinstance(value, str):
        if is_expression(value):
            check_expression(value, field, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_embedded(item, f"{field}[{index}]", name, jsonata=jsonata)
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{field}.{key}"
            if jsonata and isinstance(key, str) and key.endswith(".$"):
                raise QueryLanguageMismatch(
                    f"{where}: keys ending in '.$' are JSONPath syntax, not allowed in a JSONata "
                    f"state (name the key {key[:-2]!r} and write its value as '{{% ... %}}')",
                    name,
                )
            _check_embedded(item, where, name, jsonata=jsonata)


#: Every field ``_check_expressions`` looks at: a state with none of them has no expression.
_EXPRESSION_CHECKED_FIELDS = frozenset(
    {*EXPRESSION_FIELDS, *NUMERIC_FIELDS, "Timestamp", "Choices", "Catch", "Items"}
)


def _check_expressions(name: str, state: dict[str, Any], *, required: bool) -> None:
    if state.keys().isdisjoint(_EXPRESSION_CHECKED_FIELDS):
        return
    for field in EXPRESSION_FIELDS:
        if field in state:
            # Items holds data (or an expression): its keys are not templates
            _check_embedded(state[field], field, name, jsonata=required and field != "Items")
    for field in NUMERIC_FIELDS:
        if isinstance(state.get(field), str):
            check_expression(state[field], field, name)
    if isinstance(state.get("Timestamp"), str) and is_expression(state["Timestamp"]):
        check_expression(state["Timestamp"], "Timestamp", name)
    for index, rule in enumerate(state.get("Choices") or ()):
        if not isinstance(rule, dict):
            continue
        if "Condition" in rule:
            check_expression(rule["Condition"], f"Choices[{index}].Condition", name)
        for field in ("Output", "Assign"):
            if field in rule:
                _check_embedded(rule[field], f"Choices[{index}].{field}", name, jsonata=required)
    for index, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, dict):
            for field in ("Output", "Assign"):
                if field in catcher:
                    _check_embedded(
                        catcher[field], f"Catch[{index}].{field}", name, jsonata=required
                    )
    if required and "Items" in state and isinstance(state["Items"], str):
        check_expression(state["Items"], "Items", name)


# --- fields ----------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


#: The largest value AWS documents for its second counts and retry attempts.
MAX_SECONDS = 99_999_999
#: MaxDelaySeconds must be less than this (AWS: "greater than 0 and less than 31622401").
MAX_DELAY_LIMIT = 31_622_401


@dataclass(frozen=True)
class NumberRule:
    """The values a numeric ASL field takes: an int (or any number) from minimum to maximum."""

    minimum: float
    maximum: float | None = None
    integer: bool = True

    def accepts(self, value: Any) -> bool:
        if self.integer:
            if not isinstance(value, int) or isinstance(value, bool):
                return False
        elif not _is_number(value):
            return False
        return value >= self.minimum and (self.maximum is None or value <= self.maximum)

    def describe(self) -> str:
        kind = "an int" if self.integer else "a number"
        if self.maximum is None:
            return f"{kind} >= {self.minimum}"
        return f"{kind} from {self.minimum} to {self.maximum}"


#: State fields holding a number (under JSONata also a ``{% %}`` expression).
STATE_NUMBER_RULES = {
    "TimeoutSeconds": NumberRule(1, MAX_SECONDS),
    "HeartbeatSeconds": NumberRule(1, MAX_SECONDS),
    "Seconds": NumberRule(0, MAX_SECONDS),
    "MaxConcurrency": NumberRule(0),
    "ToleratedFailureCount": NumberRule(0),
    "ToleratedFailurePercentage": NumberRule(0, 100, integer=False),
}
#: Retrier fields holding a number.
RETRIER_NUMBER_RULES = {
    "IntervalSeconds": NumberRule(1, MAX_SECONDS),
    "MaxAttempts": NumberRule(0, MAX_SECONDS),
    "BackoffRate": NumberRule(1.0, integer=False),
    "MaxDelaySeconds": NumberRule(1, MAX_DELAY_LIMIT - 1),
}
#: The top-level TimeoutSeconds of a machine (AWS documents no upper bound).
MACHINE_TIMEOUT_RULE = NumberRule(1)
#: The ``*Path`` twins that ``_check_exclusive`` pairs with numeric fields.
_NUMBER_PATH_FIELDS = frozenset(
    {
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    }
)
#: Every field ``_check_numbers`` looks at: a state with none of them has no number to check.
_NUMBER_CHECKED_FIELDS = frozenset({*STATE_NUMBER_RULES, *_NUMBER_PATH_FIELDS})


def _check_numbers(name: str, state: dict[str, Any], language: str | None) -> None:
    keys = state.keys()
    if keys.isdisjoint(_NUMBER_CHECKED_FIELDS):
        return
    for field, rule in STATE_NUMBER_RULES.items():
        if field not in state:
            continue
        value = state[field]
        if isinstance(value, str) and language != JSONPATH:
            continue  # a JSONata expression: checked by _check_expressions
        if not rule.accepts(value):
            raise InvalidField(f"{field} must be {rule.describe()}, got {value!r}", name)
    if not keys.isdisjoint(_NUMBER_PATH_FIELDS):
        for field in (
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
        ):
            _check_exclusive(name, state, field, field + "Path")
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _is_number(timeout) and _is_number(heartbeat) and heartbeat >= timeout:
        raise InvalidField(
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})",
            name,
        )


#: The longest workflow variable name.
MAX_VARIABLE_NAME_LENGTH = 80


def _check_variable_names(name: str, state: dict[str, Any], language: str | None) -> None:
    """Assign's keys name workflow variables (JSONPath keys may end in '.$')."""
    blocks = [("Assign", state.get("Assign"))]
    for field in ("Choices", "Catch"):
        for index, entry in enumerate(state.get(field) or ()):
            if isinstance(entry, dict) and "Assign" in entry:
                blocks.append((f"{field}[{index}].Assign", entry["Assign"]))
    for field, assign in blocks:
        if assign is None:
            continue
        if not isinstance(assign, dict):
            raise InvalidField(f"{field} must be an object of variables, got {assign!r}", name)
        for key in assign:
            if not isinstance(key, str):
                raise InvalidField(f"{field} names variable {key!r}, not a str", name)
            variable = key[:-2] if language != JSONATA and key.endswith(".$") else key
            if (
                not variable.isidentifier()
                or len(variable) > MAX_VARIABLE_NAME_LENGTH
                or variable == "states"
            ):
                reason = (
                    "'states' is reserved"
                    if variable == "states"
                    else "a variable name starts with a letter or '_', then letters, digits "
                    f"or '_', at most {MAX_VARIABLE_NAME_LENGTH} characters"
                )
                raise InvalidField(f"{field} names variable {variable!r}: {reason}", name)


def _check_exclusive(name: str, state: dict[str, Any], *fields: str) -> None:
    present = [field for field in fields if field in state]
    if len(present) > 1:
        raise InvalidField(f"{' and '.join(present)} cannot both be set", name)


def _check_error_matchers(name: str, state: dict[str, Any], field: str) -> None:
    entries = state.get(field)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise InvalidField(f"{field} must be a list", name)
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]"
        errors = entry.get("ErrorEquals") if isinstance(entry, dict) else None
        if not isinstance(errors, list) or not errors:
            raise InvalidErrorMatch(f"{where}.ErrorEquals must be a non-empty list", name)
        unknown = entry.keys() - ENTRY_FIELDS[field]
        if unknown:
            kind = "retrier" if field == "Retry" else "catcher"
            raise InvalidField(f"{where}: {', '.join(sorted(unknown))} is not a {kind} field", name)
        for error in errors:
            if not isinstance(error, str):
                raise InvalidErrorMatch(f"{where}.ErrorEquals has a non-str {error!r}", name)
            if error.startswith("States.") and error not in PREDEFINED_ERRORS:
                raise InvalidErrorMatch(
                    f"{where}.ErrorEquals names {error!r}, which is no predefined error (the "
                    f"'States.' prefix is reserved; known: {', '.join(sorted(PREDEFINED_ERRORS))})",
                    name,
                )
        if States.ALL in errors:
            if len(errors) > 1:
                raise InvalidErrorMatch(
                    f"{where}.ErrorEquals combines {States.ALL} with other errors: it must "
                    "appear alone",
                    name,
                )
            if index != len(entries) - 1:
                raise InvalidErrorMatch(
                    f"{where} matches {States.ALL} but is not the last {field} entry", name
                )
        if field == "Retry":
            _check_retrier(name, entry, where)


def _check_retrier(name: str, retrier: dict[str, Any], where: str) -> None:
    for field, rule in RETRIER_NUMBER_RULES.items():
        if field in retrier and not rule.accepts(retrier[field]):
            raise InvalidField(
                f"{where}.{field} must be {rule.describe()}, got {retrier[field]!r}", name
            )
    if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in JITTER_STRATEGIES:
        raise InvalidField(
            f"{where}.JitterStrategy must be 'FULL' or 'NONE', got {retrier['JitterStrategy']!r}",
            name,
        )


# --- per type --------------------------------------------------------------------------------


def _check_choice(name: str, state: dict[str, Any], language: str | None) -> None:
    rules = state.get("Choices")
    if not isinstance(rules, list) or not rules:
        raise ChoiceWithoutRules("Choice state has no choice rules", name)
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or "Next" not in rule:
            raise InvalidChoiceRule(f"Choices[{index}] must have a Next", name)


def _check_wait(name: str, state: dict[str, Any], language: str | None) -> None:
    fields = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state]
    if len(fields) != 1:
        raise InvalidField(
            "Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath; got "
            f"{', '.join(fields) or 'none'}",
            name,
        )
    timestamp = state.get("Timestamp")
    if timestamp is None or is_expression(timestamp):
        return
    if not isinstance(timestamp, str):
        raise InvalidField(f"Timestamp must be an ISO 8601 str, got {timestamp!r}", name)
    problem = timestamp_problem(timestamp)
    if problem == "format":
        raise InvalidField(
            f"Timestamp {timestamp!r} is not an ISO 8601 timestamp as ASL writes them (RFC 3339, "
            "e.g. '2016-08-18T17:33:00Z')",
            name,
        )
    if problem is not None:
        from sfini_cdk.errors import NaiveDatetime

        raise NaiveDatetime(f"Timestamp {timestamp!r} has no time zone", name)


def _check_fail(name: str, state: dict[str, Any], language: str | None) -> None:
    _check_exclusive(name, state, "Error", "ErrorPath")
    _check_exclusive(name, state, "Cause", "CausePath")
    for field in ("Error", "Cause"):
        if field in state and not isinstance(state[field], str):
            value = state[field]
            raise InvalidField(f"{field} must be a str, got {type(value).__name__} {value!r}", name)


def _check_map(name: str, state: dict[str, Any], language: str | None) -> None:
    _check_exclusive(name, state, "ItemProcessor", "Iterator")
    if not isinstance(state.get("ItemProcessor", state.get("Iterator")), dict):
        raise InvalidField("Map state has no ItemProcessor (or legacy Iterator) object", name)
    _check_exclusive(name, state, "Items", "ItemsPath")
    _check_exclusive(name, state, "ItemSelector", "Parameters")
    processor = state.get("ItemProcessor")
    if isinstance(processor, dict) and "ProcessorConfig" in processor:
        _check_processor_config(name, processor["ProcessorConfig"])
    if "Label" in state:
        label = state["Label"]
        if not isinstance(label, str) or not label:
            raise InvalidField(f"Label must be a non-empty str, got {label!r}", name)
        if len(label) > MAX_LABEL_LENGTH:
            raise InvalidField(
                f"Label is {len(label)} characters long, more than {MAX_LABEL_LENGTH}", name
            )
        problem = name_character_problem(label)
        if problem is not None:
            raise InvalidField(f"Label contains {problem}, which AWS forbids in labels", name)


def _check_processor_config(name: str, config: Any) -> None:
    if not isinstance(config, dict):
        raise InvalidField(f"ItemProcessor.ProcessorConfig must be an object, got {config!r}", name)
    mode = config.get("Mode", "INLINE")
    if mode not in PROCESSOR_MODES:
        raise InvalidField(
            f"ItemProcessor.ProcessorConfig.Mode must be 'INLINE' or 'DISTRIBUTED', got {mode!r}",
            name,
        )
    execution_type = config.get("ExecutionType")
    if mode == "DISTRIBUTED" and execution_type not in EXECUTION_TYPES:
        raise InvalidField(
            "ItemProcessor.ProcessorConfig.ExecutionType must be 'STANDARD' or 'EXPRESS' in "
            f"DISTRIBUTED mode, got {execution_type!r}",
            name,
        )


def _check_parallel(name: str, state: dict[str, Any], language: str | None) -> None:
    branches = state.get("Branches")
    if not isinstance(branches, list) or not branches:
        from sfini_cdk.errors import EmptyBranches

        raise EmptyBranches("Parallel state has no branches", name)


def _check_task(name: str, state: dict[str, Any], language: str | None) -> None:
    if not isinstance(state.get("Resource"), str) or not state["Resource"]:
        raise InvalidField("Task state needs a Resource str", name)


_TYPE_CHECKS = {
    "Choice": _check_choice,
    "Wait": _check_wait,
    "Fail": _check_fail,
    "Map": _check_map,
    "Parallel": _check_parallel,
    "Task": _check_task,
}
