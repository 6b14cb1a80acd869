"""The seam between a Task state and whatever it calls (Lambda, a service, a mock).

The Task state makes a :class:`TaskCall` per attempt and hands it to an :class:`Integration`
chosen by the engine's :class:`IntegrationHost`. The integration answers through the call,
from any thread: :meth:`TaskCall.returned` (the service call returned its response),
:meth:`TaskCall.submitted` / :meth:`TaskCall.succeeded` / :meth:`TaskCall.failed`. The call
turns those into outcomes the Task state records as history events, in AWS's order, and
resumes the execution. ``.waitForTaskToken`` calls also wait for SendTaskSuccess/Failure on
their token (:class:`CallbackTask`, kept by the activity broker beside activity tokens).

Threads: ``invoke`` runs on the scheduler thread with the engine lock held and must not block;
an integration that does I/O hands it to a thread of its own (:meth:`TaskCall.run_in_thread`)
and answers from there. The answering methods take the engine lock themselves, except when
called from inside ``invoke`` (they notice and queue the outcome).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from .task_resources import RUN_JOB, RUN_JOB_2, WAIT_FOR_TASK_TOKEN, TaskResource

if TYPE_CHECKING:
    from .execution import Frame
    from .host import ExecutionHost
    from .scheduler import Timer

log = logging.getLogger(__name__)

#: outcome kinds
SUBMITTED, SUCCEEDED, FAILED, TIMED_OUT = "submitted", "succeeded", "failed", "timed_out"

_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
#: threads running blocking integration work (Lambda handlers, service calls)
IO_THREADS = 64


def io_pool() -> ThreadPoolExecutor:
    """The process's pool for integration I/O (created on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(IO_THREADS, thread_name_prefix="sfini-task-io")
        return _pool


class Integration(Protocol):
    """Something a Task can call."""

    def invoke(self, call: TaskCall) -> None:
        """Start the work of ``call`` and answer through it (never block here)."""


class IntegrationHost(Protocol):
    """Chooses the integration for a call (the engine's service provides one)."""

    def mock_for(self, call: TaskCall) -> Integration | None:
        """The mocked response for this call, when a mock configuration names its state."""

    def integration_for(self, call: TaskCall) -> Integration:
        """What runs this call (never None: an integration that cannot run fails the call)."""


class CallbackTask:
    """A ``.waitForTaskToken`` call's token, kept by the activity broker with the activity
    tokens so that SendTaskSuccess/Failure/Heartbeat find either kind."""

    __slots__ = (
        "call",
        "execution",
        "frame",
        "heartbeat_seconds",
        "heartbeat_timer",
        "started",
        "timeout_seconds",
        "timeout_timer",
        "token",
    )

    def __init__(self, call: TaskCall, token: str) -> None:
        self.call = call
        self.frame = call.frame
        self.execution = call.frame.execution
        self.token = token
        self.heartbeat_seconds = call.heartbeat_seconds
        self.timeout_seconds = None  # the call keeps the TimeoutSeconds clock
        self.timeout_timer: Timer | None = None
        self.heartbeat_timer: Timer | None = None
        self.started = True

    def deliver(self, outcome: tuple[Any, ...]) -> None:
        """SendTaskSuccess/Failure or the heartbeat time-out (engine lock held)."""
        if outcome[0] == SUCCEEDED:
            outcome = (SUCCEEDED, json.loads(outcome[1]))
        self.call.callback(outcome)

    def cancel(self) -> None:
        self.call.frame.execution.host.activities.retire(self, "timed_out")


class TaskCall:
    """One attempt of a Task state calling an integration."""

    def __init__(
        self,
        frame: Frame,
        *,
        state_name: str,
        resource: TaskResource,
        parameters: Any,
        timeout_seconds: int | None,
        heartbeat_seconds: int | None,
        token: str | None,
        invocation_index: int,
        credentials: Any = None,
    ) -> None:
        execution = frame.execution
        self.frame = frame
        #: the engine's scheduler, clock, activity broker and integrations
        self.host: ExecutionHost = execution.host
        self._lock = self.host.lock
        self.state_name = state_name
        self.resource = resource
        #: the effective input: Parameters/Arguments evaluated (a JSON value)
        self.parameters = parameters
        self.timeout_seconds = timeout_seconds
        self.heartbeat_seconds = heartbeat_seconds
        #: ``$$.Task.Token`` of a ``.waitForTaskToken`` call, else None
        self.token = token
        #: how many times this state called before, in this execution (0 first): mocks
        self.invocation_index = invocation_index
        self.credentials = credentials
        record = execution.record
        self.execution_arn: str = record.execution_arn
        self.state_machine_arn: str = record.state_machine_arn
        self.state_machine_name: str = execution.context_state_machine["Name"]
        self.test_case: str | None = execution.test_case
        self.role_arn: str = execution.context_execution["RoleArn"]
        self.region = resource.region or self.host.region_of(record.state_machine_arn)
        self.outcomes: deque[tuple[Any, ...]] = deque()
        self._callback_outcome: tuple[Any, ...] | None = None
        self._submitted = False
        self._answered = False  # the integration's work is over (no cancel hook needed)
        self._parked = False
        self._inline_thread: int | None = None
        self.closed = False
        self._cancel_hooks: list[Callable[[], None]] = []
        # on_cancel runs on the integration's threads, close() on the scheduler's
        self._hooks_lock = threading.Lock()
        self._hooks_taken = False
        self.callback_task: CallbackTask | None = None
        self.timeout_timer: Timer | None = None

    # -- for integrations (any thread) ------------------------------------------------------
    @property
    def pattern(self) -> str:
        return self.resource.pattern

    def returned(self, response: Any) -> None:
        """The service call returned ``response``: the result (request-response), or what
        TaskSubmitted records (``.waitForTaskToken``: the callback gives the result)."""
        if self.resource.pattern == WAIT_FOR_TASK_TOKEN:
            self.submitted(response)
        else:
            self.succeeded(response)

    def submitted(self, response: Any) -> None:
        """The job was started (``.sync``) or the token handed on (``.waitForTaskToken``)."""
        self._deliver((SUBMITTED, response))

    def succeeded(self, output: Any) -> None:
        """The task's result (a JSON value)."""
        self._deliver((SUCCEEDED, output))

    def failed(self, error: str | None, cause: str | None) -> None:
        """The task failed with ``error``/``cause`` (Retry and Catch see ``error``)."""
        self._deliver((FAILED, _text(error), _text(cause)))

    def on_cancel(self, hook: Callable[[], None]) -> None:
        """Run ``hook()`` (without the engine lock) if the call ends before its integration
        answered: the execution was stopped, timed out, or the Task timed out. A hook given
        after the call already ended unanswered runs at once, in the caller's thread."""
        with self._hooks_lock:
            if not self._hooks_taken:
                self._cancel_hooks.append(hook)
                return
        # the integration's thread got here after close(): the job it just started (a child
        # execution) must still be cancelled, or it would outlive its Task
        if not self._answered:
            hook()

    def run_in_thread(self, work: Callable[[], None]) -> None:
        """Run blocking ``work()`` on the integration I/O pool; an exception it raises fails
        the call as States.Runtime (a bug of the integration, not of the workflow)."""

        def guarded() -> None:
            try:
                work()
            except Exception as exc:
                log.exception("integration for %s failed", self.resource.arn)
                self.failed("States.Runtime", f"Internal engine error: {exc!r}")

        io_pool().submit(guarded)

    # -- for the engine (lock held) ---------------------------------------------------------
    def _deliver(self, outcome: tuple[Any, ...]) -> None:
        if self._inline_thread == threading.get_ident():
            self.accept(outcome)
            return
        with self._lock:
            self.accept(outcome)

    def accept(self, outcome: tuple[Any, ...]) -> None:
        """Queue an outcome and wake the Task state (engine lock held)."""
        if self.closed:
            return
        kind = outcome[0]
        if kind == SUBMITTED:
            if self._submitted:
                return  # one TaskSubmitted per call
            if self.resource.pattern not in _TWO_STEP:
                # a request-response call has no second answer to wait for: fail it rather
                # than leave the Task waiting for ever
                outcome = (
                    FAILED,
                    "States.Runtime",
                    f"Internal engine error: the integration for {self.resource.arn} answered "
                    "'submitted' to a request-response call",
                )
                kind = FAILED
        self.outcomes.append(outcome)
        if kind in (SUCCEEDED, FAILED) or (kind == SUBMITTED and not self.waits_for_job):
            self._answered = True
        if kind == SUBMITTED:
            self._submitted = True
            if self._callback_outcome is not None:
                # the callback came before the service call returned: keep AWS's order
                self.outcomes.append(self._callback_outcome)
                self._callback_outcome = None
        if self._parked:
            self._parked = False
            self.frame.resume(None)

    def callback(self, outcome: tuple[Any, ...]) -> None:
        """SendTaskSuccess/Failure on this call's token, or its heartbeat time-out."""
        if self.closed:
            return
        if not self._submitted and self.resource.pattern == WAIT_FOR_TASK_TOKEN:
            self._callback_outcome = outcome
            return
        self.accept(outcome)

    def invoke(self, integration: Integration) -> None:
        """Hand the call to ``integration`` (scheduler thread, lock held)."""
        self._inline_thread = threading.get_ident()
        try:
            integration.invoke(self)
        finally:
            self._inline_thread = None

    def next_outcome(self) -> Any:
        """Generator: park until an outcome is there, then return it."""
        while not self.outcomes:
            self._parked = True
            yield self.frame.park_instruction()
        return self.outcomes.popleft()

    def cancel(self) -> None:
        """The frame was stopped (abort, time-out): end the call (lock held)."""
        self.close()

    def close(self) -> None:
        """The call ended (lock held): timers stop, the token is retired, and when it ended
        before its integration answered (stopped, timed out), the cancel hooks run."""
        if self.closed:
            return
        self.closed = True
        if self.timeout_timer is not None:
            self.timeout_timer.cancel()
        if self.callback_task is not None:
            self.host.activities.retire(self.callback_task, "timed_out")
        self.frame.execution.tasks.discard(self)
        with self._hooks_lock:
            hooks, self._cancel_hooks = self._cancel_hooks, []
            self._hooks_taken = True
        if not self._answered:
            for hook in hooks:
                self.host.scheduler.defer(hook)

    @property
    def waits_for_job(self) -> bool:
        """``.sync``/``.sync:2``: the integration answers twice (submitted, then the end)."""
        return self.resource.pattern in (RUN_JOB, RUN_JOB_2)


_TWO_STEP = (RUN_JOB, RUN_JOB_2, WAIT_FOR_TASK_TOKEN)


def _text(value: Any) -> str | None:
    """An error or cause as the string AWS always records (JSON text for anything else)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return str(value)


class Unavailable:
    """An integration that cannot run here: fails the call at once with ``error``/``cause``
    (never a hang, never a silent success)."""

    def __init__(self, error: str, cause: str) -> None:
        self.error = error
        self.cause = cause

    def invoke(self, call: TaskCall) -> None:
        call.failed(self.error, self.cause)


def service_error_prefix(resource: TaskResource) -> str:
    """The prefix of a service's error names as Step Functions reports them (``Lambda``,
    ``SQS``, ``DynamoDB`` ...)."""
    service = resource.sdk_service if resource.kind != "lambda_function" else "lambda"
    return _PREFIXES.get(service, service[:1].upper() + service[1:])


_PREFIXES = {
    "lambda": "Lambda",
    "sqs": "SQS",
    "sns": "SNS",
    "dynamodb": "DynamoDB",
    "events": "EventBridge",
    "states": "StepFunctions",
    "s3": "S3",
    "ecs": "ECS",
    "glue": "Glue",
    "batch": "Batch",
}


class NoIntegrations:
    """The host of an engine that was given none: nothing is mocked, and every call other than
    an activity fails saying how to provide it."""

    def mock_for(self, call: TaskCall) -> Integration | None:
        return None

    def integration_for(self, call: TaskCall) -> Integration:
        return Unavailable(
            f"{service_error_prefix(call.resource)}.AWSException",
            f"The local engine cannot call {call.resource.arn}: this engine has no "
            "integrations configured (use sfini_runtime.local.LocalEngine, or give a mock "
            "configuration).",
        )


__all__ = [
    "FAILED",
    "SUBMITTED",
    "SUCCEEDED",
    "TIMED_OUT",
    "CallbackTask",
    "Integration",
    "IntegrationHost",
    "NoIntegrations",
    "TaskCall",
    "Unavailable",
    "io_pool",
    "service_error_prefix",
]
