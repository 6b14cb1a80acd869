"""What a workflow test raises: assertion errors whose message ends with the history."""

from __future__ import annotations

__all__ = ["DeploymentError", "RunTimeout", "StateNotEntered", "WorkflowAssertionError"]

#: the line between an assertion's message and the history it quotes
HISTORY_HEADING = "History (sfini 0.1.0 format):"


class WorkflowAssertionError(AssertionError):
    """An execution did not do what a test expected; the message ends with its history."""

    def __init__(self, message: str, history: str = "") -> None:
        self.message = message
        self.history = history
        super().__init__(with_history(message, history))


class StateNotEntered(WorkflowAssertionError):
    """A test asked about a state the execution never entered."""


class RunTimeout(WorkflowAssertionError):
    """An execution ran longer than the test allowed (it was stopped)."""


class DeploymentError(Exception):
    """The engine refused a workflow's activities or state machines (its message says why)."""


def with_history(message: str, history: str) -> str:
    """``message``, then the history under its heading (indented, so it reads as a quote)."""
    if not history:
        return message
    quoted = "\n".join(f"  {line}" for line in history.splitlines())
    return f"{message}\n\n{HISTORY_HEADING}\n{quoted}"
