"""The inline Map state: one child frame per item, at most MaxConcurrency at a time."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfini_asl.jsonpath import compile_path

from ..failures import StatesError
from ..history import exceeds_payload_limit, to_json
from ..jsonata.expressions import QueryEvaluationError, jsonata_type_name
from ..jsonata.fields import JsonataResultMixin
from ..jsonpath.payload import compile_template
from ..variables import CONTEXT_KEY
from .base import JSONATA, CompiledState, RunResult, lookup, runtime_error

if TYPE_CHECKING:
    from ..definition import Graph
    from ..execution import Frame


class MapState(CompiledState):
    """``Type: Map`` (INLINE): ItemsPath, ItemSelector/Parameters, MaxConcurrency(Path),
    ToleratedFailureCount/Percentage(Path)."""

    type_name = "Map"
    dataflow_fields = ("InputPath", "ResultSelector", "ResultPath", "OutputPath")

    def __init__(self, name: str, spec: Mapping[str, Any], processor: Graph) -> None:
        super().__init__(name, spec)
        spec = self.spec
        self.processor = processor
        if self.query_language == JSONATA:
            return
        self.items_path = compile_path(spec.get("ItemsPath", "$"))
        selector = spec.get("ItemSelector", spec.get("Parameters"))
        self.selector = compile_template(selector) if selector is not None else None
        self.max_concurrency: int = spec.get("MaxConcurrency", 0)
        self.max_concurrency_path = _path(spec, "MaxConcurrencyPath")
        self.tolerated_count: int | None = spec.get("ToleratedFailureCount")
        self.tolerated_count_path = _path(spec, "ToleratedFailureCountPath")
        self.tolerated_percentage: float | None = spec.get("ToleratedFailurePercentage")
        self.tolerated_percentage_path = _path(spec, "ToleratedFailurePercentagePath")

    def _number(self, path: Any, field: str, value: Any, context: Any, integer: bool) -> Any:
        number = lookup(path, value, context)
        if type(number) is str:  # AWS reads a number written as text ("1")
            number = _parse_number(number, integer)
        ok = not isinstance(number, bool) and (
            isinstance(number, int) if integer else isinstance(number, (int, float))
        )
        if not ok or number < 0:
            kind = "integer" if integer else "number"
            raise runtime_error(
                f"The {field} field refers to value {to_json(number)} which is not a valid "
                f"{kind}: {path.source}"
            )
        return number

    def prepare(
        self, frame: Frame, raw_input: Any, context: Any
    ) -> tuple[Any, list[Any], int, Any, Any]:
        """(effective input, items, MaxConcurrency, ToleratedFailureCount, ...Percentage)."""
        value = self.dataflow.effective_input(raw_input, context)
        concurrency = self.max_concurrency
        if self.max_concurrency_path is not None:
            concurrency = self._number(
                self.max_concurrency_path, "MaxConcurrencyPath", value, context, True
            )
        tolerated_count = self.tolerated_count
        if self.tolerated_count_path is not None:
            tolerated_count = self._number(
                self.tolerated_count_path, "ToleratedFailureCountPath", value, context, True
            )
        tolerated_pct = self.tolerated_percentage
        if self.tolerated_percentage_path is not None:
            tolerated_pct = self._number(
                self.tolerated_percentage_path,
                "ToleratedFailurePercentagePath",
                value,
                context,
                False,
            )
        items = lookup(self.items_path, value, context)
        if not isinstance(items, list):
            raise runtime_error(
                f"Map state input must be an array, but '{self.items_path.source}' refers to "
                f"{to_json(items)}"
            )
        return value, items, concurrency, tolerated_count, tolerated_pct

    def select_item(self, frame: Frame, value: Any, index: int, item: Any, context: Any) -> Any:
        """The input of iteration ``index``: ItemSelector (or Parameters) or the item itself."""
        if self.selector is None:
            return item
        return self.selector.render(value, item_context(frame, self.name, context, index, item))

    def attempt(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        from ..execution import ChildGroup

        value, items, concurrency, tolerated_count, tolerated_pct = self.prepare(
            frame, raw_input, context
        )
        total = len(items)
        allowed_failures = math.inf
        if tolerated_count is not None:
            allowed_failures = tolerated_count
        if tolerated_pct is not None:
            allowed_failures = min(allowed_failures, math.floor(total * tolerated_pct / 100))
        if tolerated_count is None and tolerated_pct is None:
            allowed_failures = 0
        frame.add_event("MapStateStarted", {"length": total})
        group = ChildGroup(frame)
        results: list[Any] = [None] * total
        launched = running = failures = 0
        last_done = frame.last
        limit = concurrency if concurrency > 0 else total
        try:
            while launched < total or running:
                while launched < total and running < limit:
                    index = launched
                    item = self.select_item(frame, value, index, items[index], context)
                    started = frame.add_event(
                        "MapIterationStarted", {"index": index, "name": self.name}
                    )
                    frame.spawn(group, self.processor, item, started, (index, self.name))
                    launched += 1
                    running += 1
                yield group.wait()
                while group.finished:
                    child, ok, outcome = group.finished.popleft()
                    running -= 1
                    index = child.iteration[0]  # type: ignore[index]
                    frame.last = child.last
                    if ok:
                        results[index] = outcome
                        last_done = frame.add_event(
                            "MapIterationSucceeded", {"index": index, "name": self.name}
                        )
                        frame.last = child.last
                        continue
                    frame.add_event("MapIterationFailed", {"index": index, "name": self.name})
                    frame.last = child.last
                    failures += 1
                    if failures > allowed_failures:
                        group.abort_running(child.last, self.name)
                        if tolerated_count is not None or tolerated_pct is not None:
                            outcome = StatesError(
                                "States.ExceedToleratedFailureThreshold",
                                "The specified tolerated failure threshold was exceeded",
                            )
                        outcome.state_started = True
                        raise outcome
        finally:
            frame.children = []
        frame.last = last_done
        if exceeds_payload_limit(to_json(results)):
            # the results array is the Map's result, bound by 256 KiB whatever ResultPath does
            # with it; the error is terminal, so no Retry or Catch applies
            from ..execution import data_limit_error

            error = data_limit_error(self.name)
            error.state_started = True  # type: ignore[attr-defined]
            raise error
        frame.add_event("MapStateSucceeded")
        return results

    def abort(self, frame: Frame) -> None:
        frame.add_event("MapStateAborted")


def item_context(frame: Frame, name: str, context: Any, index: int, item: Any) -> Any:
    """The context object of one iteration's ItemSelector (``$$.Map.Item``)."""
    map_item = {"Map": {"Item": {"Index": index, "Value": item}}}
    if context is None:
        return frame.execution.context(name, map_item)
    if CONTEXT_KEY in context:  # a context bound with the variables
        return {**context, CONTEXT_KEY: {**context[CONTEXT_KEY], **map_item}}
    return {**context, **map_item}


class JsonataMapState(JsonataResultMixin, MapState):
    """``Type: Map`` in a JSONata state: Items (default: the input), ItemSelector,
    MaxConcurrency and ToleratedFailureCount/Percentage (constants or expressions), Output
    (default: the iterations' outputs), Assign."""

    query_language = JSONATA
    dataflow_fields = ()

    def prepare(
        self, frame: Frame, raw_input: Any, context: Any
    ) -> tuple[Any, list[Any], int, Any, Any]:
        flow, variables = self.jsonata, frame.variables
        try:
            if flow.items is None and type(raw_input) is not list:
                # AWS names no field here (the EvaluationFailed event has no location)
                raise QueryEvaluationError(
                    "The Map state input must be an array, but was "
                    f"'{jsonata_type_name(raw_input)}' for value: {to_json(raw_input)}",
                    None,
                )
            items = flow.map_items(raw_input, context, variables)
            concurrency = flow.max_concurrency_value(raw_input, context, variables) or 0
            count = flow.tolerated_failure_count_value(raw_input, context, variables)
            percentage = flow.tolerated_failure_percentage_value(raw_input, context, variables)
        except StatesError as err:
            err.state_started = True  # type: ignore[attr-defined]  # MapStateFailed
            raise
        return raw_input, items, concurrency, count, percentage

    def select_item(self, frame: Frame, value: Any, index: int, item: Any, context: Any) -> Any:
        if self.jsonata.item_selector is None:
            return item
        item_ctx = item_context(frame, self.name, context, index, item)
        return self.jsonata.item_input(value, item, item_ctx, frame.variables)


def _parse_number(text: str, integer: bool) -> Any:
    try:
        number = int(text) if integer else float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _path(spec: Mapping[str, Any], field: str) -> Any:
    return compile_path(spec[field]) if field in spec else None
