"""The AWS JSON 1.0 protocol as Step Functions speaks it: targets, bodies, errors, timestamps."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sfini_runtime.local.errors import (
    SerializationException,
    ServiceError,
    UnknownOperationException,
)

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
#: the AWS JSON protocol family; media-type parameters (``; charset=utf-8``) are ignored, as the
#: Smithy AWS JSON protocol tests require of servers
ACCEPTED_CONTENT_TYPES = frozenset({CONTENT_TYPE, "application/x-amz-json-1.1"})


def check_content_type(value: str | None) -> None:
    """Refuse a request whose ``Content-Type`` is not AWS JSON.

    Every AWS SDK and the AWS CLI send ``application/x-amz-json-1.0``. AWS's JSON services answer
    another media type with ``UnknownOperationException`` (Kinesis, answering
    ``application/octet-stream``: disneystreaming/smithy4s issue 167), so a hand-written client
    learns here, not in the cloud. A missing header is taken as JSON (HTTP does not require one).
    """
    if value is None or not value.strip():
        return
    media_type = value.split(";", 1)[0].strip().lower()
    if media_type not in ACCEPTED_CONTENT_TYPES:
        raise UnknownOperationException(
            f"Unsupported Content-Type '{value}': the Step Functions API takes {CONTENT_TYPE}"
        )


def operation_name(target: str | None) -> str:
    """The operation named by an ``X-Amz-Target`` header (``AWSStepFunctions.<Op>``)."""
    if not target or not target.startswith(TARGET_PREFIX) or target == TARGET_PREFIX:
        raise UnknownOperationException(f"Unknown operation: '{target or ''}'")
    return target[len(TARGET_PREFIX) :]


def parse_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object (an empty body is an empty request)."""
    if not body.strip():
        return {}
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SerializationException(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise SerializationException("Request body must be a JSON object")
    return document


def epoch_seconds(moment: datetime) -> float:
    """``moment`` as the epoch seconds AWS sends: millisecond precision, never more digits."""
    whole = moment.replace(microsecond=0).timestamp()
    return (int(whole) * 1000 + moment.microsecond // 1000) / 1000


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return epoch_seconds(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def encode(document: dict[str, Any]) -> bytes:
    """Serialise a response: timestamps as epoch seconds to the millisecond, compact, UTF-8."""
    return json.dumps(document, default=_default, separators=(",", ":")).encode("utf-8")


def error_document(error: ServiceError) -> dict[str, Any]:
    """The body AWS sends for an API error (plus any extra members the error carries)."""
    document: dict[str, Any] = {"__type": error.code, "message": error.message}
    document.update(getattr(error, "extra", None) or {})
    return document
