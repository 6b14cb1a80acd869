"""Rules of one state's structure: the fields of its type and query language, Assign,
transitions, numbers and what each state type requires (Retry and Catch: ``error_rules``).
Each rule is a function of the walk and a :class:`StateView`; :data:`STATE_RULES` runs them
in order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sfini_asl.diagnostics import Kind
from sfini_asl.spec import (
    ASSIGN_TYPES,
    EXECUTION_TYPES,
    JSONATA,
    JSONATA_NUMBER_FIELDS,
    JSONATA_ONLY_FIELDS,
    JSONPATH,
    JSONPATH_ONLY_FIELDS,
    NUMBER_PATH_FIELDS,
    PROCESSOR_MODES,
    STATE_FIELDS,
    STATE_NUMBER_RULES,
    TERMINAL_TYPES,
    VARIABLE_NAME,
    NumberRule,
)

from .context import OBJECT, StateView, Walk, array

_ARN_ANY = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")
_WRITE_AS_EXPRESSION = "write it as '{% ... %}'"

StateRule = Callable[[Walk, StateView], None]


def comment(walk: Walk, state: StateView) -> None:
    if "Comment" in state.spec and not isinstance(state.spec["Comment"], str):
        walk.schema("The field 'Comment' must be a string", f"{state.where}/Comment")


def known_fields(walk: Walk, state: StateView) -> None:
    """AWS rejects fields a state type does not have (Retry, Catch and Assign: their rules)."""
    allowed = STATE_FIELDS[state.type]
    for name in state.spec:
        if name not in allowed and name not in ("Retry", "Catch", "Assign"):
            walk.schema(f"Field '{name}' is not supported by a {state.type} state", state.where)


def _alternative(language: str) -> str:
    if language == JSONATA:
        return "JSONata states use Arguments, Output, Items and {% %} expressions instead"
    return "it needs QueryLanguage JSONata"


def language_fields(walk: Walk, state: StateView) -> None:
    """Fields and syntax the state's query language does not have; Assign's variables."""
    spec, where, language = state.spec, state.where, state.language
    forbidden = JSONPATH_ONLY_FIELDS if language == JSONATA else JSONATA_ONLY_FIELDS
    if language is not None and not forbidden.isdisjoint(spec):
        for name in spec:
            if name in forbidden:
                walk.schema(
                    f"{name} is not allowed in a {language} state ({_alternative(language)})",
                    f"{where}/{name}",
                    kind=Kind.QUERY_LANGUAGE,
                )
    if language == JSONATA:
        _dollar_keys(walk, state)
    if "Assign" in spec:
        if state.type not in ASSIGN_TYPES:
            walk.schema(
                f"Field 'Assign' is not supported by a {state.type} state", f"{where}/Assign"
            )
        else:
            _assign(walk, spec["Assign"], language, "Assign", f"{where}/Assign")
    for i, catcher in enumerate(array(spec.get("Catch")) if "Catch" in spec else ()):
        if not isinstance(catcher, OBJECT):
            continue
        bad = "ResultPath" if language == JSONATA else "Output" if language == JSONPATH else ""
        if bad in catcher:
            walk.schema(
                f"Catch[{i}].{bad} is not allowed in a {language} state",
                f"{where}/Catch/{i}/{bad}",
                kind=Kind.QUERY_LANGUAGE,
            )
        if "Assign" in catcher:
            _assign(
                walk, catcher["Assign"], language, f"Catch[{i}].Assign", f"{where}/Catch/{i}/Assign"
            )
    for i, rule in enumerate(array(spec.get("Choices")) if "Choices" in spec else ()):
        if isinstance(rule, OBJECT):
            _choice_rule_language(walk, state, i, rule)


def _choice_rule_language(walk: Walk, state: StateView, i: int, rule: Mapping[str, Any]) -> None:
    location = f"{state.where}/Choices/{i}"
    if state.language == JSONATA:
        if "Condition" not in rule:
            walk.schema(
                f"Choices[{i}] must be a JSONata Condition rule in a JSONata state, not a "
                "JSONPath comparison",
                location,
                kind=Kind.QUERY_LANGUAGE,
            )
        else:
            condition = rule["Condition"]
            # a literal true or false is a condition too (AWS's ASL grammar takes both)
            literal = isinstance(condition, bool)
            if not (literal or (isinstance(condition, str) and condition.startswith("{%"))):
                walk.schema(
                    f"Choices[{i}].Condition {condition!r} is neither a boolean nor a JSONata "
                    "expression: " + _WRITE_AS_EXPRESSION,
                    f"{location}/Condition",
                    kind=Kind.EXPRESSION,
                )
            for key in rule:
                if key not in ("Condition", "Next", "Comment", "Assign", "Output"):
                    walk.schema(
                        f"Choices[{i}].{key} is not allowed in a JSONata choice rule",
                        f"{location}/{key}",
                        kind=Kind.QUERY_LANGUAGE,
                    )
    elif state.language == JSONPATH and ("Condition" in rule or "Output" in rule):
        name = "Condition" if "Condition" in rule else "Output"
        walk.schema(
            f"Choices[{i}] uses Condition/Output, which need QueryLanguage JSONata",
            f"{location}/{name}",
            kind=Kind.QUERY_LANGUAGE,
        )
    if "Assign" in rule:
        _assign(walk, rule["Assign"], state.language, f"Choices[{i}].Assign", f"{location}/Assign")


def _assign(walk: Walk, assign: Any, language: str | None, label: str, where: str) -> None:
    """An Assign is an object whose keys name variables, each once (JSONPath keys may end in
    '.$': ``"x"`` and ``"x.$"`` both assign ``x``; in a JSONata state such keys are JSONPath
    syntax, reported as such)."""
    if not isinstance(assign, OBJECT):
        walk.schema(f"{label} must be an object of variables, got {assign!r}", where)
        return
    names: set[str] = set()
    for key in assign:
        if not isinstance(key, str):  # a Python caller's dict; JSON keys are strings
            walk.schema(f"{label} names variable {key!r}, not a str", where)
            continue
        if key.endswith(".$"):
            if language == JSONATA:
                continue
            name = key[:-2]
        else:
            name = key
        if name == "states":
            reason = "'states' is reserved"
        elif VARIABLE_NAME.fullmatch(name) is None:
            reason = (
                "a variable name starts with a letter or '_', then letters, digits or '_', at "
                "most 80 characters"
            )
        elif name in names:
            reason = f"the variable is assigned more than once ({name!r} and {name + '.$'!r})"
        else:
            names.add(name)
            continue
        walk.schema(f"{label} names variable {name!r}: {reason}", f"{where}/{key}")


#: the fields of a JSONata state that hold templates (where '.$' keys are JSONPath syntax)
_JSONATA_TEMPLATES = ("Arguments", "Output", "Assign", "ItemSelector")


def _dollar_keys(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    places = [(name, f"{where}/{name}", spec[name]) for name in _JSONATA_TEMPLATES if name in spec]
    for field in ("Choices", "Catch"):
        for i, entry in enumerate(array(spec.get(field))):
            if isinstance(entry, OBJECT):
                for name in ("Output", "Assign"):
                    if name in entry:
                        places.append(
                            (f"{field}[{i}].{name}", f"{where}/{field}/{i}/{name}", entry[name])
                        )
    for label, location, template in places:
        for key_label, key_location, key in _keys(template, label, location):
            if isinstance(key, str) and key.endswith(".$"):
                walk.schema(
                    f"{key_label}: keys ending in '.$' are JSONPath syntax, not allowed in a "
                    f"JSONata state (name the key {key[:-2]!r} and write its value as "
                    "'{% ... %}')",
                    key_location,
                    kind=Kind.QUERY_LANGUAGE,
                )


def _keys(node: Any, label: str, location: str) -> Iterator[tuple[str, str, Any]]:
    """(label, location, key) of every object key in ``node``, nested ones included."""
    if isinstance(node, OBJECT):
        for key, value in node.items():
            where, at = f"{label}.{key}", f"{location}/{key}"
            yield where, at, key
            yield from _keys(value, where, at)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _keys(item, f"{label}[{index}]", f"{location}/{index}")


def next_or_end(walk: Walk, state: StateView) -> None:
    spec, where, kind = state.spec, state.where, state.type
    if kind not in TERMINAL_TYPES and kind != "Choice":
        has_next, has_end = "Next" in spec, spec.get("End") is True
        if has_next == has_end:
            walk.schema("needs exactly one of Next and End: true", where)
        elif has_next and not isinstance(spec["Next"], str):
            walk.schema(
                "The field 'Next' must be a string",
                f"{where}/Next",
                kind=Kind.TARGET,
                detail=f"Next target {spec['Next']!r} is not a state of {state.graph}",
            )
    else:
        for name in ("Next", "End"):
            if name in spec:
                walk.schema(f"a {kind} state cannot have {name}", where)


def _exclusive(walk: Walk, state: StateView, *pairs: tuple[str, str]) -> None:
    for a, b in pairs:
        if a in state.spec and b in state.spec:
            walk.schema(f"{a} and {b} cannot both be set", state.where)


def check_number(
    walk: Walk,
    state: StateView,
    rule: NumberRule,
    name: str,
    value: Any,
    label: str,
    location: str,
) -> None:
    """A numeric field; in a JSONata state (or one whose language is not known yet) the
    fields of ``JSONATA_NUMBER_FIELDS`` may be a ``{% %}`` expression instead (any other
    string is neither language's)."""
    if name in JSONATA_NUMBER_FIELDS and isinstance(value, str) and state.language != JSONPATH:
        if value.startswith("{%"):
            return  # an expression: the JSONata rules check it
        if state.language == JSONATA:
            walk.schema(
                f"{label} {value!r} is not a JSONata expression: {_WRITE_AS_EXPRESSION}",
                location,
                kind=Kind.EXPRESSION,
            )
            return
    if not rule.accepts(value):
        walk.schema(
            rule.aws_message(name, value),
            location,
            detail=f"{label} must be {rule.describe()}, got {value!r}",
        )


#: every field :func:`numbers` looks at (most states have none)
_NUMBER_FIELDS = frozenset({*STATE_NUMBER_RULES, *NUMBER_PATH_FIELDS.values()})


def numbers(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    if _NUMBER_FIELDS.isdisjoint(spec):
        return
    for name, rule in STATE_NUMBER_RULES.items():
        if name in spec:
            check_number(walk, state, rule, name, spec[name], name, f"{where}/{name}")
    _exclusive(walk, state, *NUMBER_PATH_FIELDS.items())
    timeout, heartbeat = spec.get("TimeoutSeconds"), spec.get("HeartbeatSeconds")
    if (
        STATE_NUMBER_RULES["TimeoutSeconds"].accepts(timeout)
        and STATE_NUMBER_RULES["HeartbeatSeconds"].accepts(heartbeat)
        and heartbeat >= timeout
    ):
        walk.schema(
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})",
            f"{where}/HeartbeatSeconds",
        )


def task(walk: Walk, state: StateView) -> None:
    resource = state.spec.get("Resource")
    if not isinstance(resource, str) or not resource:
        walk.schema(
            "The field 'Resource' is required and must be a string",
            state.where,
            detail="Task state needs a Resource str",
        )
    elif not _ARN_ANY.match(resource):
        walk.problem(
            "INVALID_RESOURCE",
            "Value is not a valid resource ARN",
            f"{state.where}/Resource",
            kind=Kind.RESOURCE,
        )


def wait(walk: Walk, state: StateView) -> None:
    given = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in state.spec]
    if len(given) != 1:
        walk.schema(
            "Wait needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath; got "
            f"{', '.join(given) or 'none'}",
            state.where,
        )


def choice(walk: Walk, state: StateView) -> None:
    choices = state.spec.get("Choices")
    if not isinstance(choices, list) or not choices:
        walk.schema("Choice state has no choice rules", state.where, kind=Kind.NO_CHOICES)
        return
    for i, rule in enumerate(choices):
        if not isinstance(rule, OBJECT) or not isinstance(rule.get("Next"), str):
            walk.schema(
                f"Choices[{i}] must have a Next",
                f"{state.where}/Choices/{i}",
                kind=Kind.CHOICE_RULE,
            )


def fail(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    _exclusive(walk, state, ("Error", "ErrorPath"), ("Cause", "CausePath"))
    for name in ("Error", "Cause"):
        if name in spec and not isinstance(spec[name], str):
            value = spec[name]
            walk.schema(
                f"The field '{name}' must be a string",
                f"{where}/{name}",
                detail=f"{name} must be a str, got {type(value).__name__} {value!r}",
            )


def parallel(walk: Walk, state: StateView) -> None:
    branches = state.spec.get("Branches")
    if not isinstance(branches, list) or not branches:
        walk.schema("Parallel state has no branches", state.where, kind=Kind.NO_BRANCHES)


def map_(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    _exclusive(
        walk,
        state,
        ("ItemProcessor", "Iterator"),
        ("Items", "ItemsPath"),
        ("ItemSelector", "Parameters"),
    )
    if "ItemProcessor" not in spec and "Iterator" not in spec:
        walk.schema("Map state has no ItemProcessor (or legacy Iterator) object", where)
    field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
    processor = spec.get(field)
    if isinstance(processor, OBJECT) and "ProcessorConfig" in processor:
        _processor_config(walk, processor["ProcessorConfig"], field, f"{where}/{field}")
    if state.language == JSONATA and "Items" in spec:
        _items(walk, spec["Items"], f"{where}/Items")


def _items(walk: Walk, items: Any, where: str) -> None:
    """A JSONata Map's Items: a JSON array, or an expression that yields one."""
    if isinstance(items, list):
        return
    if isinstance(items, str):
        if not items.startswith("{%"):
            walk.schema(
                f"Items {items!r} is not a JSONata expression: {_WRITE_AS_EXPRESSION}",
                where,
                kind=Kind.EXPRESSION,
            )
        return
    walk.schema(
        "The field 'Items' must be a JSON array or a JSONata expression",
        where,
        detail=f"Items must be a JSON array or a '{{% ... %}}' expression, got {items!r}",
    )


def _processor_config(walk: Walk, config: Any, field: str, where: str) -> None:
    label, location = f"{field}.ProcessorConfig", f"{where}/ProcessorConfig"
    if not isinstance(config, OBJECT):
        walk.schema(
            "The field 'ProcessorConfig' must be an object",
            location,
            detail=f"{label} must be an object, got {config!r}",
        )
        return
    mode = config.get("Mode", "INLINE")
    if mode not in PROCESSOR_MODES:
        walk.schema(
            f"{label}.Mode must be 'INLINE' or 'DISTRIBUTED', got {mode!r}", f"{location}/Mode"
        )
    elif mode == "DISTRIBUTED" and config.get("ExecutionType") not in EXECUTION_TYPES:
        walk.schema(
            f"{label}.ExecutionType must be 'STANDARD' or 'EXPRESS' in DISTRIBUTED mode, got "
            f"{config.get('ExecutionType')!r}",
            f"{location}/ExecutionType",
        )


_BY_TYPE: dict[str, StateRule] = {
    "Task": task,
    "Wait": wait,
    "Choice": choice,
    "Fail": fail,
    "Parallel": parallel,
    "Map": map_,
}


def by_type(walk: Walk, state: StateView) -> None:
    rule = _BY_TYPE.get(state.type)
    if rule is not None:
        rule(walk, state)
