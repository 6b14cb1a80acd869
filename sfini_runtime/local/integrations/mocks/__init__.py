"""Mock configurations in AWS Step Functions Local's format (``SFN_MOCK_CONFIG``).

``MockConfiguration.load(path | JSON text | mapping)`` reads and checks a file (one
``MockConfigError`` naming file, line and field); ``mock_for(call)`` answers the Task states a
test case names, for executions started on ``stateMachineArn#TestCase``.
"""

from __future__ import annotations

from .config import (
    MockConfigError,
    MockConfiguration,
    MockedInvocation,
    MockedResponse,
    UnknownTestCase,
    state_names,
)
from .responder import MockedAnswer

__all__ = [
    "MockConfigError",
    "MockConfiguration",
    "MockedAnswer",
    "MockedInvocation",
    "MockedResponse",
    "UnknownTestCase",
    "state_names",
]
