"""Rules of a state's Retry and Catch: which states have them, the fields of retriers and
catchers, ErrorEquals (predefined ``States.`` names; ``States.ALL`` alone and last) and a
retrier's numbers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfini_asl.diagnostics import Kind
from sfini_asl.spec import (
    CATCHER_FIELDS,
    ERROR_ALL,
    JITTER_STRATEGIES,
    PREDEFINED_ERRORS,
    RETRIER_FIELDS,
    RETRIER_NUMBER_RULES,
)

from .context import OBJECT, StateView, Walk
from .state_rules import check_number

_KNOWN_ERRORS = ", ".join(sorted(PREDEFINED_ERRORS))


def retry_catch(walk: Walk, state: StateView) -> None:
    for name in ("Retry", "Catch"):
        if name not in state.spec:
            continue
        if state.type not in ("Task", "Parallel", "Map"):
            walk.schema(f"Field '{name}' is not supported by a {state.type} state", state.where)
        else:
            _entries(walk, state, name, state.spec[name], f"{state.where}/{name}")


def _entries(walk: Walk, state: StateView, field: str, items: Any, where: str) -> None:
    if not isinstance(items, list):
        walk.schema(
            f"The field '{field}' must be an array",
            where,
            detail=f"{field} must be a list, got {items!r}",
        )
        return
    fields, kind = (RETRIER_FIELDS, "retrier") if field == "Retry" else (CATCHER_FIELDS, "catcher")
    for i, item in enumerate(items):
        label, location = f"{field}[{i}]", f"{where}/{i}"
        if not isinstance(item, OBJECT):
            walk.schema(
                "Expected an object", location, detail=f"{label} must be an object, got {item!r}"
            )
            continue
        _error_equals(walk, item.get("ErrorEquals"), label, location, last=i == len(items) - 1)
        for key in item:
            if key not in fields:
                walk.schema(f"{label}: {key} is not a {kind} field", f"{location}/{key}")
        if field == "Catch" and not isinstance(item.get("Next"), str):
            walk.schema(
                "The field 'Next' is required in a Catcher",
                location,
                kind=Kind.TARGET,
                detail=f"{label}.Next target {item.get('Next')!r} is not a state of {state.graph}",
            )
        if field == "Retry":
            _retrier(walk, state, item, label, location)


def _error_equals(walk: Walk, errors: Any, label: str, location: str, *, last: bool) -> None:
    where = f"{location}/ErrorEquals"
    if not isinstance(errors, list) or not errors:
        walk.schema(
            f"{label}.ErrorEquals must be a non-empty list", location, kind=Kind.ERROR_MATCH
        )
        return
    for error in errors:
        if not isinstance(error, str):
            walk.schema(
                f"{label}.ErrorEquals has a non-str {error!r}", where, kind=Kind.ERROR_MATCH
            )
        elif error.startswith("States.") and error not in PREDEFINED_ERRORS:
            walk.schema(
                f"{label}.ErrorEquals names {error!r}, which is no predefined error (the "
                f"'States.' prefix is reserved; known: {_KNOWN_ERRORS})",
                where,
                kind=Kind.ERROR_MATCH,
            )
    if ERROR_ALL in errors:
        if len(errors) > 1:
            walk.schema(
                f"{label}.ErrorEquals combines {ERROR_ALL} with other errors: it must appear alone",
                where,
                kind=Kind.ERROR_MATCH,
            )
        elif not last:
            walk.schema(
                f"{label} matches {ERROR_ALL} but is not the last {label.split('[')[0]} entry",
                where,
                kind=Kind.ERROR_MATCH,
            )


def _retrier(walk: Walk, state: StateView, retrier: Mapping[str, Any], label: str, at: str) -> None:
    for key, rule in RETRIER_NUMBER_RULES.items():
        if key in retrier:
            check_number(walk, state, rule, key, retrier[key], f"{label}.{key}", f"{at}/{key}")
    if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in JITTER_STRATEGIES:
        walk.schema(
            f"{label}.JitterStrategy must be 'FULL' or 'NONE', got {retrier['JitterStrategy']!r}",
            f"{at}/JitterStrategy",
        )
