"""One checker of ASL definitions, written as rules, for every side: the local engine's
Create/Update/ValidateStateMachineDefinition, the definition model's checks, ``sfini
validate``. It returns diagnostics in the shape ValidateStateMachineDefinition does.

Rules: the document (``check_definition``), each graph (``graph``), each state's structure
(``state_rules.STATE_RULES``) and, where that is sound, its field values
(``field_rules.FIELD_RULES``); Parallel branches and Map processors are graphs in turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sfini_asl.diagnostics import DefinitionErrors, Diagnostic
from sfini_asl.spec import JSONATA, JSONPATH, QUERY_LANGUAGES, STATE_TYPES, state_name_problem

from .context import StateView, Walk
from .field_rules import FIELD_RULES
from .graph import check_graph
from .state_rules import STATE_RULES

__all__ = ["DefinitionErrors", "Diagnostic", "check_definition", "parse_definition"]


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse_definition(text: Any) -> tuple[Any, list[Diagnostic]]:
    """(the document, []) or (None, the diagnostic saying why ``text`` is not ASL JSON)."""
    if not isinstance(text, str) or not text.strip():
        return None, [Diagnostic("MISSING_DESCRIPTION", "The definition is empty", "/")]
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys), []
    except _DuplicateKey as dup:
        return None, [
            Diagnostic("SCHEMA_VALIDATION_FAILED", f"Duplicate object key: {dup.key}", "/")
        ]
    except (ValueError, RecursionError) as exc:
        return None, [Diagnostic("INVALID_JSON_DESCRIPTION", str(exc), "/")]


def check_definition(definition: str | Mapping[str, Any]) -> list[Diagnostic]:
    """Every problem of ``definition`` (ASL JSON text or the parsed document); [] if none."""
    if isinstance(definition, Mapping):
        document: Any = definition
    else:
        document, problems = parse_definition(definition)
        if problems:
            return problems
    walk = Walk()
    if not isinstance(document, Mapping):
        walk.schema("The definition must be a JSON object", "/")
        return walk.problems
    timeout = document.get("TimeoutSeconds")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1
    ):
        walk.schema("The field 'TimeoutSeconds' must be a positive integer", "/TimeoutSeconds")
    for field in ("Comment", "Version"):
        if field in document and not isinstance(document[field], str):
            walk.schema(f"The field '{field}' must be a string", f"/{field}")
    check_graph(walk, document, "", _check_state)
    return walk.problems


def _language(walk: Walk, spec: Mapping[str, Any], where: str) -> str:
    """The state's language: its own QueryLanguage, else the machine's."""
    own = spec.get("QueryLanguage")
    if own is None:
        return walk.top_language
    if own not in QUERY_LANGUAGES:
        walk.schema(
            'The field "QueryLanguage" should have one of these values: [JSONPath, JSONata]',
            f"{where}/QueryLanguage",
        )
        return walk.top_language
    if own == JSONPATH and walk.top_language == JSONATA:
        walk.schema(
            "A state cannot use JSONPath when the state machine's QueryLanguage is JSONata",
            f"{where}/QueryLanguage",
        )
    return str(own)


def _check_state(walk: Walk, name: str, spec: Any, where: str) -> None:
    walk.state = name
    before = len(walk.problems)
    if name in walk.state_names:
        walk.problem("DUPLICATE_STATE_NAME", f"Duplicate State name: {name}", where)
    walk.state_names.add(name)
    problem = state_name_problem(name)
    if problem is not None:
        walk.problem("INVALID_STATE_NAME", problem, where)
    if not isinstance(spec, Mapping):
        walk.schema("A state must be an object", where)
        return
    kind = spec.get("Type")
    if kind not in STATE_TYPES:
        walk.schema(
            'The field "Type" should have one of these values: '
            "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
            f"{where}/Type",
        )
        return
    state = StateView(name, spec, where, kind, _language(walk, spec, where))
    for rule in STATE_RULES:
        rule(walk, state)
    if len(walk.problems) > before:
        return
    for rule in FIELD_RULES:
        rule(walk, state)
    if len(walk.problems) > before:
        return
    if kind == "Parallel":
        for i, branch in enumerate(spec["Branches"]):
            check_graph(walk, branch, f"{where}/Branches/{i}", _check_state)
    elif kind == "Map":
        field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        check_graph(walk, spec[field], f"{where}/{field}", _check_state)
    walk.state = name
