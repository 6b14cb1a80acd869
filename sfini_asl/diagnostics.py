"""What the checker reports: diagnostics in the shape ValidateStateMachineDefinition returns."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DefinitionErrors", "Diagnostic"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a definition: AWS's code, a message, its location (a JSON pointer such
    as ``/States/A/Next``), severity, and the state it is in (None for the machine)."""

    code: str
    message: str
    location: str
    severity: str = "ERROR"
    state: str | None = None

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
