"""Errors about executions (all ``RuntimeError``, as sfini 0.1.0 raised)."""

from __future__ import annotations

__all__ = [
    "ExecutionArnUnknown",
    "ExecutionError",
    "ExecutionFailed",
    "ExecutionFinished",
    "ExecutionNotFinished",
    "WaitTimeout",
]


class ExecutionError(RuntimeError):
    """Base of the execution errors."""


class ExecutionFailed(ExecutionError):
    """The execution ended in FAILED, TIMED_OUT or ABORTED."""

    def __init__(self, message: str, status: str, error: str | None, cause: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.cause = cause


class ExecutionNotFinished(ExecutionError):
    """The execution is still running, so it has no output or stop date yet."""


class ExecutionFinished(ExecutionError):
    """The execution has already finished (it cannot be stopped)."""


class ExecutionArnUnknown(ExecutionError):
    """The execution has not been started, so it has no ARN."""


class WaitTimeout(ExecutionError):
    """The execution did not finish within the time waited."""
