"""A state-machine execution: start it, wait for it, stop it, read its status, output, history."""

from __future__ import annotations

import datetime
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from sfini_runtime.execution import formatting
from sfini_runtime.execution.errors import (
    ExecutionArnUnknown,
    ExecutionFailed,
    ExecutionFinished,
    ExecutionNotFinished,
    WaitTimeout,
)
from sfini_runtime.execution.follow import HistoryFollower
from sfini_runtime.execution.history import NOT_GIVEN, Event, parse_history
from sfini_runtime.session import AWSSession, default_session

__all__ = ["FINISHED_STATUSES", "Execution"]

_logger = logging.getLogger(__name__)

FINISHED_STATUSES = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"})
_UNKNOWN_INPUT: Any = object()


class Execution:
    """A state-machine execution.

    Args:
        name: name of execution
        state_machine_arn: executed state-machine ARN
        execution_input: execution input (must be JSON-serialisable), default: ``{}``
        arn: execution ARN (if known: set when the execution is started)
        session: session to use for AWS communication
    """

    #: First and longest pause between status polls in ``wait`` (seconds).
    wait_interval_initial = 0.05
    wait_interval_max = 5.0
    wait_backoff = 1.5

    def __init__(
        self,
        name: str,
        state_machine_arn: str,
        execution_input: Any = NOT_GIVEN,
        arn: str | None = None,
        *,
        session: AWSSession | None = None,
    ) -> None:
        self.name = name
        self.state_machine_arn = state_machine_arn
        self.execution_input = execution_input
        self.arn = arn
        self.session = default_session(session)
        self.state_machine: Any = None
        self._status: str | None = None
        self._start_date: datetime.datetime | None = None
        self._stop_date: datetime.datetime | None = None
        self._output: Any = NOT_GIVEN
        self._error: str | None = None
        self._cause: str | None = None
        self._description: dict[str, Any] = {}

    def __str__(self) -> str:
        return f"{self.name} [{self._status}]" if self._status else self.name

    def __repr__(self) -> str:
        return f"Execution({self.name!r}, {self.state_machine_arn!r}, arn={self.arn!r})"

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def from_arn(cls, arn: str, *, session: AWSSession | None = None) -> Execution:
        """Describe the existing execution with ARN ``arn``."""
        session = default_session(session)
        response = session.sfn.describe_execution(executionArn=arn)
        execution = cls(
            response["name"], response["stateMachineArn"], _UNKNOWN_INPUT, arn, session=session
        )
        execution._absorb(response)
        return execution

    @classmethod
    def from_execution_list_item(
        cls, item: Mapping[str, Any], *, session: AWSSession | None = None
    ) -> Execution:
        """An execution from an item of ListExecutions' answer (input and output not yet read)."""
        execution = cls(
            item["name"],
            item["stateMachineArn"],
            _UNKNOWN_INPUT,
            arn=item["executionArn"],
            session=session,
        )
        execution._status = item["status"]
        execution._start_date = item.get("startDate")
        execution._stop_date = item.get("stopDate")
        return execution

    # --- state ---------------------------------------------------------------------------------

    @property
    def execution_input(self) -> Any:
        """Execution input (described from Step Functions when not yet known)."""
        if self._execution_input is _UNKNOWN_INPUT and self.arn is not None:
            self._update(force=True)
        return self._execution_input

    @execution_input.setter
    def execution_input(self, value: Any) -> None:
        self._execution_input = value

    @property
    def status(self) -> str:
        """Execution status (``RUNNING``, ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT``, ``ABORTED``)."""
        if self._status not in FINISHED_STATUSES:
            self._update()
        return self._status  # type: ignore[return-value]

    @property
    def finished(self) -> bool:
        """Whether the execution has stopped (in any status but RUNNING)."""
        return self.status in FINISHED_STATUSES

    @property
    def start_date(self) -> datetime.datetime:
        """Execution start time."""
        if self._start_date is None:
            self._update()
        return self._start_date  # type: ignore[return-value]

    @property
    def stop_date(self) -> datetime.datetime:
        """Execution stop time; raises ``ExecutionNotFinished`` if it is still running."""
        if self._stop_date is None:
            self._update()
            self._raise_unfinished()
        return self._stop_date  # type: ignore[return-value]

    @property
    def output(self) -> Any:
        """Output of execution; raises if it is not finished or did not succeed."""
        if self._output is NOT_GIVEN:
            self._update(force=True)
            self._raise_unfinished()
            self._raise_on_failure()
        return self._output

    @property
    def error(self) -> str | None:
        """The error the execution failed with, if it failed."""
        self._update()
        return self._error

    @property
    def cause(self) -> str | None:
        """The cause the execution failed with, if it failed."""
        self._update()
        return self._cause

    def describe(self) -> dict[str, Any]:
        """DescribeExecution's answer (refreshed while the execution runs)."""
        self._update()
        return dict(self._description)

    def _update(self, force: bool = False) -> None:
        """Refresh from DescribeExecution, unless everything is already known."""
        finished = self._status in FINISHED_STATUSES
        if (
            finished
            and self._execution_input is not _UNKNOWN_INPUT
            and self._description
            and not force
        ):
            return
        self._raise_no_arn()
        self._absorb(self.session.sfn.describe_execution(executionArn=self.arn))

    def _absorb(self, response: Mapping[str, Any]) -> None:
        self._description = dict(response)
        self._status = response["status"]
        self._start_date = response.get("startDate")
        self._stop_date = response.get("stopDate")
        self._error = response.get("error")
        self._cause = response.get("cause")
        if "input" in response and self._execution_input in (_UNKNOWN_INPUT, NOT_GIVEN):
            self._execution_input = json.loads(response["input"])
        if "output" in response:
            self._output = json.loads(response["output"])

    def _raise_on_failure(self) -> None:
        if self._status not in ("RUNNING", "SUCCEEDED"):
            detail = f": {self._error}" if self._error else ""
            raise ExecutionFailed(
                f"Execution '{self}' {self._status}{detail}",
                self._status or "",
                self._error,
                self._cause,
            )

    def _raise_unfinished(self) -> None:
        if self._status not in FINISHED_STATUSES:
            raise ExecutionNotFinished(f"Execution '{self}' not yet finished")

    def _raise_no_arn(self) -> None:
        if self.arn is None:
            raise ExecutionArnUnknown(f"Execution '{self}' ARN is unknown: it was not started")

    # --- actions -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start this state-machine execution; sets ``arn``."""
        given = self._execution_input
        execution_input = {} if given is NOT_GIVEN or given is _UNKNOWN_INPUT else given
        response = self.session.sfn.start_execution(
            stateMachineArn=self.state_machine_arn,
            name=self.name,
            input=json.dumps(execution_input),
        )
        self.execution_input = execution_input
        self.arn = response["executionArn"]
        self._status = "RUNNING"
        self._start_date = response.get("startDate")

    def wait(self, raise_on_failure: bool = True, timeout: float | None = None) -> None:
        """Wait for the execution to finish, polling with backoff.

        Args:
            raise_on_failure: raise ``ExecutionFailed`` if it fails, times out or is aborted
            timeout: longest wait in seconds, default: no limit (then ``WaitTimeout``)
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = self.wait_interval_initial
        while True:
            self._update()
            if self._status in FINISHED_STATUSES:
                break
            pause = interval
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise WaitTimeout(f"Time-out waiting on execution '{self}'")
                pause = min(pause, remaining)
            time.sleep(pause)
            interval = min(interval * self.wait_backoff, self.wait_interval_max)
        if raise_on_failure:
            self._raise_on_failure()

    def stop(self, error_code: str | None = NOT_GIVEN, details: str | None = NOT_GIVEN) -> None:
        """Stop the execution; raises ``ExecutionFinished`` if it had already finished.

        Args:
            error_code: stop reason identification
            details: stop reason
        """
        self._raise_no_arn()
        kwargs: dict[str, Any] = {}
        if error_code is not NOT_GIVEN and error_code is not None:
            kwargs["error"] = error_code
        if details is not NOT_GIVEN and details is not None:
            kwargs["cause"] = details
        self._update()  # StopExecution on a finished execution succeeds, and does nothing
        if self._status in FINISHED_STATUSES:
            raise ExecutionFinished(f"Execution '{self}' has already finished")
        response = self.session.sfn.stop_execution(executionArn=self.arn, **kwargs)
        self._stop_date = response.get("stopDate")
        self._update(force=True)
        if self._status != "ABORTED":
            raise ExecutionFinished(f"Execution '{self}' finished before it could be stopped")
        _logger.info("Execution %s stopped at %s", self.name, self._stop_date)

    # --- history -------------------------------------------------------------------------------

    def get_history_events(self) -> list[dict[str, Any]]:
        """The raw events of GetExecutionHistory, oldest first (all pages)."""
        self._raise_no_arn()
        paginator = self.session.sfn.get_paginator("get_execution_history")
        events: list[dict[str, Any]] = []
        for page in paginator.paginate(executionArn=self.arn):
            events.extend(page["events"])
        return events

    def get_history(self) -> list[Event]:
        """List the execution history, parsed into events."""
        return parse_history(self.get_history_events())

    def format_history(self) -> str:
        """Format the execution history for printing (sfini 0.1.0's format)."""
        events = self.get_history()
        self._update()
        return formatting.format_events(events, self._output)

    def follow_history(self, page_size: int = 100) -> HistoryFollower:
        """A ``HistoryFollower``: each ``poll()`` reads only the events added since the last."""
        self._raise_no_arn()
        return HistoryFollower(self.session.sfn, self.arn, page_size)

    def active_states(self) -> list[str]:
        """The states the execution is in now (entered, not yet exited)."""
        return formatting.active_states(self.get_history())
