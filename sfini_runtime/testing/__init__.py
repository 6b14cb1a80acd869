"""Testing workflows: run a state machine to its end on a local engine, then assert on the path
it took, each state's input and output, the retries and the final output; a failed assertion
quotes the history in sfini 0.1.0's format.

``run_state_machine`` runs one execution on an engine of its own; ``Harness`` runs many on one
engine, keeping a worker per activity; ``plugin`` is the pytest plugin (``sfini_`` fixtures).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfini_asl._lazy import lazy_exports

if TYPE_CHECKING:
    from sfini_runtime.testing.deployment import Deployment, deploy
    from sfini_runtime.testing.errors import (
        DeploymentError,
        RunTimeout,
        StateNotEntered,
        WorkflowAssertionError,
    )
    from sfini_runtime.testing.harness import (
        DEFAULT_TIMEOUT,
        Harness,
        new_engine,
        run_state_machine,
        session_for,
    )
    from sfini_runtime.testing.result import NOT_GIVEN, ExecutionResult, StatePath, StateVisit

_NAMES = {
    "Deployment": "sfini_runtime.testing.deployment",
    "deploy": "sfini_runtime.testing.deployment",
    "DeploymentError": "sfini_runtime.testing.errors",
    "RunTimeout": "sfini_runtime.testing.errors",
    "StateNotEntered": "sfini_runtime.testing.errors",
    "WorkflowAssertionError": "sfini_runtime.testing.errors",
    "DEFAULT_TIMEOUT": "sfini_runtime.testing.harness",
    "Harness": "sfini_runtime.testing.harness",
    "new_engine": "sfini_runtime.testing.harness",
    "run_state_machine": "sfini_runtime.testing.harness",
    "session_for": "sfini_runtime.testing.harness",
    "NOT_GIVEN": "sfini_runtime.testing.result",
    "ExecutionResult": "sfini_runtime.testing.result",
    "StatePath": "sfini_runtime.testing.result",
    "StateVisit": "sfini_runtime.testing.result",
}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
__all__ = [
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "Deployment",
    "DeploymentError",
    "ExecutionResult",
    "Harness",
    "RunTimeout",
    "StateNotEntered",
    "StatePath",
    "StateVisit",
    "WorkflowAssertionError",
    "deploy",
    "new_engine",
    "run_state_machine",
    "session_for",
]
