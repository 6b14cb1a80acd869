"""From Lambda's answer to what a Step Functions Task records, for both resource forms.

``lambda:invoke`` returns the Invoke response (``ExecutedVersion``, ``Payload`` parsed,
``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode``); the function's ARN as Resource
returns the payload itself. A function error is named by its ``errorType`` (``Lambda.Unknown``
when the error document has none, as for a time-out, with AWS's sentence before the
payload) with the error document as the cause;
a refused invocation is ``Lambda.<Code>Exception`` with the Java SDK's cause.
"""

from __future__ import annotations

import json
from typing import Any

from sfini_runtime.local.integrations.responses import exception_cause, exception_name

from .base import InvokeResult
from .endpoint import LambdaServiceError

#: Step Functions' name for a function error whose document names no type
UNKNOWN_ERROR = "Lambda.Unknown"
#: and the cause it gives, before the payload (as AWS records it)
UNKNOWN_CAUSE = (
    "The cause could not be determined because Lambda did not return an error type. "
    "Returned payload: "
)


def payload_value(result: InvokeResult) -> Any:
    """The payload as a JSON value ('' for an asynchronous invocation's empty body; text that
    is not JSON stays text)."""
    if not result.payload:
        return ""
    text = result.payload.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def invoke_response(result: InvokeResult, request_id: str) -> dict[str, Any]:
    """``lambda:invoke``'s result, members in the order AWS writes them."""
    request_id_headers = {
        "X-Amz-Executed-Version": result.executed_version,
        "x-amzn-Remapped-Content-Length": "0",
        "X-Amzn-Trace-Id": f"root=1-00000000-{request_id.replace('-', '')[:24]};sampled=0",
    }
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(result.payload)),
        "Content-Type": "application/json",
        **request_id_headers,
        "x-amzn-RequestId": request_id,
    }
    response: dict[str, Any] = {"ExecutedVersion": result.executed_version}
    if result.log_result is not None:
        response["LogResult"] = result.log_result
    response["Payload"] = payload_value(result)
    response["SdkHttpMetadata"] = {
        "AllHttpHeaders": {key: [value] for key, value in headers.items()},
        "HttpHeaders": headers,
        "HttpStatusCode": result.status_code,
    }
    response["SdkResponseMetadata"] = {"RequestId": request_id}
    response["StatusCode"] = result.status_code
    return response


def function_failure(result: InvokeResult) -> tuple[str, str]:
    """(error, cause) of an error the function did not handle."""
    text = result.payload.decode("utf-8", "replace")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    error = document.get("errorType") if isinstance(document, dict) else None
    if isinstance(error, str) and error:
        return error, text
    return UNKNOWN_ERROR, UNKNOWN_CAUSE + text


def service_failure(error: LambdaServiceError) -> tuple[str, str]:
    """(error, cause) of an invocation Lambda refused or could not receive."""
    if error.code == "SdkClientException":
        return "Lambda.SdkClientException", error.message
    return exception_name("Lambda", error.code), exception_cause(
        error.message, "AWSLambda", error.status, error.code
    )


__all__ = [
    "UNKNOWN_CAUSE",
    "UNKNOWN_ERROR",
    "function_failure",
    "invoke_response",
    "payload_value",
    "service_failure",
]
