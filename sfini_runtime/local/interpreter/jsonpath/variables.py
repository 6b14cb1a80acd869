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

from ..failures import StatesError
from ..variables import (
    CONTEXT_KEY,
    VARIABLES_KEY,
    has_variable_reference,
    rewrite_variable_references,
)

__all__ = ["restore_error", "rewrite_state", "state_uses_variables"]

#: rewritten spellings in error texts, and what the user wrote
_RESTORE = (
    (f"$$.{VARIABLES_KEY}.", "$"),
    (f"$$.{CONTEXT_KEY}", "$$"),
    (f"$['{VARIABLES_KEY}']", "$"),
    (f"$['{CONTEXT_KEY}']", "$$"),
)

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


def _template_uses(node: Any) -> bool:
    if type(node) is dict:
        for key, value in node.items():
            if type(key) is str and key.endswith(".$"):
                if has_variable_reference(value):
                    return True
            elif _template_uses(value):
                return True
        return False
    if type(node) is list:
        return any(_template_uses(item) for item in node)
    return False


def _rule_uses(rule: Any) -> bool:
    if type(rule) is not dict:
        return False
    for key, value in rule.items():
        if key in ("And", "Or") and type(value) is list:
            if any(_rule_uses(item) for item in value):
                return True
        elif key == "Not":
            if _rule_uses(value):
                return True
        elif key == "Assign":
            if _template_uses(value):
                return True
        elif (key == "Variable" or key.endswith("Path")) and has_variable_reference(value):
            return True
    return False


def state_uses_variables(spec: Mapping[str, Any]) -> bool:
    """Whether any JSONPath field of the state (Catchers and Choice rules too) reads ``$var``."""
    for field in _PATH_FIELDS:
        if has_variable_reference(spec.get(field)):
            return True
    for field in _TEMPLATE_FIELDS:
        if field in spec and _template_uses(spec[field]):
            return True
    choices = spec.get("Choices")
    if isinstance(choices, list) and any(_rule_uses(rule) for rule in choices):
        return True
    catchers = spec.get("Catch")
    return isinstance(catchers, list) and any(
        isinstance(catcher, Mapping) and _template_uses(catcher.get("Assign"))
        for catcher in catchers
    )


def _rewrite_template(node: Any) -> Any:
    if type(node) is dict:
        out = {}
        for key, value in node.items():
            if type(key) is str and key.endswith(".$") and type(value) is str:
                out[key] = rewrite_variable_references(value)
            else:
                out[key] = _rewrite_template(value)
        return out
    if type(node) is list:
        return [_rewrite_template(item) for item in node]
    return node


def _rewrite_rule(rule: Any) -> Any:
    if type(rule) is not dict:
        return rule
    out = {}
    for key, value in rule.items():
        if key in ("And", "Or") and type(value) is list:
            out[key] = [_rewrite_rule(item) for item in value]
        elif key == "Not":
            out[key] = _rewrite_rule(value)
        elif key == "Assign":
            out[key] = _rewrite_template(value)
        elif (key == "Variable" or key.endswith("Path")) and type(value) is str:
            out[key] = rewrite_variable_references(value)
        else:
            out[key] = value
    return out


def rewrite_state(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the state whose JSONPath fields read variables and ``$$`` from a bound
    context object; nested graphs (Branches, ItemProcessor) are left as they are."""
    out = dict(spec)
    for field in _PATH_FIELDS:
        if type(out.get(field)) is str:
            out[field] = rewrite_variable_references(out[field])
    for field in _TEMPLATE_FIELDS:
        if field in out:
            out[field] = _rewrite_template(out[field])
    if type(out.get("Choices")) is list:
        out["Choices"] = [_rewrite_rule(rule) for rule in out["Choices"]]
    if type(out.get("Catch")) is list:
        out["Catch"] = [
            {**c, "Assign": _rewrite_template(c["Assign"])}
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
    for rewritten, original in _RESTORE:
        cause = cause.replace(rewritten, original)
    restored = StatesError(err.error, cause, in_state=err.in_state)
    restored.__dict__.update(err.__dict__)  # state_started and the like
    restored.cause = cause
    return restored
