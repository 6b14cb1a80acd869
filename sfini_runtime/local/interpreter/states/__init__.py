"""One module per ASL state type; ``STATE_CLASSES`` builds a compiled state from its JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .base import Catcher, CompiledState, Retrier
from .choice_state import ChoiceState
from .fail_state import FailState
from .map_state import MapState
from .parallel_state import ParallelState
from .pass_state import PassState
from .succeed_state import SucceedState
from .task_state import TaskState
from .wait_state import WaitState


def _parallel(name: str, spec: Mapping[str, Any], checker: Any, where: str) -> ParallelState:
    from ..definition import compile_subgraph

    branches = [
        compile_subgraph(checker, branch, f"{where}/Branches/{i}")
        for i, branch in enumerate(spec["Branches"])
    ]
    return ParallelState(name, spec, branches)


def _map(name: str, spec: Mapping[str, Any], checker: Any, where: str) -> MapState:
    from ..definition import compile_subgraph

    field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
    return MapState(name, spec, compile_subgraph(checker, spec[field], f"{where}/{field}"))


def _simple(cls: type[CompiledState]) -> Callable[..., CompiledState]:
    def build(name: str, spec: Mapping[str, Any], checker: Any, where: str) -> CompiledState:
        return cls(name, spec)

    return build


STATE_CLASSES: dict[str, Callable[..., CompiledState]] = {
    "Pass": _simple(PassState),
    "Succeed": _simple(SucceedState),
    "Fail": _simple(FailState),
    "Choice": _simple(ChoiceState),
    "Wait": _simple(WaitState),
    "Task": _simple(TaskState),
    "Parallel": _parallel,
    "Map": _map,
}

__all__ = [
    "STATE_CLASSES",
    "Catcher",
    "ChoiceState",
    "CompiledState",
    "FailState",
    "MapState",
    "ParallelState",
    "PassState",
    "Retrier",
    "SucceedState",
    "TaskState",
    "WaitState",
]
