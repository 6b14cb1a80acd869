"""The Step Functions API behind the HTTP server: validate a request, run its operation.

``StepFunctionsService.handle`` never raises: API errors become AWS error responses and an
unexpected exception (a bug) is logged and answered as ``InternalFailure`` (HTTP 500).
"""

from __future__ import annotations

import logging
from typing import Any

from sfini_runtime.arns import ArnFactory
from sfini_runtime.local.errors import InternalFailure, ServiceError, UnknownOperationException
from sfini_runtime.local.service import protocol
from sfini_runtime.local.service.operations import OPERATIONS
from sfini_runtime.local.service.operations.pollers import Pollers
from sfini_runtime.local.service.store import Store
from sfini_runtime.local.service.validation import input_shape, validate_request

logger = logging.getLogger(__name__)


def _unsupported_feature(operation: str) -> str:
    """What a Step Functions operation the local engine lacks belongs to, for its error."""
    if "MapRun" in operation:
        return "Distributed Map runs"
    if operation == "RedriveExecution":
        return "execution redrives"
    if operation == "TestState":
        return "TestState calls"
    return "operations of this kind"


class StepFunctionsService:
    """The operations of one engine, for one region and account.

    ``engine`` is a ``sfini_runtime.local.interpreter.Engine``; ``activity_poll_seconds`` is how
    long GetActivityTask waits for a task (60 s on AWS).
    """

    def __init__(
        self,
        engine: Any,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        activity_poll_seconds: float = 60.0,
        store: Store | None = None,
    ) -> None:
        self.engine = engine
        self.store = store if store is not None else Store()
        self.arns = ArnFactory(region, account_id)
        self.activity_poll_seconds = activity_poll_seconds
        #: the GetActivityTask calls waiting on each activity (at most 1,000, as on AWS)
        self.pollers = Pollers()
        #: the engine's integration host (``integrations.Integrations``), when it has one
        self.integrations: Any = None

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Run one operation; API errors raise ``ServiceError``."""
        handler = OPERATIONS.get(operation)
        if handler is None:
            input_shape(operation)  # names AWS does not have: "Unknown operation"
            raise UnknownOperationException(
                f"Operation {operation} is not supported by the local engine: "
                f"{_unsupported_feature(operation)} are not implemented (AWS has them)"
            )
        validate_request(operation, request)
        return handler(self, request)

    def handle(
        self, target: str | None, body: bytes, content_type: str | None = None
    ) -> tuple[int, bytes]:
        """Answer one HTTP request (``X-Amz-Target``, body, ``Content-Type``): (status, JSON)."""
        try:
            protocol.check_content_type(content_type)
            operation = protocol.operation_name(target)
            request = protocol.parse_body(body)
            return 200, protocol.encode(self.call(operation, request))
        except ServiceError as error:
            return error.status, protocol.encode(protocol.error_document(error))
        except Exception:  # a bug: log it, answer it, keep serving
            logger.exception("internal failure answering %s", target)
            failure = InternalFailure("An internal error occurred in the local engine")
            return failure.status, protocol.encode(protocol.error_document(failure))
