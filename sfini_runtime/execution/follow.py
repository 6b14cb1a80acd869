"""Following a running execution's history without re-reading it: each ``poll`` fetches only
the events added since the last one, newest first (``reverseOrder``), stopping at the last seen.
"""

from __future__ import annotations

from typing import Any

from sfini_runtime.execution.formatting import ActiveStates
from sfini_runtime.execution.history import Event, parse_history

__all__ = ["HistoryFollower"]

#: GetExecutionHistory's largest page.
MAX_PAGE = 1000


class HistoryFollower:
    """Reads an execution's new history events, a page or so per ``poll`` however long the
    history already is (a live view of a 20,000-event execution costs O(new events), not O(n)).

    Args:
        client: a Step Functions client
        execution_arn: the execution to follow
        page_size: events asked for per call once caught up (the first poll reads whole pages)

    Attributes:
        last_event_id: id of the newest event read so far (0 before the first poll)
        calls: GetExecutionHistory calls made
        active: the states entered and not yet exited, updated as events arrive
    """

    def __init__(self, client: Any, execution_arn: str, page_size: int = 100) -> None:
        if not 1 <= page_size <= MAX_PAGE:
            raise ValueError(f"page_size must be from 1 to {MAX_PAGE}, not {page_size}")
        self.client = client
        self.execution_arn = execution_arn
        self.page_size = page_size
        self.last_event_id = 0
        self.calls = 0
        self.active = ActiveStates()

    def poll(self) -> list[Event]:
        """The events added since the last poll, oldest first."""
        page_size = MAX_PAGE if self.last_event_id == 0 else self.page_size
        request: dict[str, Any] = {
            "executionArn": self.execution_arn,
            "reverseOrder": True,
            "maxResults": page_size,
        }
        newest_first: list[dict[str, Any]] = []
        while True:
            page = self.client.get_execution_history(**request)
            self.calls += 1
            reached_seen = False
            for raw in page.get("events", []):
                if raw["id"] <= self.last_event_id:
                    reached_seen = True
                    break
                newest_first.append(raw)
            token = page.get("nextToken")
            if reached_seen or not token:
                break
            request["nextToken"] = token
            request["maxResults"] = MAX_PAGE  # far behind: catch up in large pages
        newest_first.reverse()
        events = parse_history(newest_first)
        if events:
            self.last_event_id = events[-1].event_id
        self.active.feed(events)
        return events
