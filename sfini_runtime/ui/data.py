"""What the web view shows, read through the public Step Functions API (never a write).

``ViewData`` wraps a boto3 ``stepfunctions`` client: ListStateMachines, ListExecutions,
DescribeExecution, DescribeStateMachineForExecution and GetExecutionHistory, so it works on
the local engine and on AWS alike. Every answer is plain JSON for the page.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sfini_runtime.ui.layout import DEFAULT_MAX_NODES, LayoutTooLarge, layout_definition
from sfini_runtime.ui.status import event_owners, state_runs

__all__ = [
    "EXECUTION_STATUSES",
    "NotFound",
    "UpstreamError",
    "ViewData",
]

#: the statuses ListExecutions filters by
EXECUTION_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
#: executions listed per state machine at most (the newest first)
MAX_EXECUTIONS = 500
#: executions whose history is kept between requests (a running one is read on from its end)
CACHED_HISTORIES = 32
#: definitions whose layout is kept (laying out a large one takes up to a second)
CACHED_LAYOUTS = 64
_NOT_FOUND_CODES = {
    "ExecutionDoesNotExist",
    "StateMachineDoesNotExist",
    "InvalidArn",
    "ResourceNotFound",
}


class NotFound(LookupError):
    """The execution or state machine asked for does not exist (or its ARN is malformed)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class UpstreamError(RuntimeError):
    """The Step Functions endpoint could not be reached or refused the request."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _duration(start: Any, stop: Any) -> float | None:
    if isinstance(start, datetime) and isinstance(stop, datetime):
        return round((stop - start).total_seconds(), 3)
    return None


class ViewData:
    """The web view's data from one Step Functions endpoint (``sfn``: a boto3 client).

    Layouts are computed once per definition; past ``max_nodes`` nodes a definition is not
    laid out and the execution's answer says why (``layoutError``).
    """

    def __init__(self, sfn: Any, *, max_nodes: int | None = DEFAULT_MAX_NODES) -> None:
        self.sfn = sfn
        self.max_nodes = max_nodes
        self._layouts: OrderedDict[str, tuple[dict[str, Any] | None, str | None]] = OrderedDict()
        # execution ARN -> (its events so far, whether the execution had ended), newest last
        self._histories: OrderedDict[str, tuple[list[Any], bool]] = OrderedDict()
        self._lock = threading.Lock()

    # -- the API, with its errors as ours ---------------------------------------------------
    def _call(self, operation: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

        try:
            return getattr(self.sfn, operation)(**kwargs)
        except ParamValidationError as error:  # an ARN from the URL that cannot be one
            problem = " ".join(str(error).split())
            raise NotFound("InvalidParameter", problem) from None
        except ClientError as error:
            info = error.response.get("Error", {})
            code = str(info.get("Code", "Unknown"))
            message = str(info.get("Message", "")) or code
            if code in _NOT_FOUND_CODES:
                raise NotFound(code, message) from None
            raise UpstreamError(code, message) from None
        except BotoCoreError as error:
            raise UpstreamError(type(error).__name__, str(error)) from None

    def _pages(self, operation: str, key: str, limit: int | None = None, **kwargs: Any) -> list:
        items: list[Any] = []
        token: str | None = None
        while True:
            if token:
                kwargs["nextToken"] = token
            page = self._call(operation, **kwargs)
            items.extend(page.get(key, []))
            token = page.get("nextToken")
            if not token or (limit is not None and len(items) >= limit):
                return items if limit is None else items[:limit]

    # -- what the page asks for -------------------------------------------------------------
    def state_machines(self) -> list[dict[str, Any]]:
        """Every state machine: ARN, name, type, creation date."""
        return [
            {
                "arn": machine["stateMachineArn"],
                "name": machine["name"],
                "type": machine.get("type"),
                "creationDate": _iso(machine.get("creationDate")),
            }
            for machine in self._pages("list_state_machines", "stateMachines")
        ]

    def executions(
        self, state_machine_arn: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """Executions of one state machine (all of them without one), newest first, with
        ``status`` only when given."""
        if status is not None and status not in EXECUTION_STATUSES:
            raise ValueError(f"unknown status {status!r}: one of {', '.join(EXECUTION_STATUSES)}")
        if state_machine_arn:
            machines = [state_machine_arn]
        else:
            machines = [machine["arn"] for machine in self.state_machines()]
        found = []
        for machine in machines:
            kwargs: dict[str, Any] = {"stateMachineArn": machine}
            if status:
                kwargs["statusFilter"] = status
            kwargs["maxResults"] = MAX_EXECUTIONS
            for item in self._pages("list_executions", "executions", MAX_EXECUTIONS, **kwargs):
                found.append(self._execution_summary(item, machine))
        found.sort(key=lambda item: item["startDate"] or "", reverse=True)
        return found

    @staticmethod
    def _execution_summary(item: Mapping[str, Any], machine: str) -> dict[str, Any]:
        start, stop = item.get("startDate"), item.get("stopDate")
        return {
            "arn": item["executionArn"],
            "name": item.get("name"),
            "stateMachineArn": item.get("stateMachineArn", machine),
            "stateMachineName": str(item.get("stateMachineArn", machine)).rsplit(":", 1)[-1],
            "status": item.get("status"),
            "startDate": _iso(start),
            "stopDate": _iso(stop),
            "durationSeconds": _duration(start, stop),
        }

    def describe_execution(self, execution_arn: str) -> dict[str, Any]:
        """DescribeExecution's answer; ``NotFound`` for an unknown or malformed ARN."""
        return dict(self._call("describe_execution", executionArn=execution_arn))

    def history(self, execution_arn: str, ended: bool) -> list[Any]:
        """The execution's events, oldest first. Kept for the next call: then only the events
        newer than those are read (GetExecutionHistory from the end), none once it ``ended``."""
        with self._lock:
            cached = self._histories.get(execution_arn)
        if cached is not None and cached[1]:
            return cached[0]
        if cached is None:
            events = self._pages(
                "get_execution_history", "events", executionArn=execution_arn, maxResults=1000
            )
        else:
            events = cached[0] + self._newer_events(execution_arn, cached[0])
        with self._lock:
            self._histories[execution_arn] = (events, ended)
            self._histories.move_to_end(execution_arn)
            while len(self._histories) > CACHED_HISTORIES:
                self._histories.popitem(last=False)
        return events

    def _newer_events(self, execution_arn: str, known: list[Any]) -> list[Any]:
        last = known[-1]["id"] if known else 0
        newer: list[Any] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"executionArn": execution_arn, "reverseOrder": True}
            kwargs["maxResults"] = 1000
            if token:
                kwargs["nextToken"] = token
            page = self._call("get_execution_history", **kwargs)
            for event in page.get("events", []):
                if event["id"] <= last:
                    return newer[::-1]
                newer.append(event)
            token = page.get("nextToken")
            if not token:
                return newer[::-1]

    def execution(self, execution_arn: str, after: int = 0) -> dict[str, Any]:
        """One execution: its description, the layout of its definition (or why there is
        none), its history events (each with the state it belongs to) and each state's run.
        With ``after`` (an event number): only the events after it, and no layout."""
        described = self.describe_execution(execution_arn)
        machine = self._call("describe_state_machine_for_execution", executionArn=execution_arn)
        events = self.history(execution_arn, ended=described.get("status") != "RUNNING")
        definition_text = str(machine.get("definition", "{}"))
        # the page draws the graph once: a request for newer events gets no layout again
        layout, layout_error = (
            self._layout(definition_text, str(machine.get("name", "")))
            if not after
            else (None, None)
        )
        start, stop = described.get("startDate"), described.get("stopDate")
        owners = event_owners(events)
        return {
            "execution": {
                "arn": described["executionArn"],
                "name": described.get("name"),
                "stateMachineArn": described.get("stateMachineArn"),
                "stateMachineName": machine.get("name"),
                "status": described.get("status"),
                "startDate": _iso(start),
                "stopDate": _iso(stop),
                "durationSeconds": _duration(start, stop),
                "input": described.get("input"),
                "output": described.get("output"),
                "error": described.get("error"),
                "cause": described.get("cause"),
            },
            "layout": layout,
            "layoutError": layout_error,
            "events": [
                _event_json(event, owner)
                for event, owner in zip(events, owners, strict=True)
                if event.get("id", 0) > after
            ],
            "states": {name: run.to_json() for name, run in state_runs(events).items()},
        }

    def _layout(self, definition_text: str, title: str) -> tuple[dict[str, Any] | None, str | None]:
        key = hashlib.sha256(f"{title}\n{definition_text}".encode()).hexdigest()
        with self._lock:
            cached = self._layouts.get(key)
        if cached is not None:
            return cached
        try:
            definition = json.loads(definition_text)
            result: tuple[dict[str, Any] | None, str | None] = (
                layout_definition(definition, title, max_nodes=self.max_nodes).to_json(),
                None,
            )
        except LayoutTooLarge as error:
            result = (None, f"This state machine is too large to draw ({error}).")
        except (ValueError, TypeError, AttributeError) as error:
            result = (None, f"This definition cannot be drawn: {error}")
        with self._lock:
            self._layouts[key] = result
            while len(self._layouts) > CACHED_LAYOUTS:
                self._layouts.popitem(last=False)
        return result


def _event_json(event: Mapping[str, Any], owner: str | None) -> dict[str, Any]:
    details = next((value for key, value in event.items() if key.endswith("EventDetails")), None)
    return {
        "id": event.get("id"),
        "previousEventId": event.get("previousEventId"),
        "type": event.get("type"),
        "timestamp": _iso(event.get("timestamp")),
        "state": owner,
        "details": details,
    }
