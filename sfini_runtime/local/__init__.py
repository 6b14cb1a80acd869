"""The local Step Functions engine: an ASL interpreter behind a Step Functions-compatible API.

``LocalEngine`` runs it in-process (a context manager handing out boto3 clients), ``serve``
runs it until interrupted, ``Engine`` is the interpreter itself.

The names are resolved on first use, so importing a submodule (``errors``, ``interpreter``)
does not drag in the HTTP service, and the interpreter can import ``errors`` without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfini_asl._lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
