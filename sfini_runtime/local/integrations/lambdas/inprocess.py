"""Lambda functions served by Python callables in the engine's own process.

``handler(event, context)`` runs on an integration I/O thread. A handler that runs past the
function's time-out is answered as Lambda answers it, by the integration's timer; its thread
cannot be killed and runs on (Python has no way to stop a thread), so a handler that never
returns keeps one I/O thread for good.
"""

from __future__ import annotations

import base64
import json
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from .base import FunctionConfig, InvokeRequest, InvokeResult, error_result, returned
from .context import LambdaContext, log_stream_name

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_INSTANCE = uuid.uuid4().hex


class CallableBackend:
    """Runs invocations with ``handler(event, context)``."""

    #: time-outs are answered by the integration's timer (a thread cannot be stopped)
    enforces_timeout = False

    def __init__(self, handler: Callable[[Any, Any], Any]) -> None:
        if not callable(handler):
            raise TypeError(f"a Lambda handler must be callable, not {type(handler).__name__}")
        self.handler = handler

    def invoke(self, function: FunctionConfig, request: InvokeRequest) -> InvokeResult:
        try:
            event = json.loads(request.payload) if request.payload else {}
        except ValueError as exc:
            return error_result(
                "Runtime.InvalidPayload",
                f"Unable to parse the event: {exc}",
                request.request_id,
            )
        context = LambdaContext(
            function_name=function.name,
            function_version=function.version,
            invoked_function_arn=request.invoked_arn,
            memory_limit_in_mb=function.memory_mb,
            aws_request_id=request.request_id,
            log_group_name=function.log_group_name,
            log_stream_name=log_stream_name(function.version, _INSTANCE),
            deadline_ms=request.deadline_ms,
            client_context=client_context(request.client_context),
        )
        try:
            result = self.handler(event, context)
        except Exception as exc:
            return error_result(
                type(exc).__name__, str(exc), request.request_id, _stack(exc.__traceback__)
            )
        try:
            payload = _encode(result).encode()
        except (TypeError, ValueError) as exc:
            return error_result(
                "Runtime.MarshalError",
                f"Unable to marshal response: {exc}",
                request.request_id,
            )
        return returned(payload, request.request_id, function.version)

    def close(self) -> None:
        pass


def client_context(encoded: str | None) -> Any:
    """ClientContext as the runtime hands it: the decoded JSON, or None."""
    if not encoded:
        return None
    try:
        return json.loads(base64.b64decode(encoded))
    except ValueError:
        return None


def _stack(tb: Any) -> list[str]:
    """The traceback as the Python runtime lists it: one string per frame, this module's own
    frame left out."""
    frames = traceback.extract_tb(tb)[1:]
    return [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n    {frame.line}\n'
        for frame in frames
    ]


__all__ = ["CallableBackend", "client_context"]
