"""The local Step Functions engine: an ASL interpreter behind a Step Functions-compatible API.

``LocalEngine`` runs it in-process (a context manager handing out boto3 clients), ``serve``
runs it until interrupted, ``Engine`` is the interpreter itself.

The names are resolved on first use, so importing a submodule (``errors``, ``interpreter``)
does not drag in the HTTP service, and the interpreter can import ``errors`` without a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sfini_runtime.local.interpreter import Engine
    from sfini_runtime.local.service import ConnectionLimits, LocalEngine, serve

_EXPORTS = {
    "ConnectionLimits": "sfini_runtime.local.service",
    "Engine": "sfini_runtime.local.interpreter",
    "LocalEngine": "sfini_runtime.local.service",
    "serve": "sfini_runtime.local.service",
}

__all__ = ["ConnectionLimits", "Engine", "LocalEngine", "serve"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
