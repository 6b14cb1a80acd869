"""A state's JSONPath input and output processing, compiled once per state.

Order (AWS): InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath ->
OutputPath. An absent field costs nothing: the value passes through unchanged, uncopied.
``InputPath``/``OutputPath`` set to ``null`` give ``{}``; ``ResultPath: null`` keeps the
input and discards the result. A Map state's ``ItemSelector`` (or legacy ``Parameters``)
shapes each item: the Map state compiles it, not this module.

A state compiled here passed ``sfini_asl.checker``, which read each path and template (their
types, syntax, ``$variables`` too): nothing is checked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfini_asl.jsonpath import (
    CompiledPath,
    PathNotFound,
    ResultPathMatchFailure,
    compile_path,
    compile_reference_path,
    set_at_path,
)

from ..failures import STATES_RESULT_PATH_MATCH_FAILURE, STATES_RUNTIME, StatesError
from .payload import CompiledTemplate, compile_template

__all__ = ["StateDataflow"]

_ABSENT: Any = object()
_EMPTY_OBJECT_PATH: Any = object()  # InputPath/OutputPath: null


def _compile_path(path: str | None) -> Any:
    """InputPath/OutputPath: ``null`` selects ``{}``, ``$`` is no step at all."""
    if path is None:
        return _EMPTY_OBJECT_PATH
    compiled = compile_path(path)
    return _ABSENT if compiled.is_root else compiled


def _select(path: Any, value: Any, context: Any) -> Any:
    if path is _EMPTY_OBJECT_PATH:
        return {}
    try:
        return path.get(value, context)
    except PathNotFound as exc:
        raise StatesError(STATES_RUNTIME, str(exc), in_state=True) from None


class StateDataflow:
    """The compiled data-flow fields of one state (JSONPath query language)."""

    __slots__ = (
        "input_path",
        "output_path",
        "parameters",
        "result_path",
        "result_selector",
        "state_name",
    )

    def __init__(self, state_name: str) -> None:
        self.state_name = state_name
        self.input_path: Any = _ABSENT
        self.parameters: CompiledTemplate | None = None
        self.result_selector: CompiledTemplate | None = None
        # _ABSENT means "$" (the result replaces the input); None discards the result.
        self.result_path: CompiledPath | None = _ABSENT
        self.output_path: Any = _ABSENT

    @classmethod
    def compile(cls, state_name: str, state: Mapping[str, Any]) -> StateDataflow:
        """Compile the fields present in ``state`` (checked by ``sfini_asl.checker``)."""
        flow = cls(state_name)
        if "InputPath" in state:
            flow.input_path = _compile_path(state["InputPath"])
        if "OutputPath" in state:
            flow.output_path = _compile_path(state["OutputPath"])
        if "ResultPath" in state:
            path = state["ResultPath"]
            if path is None:
                flow.result_path = None
            else:
                compiled = compile_reference_path(path)
                flow.result_path = _ABSENT if compiled.is_root else compiled
        if "ResultSelector" in state:
            flow.result_selector = compile_template(state["ResultSelector"])
        if "Parameters" in state:
            flow.parameters = compile_template(state["Parameters"])
        return flow

    @property
    def passthrough(self) -> bool:
        """Whether every field is absent (input and output flow through untouched)."""
        return (
            self.input_path is _ABSENT
            and self.parameters is None
            and self.result_selector is None
            and self.result_path is _ABSENT
            and self.output_path is _ABSENT
        )

    def effective_input(self, raw_input: Any, context: Any = None) -> Any:
        """InputPath, then Parameters."""
        value = raw_input
        if self.input_path is not _ABSENT:
            value = _select(self.input_path, value, context)
        if self.parameters is not None:
            value = self.parameters.render(value, context)
        return value

    def select_input(self, raw_input: Any, context: Any = None) -> Any:
        """InputPath only."""
        if self.input_path is _ABSENT:
            return raw_input
        return _select(self.input_path, raw_input, context)

    def select_result(self, result: Any, context: Any = None) -> Any:
        """ResultSelector."""
        if self.result_selector is None:
            return result
        return self.result_selector.render(result, context)

    def apply_result(self, raw_input: Any, result: Any) -> Any:
        """ResultPath: combine the state's raw input with its result."""
        result_path = self.result_path
        if result_path is _ABSENT:
            return result
        if result_path is None:
            return raw_input
        try:
            return set_at_path(raw_input, result_path, result)
        except ResultPathMatchFailure as exc:
            raise StatesError(STATES_RESULT_PATH_MATCH_FAILURE, str(exc)) from None

    def output(self, value: Any, context: Any = None) -> Any:
        """OutputPath."""
        if self.output_path is _ABSENT:
            return value
        return _select(self.output_path, value, context)

    def result_to_output(self, raw_input: Any, result: Any, context: Any = None) -> Any:
        """ResultSelector, ResultPath, then OutputPath."""
        if self.result_selector is not None:
            result = self.result_selector.render(result, context)
        return self.output(self.apply_result(raw_input, result), context)
