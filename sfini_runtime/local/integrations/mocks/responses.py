"""The mocked responses of a mock configuration: each a list of Return or Throw answers."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

__all__ = ["MockedInvocation", "MockedResponse"]


@dataclass(frozen=True)
class MockedInvocation:
    """The answer of invocations ``first``..``last`` (inclusive): a Return or a Throw."""

    key: str
    first: int
    last: int
    is_throw: bool
    result: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(frozen=True)
class MockedResponse:
    """A named entry of ``MockedResponses``: its invocations, in order."""

    name: str
    invocations: tuple[MockedInvocation, ...]

    def for_invocation(self, index: int) -> MockedInvocation | None:
        """The answer of the ``index``-th invocation (0 first), None past the end or at a gap."""
        firsts = [invocation.first for invocation in self.invocations]
        position = bisect.bisect_right(firsts, index) - 1
        if position < 0:
            return None
        invocation = self.invocations[position]
        return invocation if invocation.last >= index else None

    def keys(self) -> str:
        """The invocation keys, for messages (``"0", "1-2"``; ``none`` when there are none)."""
        return ", ".join(f'"{i.key}"' for i in self.invocations) or "none"
