"""The persistence seam of the interpreter: what a durable engine is told as it runs.

An :class:`Engine` without a journal (the default) calls none of this and pays nothing: its
executions keep a plain :class:`~.history.History`. With one, every history event, every
activity task token handed out, every worker answer and every execution's end is reported
to it as it happens; ``sfini_runtime.local.persistence`` writes them to SQLite. The journal
only *records*: the interpreter never waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .execution import ExecutionRecord

__all__ = ["Journal"]


class Journal(Protocol):
    """Where a durable engine's executions report what they did (any thread, lock held)."""

    def event_added(self, execution_arn: str, event: dict[str, Any]) -> None:
        """A history event was appended (never one replayed from the record)."""

    def task_scheduled(self, token: str, execution_arn: str, scheduled_id: int) -> None:
        """An activity task of the ActivityScheduled event ``scheduled_id`` got ``token``."""

    def task_answered(self, token: str, outcome: tuple[Any, ...]) -> None:
        """SendTaskSuccess/SendTaskFailure was accepted for ``token`` (before its event)."""

    def token_for(self, execution_arn: str, scheduled_id: int) -> str | None:
        """The token handed out for the ActivityScheduled event ``scheduled_id``, if any."""

    def answer_for(self, token: str) -> tuple[Any, ...] | None:
        """The outcome a worker sent for ``token`` that no event records yet, if any."""

    def execution_ended(self, record: ExecutionRecord) -> None:
        """The execution ended; its record is final."""

    def execution_forgotten(self, execution_arn: str) -> None:
        """The execution left the retained set (its rows can go)."""
