"""Lambda functions invoked through the Lambda Invoke API at an endpoint (``sam local
start-lambda``, moto's server, any emulator): ``AWS_ENDPOINT_URL_LAMBDA`` or
``LocalEngine(lambda_endpoint=...)``."""

from __future__ import annotations

import os
import threading
from typing import Any

from .base import InvokeResult


class LambdaServiceError(Exception):
    """Lambda refused the invocation (not the function failing): ``code`` is Lambda's error
    code (``ResourceNotFoundException``, ``TooManyRequestsException``, ...) or
    ``SdkClientException`` when the endpoint could not be reached."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class EndpointBackend:
    """Invokes functions through boto3's Lambda client at ``endpoint_url``."""

    #: the endpoint enforces the function's time-out itself; ours is a backstop
    enforces_timeout = True

    def __init__(self, endpoint_url: str, region: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self._client: Any = None
        self._lock = threading.Lock()

    def client(self) -> Any:
        """One boto3 Lambda client (thread-safe to share), made on first use."""
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                self._client = boto3.session.Session().client(
                    "lambda",
                    endpoint_url=self.endpoint_url,
                    region_name=self.region,
                    aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID") or "testing",
                    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY") or "testing",
                    config=Config(
                        connect_timeout=5,
                        read_timeout=905,  # Lambda's longest time-out is 900 s
                        retries={"total_max_attempts": 1},
                        max_pool_connections=64,
                    ),
                )
            return self._client

    def invoke_function(
        self,
        function_name: str,
        payload: bytes,
        *,
        invocation_type: str = "RequestResponse",
        qualifier: str | None = None,
        client_context: str | None = None,
        log_type: str | None = None,
    ) -> InvokeResult:
        """One Invoke call; a refusal or an unreachable endpoint raises LambdaServiceError."""
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs: dict[str, Any] = {
            "FunctionName": function_name,
            "Payload": payload,
            "InvocationType": invocation_type,
        }
        if qualifier:
            kwargs["Qualifier"] = qualifier
        if client_context:
            kwargs["ClientContext"] = client_context
        if log_type:
            kwargs["LogType"] = log_type
        try:
            response = self.client().invoke(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
            raise LambdaServiceError(
                error.get("Code") or "ServiceException", error.get("Message") or str(exc), status
            ) from None
        except BotoCoreError as exc:
            raise LambdaServiceError(
                "SdkClientException", f"Unable to execute HTTP request: {exc}", 0
            ) from None
        body = response.get("Payload")
        return InvokeResult(
            body.read() if body is not None else b"",
            response.get("FunctionError"),
            response.get("StatusCode", 200),
            response.get("ExecutedVersion", "$LATEST"),
            response.get("LogResult"),
        )

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


__all__ = ["EndpointBackend", "LambdaServiceError"]
