"""The checker's state while it walks a definition: the problems found, and what one state's
rules see (:class:`StateView`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sfini_asl.diagnostics import Diagnostic
from sfini_asl.spec import JSONATA, JSONPATH

SCHEMA = "SCHEMA_VALIDATION_FAILED"


@dataclass(frozen=True)
class StateView:
    """One state as a rule sees it: name, JSON, location, type and query language."""

    name: str
    spec: Mapping[str, Any]
    where: str
    kind: str
    language: str

    def is_expression(self, value: Any) -> bool:
        """Whether ``value`` is a ``{% %}`` expression in a JSONata state."""
        return self.language == JSONATA and isinstance(value, str) and value.startswith("{%")


@dataclass
class Walk:
    """What the walk of one definition has found so far."""

    problems: list[Diagnostic] = field(default_factory=list)
    state_names: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    #: the machine's QueryLanguage: every state (nested ones too) inherits it
    top_language: str = JSONPATH
    #: the state being checked (diagnostics name it)
    state: str | None = None

    def problem(self, code: str, message: str, location: str) -> None:
        self.problems.append(Diagnostic(code, message, location, state=self.state))

    def schema(self, message: str, location: str) -> None:
        self.problem(SCHEMA, message, location)


def array(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else no items (its type is reported elsewhere)."""
    return value if isinstance(value, list) else []
