"""Lambda functions on the local engine (in progress)."""

from __future__ import annotations

from typing import Any

from sfini_runtime.local.interpreter.task_calls import TaskCall


class LambdaFunctions:
    """Placeholder: replaced by the Lambda integration."""

    def __init__(self, *, region: str, account_id: str, endpoint_url: str | None = None) -> None:
        self.region = region
        self.account_id = account_id
        self.endpoint_url = endpoint_url
        self.handlers: dict[str, Any] = {}

    def register(self, name_or_arn: str, handler: Any) -> None:
        self.handlers[name_or_arn] = handler

    def invoke(self, call: TaskCall) -> None:
        call.failed("Lambda.AWSException", "not implemented yet")

    def close(self) -> None:
        pass


__all__ = ["LambdaFunctions"]
