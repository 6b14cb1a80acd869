"""Rules of a state's field values, read with the parsers the engine evaluates them with:
JSONPath fields (a ResultPath is a reference path into the state's data, never ``$$``), Choice
Rules, a Wait's Timestamp, a Map's Label."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sfini_asl.choice_rules import ChoiceRuleSyntaxError, parse_choice_rule
from sfini_asl.jsonata import (
    INVALID_JSONATA_EXPRESSION,
    JsonataSyntaxError,
    is_jsonata_expression,
    parse_jsonata,
)
from sfini_asl.jsonpath import PathSyntaxError, compile_path, compile_reference_path
from sfini_asl.spec import JSONATA, JSONPATH, MAP_LABEL_MAX
from sfini_asl.templates import dynamic_fields, dynamic_value_problem
from sfini_asl.timestamps import TimestampFormatError, parse_timestamp
from sfini_asl.variables import has_variable_reference, rule_reads_variables

from .context import StateView, Walk, array
from .state_rules import StateRule

#: JSONPath fields: {field: whether it must be a reference path}
_PATH_FIELDS = {
    "InputPath": False,
    "OutputPath": False,
    "ResultPath": True,
    "ItemsPath": False,
    "SecondsPath": False,
    "TimestampPath": False,
    "TimeoutSecondsPath": False,
    "HeartbeatSecondsPath": False,
    "MaxConcurrencyPath": False,
    "ToleratedFailureCountPath": False,
    "ToleratedFailurePercentagePath": False,
}


def _path_problem(value: Any, reference: bool) -> str | None:
    if not isinstance(value, str) or has_variable_reference(value):
        return None  # types are the structure's to report; variables the engine's
    try:
        (compile_reference_path if reference else compile_path)(value)
    except PathSyntaxError as exc:
        return str(exc)
    return None


def paths(walk: Walk, state: StateView) -> None:
    if state.language != JSONPATH:
        return
    for name, reference in _PATH_FIELDS.items():
        if name in state.spec:
            problem = _path_problem(state.spec[name], reference)
            if problem is not None:
                walk.schema(f"State '{state.name}': {name}: {problem}", f"{state.where}/{name}")
    for i, catcher in enumerate(array(state.spec.get("Catch"))):
        if isinstance(catcher, Mapping) and "ResultPath" in catcher:
            problem = _path_problem(catcher["ResultPath"], True)
            if problem is not None:
                walk.schema(
                    f"State '{state.name}': Catch[{i}].ResultPath: {problem}",
                    f"{state.where}/Catch/{i}/ResultPath",
                )


def choice_rules(walk: Walk, state: StateView) -> None:
    if state.kind != "Choice" or state.language != JSONPATH:
        return
    for i, rule in enumerate(array(state.spec.get("Choices"))):
        if rule_reads_variables(rule):
            continue
        try:
            parse_choice_rule(rule)
        except ChoiceRuleSyntaxError as exc:
            walk.schema(str(exc), f"{state.where}/Choices/{i}")


def wait_timestamp(walk: Walk, state: StateView) -> None:
    value = state.spec.get("Timestamp")
    if state.kind != "Wait" or value is None or state.is_expression(value):
        return
    try:
        parse_timestamp(value)
    except TimestampFormatError as exc:
        walk.schema(str(exc), f"{state.where}/Timestamp")


def map_label(walk: Walk, state: StateView) -> None:
    label = state.spec.get("Label")
    if state.kind != "Map" or label is None:
        return
    where = f"{state.where}/Label"
    if not isinstance(label, str) or not 1 <= len(label) <= MAP_LABEL_MAX:
        walk.schema(f"The field 'Label' must be a string of 1 to {MAP_LABEL_MAX} characters", where)
    elif label in walk.labels:
        walk.schema(f"The Map Label '{label}' is used by another Map state", where)
    else:
        walk.labels.add(label)


_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")


def _templates(state: StateView) -> list[tuple[str, str, Any]]:
    """(name, location, template) of each payload template of a JSONPath state."""
    spec, where = state.spec, state.where
    found = [(name, f"{where}/{name}", spec[name]) for name in _TEMPLATE_FIELDS if name in spec]
    for field in ("Catch", "Choices"):
        for i, entry in enumerate(array(spec.get(field))):
            if isinstance(entry, Mapping) and "Assign" in entry:
                found.append(
                    (f"{field}[{i}].Assign", f"{where}/{field}/{i}/Assign", entry["Assign"])
                )
    return found


def templates(walk: Walk, state: StateView) -> None:
    if state.language != JSONPATH:
        return
    for name, location, template in _templates(state):
        for key, value in dynamic_fields(template):
            if has_variable_reference(value):
                continue  # the engine checks them as it binds the variables
            problem = dynamic_value_problem(key, value)
            if problem is not None:
                walk.schema(f"State '{state.name}': {name}: {problem}", location)


_SUBGRAPHS = frozenset({"ItemProcessor", "Iterator", "Branches"})


def _expressions(node: Any, location: str) -> Iterator[tuple[str, str]]:
    """(expression, location) of each ``{% %}`` string in ``node`` (subgraphs left out)."""
    if is_jsonata_expression(node):
        yield node, location
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key not in _SUBGRAPHS:
                yield from _expressions(value, f"{location}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _expressions(item, f"{location}/{index}")


def jsonata_expressions(walk: Walk, state: StateView) -> None:
    if state.language != JSONATA:
        return
    for expression, location in _expressions(dict(state.spec), state.where):
        source = expression[2:-2].strip()
        if not source:
            walk.problem(INVALID_JSONATA_EXPRESSION, "The expression is empty", location)
            continue
        try:
            parse_jsonata(source)
        except JsonataSyntaxError as exc:
            walk.problem(exc.code, exc.message, location)


#: the field rules, in the order they report (run on states whose structure is sound)
FIELD_RULES: tuple[StateRule, ...] = (
    paths,
    templates,
    choice_rules,
    jsonata_expressions,
    wait_timestamp,
    map_label,
)
