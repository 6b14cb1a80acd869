"""Rules of a state's field values, read with the parsers the engine evaluates them with:
JSONPath fields (a ResultPath is a reference path into the state's data, never ``$$``),
payload templates, Choice Rules, JSONata expressions, a Wait's Timestamp, a Map's Label."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from sfini_asl.choice_rules import ChoiceRuleSyntaxError, parse_choice_rule
from sfini_asl.diagnostics import Kind
from sfini_asl.jsonata import (
    INVALID_JSONATA_EXPRESSION,
    JsonataSyntaxError,
    is_jsonata_expression,
    parse_jsonata,
)
from sfini_asl.path_fields import path_problem, string_intrinsic_problem
from sfini_asl.spec import (
    JSONATA,
    MAP_LABEL_MAX,
    NULLABLE_PATH_FIELDS,
    PATH_FIELDS,
    describe_character,
    forbidden_name_character,
)
from sfini_asl.templates import dynamic_members, dynamic_value_problem, template_value_problem
from sfini_asl.timestamps import timestamp_problem
from sfini_asl.variables import restore_text, rewrite_rule, rule_reads_variables

from .context import OBJECT, StateView, Walk, array
from .state_rules import StateRule

#: fields whose ``States.`` value is a string intrinsic function call, not a path
_INTRINSIC_PATH_FIELDS = frozenset({"ErrorPath", "CausePath"})


def paths(walk: Walk, state: StateView) -> None:
    if not state.jsonpath_rules_apply:
        return
    spec, where = state.spec, state.where
    for name, value in spec.items():
        reference = PATH_FIELDS.get(name)
        if reference is None:
            continue
        if value is None and name in NULLABLE_PATH_FIELDS:
            continue
        intrinsic = isinstance(value, str) and value.startswith("States.")
        if intrinsic and name in _INTRINSIC_PATH_FIELDS:
            problem = string_intrinsic_problem(value, name)
        else:
            problem = path_problem(value, name, reference=reference, data_only=name == "ResultPath")
        if problem is not None:
            walk.schema(problem, f"{where}/{name}", kind=Kind.PATH)
    for i, catcher in enumerate(array(spec.get("Catch")) if "Catch" in spec else ()):
        if isinstance(catcher, OBJECT) and catcher.get("ResultPath") is not None:
            problem = path_problem(
                catcher["ResultPath"], f"Catch[{i}].ResultPath", reference=True, data_only=True
            )
            if problem is not None:
                walk.schema(problem, f"{where}/Catch/{i}/ResultPath", kind=Kind.PATH)


_TEMPLATE_FIELDS = frozenset({"Parameters", "ResultSelector", "ItemSelector", "Assign"})


def _templates(state: StateView) -> list[tuple[str, str, Any]]:
    """(label, location, template) of each payload template of a JSONPath state."""
    spec, where = state.spec, state.where
    found = [
        (name, f"{where}/{name}", value) for name, value in spec.items() if name in _TEMPLATE_FIELDS
    ]
    for field in ("Catch", "Choices"):
        if field not in spec:
            continue
        for i, entry in enumerate(array(spec[field])):
            if isinstance(entry, OBJECT) and "Assign" in entry:
                found.append(
                    (f"{field}[{i}].Assign", f"{where}/{field}/{i}/Assign", entry["Assign"])
                )
    return found


def templates(walk: Walk, state: StateView) -> None:
    if not state.jsonpath_rules_apply:
        return
    for name, location, template in _templates(state):
        for label, at, key, value in dynamic_members(template, name, location):
            problem = dynamic_value_problem(key, value)
            if problem is not None:
                detail = template_value_problem(label, value)
                walk.schema(problem, at, kind=Kind.PATH, detail=detail)


def choice_rules(walk: Walk, state: StateView) -> None:
    if state.type != "Choice" or not state.jsonpath_rules_apply:
        return
    for i, rule in enumerate(array(state.spec.get("Choices"))):
        location = f"{state.where}/Choices/{i}"
        if not isinstance(rule, OBJECT) or "Condition" in rule:
            continue  # a JSONata rule: the query-language rules say where it may be
        reads_variables = rule_reads_variables(rule)
        if reads_variables:
            # its paths first, as written ('$v.a' is a path from '$')
            found = False
            for label, value, reference in _rule_paths(rule, f"Choices[{i}]"):
                problem = path_problem(value, label, reference=reference)
                if problem is not None:
                    walk.schema(problem, location, kind=Kind.PATH)
                    found = True
            if found:
                continue
        try:
            # a rule reading variables is parsed as the engine parses it, reading them from
            # the context object it binds them in
            parse_choice_rule(rewrite_rule(rule) if reads_variables else rule)
        except ChoiceRuleSyntaxError as exc:
            label = f"Choices[{i}].{exc.field}" if exc.field else f"Choices[{i}]"
            kind = Kind.PATH if exc.path else Kind.CHOICE_RULE
            walk.schema(f"{label}: {restore_text(str(exc))}", location, kind=kind)


def _rule_paths(rule: Mapping[str, Any], label: str) -> Iterator[tuple[str, Any, bool]]:
    """(label, path, whether a reference path) of a JSONPath rule's Variable and operands."""
    for key, value in rule.items():
        if key == "Variable":
            yield f"{label}.Variable", value, False
        elif isinstance(key, str) and key.endswith("Path"):
            yield f"{label}.{key}", value, True
        elif key in ("And", "Or"):
            for index, nested in enumerate(array(value)):
                if isinstance(nested, OBJECT):
                    yield from _rule_paths(nested, f"{label}.{key}[{index}]")
        elif key == "Not" and isinstance(value, OBJECT):
            yield from _rule_paths(value, f"{label}.Not")


def wait_timestamp(walk: Walk, state: StateView) -> None:
    if state.type != "Wait":
        return
    value = state.spec.get("Timestamp")
    if value is None or state.may_be_expression(value):
        return
    where = f"{state.where}/Timestamp"
    if not isinstance(value, str):
        walk.schema(f"Timestamp must be an ISO 8601 str, got {value!r}", where)
        return
    problem = timestamp_problem(value)
    if problem == "no time zone":
        walk.schema(f"Timestamp {value!r} has no time zone", where, kind=Kind.TIME_ZONE)
    elif problem is not None:
        walk.schema(
            f"Timestamp {value!r} is not an ISO 8601 timestamp as ASL writes them (RFC 3339, "
            "e.g. '2016-08-18T17:33:00Z')",
            where,
        )


def map_label(walk: Walk, state: StateView) -> None:
    if state.type != "Map" or "Label" not in state.spec:
        return
    label = state.spec["Label"]
    where = f"{state.where}/Label"
    if not isinstance(label, str) or not label:
        walk.schema(f"Label must be a non-empty str, got {label!r}", where)
    elif len(label) > MAP_LABEL_MAX:
        walk.schema(f"Label is {len(label)} characters long, more than {MAP_LABEL_MAX}", where)
    elif (character := forbidden_name_character(label)) is not None:
        walk.schema(
            f"Label contains {describe_character(character)}, which AWS forbids in labels", where
        )
    elif label in walk.labels:
        walk.schema(
            f"Map Label {label!r} is used by more than one Map state (labels must be unique "
            "across the machine)",
            where,
        )
    else:
        walk.labels.add(label)


#: the fields of a state that hold its nested graphs (their states are checked as states)
_SUBGRAPHS = frozenset({"ItemProcessor", "Iterator", "Branches"})


def _state_strings(spec: Mapping[str, Any], where: str) -> Iterator[tuple[str, str, str]]:
    """(string, label, location) of each string in the state's fields, its nested graphs left
    out (a key of that name deeper down, ``Output: {"Branches": ...}``, is data like any)."""
    for key, value in spec.items():
        if key not in _SUBGRAPHS:
            yield from _strings(value, key, f"{where}/{key}")


def _strings(node: Any, label: str, location: str) -> Iterator[tuple[str, str, str]]:
    """(string, label, location) of each string in ``node``."""
    if isinstance(node, str):
        yield node, label, location
    elif isinstance(node, OBJECT):
        for key, value in node.items():
            yield from _strings(value, f"{label}.{key}", f"{location}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, f"{label}[{index}]", f"{location}/{index}")


def jsonata_problem(text: str, label: str) -> tuple[str, str, str | None] | None:
    """(code, message, detail) of what AWS refuses in ``text``, a string of field ``label``
    that starts as a ``{% %}`` expression does, or None when it is a valid one."""
    if not is_jsonata_expression(text):
        message = f"{label} {text!r} is not a JSONata expression: write it as '{{% ... %}}'"
        return INVALID_JSONATA_EXPRESSION, message, None
    source = text[2:-2].strip()
    if not source:
        detail = f"{label} is an empty JSONata expression"
        return INVALID_JSONATA_EXPRESSION, "The expression is empty", detail
    error = _jsonata_error(source)
    if error is None:
        return None
    code, message = error
    return code, message, f"{label} {text!r} is not a valid JSONata expression: {message}"


@functools.lru_cache(maxsize=4096)
def _jsonata_error(source: str) -> tuple[str, str] | None:
    """(code, message) of what AWS refuses in the expression ``source``: machines repeat
    expressions, and the model checks each machine twice (constructed, rendered)."""
    try:
        parse_jsonata(source)
    except JsonataSyntaxError as exc:
        return exc.code, exc.message
    return None


def jsonata_expressions(walk: Walk, state: StateView) -> None:
    if state.language != JSONATA:
        return
    for text, label, location in _state_strings(state.spec, state.where):
        comment = label == "Comment" or label.endswith(".Comment")
        if comment and not is_jsonata_expression(text):
            continue  # prose that happens to start with '{%'
        if text.startswith("{%"):
            problem = jsonata_problem(text, label)
            if problem is not None:
                code, message, detail = problem
                walk.problem(code, message, location, kind=Kind.EXPRESSION, detail=detail)


#: the field rules, in the order they report (run on states whose structure is sound)
FIELD_RULES: tuple[StateRule, ...] = (
    paths,
    templates,
    choice_rules,
    jsonata_expressions,
    wait_timestamp,
    map_label,
)
