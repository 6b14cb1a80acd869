"""Mock configurations in AWS Step Functions Local's format (in progress)."""

from __future__ import annotations

from typing import Any


class MockConfiguration:
    """Placeholder: replaced by the mock configuration support."""

    @classmethod
    def load(cls, source: Any) -> MockConfiguration:
        return cls()

    def mock_for(self, call: Any) -> Any:
        return None


__all__ = ["MockConfiguration"]
