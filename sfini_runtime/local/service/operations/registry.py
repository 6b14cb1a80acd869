"""The table of operation handlers, filled by the ``@operation`` decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sfini_runtime.local.service.operations.context import ServiceContext

Request = dict[str, Any]
Response = dict[str, Any]
Handler = Callable[[ServiceContext, Request], Response]

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the API operation ``name``."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = handler
        return handler

    return register
