"""The table of operation handlers, filled by the ``@operation`` decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sfini_runtime.local.service.service import StepFunctionsService

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[["StepFunctionsService", Request], Response]

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the API operation ``name``."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler

    return register
