"""Rules of one state: name, type, fields by type and query language, transitions, Assign,
Retry/Catch, and what each state type requires. Each rule is a function of the walk and a
:class:`StateView`; :data:`STATE_RULES` runs them in order."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sfini_asl.spec import (
    ASSIGN_TYPES,
    JSONATA,
    JSONATA_ONLY_FIELDS,
    JSONPATH,
    JSONPATH_ONLY_FIELDS,
    STATE_FIELDS,
    TERMINAL_TYPES,
    VARIABLE_NAME,
    WAIT_SECONDS_MAX,
)

from .context import StateView, Walk, array

_ARN_ANY = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")

StateRule = Callable[[Walk, StateView], None]


def comment(walk: Walk, state: StateView) -> None:
    if "Comment" in state.spec and not isinstance(state.spec["Comment"], str):
        walk.schema("The field 'Comment' must be a string", f"{state.where}/Comment")


def known_fields(walk: Walk, state: StateView) -> None:
    for name in state.spec:
        if name not in STATE_FIELDS[state.kind] and name not in ("Retry", "Catch", "Assign"):
            walk.schema(f"Field '{name}' is not supported by a {state.kind} state", state.where)


def language_fields(walk: Walk, state: StateView) -> None:
    """Fields the state's query language does not have; Assign where it cannot be."""
    spec, where, language = state.spec, state.where, state.language
    forbidden = JSONPATH_ONLY_FIELDS if language == JSONATA else JSONATA_ONLY_FIELDS
    for name in spec:
        if name in forbidden:
            walk.schema(
                f"The field '{name}' is not supported in a {language} state "
                f"(its QueryLanguage is {language})",
                f"{where}/{name}",
            )
    if "Assign" in spec:
        if state.kind not in ASSIGN_TYPES:
            walk.schema(
                f"The field 'Assign' is not supported by a {state.kind} state", f"{where}/Assign"
            )
        else:
            _assign(walk, spec["Assign"], language, f"{where}/Assign")
    for i, catcher in enumerate(array(spec.get("Catch"))):
        if not isinstance(catcher, Mapping):
            continue
        bad = "ResultPath" if language == JSONATA else "Output"
        if bad in catcher:
            walk.schema(
                f"The field '{bad}' is not supported in a Catcher of a {language} state",
                f"{where}/Catch/{i}/{bad}",
            )
        if "Assign" in catcher:
            _assign(walk, catcher["Assign"], language, f"{where}/Catch/{i}/Assign")
    for i, rule in enumerate(array(spec.get("Choices"))):
        if not isinstance(rule, Mapping):
            continue
        location = f"{where}/Choices/{i}"
        if language == JSONATA and "Condition" not in rule:
            walk.schema("A JSONata choice rule needs a 'Condition' field", location)
        if language == JSONATA:
            for key in rule:
                if key not in ("Condition", "Next", "Comment", "Assign", "Output"):
                    walk.schema(
                        f"The field '{key}' is not supported in a JSONata choice rule",
                        f"{location}/{key}",
                    )
        elif "Condition" in rule or "Output" in rule:
            name = "Condition" if "Condition" in rule else "Output"
            walk.schema(
                f"The field '{name}' is only supported in a JSONata choice rule",
                f"{location}/{name}",
            )
        if "Assign" in rule:
            _assign(walk, rule["Assign"], language, f"{location}/Assign")


def _assign(walk: Walk, assign: Any, language: str, where: str) -> None:
    """An Assign must be an object whose keys are variable names."""
    if not isinstance(assign, Mapping):
        walk.schema("The field 'Assign' must be an object", where)
        return
    for key in assign:
        name = key[:-2] if language == JSONPATH and key.endswith(".$") else key
        if not VARIABLE_NAME.match(name) or name == "states":
            walk.schema(
                f"Invalid variable name: '{name}'"
                + (" ('states' is reserved)" if name == "states" else ""),
                f"{where}/{key}",
            )


def next_or_end(walk: Walk, state: StateView) -> None:
    spec, where, kind = state.spec, state.where, state.kind
    if kind not in TERMINAL_TYPES and kind != "Choice":
        has_next, has_end = "Next" in spec, spec.get("End") is True
        if has_next and has_end:
            walk.schema("The fields 'Next' and 'End' are mutually exclusive", where)
        elif not has_next and not has_end:
            walk.schema("This state must have either a 'Next' or an 'End: true' field", where)
        elif has_next and not isinstance(spec["Next"], str):
            walk.schema("The field 'Next' must be a string", f"{where}/Next")
    elif "Next" in spec or "End" in spec:
        walk.schema(f"A {kind} state cannot have a 'Next' or 'End' field", where)


def task(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    resource = spec.get("Resource")
    if not isinstance(resource, str):
        walk.schema("The field 'Resource' is required and must be a string", where)
    elif not _ARN_ANY.match(resource):
        walk.problem("INVALID_RESOURCE", "Value is not a valid resource ARN", f"{where}/Resource")
    for a, b in (
        ("TimeoutSeconds", "TimeoutSecondsPath"),
        ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ):
        if a in spec and b in spec:
            walk.schema(f"The fields '{a}' and '{b}' are mutually exclusive", where)
        value = spec.get(a, 1)
        if state.is_expression(value):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            walk.schema(f"The field '{a}' must be a positive integer", f"{where}/{a}")
    timeout, heartbeat = spec.get("TimeoutSeconds"), spec.get("HeartbeatSeconds")
    if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
        walk.schema(
            "The field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
            f"{where}/HeartbeatSeconds",
        )


def wait(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    given = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in spec]
    if len(given) != 1:
        walk.schema(
            "A Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
            where,
        )
    seconds = spec.get("Seconds", 0)
    if state.is_expression(seconds):
        return
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        walk.schema("The field 'Seconds' must be a non-negative integer", f"{where}/Seconds")
    elif seconds > WAIT_SECONDS_MAX:
        walk.schema(f"The field 'Seconds' must be at most {WAIT_SECONDS_MAX}", f"{where}/Seconds")


def choice(walk: Walk, state: StateView) -> None:
    choices = state.spec.get("Choices")
    if not isinstance(choices, list) or not choices:
        walk.schema("The field 'Choices' is required and must be a non-empty array", state.where)
        return
    for i, rule in enumerate(choices):
        if not isinstance(rule, Mapping) or not isinstance(rule.get("Next"), str):
            walk.schema("Each choice rule needs a 'Next' field", f"{state.where}/Choices/{i}")


def fail(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    for a in ("Error", "Cause"):
        if a in spec and f"{a}Path" in spec:
            walk.schema(f"The fields '{a}' and '{a}Path' are mutually exclusive", where)
        if a in spec and not isinstance(spec[a], str):
            walk.schema(f"The field '{a}' must be a string", f"{where}/{a}")


def parallel(walk: Walk, state: StateView) -> None:
    branches = state.spec.get("Branches")
    if not isinstance(branches, list) or not branches:
        walk.schema("The field 'Branches' is required and must be a non-empty array", state.where)


def map_(walk: Walk, state: StateView) -> None:
    spec, where = state.spec, state.where
    if "ItemProcessor" not in spec and "Iterator" not in spec:
        walk.schema("The field 'ItemProcessor' is required", where)
    processor = spec.get("ItemProcessor") or spec.get("Iterator") or {}
    if isinstance(processor, Mapping):
        config = processor.get("ProcessorConfig") or {}
        if not isinstance(config, Mapping):
            walk.schema(
                "The field 'ProcessorConfig' must be an object",
                f"{where}/ItemProcessor/ProcessorConfig",
            )
        elif config.get("Mode", "INLINE") not in ("INLINE", "DISTRIBUTED"):
            walk.schema(
                "The field 'Mode' should have one of these values: [INLINE, DISTRIBUTED]",
                f"{where}/ItemProcessor/ProcessorConfig/Mode",
            )
    for key in ("MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"):
        value = spec.get(key, 0)
        if state.is_expression(value):
            continue
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key != "ToleratedFailurePercentage":
            numeric = numeric and isinstance(value, int)
        if not numeric or value < 0 or (key == "ToleratedFailurePercentage" and value > 100):
            kind = "a number from 0 to 100" if key.endswith("Percentage") else "an integer >= 0"
            walk.schema(f"The field '{key}' must be {kind}", f"{where}/{key}")
    if "ItemSelector" in spec and "Parameters" in spec:
        walk.schema("The fields 'ItemSelector' and 'Parameters' are mutually exclusive", where)


_BY_TYPE: dict[str, StateRule] = {
    "Task": task,
    "Wait": wait,
    "Choice": choice,
    "Fail": fail,
    "Parallel": parallel,
    "Map": map_,
}


def by_type(walk: Walk, state: StateView) -> None:
    rule = _BY_TYPE.get(state.kind)
    if rule is not None:
        rule(walk, state)


def retry_catch(walk: Walk, state: StateView) -> None:
    for name in ("Retry", "Catch"):
        if name not in state.spec:
            continue
        if state.kind not in ("Task", "Parallel", "Map"):
            walk.schema(f"Field '{name}' is not supported by a {state.kind} state", state.where)
        else:
            _retriers_or_catchers(walk, name, state.spec[name], f"{state.where}/{name}")


def _retriers_or_catchers(walk: Walk, field: str, items: Any, where: str) -> None:
    if not isinstance(items, list):
        walk.schema(f"The field '{field}' must be an array", where)
        return
    for i, item in enumerate(items):
        location = f"{where}/{i}"
        if not isinstance(item, Mapping):
            walk.schema("Expected an object", location)
            continue
        errors = item.get("ErrorEquals")
        if (
            not isinstance(errors, list)
            or not errors
            or not all(isinstance(e, str) for e in errors)
        ):
            walk.schema("The field 'ErrorEquals' must be a non-empty array of strings", location)
        elif "States.ALL" in errors and (len(errors) > 1 or i != len(items) - 1):
            walk.schema(
                "States.ALL must appear alone in the last ErrorEquals of a "
                f"{field[:-1] if field == 'Retry' else field}er",
                f"{location}/ErrorEquals",
            )
        if field == "Catch" and not isinstance(item.get("Next"), str):
            walk.schema("The field 'Next' is required in a Catcher", location)
        if field == "Retry":
            for key, minimum in (("IntervalSeconds", 1), ("MaxAttempts", 0)):
                value = item.get(key, minimum)
                if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                    walk.schema(f"The field '{key}' must be an integer >= {minimum}", location)
            rate = item.get("BackoffRate", 2.0)
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 1:
                walk.schema("The field 'BackoffRate' must be a number >= 1.0", location)
            if item.get("JitterStrategy", "NONE") not in ("NONE", "FULL"):
                walk.schema("The field 'JitterStrategy' must be FULL or NONE", location)


#: the structure rules, in the order they report
STATE_RULES: tuple[StateRule, ...] = (
    comment,
    known_fields,
    language_fields,
    next_or_end,
    by_type,
    retry_catch,
)
