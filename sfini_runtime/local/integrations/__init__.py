"""What a Task state calls on the local engine, other than activities.

``registry.Integrations`` is the engine's :class:`~sfini_runtime.local.interpreter.task_calls.
IntegrationHost`: it answers a call from the mock configuration when that names the state
(``mocks/``), runs Lambda functions (``lambdas/``: in-process callables, a cloud assembly's
Python functions in worker processes, or a Lambda endpoint), nested state machines on this
engine (``nested.py``), and forwards every other service integration to the endpoint the
standard ``AWS_ENDPOINT_URL_*`` variables name (``services/``).
"""

from __future__ import annotations

from sfini_runtime.local.integrations.registry import Integrations

__all__ = ["Integrations"]
