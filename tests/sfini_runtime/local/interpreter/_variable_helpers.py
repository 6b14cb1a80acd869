"""Helpers the interpreter tests share that the engine itself does not need.

The engine compiles ``$var``-aware JSONPath fields through the ``VariableAware*`` classes of
``variables`` and decides a state's query language in its definition checker; these are the
short spellings the tests and the reference driver (``_jsonata_machine``) use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sfini_asl.spec import JSONATA, JSONPATH
from sfini_runtime.local.interpreter.definition import validate_definition
from sfini_runtime.local.interpreter.variables import (
    VariableAwareChoiceRule,
    VariableAwarePath,
    VariableAwareTemplate,
)

__all__ = [
    "compile_variable_choice_rule",
    "compile_variable_path",
    "compile_variable_template",
    "is_valid_variable_name",
    "resolve_query_language",
]


def compile_variable_template(template: Any) -> VariableAwareTemplate:
    """Compile a JSONPath payload template that may read variables."""
    return VariableAwareTemplate(template)


def compile_variable_path(path: str) -> VariableAwarePath:
    """Compile a JSONPath that may start at a variable (``$name``)."""
    return VariableAwarePath(path)


def compile_variable_choice_rule(rule: Mapping[str, Any]) -> VariableAwareChoiceRule:
    """Compile a JSONPath choice rule that may read variables."""
    return VariableAwareChoiceRule(rule)


def is_valid_variable_name(name: Any) -> bool:
    """Whether the engine's CreateStateMachine accepts ``name`` as the variable a JSONata
    ``Assign`` sets (the checker, then the compiler)."""
    machine = {
        "QueryLanguage": JSONATA,
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": {name: 1}, "End": True}},
    }
    return validate_definition(json.dumps(machine)) == []


def resolve_query_language(state: Mapping[str, Any], machine_language: str | None) -> str:
    """The state's query language: its own ``QueryLanguage``, else the state machine's."""
    own = state.get("QueryLanguage")
    if own is not None:
        return JSONPATH if own == JSONPATH else JSONATA
    return JSONATA if machine_language == JSONATA else JSONPATH
