"""One checker of ASL definitions, written as rules, for every side: the local engine's
Create/Update/ValidateStateMachineDefinition, the definition model's checks, ``sfini
validate``. It returns diagnostics in the shape ValidateStateMachineDefinition does, each with
its kind and, where AWS's wording is shorter, the problem in full (``Diagnostic.detail``).

Rules: the document (``check_definition``), each graph (``graph``), each state's structure
(:data:`STATE_RULES`: ``state_rules``, ``error_rules``) and, where that is sound, its field
values (``field_rules.FIELD_RULES``); Parallel branches and Map processors are graphs in turn.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sfini_asl.diagnostics import DefinitionErrors, Diagnostic, Kind
from sfini_asl.spec import (
    JSONATA,
    JSONPATH,
    MACHINE_TIMEOUT_RULE,
    QUERY_LANGUAGES,
    STATE_TYPES,
    state_name_problem,
)

from . import state_rules
from .context import OBJECT, StateView, Walk
from .error_rules import retry_catch
from .field_rules import FIELD_RULES
from .graph import check_graph
from .state_rules import StateRule

__all__ = ["STATE_RULES", "DefinitionErrors", "Diagnostic", "check_definition", "parse_definition"]

#: the structure rules, in the order they report
STATE_RULES: tuple[StateRule, ...] = (
    state_rules.comment,
    state_rules.known_fields,
    state_rules.language_fields,
    state_rules.next_or_end,
    state_rules.by_type,
    state_rules.numbers,
    retry_catch,
)


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


def check_definition(
    definition: str | Mapping[str, Any],
    *,
    name: str | None = None,
    default_language: str | None = JSONPATH,
) -> list[Diagnostic]:
    """Every problem of ``definition`` (ASL JSON text or the parsed document); [] if none.

    Args:
        definition: the ASL
        name: the machine's name, for messages ("state machine 'm'")
        default_language: the QueryLanguage of a definition that names none: JSONPath, as on
            AWS, or None for "not known yet", which leaves out the rules whose verdict
            depends on it for the states that do not name their own (the definition model
            checks a machine before it knows its language)
    """
    if isinstance(definition, OBJECT):
        document: Any = definition
    else:
        document, problems = parse_definition(definition)
        if problems:
            return problems
    walk = Walk(top_language=default_language)
    if not isinstance(document, OBJECT):
        walk.schema("The definition must be a JSON object", "/")
        return walk.problems
    graph = "the state machine" if name is None else f"state machine {name!r}"
    if "TimeoutSeconds" in document and not MACHINE_TIMEOUT_RULE.accepts(
        document["TimeoutSeconds"]
    ):
        walk.schema(
            "The field 'TimeoutSeconds' must be a positive integer",
            "/TimeoutSeconds",
            detail=f"TimeoutSeconds of {graph} must be {MACHINE_TIMEOUT_RULE.describe()}, got "
            f"{document['TimeoutSeconds']!r}",
        )
    for field in ("Comment", "Version"):
        if field in document and not isinstance(document[field], str):
            walk.schema(f"The field '{field}' must be a string", f"/{field}")
    check_graph(walk, document, "", _check_state, graph, None)
    return walk.problems


def _language(walk: Walk, spec: Mapping[str, Any], where: str) -> str | None:
    """The state's language: its own QueryLanguage, else the machine's."""
    own = spec.get("QueryLanguage")
    if own is None:
        return walk.top_language
    if own not in QUERY_LANGUAGES:
        walk.schema(
            f"QueryLanguage must be one of {list(QUERY_LANGUAGES)}, got {own!r}",
            f"{where}/QueryLanguage",
            kind=Kind.QUERY_LANGUAGE,
        )
        return walk.top_language
    if own == JSONPATH and walk.top_language == JSONATA:
        walk.schema(
            "a JSONPath state cannot be in a state machine whose QueryLanguage is JSONata",
            f"{where}/QueryLanguage",
            kind=Kind.QUERY_LANGUAGE,
        )
    return str(own)


def _check_state(walk: Walk, name: str, spec: Any, where: str, graph: str) -> None:
    walk.state = name
    before = len(walk.problems)
    if name in walk.state_names:
        walk.problem(
            "DUPLICATE_STATE_NAME",
            f"Duplicate State name: {name}",
            where,
            kind=Kind.DUPLICATE_NAME,
            detail="state name used more than once (names must be unique across the machine, "
            "its Parallel branches and Map processors)",
        )
    walk.state_names.add(name)
    problem = state_name_problem(name)
    if problem is not None:
        walk.problem("INVALID_STATE_NAME", problem, where, kind=Kind.STATE_NAME)
    if not isinstance(spec, OBJECT):
        walk.schema("A state must be an object", where)
        return
    kind = spec.get("Type")
    if kind not in STATE_TYPES:
        walk.schema(
            'The field "Type" should have one of these values: '
            "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
            f"{where}/Type",
            detail=f"Type must be one of {sorted(STATE_TYPES)}, got {kind!r}",
        )
        return
    state = StateView(name, spec, where, kind, _language(walk, spec, where), graph)
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
            branch_name = f"branch {i} of Parallel state {name!r}"
            check_graph(walk, branch, f"{where}/Branches/{i}", _check_state, branch_name, name)
    elif kind == "Map":
        field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        processor = f"the item processor of Map state {name!r}"
        check_graph(walk, spec[field], f"{where}/{field}", _check_state, processor, name)
    walk.state = name
