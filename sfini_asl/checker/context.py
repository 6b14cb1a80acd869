"""The checker's state while it walks a definition: the problems found, and what one state's
rules see (:class:`StateView`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfini_asl.diagnostics import Diagnostic, Kind
from sfini_asl.spec import JSONATA, JSONPATH

SCHEMA = "SCHEMA_VALIDATION_FAILED"
#: what a JSON object may be (``dict`` first: the check is fast for what ``json`` parses)
OBJECT = (dict, Mapping)


@dataclass(slots=True)
class StateView:
    """One state as a rule sees it (read-only): name, JSON, location, type, query language
    (None when the machine's is not known yet and the state names none) and the graph it is
    in, as messages name it ("the state machine", "branch 0 of Parallel state 'p'")."""

    name: str
    spec: Mapping[str, Any]
    where: str
    type: str
    language: str | None
    graph: str

    def may_be_expression(self, value: Any) -> bool:
        """Whether ``value`` stands for a ``{% %}`` expression the JSONata rules check: in a
        JSONata state, or in a state whose language is not known yet."""
        return self.language != JSONPATH and isinstance(value, str) and value.startswith("{%")

    @property
    def jsonpath_rules_apply(self) -> bool:
        """Whether the JSONPath field rules apply: in a JSONPath state, and in a state whose
        language is not known yet (they look at what only JSONPath has: path fields, ``.$``
        keys, Variable rules, which a JSONata state may not have either)."""
        return self.language != JSONATA


@dataclass
class Walk:
    """What the walk of one definition has found so far."""

    problems: list[Diagnostic] = field(default_factory=list)
    state_names: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    #: the machine's QueryLanguage: every state (nested ones too) inherits it; None when it is
    #: not known yet (the rules that depend on it are left out)
    top_language: str | None = JSONPATH
    #: the state being checked (diagnostics name it)
    state: str | None = None

    def problem(
        self,
        code: str,
        message: str,
        location: str,
        *,
        kind: str = Kind.FIELD,
        detail: str | None = None,
    ) -> None:
        self.problems.append(
            Diagnostic(code, message, location, state=self.state, kind=kind, detail=detail)
        )

    def schema(
        self, message: str, location: str, *, kind: str = Kind.FIELD, detail: str | None = None
    ) -> None:
        self.problem(SCHEMA, message, location, kind=kind, detail=detail)


def array(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else no items (its type is reported elsewhere)."""
    return value if isinstance(value, list) else []
