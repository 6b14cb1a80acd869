"""One module per ASL state type; ``STATE_CLASSES`` builds a compiled state from its JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from .base import JSONATA, JSONPATH, Catcher, CompiledState, Retrier
from .choice_state import ChoiceState, JsonataChoiceState
from .fail_state import FailState, JsonataFailState
from .map_state import JsonataMapState, MapState
from .parallel_state import JsonataParallelState, ParallelState
from .pass_state import JsonataPassState, PassState
from .succeed_state import JsonataSucceedState, SucceedState
from .task_state import JsonataTaskState, TaskState
from .wait_state import JsonataWaitState, WaitState

if TYPE_CHECKING:
    from ..definition import Graph


class StateCompiler(Protocol):
    """What a state builder is handed (``definition`` gives one): the query language of the
    state being compiled, and how to compile its nested graphs."""

    #: the query language of the state being compiled
    language: str

    def subgraph(self, doc: Mapping[str, Any], where: str) -> Graph:
        """Compile a Parallel branch or Map processor at ``where``; raises
        ``DefinitionErrors`` with its problems."""
        ...


def _parallel(
    name: str, spec: Mapping[str, Any], checker: StateCompiler, where: str
) -> ParallelState:
    language = checker.language  # the subgraphs' states reset it: read it first
    branches = [
        checker.subgraph(branch, f"{where}/Branches/{i}")
        for i, branch in enumerate(spec["Branches"])
    ]
    cls = JsonataParallelState if language == JSONATA else ParallelState
    return cls(name, spec, branches)


def _map(name: str, spec: Mapping[str, Any], checker: StateCompiler, where: str) -> MapState:
    language = checker.language
    field = "ItemProcessor" if "ItemProcessor" in spec else "Iterator"
    processor = checker.subgraph(spec[field], f"{where}/{field}")
    cls = JsonataMapState if language == JSONATA else MapState
    return cls(name, spec, processor)


def _simple(
    cls: type[CompiledState], jsonata_cls: type[CompiledState]
) -> Callable[..., CompiledState]:
    def build(
        name: str, spec: Mapping[str, Any], checker: StateCompiler, where: str
    ) -> CompiledState:
        return (jsonata_cls if checker.language == JSONATA else cls)(name, spec)

    return build


STATE_CLASSES: dict[str, Callable[..., CompiledState]] = {
    "Pass": _simple(PassState, JsonataPassState),
    "Succeed": _simple(SucceedState, JsonataSucceedState),
    "Fail": _simple(FailState, JsonataFailState),
    "Choice": _simple(ChoiceState, JsonataChoiceState),
    "Wait": _simple(WaitState, JsonataWaitState),
    "Task": _simple(TaskState, JsonataTaskState),
    "Parallel": _parallel,
    "Map": _map,
}

__all__ = [
    "JSONATA",
    "JSONPATH",
    "STATE_CLASSES",
    "Catcher",
    "ChoiceState",
    "CompiledState",
    "FailState",
    "JsonataChoiceState",
    "JsonataFailState",
    "JsonataMapState",
    "JsonataParallelState",
    "JsonataPassState",
    "JsonataSucceedState",
    "JsonataTaskState",
    "JsonataWaitState",
    "MapState",
    "ParallelState",
    "PassState",
    "Retrier",
    "StateCompiler",
    "SucceedState",
    "TaskState",
    "WaitState",
]
