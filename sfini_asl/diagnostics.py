"""What the checker reports: diagnostics in the shape ValidateStateMachineDefinition returns,
each also saying what kind of problem it is (for callers that raise one error class per kind)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DefinitionErrors", "Diagnostic", "Kind"]


class Kind:
    """What a diagnostic is about; the definition model raises one exception class per kind."""

    #: a field's value, type or presence (the default)
    FIELD = "field"
    #: a machine, Parallel branch or Map processor without states
    GRAPH = "graph"
    #: a StartAt, Next, Default or Catch target that is not a state of its graph
    TARGET = "target"
    #: a state no transition leads to
    UNREACHABLE = "unreachable"
    #: a graph without a terminal state
    TERMINAL = "terminal"
    DUPLICATE_NAME = "duplicate-name"
    STATE_NAME = "state-name"
    #: a JSONPath, intrinsic function call or payload template value
    PATH = "path"
    #: a JSONata expression
    EXPRESSION = "expression"
    #: a field or syntax the state's query language does not have; an unknown QueryLanguage
    QUERY_LANGUAGE = "query-language"
    #: an ErrorEquals list
    ERROR_MATCH = "error-match"
    #: a Choice state without choice rules
    NO_CHOICES = "no-choices"
    CHOICE_RULE = "choice-rule"
    #: a Parallel state without branches
    NO_BRANCHES = "no-branches"
    #: a timestamp without a time zone
    TIME_ZONE = "time-zone"
    #: a Task's Resource that is no ARN
    RESOURCE = "resource"


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a definition: AWS's code, a message, its location (a JSON pointer such
    as ``/States/A/Next``), severity, the state it is in (None for the machine; for a problem
    of a Parallel branch or Map processor as a whole, the state holding it), its ``kind``, and
    ``detail``: the problem in full (the field, the value found, the values allowed) where
    ``message`` keeps the shorter wording ValidateStateMachineDefinition gives."""

    code: str
    message: str
    location: str
    severity: str = "ERROR"
    state: str | None = None
    kind: str = Kind.FIELD
    detail: str | None = None

    @property
    def text(self) -> str:
        """The problem in full: ``detail`` if there is one, else ``message``."""
        return self.detail or self.message

    def as_dict(self) -> dict[str, str]:
        """The ValidateStateMachineDefinition diagnostic shape."""
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "location": self.location,
        }

    def __str__(self) -> str:
        return f"{self.code}: {self.message} at {self.location}"


class DefinitionErrors(ValueError):
    """A definition with problems; ``diagnostics`` lists them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(", ".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics
