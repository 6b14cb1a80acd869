"""The Wait state: Seconds, Timestamp, SecondsPath or TimestampPath."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfini_asl.jsonpath import compile_path
from sfini_asl.timestamps import parse_timestamp

from ..failures import StatesError
from ..jsonata.fields import exit_with
from .base import JSONATA, CompiledState, RunResult, lookup, runtime_error, wrap_error

if TYPE_CHECKING:
    from ..execution import Frame


class WaitState(CompiledState):
    """``Type: Wait``."""

    type_name = "Wait"
    dataflow_fields = ("InputPath", "OutputPath")

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        super().__init__(name, spec)
        spec = self.spec
        if self.query_language == JSONATA:
            return
        self.seconds: float | None = spec.get("Seconds")
        self.timestamp: datetime | None = (
            parse_timestamp(spec["Timestamp"]) if "Timestamp" in spec else None
        )
        self.seconds_path = compile_path(spec["SecondsPath"]) if "SecondsPath" in spec else None
        self.timestamp_path = (
            compile_path(spec["TimestampPath"]) if "TimestampPath" in spec else None
        )

    def _seconds(self, frame: Frame, value: Any, context: Any) -> float:
        if self.seconds is not None:
            return float(self.seconds)
        if self.seconds_path is not None:
            seconds = lookup(self.seconds_path, value, context)
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
                raise runtime_error(
                    "The SecondsPath parameter cannot be parsed as a long value: "
                    f"{self.seconds_path.source} == {_show(seconds)}"
                )
            return float(seconds)
        if self.timestamp_path is not None:
            text = lookup(self.timestamp_path, value, context)
            try:
                until = parse_timestamp(text)
            except (ValueError, TypeError):
                raise runtime_error(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                    f"offset date-time format string: {self.timestamp_path.source} == {_show(text)}"
                ) from None
        else:
            until = self.timestamp  # type: ignore[assignment]
        return max(0.0, (until - frame.now()).total_seconds())

    def run(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        flow = self.dataflow
        try:
            value = flow.effective_input(raw_input, context) if self.has_dataflow else raw_input
            seconds = self._seconds(frame, value, context)
        except StatesError as err:
            raise wrap_error(err, self.name, entered_id) from None
        yield frame.sleep_instruction(seconds)
        try:
            output = flow.output(value) if self.has_dataflow else value
            self.assign_jsonpath(frame, value, context)
            return output, self.next
        except StatesError as err:
            raise wrap_error(err, self.name, entered_id) from None


class JsonataWaitState(WaitState):
    """``Type: Wait`` in a JSONata state: Seconds or Timestamp (constants or expressions),
    Output (default: the input) and Assign."""

    query_language = JSONATA
    dataflow_fields = ()

    def run(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        flow = self.jsonata
        try:
            seconds = flow.wait_seconds(raw_input, context, frame.variables)
            if seconds is None:
                until = flow.wait_timestamp(raw_input, context, frame.variables)
                seconds = max(0.0, (until - frame.now()).total_seconds())
        except StatesError as err:
            raise wrap_error(err, self.name, entered_id) from None
        yield frame.sleep_instruction(seconds)
        try:
            return exit_with(frame, flow.finish(raw_input, context, frame.variables)), self.next
        except StatesError as err:
            raise wrap_error(err, self.name, entered_id) from None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value).lower() if isinstance(value, bool) else str(value)
