"""The Parallel state: runs its branches interleaved on the scheduler, output in branch order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .base import CompiledState, RunResult

if TYPE_CHECKING:
    from ..definition import Graph
    from ..execution import Frame


class ParallelState(CompiledState):
    """``Type: Parallel``."""

    type_name = "Parallel"

    def __init__(self, name: str, spec: Mapping[str, Any], branches: list[Graph]) -> None:
        super().__init__(name, spec)
        self.branches = branches

    def attempt(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        from ..execution import ChildGroup

        value = self.dataflow.effective_input(raw_input, context)
        started = frame.add_event("ParallelStateStarted")
        group = ChildGroup(frame)
        for branch in self.branches:
            frame.spawn(group, branch, value, started)
        results: list[Any] = [None] * len(self.branches)
        remaining = len(self.branches)
        try:
            while remaining:
                yield group.wait()
                while group.finished:
                    child, ok, outcome = group.finished.popleft()
                    frame.last = max(frame.last, child.last)
                    if not ok:
                        group.cancel_all()
                        outcome.state_started = True
                        raise outcome
                    results[group.frames.index(child)] = outcome
                    remaining -= 1
        finally:
            frame.children = []
        frame.add_event("ParallelStateSucceeded")
        return results

    def abort(self, frame: Frame) -> None:
        frame.add_event("ParallelStateAborted")
