"""Service integrations forwarded through boto3 (in progress)."""

from __future__ import annotations

from sfini_runtime.local.interpreter.task_calls import TaskCall


class ServiceForwarder:
    """Placeholder: replaced by the forwarded service integrations."""

    def __init__(self, *, region: str, account_id: str) -> None:
        self.region = region
        self.account_id = account_id

    def invoke(self, call: TaskCall) -> None:
        call.failed(f"{call.resource.sdk_service}.AWSException", "not implemented yet")


__all__ = ["ServiceForwarder"]
