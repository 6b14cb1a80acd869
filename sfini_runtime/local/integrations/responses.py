"""Shapes every integration shares: the SDK metadata AWS adds to an optimised integration's
response, millisecond dates, and error names built from a service's error code."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any


def epoch_millis(moment: datetime) -> int:
    """A date as AWS's optimised integrations write it: milliseconds since the epoch."""
    return int(moment.timestamp() * 1000)


def with_sdk_metadata(
    response: dict[str, Any],
    request_id: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/x-amz-json-1.0",
    body_length: int | None = None,
) -> dict[str, Any]:
    """``response`` with the ``SdkHttpMetadata``/``SdkResponseMetadata`` members AWS adds to
    the result of an optimised integration (the Java SDK's view of the HTTP answer);
    ``headers`` adds service-specific response headers."""
    request_id = request_id or str(uuid.uuid4())
    if body_length is None:
        body_length = len(json.dumps(response, separators=(",", ":")).encode())
    headers = {
        "Content-Length": str(body_length),
        "Content-Type": content_type,
        "Date": format_datetime(datetime.now(timezone.utc), usegmt=True),
        **(headers or {}),
        "x-amzn-RequestId": request_id,
    }
    return {
        **response,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def exception_name(prefix: str, error_code: str) -> str:
    """The error a refused call raises in a workflow: ``<Prefix>.<Code>Exception`` (the
    Java SDK's exception class, which is the error code with ``Exception`` appended unless it
    already ends so): ``StepFunctions.ExecutionAlreadyExistsException``,
    ``Lambda.ResourceNotFoundException``."""
    code = error_code.rsplit(".", 1)[-1]
    if not code.endswith("Exception"):
        code += "Exception"
    return f"{prefix}.{code}"


def exception_cause(message: str, service: str, status: int, error_code: str) -> str:
    """The cause AWS writes for a refused call: the message, then the Java SDK's summary."""
    return (
        f"{message} (Service: {service}; Status Code: {status}; Error Code: {error_code}; "
        f"Request ID: {uuid.uuid4()}; Proxy: null)"
    )


__all__ = ["epoch_millis", "exception_cause", "exception_name", "with_sdk_metadata"]
