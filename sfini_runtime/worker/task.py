"""One activity task: run it, report its result or failure once, heartbeat it, cancel it."""

from __future__ import annotations

import contextvars
import ctypes
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from sfini_runtime.session import AWSSession, default_session
from sfini_runtime.worker.heartbeat import Heartbeater

__all__ = [
    "MAX_CAUSE_LENGTH",
    "MAX_ERROR_LENGTH",
    "MAX_OUTPUT_BYTES",
    "ResultNotSerialisable",
    "ResultTooLarge",
    "TaskExecution",
    "TaskResultError",
    "WorkerCancel",
    "current_task",
]

_logger = logging.getLogger(__name__)

#: Longest ``error`` SendTaskFailure accepts (characters).
MAX_ERROR_LENGTH = 256
#: Longest ``cause`` SendTaskFailure accepts (characters).
MAX_CAUSE_LENGTH = 32_768
#: Largest task output Step Functions accepts (bytes of UTF-8: 256 KiB).
MAX_OUTPUT_BYTES = 262_144

#: API errors meaning the task is no longer this worker's to report on.
TASK_GONE_CODES = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})

_current: contextvars.ContextVar[TaskExecution | None] = contextvars.ContextVar(
    "sfini_current_task", default=None
)


class WorkerCancel(KeyboardInterrupt):
    """Task execution cancelled: the worker is shutting down, or the task timed out."""

    def __init__(self, *args: object) -> None:
        if not args:
            args = (
                "Activity task cancelled: the worker was stopped (signal or KeyboardInterrupt) "
                "or Step Functions timed the task out",
            )
        super().__init__(*args)


class TaskResultError(ValueError):
    """The activity's return value cannot be sent as a task output."""


class ResultNotSerialisable(TaskResultError):
    """The activity returned a value that is not JSON-serialisable."""


class ResultTooLarge(TaskResultError):
    """The activity returned a value over Step Functions' 256 KiB output limit."""


def current_task() -> TaskExecution | None:
    """The task the calling activity code is running for (None outside a task).

    Long-running activities can poll ``current_task().cancelled`` to stop early.
    """
    return _current.get()


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, keeping its end (a traceback's last lines)."""
    if len(text) <= limit:
        return text
    marker = f"[{len(text) - limit} characters cut] ..."
    keep = limit - len(marker)
    return marker + text[-keep:] if keep > 0 else text[:limit]


def encode_output(result: Any) -> str:
    """``result`` as task output JSON; raises ``TaskResultError`` if AWS would not take it."""
    try:
        output = json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ResultNotSerialisable(f"Task result is not JSON-serialisable: {error}") from None
    size = len(output.encode("utf-8"))
    if size > MAX_OUTPUT_BYTES:
        raise ResultTooLarge(
            f"Task result is {size} bytes of JSON, over the {MAX_OUTPUT_BYTES}-byte "
            "(256 KiB) limit of Step Functions"
        )
    return output


def _set_async_exception(thread_id: int, exception: type[BaseException] | None) -> None:
    """Raise ``exception`` in thread ``thread_id`` (None: clear a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


def is_transient(error: BaseException) -> bool:
    """Whether an API error is worth retrying (throttling, server errors, connection trouble)."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or "Throttl" in code or code in ("RequestLimitExceeded",)
    return isinstance(error, BotoCoreError) and not error.__class__.__name__.startswith(
        ("NoCredentials", "NoRegion", "ParamValidation", "Unknown")
    )


def _retried(error: BaseException) -> bool:
    """Whether botocore sent the call more than once before ``error`` came back."""
    response = getattr(error, "response", None)
    metadata = response.get("ResponseMetadata", {}) if isinstance(response, dict) else {}
    return bool(metadata.get("RetryAttempts"))


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (None for anything else)."""
    response = getattr(error, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


ApiCall = Callable[..., Any]


class TaskExecution:
    """Run one activity task, heartbeat it, and report its outcome exactly once.

    Args:
        activity: activity whose task this is (``call_with(input)``, ``heartbeat`` seconds)
        task_token: task token for execution identification
        task_input: task input (decoded JSON)
        session: session to use for AWS communication
        heartbeater: heartbeat thread to register with, default: one of its own while running
        call: how API calls are made (``call(operation_name, **kwargs)``), default: the session's
            Step Functions client with retries on transient errors
        on_finished: called once with the task when its outcome is settled (the final report
            sent, or the task lost), from whichever thread settled it
    """

    send_attempts = 4

    def __init__(
        self,
        activity: Any,
        task_token: str,
        task_input: Any,
        *,
        session: AWSSession | None = None,
        heartbeater: Heartbeater | None = None,
        call: ApiCall | None = None,
        on_finished: Callable[[TaskExecution], None] | None = None,
    ) -> None:
        self.activity = activity
        self.task_token = task_token
        self.task_input = task_input
        self.session = default_session(session)
        self.heartbeater = heartbeater
        self._call = call or self._default_call
        self._on_finished = on_finished
        #: called (once) when the activity's function has returned or raised, before the
        #: report is sent: a Worker frees the task's slot there, so its next poll overlaps
        #: this task's report
        self.on_returned: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._finished = False
        self._in_user_code = False
        self._thread_id: int | None = None
        self.cancelled = threading.Event()
        self._settled_event = threading.Event()
        #: "succeeded" | "failed" | "cancelled" | "lost" (timed out) | "unreported" (report failed)
        self.outcome: str | None = None
        self.started: float | None = None

    def __str__(self) -> str:
        return f"{self.activity.name} - {self.task_token[:16]}"

    def __repr__(self) -> str:
        return f"TaskExecution({self.activity.name!r}, {self.task_token[:16]!r}...)"

    @property
    def finished(self) -> bool:
        """Whether the outcome was reported (or the task was lost to a timeout)."""
        return self._finished

    # --- API calls ------------------------------------------------------------------------------

    def _default_call(self, operation: str, **kwargs: Any) -> Any:
        return getattr(self.session.sfn, operation)(**kwargs)

    def _send_final(self, operation: str, outcome: str, **kwargs: Any) -> bool:
        """Send the one final report (success or failure); False if it was already sent."""
        with self._lock:
            if self._finished:
                _logger.debug("Not reporting %s for %s: already finished", outcome, self)
                return False
            self._finished = True
            self.outcome = outcome
        if self.heartbeater is not None:
            self.heartbeater.remove(self)
        try:
            self._send_with_retries(operation, taskToken=self.task_token, **kwargs)
        except BaseException:
            self.outcome = "unreported"
            raise
        finally:
            self._settled()
        return True

    def _settled(self) -> None:
        try:
            if self._on_finished is not None:
                self._on_finished(self)
        except Exception:
            _logger.exception("on_finished callback failed for %s", self)
        finally:
            self._settled_event.set()

    @property
    def settled(self) -> bool:
        """Whether the outcome is settled: the final report sent (or given up), or the task lost."""
        return self._settled_event.is_set()

    def wait_settled(self, timeout: float | None = None) -> bool:
        """Wait until the outcome is settled (the final report sent, or the task lost)."""
        return self._settled_event.wait(timeout)

    def _send_with_retries(self, operation: str, **kwargs: Any) -> None:
        delay = 0.2
        for attempt in range(self.send_attempts):
            try:
                self._call(operation, **kwargs)
                return
            except Exception as error:
                code = error_code(error)
                if code in TASK_GONE_CODES:
                    if attempt or _retried(error):
                        # an earlier attempt may have reached Step Functions and its answer
                        # been lost on the way back: the report may well be recorded
                        _logger.warning(
                            "%s for %s answered %s on a retry: an earlier attempt whose answer "
                            "was lost may have been recorded; not sending it again",
                            operation,
                            self,
                            code,
                        )
                    else:
                        _logger.warning("%s for %s: %s", operation, self, code)
                    self.outcome = "lost"
                    return
                if not is_transient(error) or attempt == self.send_attempts - 1:
                    _logger.error("%s failed for %s", operation, self, exc_info=error)
                    raise
                _logger.warning("%s for %s failed (%s); retrying", operation, self, error)
                time.sleep(delay)
                delay *= 2

    def heartbeat(self) -> bool:
        """Send one heartbeat; False (and the task cancelled) if Step Functions timed it out."""
        if self._finished:
            return False
        try:
            self._call("send_task_heartbeat", taskToken=self.task_token)
        except Exception as error:
            if error_code(error) in TASK_GONE_CODES:
                if self._finished:  # the report overtook this heartbeat: nothing is wrong
                    _logger.debug("Heartbeat for %s after its report: %s", self, error)
                    return False
                _logger.warning("Task %s timed out (%s): cancelling it", self, error_code(error))
                self._lose()
                return False
            if is_transient(error):
                _logger.warning("Heartbeat for %s failed (%s); will retry", self, error)
                return True
            raise
        return True

    # --- outcomes -------------------------------------------------------------------------------

    def _lose(self) -> None:
        """Step Functions no longer waits for this task: stop it, report nothing."""
        with self._lock:
            if self._finished:
                return
            self._finished = True
            self.outcome = "lost"
            self._interrupt()
        if self.heartbeater is not None:
            self.heartbeater.remove(self)
        self._settled()

    def _interrupt(self) -> None:
        """Flag cancellation and raise ``WorkerCancel`` in the task's code (lock held)."""
        self.cancelled.set()
        if self._in_user_code and self._thread_id is not None:
            _set_async_exception(self._thread_id, WorkerCancel)

    def cancel(self, reason: str | None = None) -> bool:
        """Fail the task with ``WorkerCancel`` now and interrupt its code; False if finished."""
        with self._lock:
            if self._finished:
                return False
            self._interrupt()
        return self.report_cancelled(reason)

    def report_cancelled(self, reason: str | None = None) -> bool:
        """Report the task failed with ``WorkerCancel`` (stop interaction with Step Functions)."""
        _logger.info("Reporting task failure for %s due to cancellation", self)
        return self._send_final(
            "send_task_failure",
            "cancelled",
            error=WorkerCancel.__name__,
            cause=_cut(reason or str(WorkerCancel()), MAX_CAUSE_LENGTH),
        )

    def report_exception(self, error: BaseException) -> bool:
        """Report the task failed with ``error``: its class name and traceback."""
        _logger.info("Reporting task failure for %s", self, exc_info=error)
        cause = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return self._send_final(
            "send_task_failure",
            "failed",
            error=type(error).__name__[:MAX_ERROR_LENGTH],
            cause=_cut(cause, MAX_CAUSE_LENGTH),
        )

    def report_success(self, result: Any) -> bool:
        """Report the task succeeded with ``result`` (a failure if AWS would refuse it)."""
        try:
            output = encode_output(result)
        except TaskResultError as error:
            return self.report_exception(error)
        return self._send_final("send_task_success", "succeeded", output=output)

    # --- running --------------------------------------------------------------------------------

    def _invoke(self) -> tuple[str, Any]:
        """Call the activity; ("result", value) or ("error", exception)."""
        token = _current.set(self)
        try:
            try:
                with self._lock:
                    if self._finished:
                        return "error", WorkerCancel()
                    self._thread_id = threading.get_ident()
                    self._in_user_code = True
                try:
                    return "result", self.activity.call_with(self.task_input)
                finally:
                    with self._lock:
                        self._in_user_code = False
                        _set_async_exception(threading.get_ident(), None)
            except BaseException as error:
                return "error", error
        finally:
            _current.reset(token)

    def run(self) -> None:
        """Run the task in this thread and report its outcome."""
        own_heartbeater = None
        if self.heartbeater is None:
            own_heartbeater = self.heartbeater = Heartbeater()
            own_heartbeater.start()
        self.started = time.monotonic()
        try:
            self.heartbeater.add(self)
            kind, value = self._invoke()
            if self.on_returned is not None:
                self.on_returned()
            if kind == "result":
                self.report_success(value)
            elif isinstance(value, (WorkerCancel, KeyboardInterrupt)):
                self.report_cancelled()
            elif isinstance(value, (SystemExit, GeneratorExit)):
                self.report_exception(value)
                raise value
            else:
                self.report_exception(value)
        finally:
            if self.heartbeater is not None:
                self.heartbeater.remove(self)
            if own_heartbeater is not None:
                own_heartbeater.stop()
