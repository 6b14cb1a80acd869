"""The Integration that answers a Task's call from the mock configuration.

As Step Functions Local does, a ``Return`` is the service's result and a ``Throw`` fails the
Task with its ``Error`` and ``Cause`` (Retry and Catch see the ``Error``). The history is the
one the real service would give: ``TaskScheduled``/``TaskStarted`` are the Task state's,
then ``TaskSucceeded`` with the Return, or ``TaskFailed``. For a Lambda ``lambda:invoke`` the
Return is the Invoke response (``{"StatusCode": 200, "Payload": ...}``); for a function ARN as
``Resource`` (``LambdaFunction*`` events) and for an activity it is the function's or the
worker's result. Nothing is added to it (no ``SdkHttpMetadata``): the result is what the file
says, so tests written against Step Functions Local keep their expected outputs.

``.waitForTaskToken`` and ``.sync``/``.sync:2``: Step Functions Local takes the Return as the
end result (the callback's, the job's), so the call is answered as submitted (``TaskSubmitted``,
whose output is the Return too: the file has no separate start response) and then succeeded.
A Throw fails the call itself (no ``TaskSubmitted``), as a service call that failed would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfini_runtime.local.interpreter.failures import STATES_RUNTIME, StatesError
from sfini_runtime.local.interpreter.task_resources import (
    RUN_JOB,
    RUN_JOB_2,
    SERVICE,
    WAIT_FOR_TASK_TOKEN,
)

if TYPE_CHECKING:
    from sfini_runtime.local.interpreter.task_calls import TaskCall

    from .responses import MockedInvocation, MockedResponse

_TWO_STEP = (WAIT_FOR_TASK_TOKEN, RUN_JOB, RUN_JOB_2)


class MockedAnswer:
    """Answers a call at once with one invocation's Return or Throw."""

    __slots__ = ("invocation",)

    def __init__(self, invocation: MockedInvocation) -> None:
        self.invocation = invocation

    def invoke(self, call: TaskCall) -> None:
        invocation = self.invocation
        if invocation.is_throw:
            call.failed(invocation.error, invocation.cause)
            return
        result = invocation.result
        if call.resource.kind == SERVICE and call.pattern in _TWO_STEP:
            call.submitted(result)
        call.succeeded(result)

    def __repr__(self) -> str:
        return f"MockedAnswer({self.invocation!r})"


def missing_invocation(described: str, call: Any, response: MockedResponse) -> StatesError:
    """The ``States.Runtime`` error of an invocation the mocked response has no answer for;
    ``described`` names the configuration (``MockConfiguration.description``)."""
    return StatesError(
        STATES_RUNTIME,
        f"{described[0].upper()}{described[1:]} has no answer for invocation "
        f"{call.invocation_index} of the state '{call.state_name}' in test case "
        f"'{call.test_case}': MockedResponses.{response.name} has the invocation keys "
        f"{response.keys()} (a mocked state needs an answer for every invocation, retries "
        "included).",
        in_state=True,
    )


__all__ = ["MockedAnswer", "missing_invocation"]
