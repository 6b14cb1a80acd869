"""A state's JSONPath input and output processing, compiled once per state.

Order (AWS): InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath ->
OutputPath. An absent field costs nothing: the value passes through unchanged, uncopied.
``InputPath``/``OutputPath`` set to ``null`` give ``{}``; ``ResultPath: null`` keeps the
input and discards the result. For Map states, ``Parameters`` (legacy) and ``ItemSelector``
shape each item, so they are exposed as :attr:`StateDataflow.item_selector` and not applied
by :meth:`StateDataflow.effective_input`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfini_asl.jsonpath import (
    CompiledPath,
    PathNotFound,
    PathSyntaxError,
    ResultPathMatchFailure,
    compile_path,
    compile_reference_path,
    set_at_path,
)

from ..failures import STATES_RESULT_PATH_MATCH_FAILURE, STATES_RUNTIME, StatesError
from .payload import CompiledTemplate, TemplateDefinitionError, compile_template

__all__ = ["DataflowDefinitionError", "StateDataflow"]


class DataflowDefinitionError(ValueError):
    """An invalid InputPath/Parameters/ResultSelector/ResultPath/OutputPath/ItemSelector."""

    def __init__(self, field: str, message: str, state_name: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.state_name = state_name
        self.message = message


_ABSENT: Any = object()
_EMPTY_OBJECT_PATH: Any = object()  # InputPath/OutputPath: null


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
        "item_selector",
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
        self.item_selector: CompiledTemplate | None = None
        self.result_selector: CompiledTemplate | None = None
        # _ABSENT means "$" (the result replaces the input); None discards the result.
        self.result_path: CompiledPath | None = _ABSENT
        self.output_path: Any = _ABSENT

    @classmethod
    def compile(cls, state_name: str, state: Mapping[str, Any]) -> StateDataflow:
        """Compile the fields present in ``state``; raises DataflowDefinitionError."""
        flow = cls(state_name)
        if "InputPath" in state:
            flow.input_path = flow._compile_path("InputPath", state["InputPath"])
        if "OutputPath" in state:
            flow.output_path = flow._compile_path("OutputPath", state["OutputPath"])
        if "ResultPath" in state:
            flow.result_path = flow._compile_result_path(state["ResultPath"])
        if "ResultSelector" in state:
            flow.result_selector = flow._compile_template("ResultSelector", state)
        is_map = state.get("Type") == "Map"
        if "Parameters" in state:
            template = flow._compile_template("Parameters", state)
            if is_map:
                flow.item_selector = template
            else:
                flow.parameters = template
        if "ItemSelector" in state:
            flow.item_selector = flow._compile_template("ItemSelector", state)
        return flow

    def _fail(self, field: str, message: str) -> DataflowDefinitionError:
        return DataflowDefinitionError(
            field, f"State '{self.state_name}': {field}: {message}", self.state_name
        )

    def _compile_path(self, field: str, path: Any) -> Any:
        if path is None:
            return _EMPTY_OBJECT_PATH
        if not isinstance(path, str):
            raise self._fail(field, "must be a JSONPath string or null")
        try:
            compiled = compile_path(path)
        except PathSyntaxError as exc:
            raise self._fail(field, str(exc)) from None
        if compiled.is_root:
            return _ABSENT
        return compiled

    def _compile_result_path(self, path: Any) -> CompiledPath | None:
        if path is None:
            return None
        if not isinstance(path, str):
            raise self._fail("ResultPath", "must be a Reference Path string or null")
        try:
            compiled = compile_reference_path(path)
        except PathSyntaxError as exc:
            raise self._fail("ResultPath", str(exc)) from None
        return _ABSENT if compiled.is_root else compiled

    def _compile_template(self, field: str, state: Mapping[str, Any]) -> CompiledTemplate:
        try:
            return compile_template(state[field])
        except TemplateDefinitionError as exc:
            raise self._fail(field, str(exc)) from None

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
        """InputPath, then Parameters (not for Map states: see ``item_selector``)."""
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
