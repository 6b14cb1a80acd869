"""What every way of running a Lambda function shares: its configuration, one invocation's
request and result (as the Lambda Invoke API has them), and the backend protocol."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Protocol

#: Lambda's defaults for a function created without them
DEFAULT_TIMEOUT_SECONDS = 3.0
DEFAULT_MEMORY_MB = 128
#: Lambda's quota on a synchronous invocation's request and response payloads
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
#: what Lambda reports as ``FunctionError`` for an error the function did not handle
UNHANDLED = "Unhandled"


@dataclass(frozen=True)
class FunctionConfig:
    """A function as Lambda knows it: name, ARN, time-out, memory, environment, and (for a
    cloud assembly's functions) its runtime and handler."""

    name: str
    arn: str
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    environment: dict[str, str] = field(default_factory=dict)
    runtime: str | None = None
    handler: str | None = None
    version: str = "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.name}"


@dataclass(frozen=True)
class InvokeRequest:
    """One invocation: the payload bytes, the request id, the ARN it was invoked by (with a
    qualifier when given), the base64 ClientContext, and the deadline (epoch milliseconds)."""

    payload: bytes
    request_id: str
    invoked_arn: str
    deadline_ms: float
    client_context: str | None = None


@dataclass(frozen=True)
class InvokeResult:
    """What Lambda's Invoke answers: the payload bytes and, for an error the function did not
    handle, ``function_error`` (``Unhandled``) with the error document as payload."""

    payload: bytes
    function_error: str | None = None
    status_code: int = 200
    executed_version: str = "$LATEST"
    log_result: str | None = None


class Backend(Protocol):
    """Runs a function's invocations. ``invoke`` blocks (it is called on an integration I/O
    thread) and returns within the function's time-out, answering a time-out as Lambda does
    (:func:`timed_out`)."""

    def invoke(self, function: FunctionConfig, request: InvokeRequest) -> InvokeResult:
        """Run one invocation to its end."""

    def close(self) -> None:
        """Release what the backend holds (processes, threads)."""


def error_result(
    error_type: str, message: str, request_id: str, stack: list[str] | None = None
) -> InvokeResult:
    """An unhandled error as Lambda's Python runtime reports it."""
    document = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack or [],
    }
    return InvokeResult(json.dumps(document).encode(), UNHANDLED)


def returned(payload: bytes, request_id: str, version: str) -> InvokeResult:
    """A handler's result as Lambda answers it, or Lambda's error when it is over the payload
    quota."""
    if len(payload) > MAX_PAYLOAD_BYTES:
        return error_result(
            "Function.ResponseSizeTooLarge",
            "Response payload size exceeded maximum allowed payload size "
            f"({MAX_PAYLOAD_BYTES} bytes).",
            request_id,
        )
    return InvokeResult(payload, executed_version=version)


def timed_out(request_id: str, seconds: float) -> InvokeResult:
    """A function that ran past its time-out: Lambda's answer has only an ``errorMessage``
    (the time, the request id, ``Task timed out after N.NN seconds``; no ``errorType``),
    which Step Functions reports as ``Lambda.Unknown``."""
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    message = f"{stamp} {request_id} Task timed out after {seconds:.2f} seconds"
    return InvokeResult(
        json.dumps({"errorMessage": message}, separators=(",", ":")).encode(), UNHANDLED
    )


__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_PAYLOAD_BYTES",
    "UNHANDLED",
    "Backend",
    "FunctionConfig",
    "InvokeRequest",
    "InvokeResult",
    "error_result",
    "returned",
    "timed_out",
]
