"""TestState: one state run on its own, with its data-flow steps reported (AWS's TestState API).

:func:`prepare_test_state` checks a request as AWS does; :func:`run_test_state` runs the
state it names and builds the response.
"""

from __future__ import annotations

from .prepare import (
    INSPECTION_LEVELS,
    SINGLE_STATE_NAME,
    TestStateCase,
    TestStateMock,
    prepare_test_state,
)
from .runner import MockChecker, TaskRunner, run_test_state

__all__ = [
    "INSPECTION_LEVELS",
    "SINGLE_STATE_NAME",
    "MockChecker",
    "TaskRunner",
    "TestStateCase",
    "TestStateMock",
    "prepare_test_state",
    "run_test_state",
]
