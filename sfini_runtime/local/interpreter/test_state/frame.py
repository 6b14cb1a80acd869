"""The frame one TestState state runs in: its variables and what it assigns, no history."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..failures import StatesError
from ..variables import VariableScope

__all__ = ["TestFrame"]


class TestFrame:
    """The parts of an execution's ``Frame`` a state's own logic uses, for a lone state."""

    __test__ = False  # not a pytest class

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = VariableScope(values=variables)
        self.assigned: dict[str, Any] | None = None
        self.entered_id = 0
        self.last = 0

    def assign(self, values: dict[str, Any]) -> None:
        """Bind the variables the state assigns."""
        self.variables.assign(values)
        self.assigned = values

    def add_event(self, event_type: str, details: Any = None) -> int:
        """TestState records no history."""
        return 0

    def evaluation_failed(self, err: StatesError, state_name: str) -> None:
        """TestState records no history."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)
