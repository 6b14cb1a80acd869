"""The engine's integration host: mocks first, then Lambda, nested executions, services."""

from __future__ import annotations

from typing import Any

from sfini_runtime.local.interpreter.task_calls import (
    Integration,
    TaskCall,
    Unavailable,
    service_error_prefix,
)


class Integrations:
    """Chooses what runs a Task's call.

    ``mocks`` (a ``MockConfiguration``) answers the states its test cases name; ``lambdas``
    runs Lambda functions in both resource forms; ``nested`` runs
    ``arn:aws:states:::states:startExecution`` on this engine; ``services`` forwards the
    other integrations through boto3. A part left ``None`` makes its calls fail at once with
    a cause saying how to provide it.
    """

    def __init__(
        self,
        *,
        mocks: Any = None,
        lambdas: Integration | None = None,
        nested: Integration | None = None,
        services: Integration | None = None,
    ) -> None:
        self.mocks = mocks
        self.lambdas = lambdas
        self.nested = nested
        self.services = services

    def mock_for(self, call: TaskCall) -> Integration | None:
        if self.mocks is None:
            return None
        return self.mocks.mock_for(call)

    def integration_for(self, call: TaskCall) -> Integration:
        resource = call.resource
        if resource.is_lambda:
            chosen = self.lambdas
        elif resource.service == "states" and resource.action == "startExecution":
            chosen = self.nested
        else:
            chosen = self.services
        if chosen is not None:
            return chosen
        return Unavailable(
            f"{service_error_prefix(resource)}.AWSException",
            f"The local engine cannot call {resource.arn}: no mock configuration names the "
            f"state '{call.state_name}' and no integration for it is configured.",
        )


__all__ = ["Integrations"]
