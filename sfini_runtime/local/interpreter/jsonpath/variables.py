"""Workflow variables (``$name``) in the JSONPath fields of a state, decided at compile time.

A JSONPath state that reads no variable compiles and runs exactly as before. One that does is
compiled from a rewritten copy of its definition in which every ``$name`` reads
``$$.__sfini_variables__.name`` and every ``$$`` reads ``$$.__sfini_context__`` (see
:mod:`..variables`); the engine then hands all of that state's fields the context object
:func:`..variables.bind_context` builds from the real one and the frame's variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfini_asl.variables import rule_reads_variables, template_reads_variables

from ..failures import StatesError
from ..variables import (
    has_variable_reference,
    restore_text,
    rewrite_rule,
    rewrite_template,
    rewrite_variable_references,
)

__all__ = ["restore_error", "rewrite_state", "state_uses_variables"]

#: JSONPath fields that hold one path (ResultPath writes into the output: never a variable)
_PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
#: JSONPath payload templates (``key.$`` values are paths or intrinsic functions)
_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")


def state_uses_variables(spec: Mapping[str, Any]) -> bool:
    """Whether any JSONPath field of the state (Catchers and Choice rules too) reads ``$var``."""
    for field in _PATH_FIELDS:
        if has_variable_reference(spec.get(field)):
            return True
    for field in _TEMPLATE_FIELDS:
        if field in spec and template_reads_variables(spec[field]):
            return True
    choices = spec.get("Choices")
    if isinstance(choices, list) and any(
        rule_reads_variables(rule, assign=True) for rule in choices
    ):
        return True
    catchers = spec.get("Catch")
    return isinstance(catchers, list) and any(
        isinstance(catcher, Mapping) and template_reads_variables(catcher.get("Assign"))
        for catcher in catchers
    )


def rewrite_state(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the state whose JSONPath fields read variables and ``$$`` from a bound
    context object; nested graphs (Branches, ItemProcessor) are left as they are."""
    out = dict(spec)
    for field in _PATH_FIELDS:
        if type(out.get(field)) is str:
            out[field] = rewrite_variable_references(out[field])
    for field in _TEMPLATE_FIELDS:
        if field in out:
            out[field] = rewrite_template(out[field])
    if type(out.get("Choices")) is list:
        out["Choices"] = [rewrite_rule(rule, assign=True) for rule in out["Choices"]]
    if type(out.get("Catch")) is list:
        out["Catch"] = [
            {**c, "Assign": rewrite_template(c["Assign"])}
            if isinstance(c, Mapping) and "Assign" in c
            else c
            for c in out["Catch"]
        ]
    return out


def restore_error(err: StatesError) -> StatesError:
    """``err`` with the user's ``$name`` / ``$$`` spellings back in its cause."""
    cause = err.cause
    if cause is None or "__sfini_" not in cause:
        return err
    cause = restore_text(cause)
    restored = StatesError(err.error, cause, in_state=err.in_state)
    restored.__dict__.update(err.__dict__)  # state_started and the like
    restored.cause = cause
    return restored
