"""The runner's errors: one message naming what cannot be run, and why."""

from __future__ import annotations

__all__ = ["RunError"]


class RunError(Exception):
    """A workflow module, stack or input that cannot be run (the message says why)."""
