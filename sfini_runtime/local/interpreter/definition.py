"""Compile Amazon States Language JSON into immutable state graphs.

``sfini_asl.checker`` (the rules the definition model runs too) finds every problem first, as
AWS-style diagnostics (``code``, ``message``, ``location``) that ValidateStateMachineDefinition
and the InvalidDefinition error of Create/UpdateStateMachine report; then each state's class
compiles it (what only compiling finds, such as a JSONata or template error, is reported the
same way).
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
from .states import STATE_CLASSES
from .states.base import CompiledState

_ARN_ACTIVITY = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]+$")
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

    def graph(self, doc: Mapping[str, Any], where: str) -> Graph | None:
        compiled: dict[str, CompiledState] = {}
        for name, spec in doc["States"].items():
            state = self.state(name, spec, f"{where}/States/{name}")
            if state is not None:
                compiled[name] = state
        if self.problems:
            return None
        return Graph(doc["StartAt"], compiled)

    def subgraph(self, doc: Mapping[str, Any], where: str) -> Graph:
        """Compile a nested graph (Parallel branch, Map processor) for a state class; raises
        ``DefinitionErrors`` with the problems found in it."""
        before = len(self.problems)
        graph = self.graph(doc, where)
        if graph is None or len(self.problems) > before:
            problems = self.problems[before:]
            del self.problems[before:]
            raise DefinitionErrors(
                problems or [Diagnostic("SCHEMA_VALIDATION_FAILED", "Invalid", where)]
            )
        return graph

    def state(self, name: str, spec: Mapping[str, Any], where: str) -> CompiledState | None:
        kind = spec["Type"]
        resource = spec.get("Resource")
        if kind == "Task" and isinstance(resource, str) and _ARN_ACTIVITY.match(resource):
            self.activity_arns.add(resource)
        self.language = spec.get("QueryLanguage", self.top_language)
        try:
            return STATE_CLASSES[kind](name, spec, self, where)
        except DefinitionErrors as errors:
            self.problems.extend(errors.diagnostics)
        except ValueError as exc:  # syntax errors from paths, templates, intrinsics, rules
            field = getattr(exc, "field", None)
            location = f"{where}/{field}" if field else where
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


def _compile(definition: str) -> tuple[CompiledDefinition | None, list[Diagnostic]]:
    document, problems = parse_definition(definition)
    if problems:
        return None, problems
    problems = check_definition(document) or _beyond_this_engine(document, "")
    if problems:
        return None, problems
    compiler = _Compiler(document.get("QueryLanguage", JSONPATH))
    graph = compiler.graph(document, "")
    if compiler.problems or graph is None:
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
    """Valid ASL this engine cannot run yet: Distributed Map and its fields."""
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
    compiled, problems = _compile(definition)
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
    document, problems = parse_definition(definition)
    if not problems:
        problems = check_definition(document)
    if not problems and not _beyond_this_engine(document, ""):
        _, problems = _compile(definition)
    return [p.as_dict() for p in problems]


__all__ = [
    "CompiledDefinition",
    "DefinitionErrors",
    "Diagnostic",
    "Graph",
    "compile_definition",
    "validate_definition",
]
