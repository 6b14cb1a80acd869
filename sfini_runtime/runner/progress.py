"""Watching running executions: a live table on a terminal (each execution's status and current
states, with rich), a plain log of the states entered otherwise.

Each execution's history is followed incrementally (``HistoryFollower``): a refresh costs one
DescribeExecution and one GetExecutionHistory page per running execution, however long its
history already is.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import Any

from sfini_runtime.execution import FINISHED_STATUSES, Execution, ExecutionFinished
from sfini_runtime.execution.follow import HistoryFollower
from sfini_runtime.execution.history import StateEntered

__all__ = ["Tracked", "watch"]

#: seconds between two refreshes of the view
REFRESH_SECONDS = 0.2


@dataclasses.dataclass
class Tracked:
    """One execution being watched, and what the view knows of it."""

    label: str
    execution: Execution
    started: float = dataclasses.field(default_factory=time.monotonic)
    status: str = "RUNNING"
    active: list[str] = dataclasses.field(default_factory=list)
    events: int = 0
    seconds: float = 0.0
    timed_out: bool = False
    follower: HistoryFollower | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def refresh(self, log: Callable[[str], None] | None) -> None:
        """Read the execution's status and its new events; ``log`` gets a line per state
        entered (plain mode)."""
        if self.finished:
            return
        if self.follower is None:
            self.follower = self.execution.follow_history()
        status = self.execution.status  # read before the events: none is missed at the end
        new = self.follower.poll()
        self.events += len(new)
        self.active = list(self.follower.active.names)
        if log is not None:
            for event in new:
                if isinstance(event, StateEntered):
                    log(f"[{self.label}] {event.state_name}")
        self.status = status
        self.seconds = time.monotonic() - self.started
        if self.finished and log is not None:
            log(f"[{self.label}] {self.status} in {self.seconds:.1f} s")


def watch(
    tracked: Sequence[Tracked],
    *,
    console: Any = None,
    timeout: float | None = None,
    live: bool | None = None,
) -> None:
    """Follow ``tracked`` executions until each has finished, or stop those still running after
    ``timeout`` seconds (they end ABORTED, ``timed_out`` set). ``live``: the rich table (default:
    when ``console`` is a terminal), else plain log lines on ``console``."""
    from rich.console import Console

    console = console or Console()
    live = console.is_terminal if live is None else live
    deadline = None if timeout is None else time.monotonic() + timeout
    if not live:
        _loop(tracked, lambda line: console.print(line, markup=False, highlight=False), deadline)
        return
    from rich.live import Live

    with Live(_table(tracked), console=console, refresh_per_second=8, transient=False) as view:
        _loop(tracked, None, deadline, lambda: view.update(_table(tracked), refresh=True))


def _loop(
    tracked: Sequence[Tracked],
    log: Callable[[str], None] | None,
    deadline: float | None,
    redraw: Callable[[], None] | None = None,
) -> None:
    while True:
        for each in tracked:
            each.refresh(log)
        if redraw is not None:
            redraw()
        running = [each for each in tracked if not each.finished]
        if not running:
            return
        if deadline is not None and time.monotonic() > deadline:
            for each in running:
                each.timed_out = True
                with contextlib.suppress(ExecutionFinished):  # it ended meanwhile
                    each.execution.stop(error_code="sfini.RunTimeout", details="run timed out")
            deadline = None
        time.sleep(REFRESH_SECONDS)


_STYLES = {"RUNNING": "yellow", "SUCCEEDED": "green"}


def _table(tracked: Sequence[Tracked]) -> Any:
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("workflow", "status", "now in", "events", "time"):
        table.add_column(column, justify="right" if column in ("events", "time") else "left")
    for each in tracked:
        style = _STYLES.get(each.status, "red")
        table.add_row(
            each.label,
            f"[{style}]{each.status}[/]",
            ", ".join(each.active) if not each.finished else "",
            str(each.events),
            f"{each.seconds:.1f} s",
        )
    return table
