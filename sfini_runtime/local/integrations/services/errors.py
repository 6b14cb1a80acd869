"""Error names and causes of forwarded service calls, as Step Functions reports them.

Optimised integrations (``arn:aws:states:::sqs:sendMessage``) call the service with the AWS
SDK for Java 1.x: an error the service model declares is ``<Prefix>.<Shape>`` with
``Exception`` appended (``DynamoDB.ResourceNotFoundException``,
``SQS.QueueDoesNotExistException``), any other is the service's base exception
(``DynamoDB.AmazonDynamoDBException``), and the cause ends with the Java SDK's summary
``(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ...; Request ID: ...; Proxy: null)``.

AWS SDK integrations (``arn:aws:states:::aws-sdk:dynamodb:putItem``) use the SDK for Java
2.x: the prefix is the client's name (``DynamoDb``, ``S3``, ``Sfn``), an undeclared error is
``<Prefix>.<Prefix>Exception`` (``DynamoDb.DynamoDbException``, ``S3.S3Exception``), and the
cause ends ``(Service: DynamoDb, Status Code: 400, Request ID: ...)``.

A service that cannot be reached is ``<Prefix>.SdkClientException`` with the Java SDK's
``Unable to execute HTTP request: ...`` as the cause, in both kinds.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

#: words of a name the way the Java SDK 2.x splits them (``DynamoDB`` -> Dynamo, DB;
#: ``MD5OfMessageBody`` -> MD5, Of, Message, Body; ``SSEKMSKeyId`` -> SSEKMS, Key, Id)
_WORDS = re.compile(r"[A-Z]+(?![a-z])\d*|[A-Z]?[a-z]+\d*|\d+")


def java_v2_name(name: str) -> str:
    """``name`` as the Java SDK 2.x spells a class or member: each word capitalised, the rest
    lower case (``DynamoDB`` -> ``DynamoDb``, ``ACM PCA`` -> ``AcmPca``)."""
    return "".join(word[:1].upper() + word[1:].lower() for word in _WORDS.findall(name))


class TaskFailure(Exception):
    """A forwarded call failed the Task with ``error`` and ``cause``."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class ParameterError(ValueError):
    """The Task's parameters do not fit the API's request shape (``message`` says how, in the
    words AWS services use for a ValidationException)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=64)
def _declared_errors(service_model: Any) -> dict[str, str]:
    """Error code (and shape name) -> shape name, for every error the model declares."""
    declared: dict[str, str] = {}
    for shape in service_model.error_shapes:
        declared[shape.name] = shape.name
        code = shape.metadata.get("error", {}).get("code")
        if code:
            declared[code] = shape.name
    return declared


def declared_error(service_model: Any, code: str) -> str | None:
    """The shape name of the error ``code`` when the service model declares it."""
    return _declared_errors(service_model).get(code)


def _declared_shape(service_model: Any, error: ClientError, code: str) -> str | None:
    # a query-compatible service (SQS) names the shape apart from its legacy error code
    query_code = error.response.get("Error", {}).get("QueryErrorCode")
    return declared_error(service_model, code) or (
        declared_error(service_model, str(query_code)) if query_code else None
    )


def _with_exception(name: str) -> str:
    return name if name.endswith("Exception") else name + "Exception"


def _response_details(error: ClientError) -> tuple[str, str, int, str, str | None]:
    response = error.response
    details = response.get("Error", {})
    metadata = response.get("ResponseMetadata", {})
    code = str(details.get("Code") or "Unknown")
    message = str(details.get("Message") or code)
    status = int(metadata.get("HTTPStatusCode") or 400)
    request_id = str(metadata.get("RequestId") or uuid.uuid4())
    return code, message, status, request_id, metadata.get("HostId") or None


def optimised_failure(
    error: ClientError,
    *,
    prefix: str,
    java_service: str,
    base_exception: str,
    service_model: Any,
) -> TaskFailure:
    """What an optimised integration's refused call fails the Task with (Java SDK 1.x)."""
    code, message, status, request_id, _ = _response_details(error)
    shape = _declared_shape(service_model, error, code)
    name = f"{prefix}.{_with_exception(shape) if shape else base_exception}"
    cause = (
        f"{message} (Service: {java_service}; Status Code: {status}; Error Code: {code}; "
        f"Request ID: {request_id}; Proxy: null)"
    )
    return TaskFailure(name, cause)


def sdk_failure(error: ClientError, *, prefix: str, service_model: Any) -> TaskFailure:
    """What an AWS SDK integration's refused call fails the Task with (Java SDK 2.x)."""
    code, message, status, request_id, host_id = _response_details(error)
    shape = _declared_shape(service_model, error, code)
    name = f"{prefix}.{_with_exception(java_v2_name(shape)) if shape else prefix + 'Exception'}"
    details = [f"Service: {prefix}", f"Status Code: {status}", f"Request ID: {request_id}"]
    if host_id:
        details.append(f"Extended Request ID: {host_id}")
    return TaskFailure(name, f"{message} ({', '.join(details)})")


def validation_failure(
    problem: ParameterError,
    *,
    prefix: str,
    sdk: bool,
    java_service: str = "",
    base_exception: str = "",
) -> TaskFailure:
    """The ValidationException a service answers a request the parameters could not make."""
    request_id = str(uuid.uuid4())
    if sdk:
        return TaskFailure(
            f"{prefix}.{prefix}Exception",
            f"{problem.message} (Service: {prefix}, Status Code: 400, Request ID: {request_id})",
        )
    return TaskFailure(
        f"{prefix}.{base_exception}",
        f"{problem.message} (Service: {java_service}; Status Code: 400; Error Code: "
        f"ValidationException; Request ID: {request_id}; Proxy: null)",
    )


def unreachable_failure(error: Exception, *, prefix: str, endpoint_url: str) -> TaskFailure:
    """An endpoint that did not answer: ``<Prefix>.SdkClientException`` with the Java SDK's
    cause (connection refused, unknown host, time-outs)."""
    parts = urlsplit(endpoint_url)
    host = parts.hostname or endpoint_url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    text = str(error)
    if isinstance(error, ReadTimeoutError):
        reason = "Read timed out"
    elif isinstance(error, ConnectTimeoutError):
        reason = f"Connect to {host}:{port} failed: connect timed out"
    elif "Name or service not known" in text or "nodename nor servname" in text:
        reason = f"{host}: Name or service not known"
    elif isinstance(error, EndpointConnectionError):
        reason = f"Connect to {host}:{port} [/{host}] failed: Connection refused"
    else:
        reason = text
    return TaskFailure(f"{prefix}.SdkClientException", f"Unable to execute HTTP request: {reason}")


__all__ = [
    "ParameterError",
    "TaskFailure",
    "declared_error",
    "java_v2_name",
    "optimised_failure",
    "sdk_failure",
    "unreachable_failure",
    "validation_failure",
]
