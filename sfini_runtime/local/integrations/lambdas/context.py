"""The context object a Python Lambda handler receives, as Lambda's Python runtime builds it.

No imports beyond the standard library: worker processes import it too.
"""

from __future__ import annotations

import time
from typing import Any


class LambdaContext:
    """``handler(event, context)``'s context: the function's name, version, ARN, memory, log
    names, the request id, ClientContext, identity, and the time left."""

    def __init__(
        self,
        *,
        function_name: str,
        function_version: str,
        invoked_function_arn: str,
        memory_limit_in_mb: int,
        aws_request_id: str,
        log_group_name: str,
        log_stream_name: str,
        deadline_ms: float,
        client_context: Any = None,
        identity: Any = None,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = str(memory_limit_in_mb)  # the runtime hands a string
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function times out (never below 0)."""
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, "
            f"aws_request_id={self.aws_request_id!r})"
        )


def log_stream_name(version: str, instance: str) -> str:
    """A log stream name shaped like Lambda's (``YYYY/MM/DD/[VERSION]INSTANCE``)."""
    return time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{version}]{instance}"


__all__ = ["LambdaContext", "log_stream_name"]
