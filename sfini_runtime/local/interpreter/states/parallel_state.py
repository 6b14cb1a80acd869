"""The Parallel state: runs its branches interleaved on the scheduler, output in branch order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..failures import StatesError
from ..jsonata.fields import JsonataResultMixin
from .base import JSONATA, CompiledState, RunResult

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

        value = self.branch_input(frame, raw_input, context)
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
                        group.abort_running(child.last)
                        outcome.state_started = True
                        raise outcome
                    results[group.frames.index(child)] = outcome
                    remaining -= 1
        finally:
            frame.children = []
        frame.add_event("ParallelStateSucceeded")
        return results

    def branch_input(self, frame: Frame, raw_input: Any, context: Any) -> Any:
        """What every branch is given: InputPath and Parameters."""
        return self.dataflow.effective_input(raw_input, context)

    def abort(self, frame: Frame) -> None:
        frame.add_event("ParallelStateAborted")


class JsonataParallelState(JsonataResultMixin, ParallelState):
    """``Type: Parallel`` in a JSONata state: Arguments (default: the input), Output (default:
    the branches' outputs), Assign."""

    query_language = JSONATA
    dataflow_fields = ()

    def branch_input(self, frame: Frame, raw_input: Any, context: Any) -> Any:
        try:
            return self.jsonata.effective_input(raw_input, context, frame.variables)
        except StatesError as err:
            err.state_started = True  # type: ignore[attr-defined]  # ParallelStateFailed
            raise
