"""One module per resource; each handler registers itself in ``OPERATIONS`` by API name."""

from __future__ import annotations

from sfini_runtime.local.service.operations import (  # noqa: F401  (modules register handlers)
    activities,
    aliases,
    executions,
    state_machines,
    tags,
    test_state,
    versions,
)
from sfini_runtime.local.service.operations.registry import OPERATIONS, operation

__all__ = ["OPERATIONS", "operation"]
