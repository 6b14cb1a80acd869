"""Compile Amazon States Language JSON into immutable state graphs.

``sfini_asl.checker`` (the rules the definition model runs too) finds the problems, as
AWS-style diagnostics (``code``, ``message``, ``location``) that ValidateStateMachineDefinition
and the InvalidDefinition error of Create/UpdateStateMachine report; a definition that passed
it is compiled by each state's class without checking it again (the agreement table,
``tests/sfini_asl/test_agreement.py``, holds model, checker and engine to one verdict). Should
compiling a checked definition fail all the same, the failure is one more diagnostic in the
checker's format, never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sfini_asl.checker import check_definition, parse_definition
from sfini_asl.diagnostics import DefinitionErrors, Diagnostic
from sfini_asl.spec import JSONPATH

from ..errors import InvalidDefinition
from .states import STATE_CLASSES, TaskState
from .states.base import CompiledState

_MESSAGE_PROBLEMS_MAX = 10  # problems an InvalidDefinition message spells out


@dataclass(frozen=True)
class Graph:
    """A StartAt and its States: the machine, a Parallel branch or a Map processor."""

    start_at: str
    states: Mapping[str, CompiledState]


@dataclass(frozen=True)
class CompiledDefinition:
    """A validated definition, ready to run any number of executions."""

    text: str
    document: Mapping[str, Any]
    graph: Graph
    timeout_seconds: float | None
    activity_arns: frozenset[str]
    query_language: str = JSONPATH


class _Compiler:
    """Walks a checked document, compiling its graphs with the state classes."""

    def __init__(self, top_language: str) -> None:
        self.problems: list[Diagnostic] = []
        self.activity_arns: set[str] = set()
        self.top_language = top_language
        #: the language of the state being compiled (state classes read it)
        self.language = top_language

    def graph(self, doc: Mapping[str, Any], where: str) -> Graph:
        """Compile a graph's states; the problems found are added to ``problems`` (a state
        with one is left out of the graph)."""
        compiled: dict[str, CompiledState] = {}
        for name, spec in doc["States"].items():
            state = self.state(name, spec, f"{where}/States/{name}")
            if state is not None:
                compiled[name] = state
        return Graph(doc["StartAt"], compiled)

    def subgraph(self, doc: Mapping[str, Any], where: str) -> Graph:
        """Compile a nested graph (Parallel branch, Map processor) for a state class; raises
        ``DefinitionErrors`` with the problems found in it."""
        before = len(self.problems)
        graph = self.graph(doc, where)
        if len(self.problems) > before:
            problems = self.problems[before:]
            del self.problems[before:]
            raise DefinitionErrors(problems)
        return graph

    def state(self, name: str, spec: Mapping[str, Any], where: str) -> CompiledState | None:
        self.language = spec.get("QueryLanguage", self.top_language)
        try:
            state = STATE_CLASSES[spec["Type"]](name, spec, self, where)
        except DefinitionErrors as errors:  # from a nested graph
            self.problems.extend(errors.diagnostics)
            return None
        except ValueError as exc:  # should not happen: the checker passed the definition
            field = getattr(exc, "field", None)
            location = f"{where}/{_pointer(field)}" if field else where
            code = getattr(exc, "code", None)
            if isinstance(code, str):  # JSONata: INVALID/UNSUPPORTED_JSONATA_EXPRESSION
                self.problems.append(
                    Diagnostic(code, getattr(exc, "message", str(exc)), location, state=name)
                )
            else:
                self.problems.append(
                    Diagnostic("SCHEMA_VALIDATION_FAILED", str(exc), location, state=name)
                )
            return None
        if isinstance(state, TaskState) and state.is_activity:
            self.activity_arns.add(state.resource)
        return state


_INDEX = re.compile(r"\[(\d+)\]")


def _pointer(field: str) -> str:
    """A compiler's field label (``Choices[0]/Condition``) as the checker's JSON pointer
    steps (``Choices/0/Condition``)."""
    return _INDEX.sub(r"/\1", field)


def _checked(definition: str) -> tuple[Any, list[Diagnostic]]:
    """The parsed document and the checker's diagnostics (the document is None if not JSON)."""
    document, problems = parse_definition(definition)
    if not problems:
        problems = check_definition(document)
    return document, problems


def _compile_checked(
    definition: str, document: Mapping[str, Any]
) -> tuple[CompiledDefinition | None, list[Diagnostic]]:
    """Compile a document the checker passed: the compiled definition, or what only compiling
    finds."""
    compiler = _Compiler(document.get("QueryLanguage", JSONPATH))
    graph = compiler.graph(document, "")
    if compiler.problems:
        return None, compiler.problems
    compiled = CompiledDefinition(
        text=definition,
        document=document,
        graph=graph,
        timeout_seconds=document.get("TimeoutSeconds"),
        activity_arns=frozenset(compiler.activity_arns),
        query_language=compiler.top_language,
    )
    return compiled, []


def _beyond_this_engine(graph: Mapping[str, Any], where: str) -> list[Diagnostic]:
    """Valid ASL this engine cannot run yet: Distributed Map and its fields.

    This check stays here, not in ``sfini_asl.checker``: the definition is valid ASL (AWS and
    the definition model accept it, ValidateStateMachineDefinition reports nothing); only this
    engine, which has no Distributed Map, refuses it at Create/UpdateStateMachine."""
    problems: list[Diagnostic] = []
    for name, spec in graph["States"].items():
        at = f"{where}/States/{name}"
        if spec["Type"] == "Parallel":
            for i, branch in enumerate(spec["Branches"]):
                problems += _beyond_this_engine(branch, f"{at}/Branches/{i}")
        if spec["Type"] != "Map":
            continue
        field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
        config = spec[field].get("ProcessorConfig") or {}
        if config.get("Mode", "INLINE") != "INLINE":
            problems.append(
                Diagnostic(
                    "SCHEMA_VALIDATION_FAILED",
                    "Distributed Map is not supported by this engine yet",
                    f"{at}/ItemProcessor/ProcessorConfig/Mode",
                    state=name,
                )
            )
        for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
            if key in spec:
                problems.append(
                    Diagnostic(
                        "SCHEMA_VALIDATION_FAILED",
                        f"The field '{key}' is not supported by this engine yet",
                        at,
                        state=name,
                    )
                )
        problems += _beyond_this_engine(spec[field], f"{at}/{field}")
    return problems


def compile_definition(definition: str) -> CompiledDefinition:
    """Compile ASL JSON or raise :class:`InvalidDefinition` with AWS's message format."""
    document, problems = _checked(definition)
    compiled = None
    if not problems:
        problems = _beyond_this_engine(document, "")
    if not problems:
        compiled, problems = _compile_checked(definition, document)
    if compiled is None:
        joined = ", ".join(str(p) for p in problems[:_MESSAGE_PROBLEMS_MAX])
        hidden = len(problems) - _MESSAGE_PROBLEMS_MAX
        if hidden > 0:  # one message, not megabytes: ValidateStateMachineDefinition lists all
            joined += f", ... and {hidden} more problems"
        raise InvalidDefinition(f"Invalid State Machine Definition: '{joined}'")
    return compiled


def validate_definition(definition: str) -> list[dict[str, str]]:
    """ValidateStateMachineDefinition diagnostics (empty when the definition is valid ASL, as
    on AWS: what only this engine cannot run yet, a Distributed Map, is refused by
    Create/UpdateStateMachine, not here)."""
    document, problems = _checked(definition)
    if not problems and not _beyond_this_engine(document, ""):
        _, problems = _compile_checked(definition, document)
    return [p.as_dict() for p in problems]


__all__ = [
    "CompiledDefinition",
    "DefinitionErrors",
    "Diagnostic",
    "Graph",
    "compile_definition",
    "validate_definition",
]
