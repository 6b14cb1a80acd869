"""The local Step Functions engine: an ASL interpreter behind a Step Functions-compatible API.

``LocalEngine`` runs it in-process (a context manager handing out boto3 clients), ``serve``
runs it until interrupted, ``Engine`` is the interpreter itself.
"""

from __future__ import annotations

from sfini_runtime.local.interpreter import Engine
from sfini_runtime.local.service import LocalEngine, serve

__all__ = ["Engine", "LocalEngine", "serve"]
