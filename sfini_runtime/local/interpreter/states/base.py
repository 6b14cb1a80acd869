"""What every compiled state shares: transitions, data flow, Retry/Catch, error wrapping.

A compiled state runs in one of two ways. *Simple* states (Pass, Choice, Succeed, Fail) never
block: ``execute(frame, raw_input, context)`` returns ``(output, next_name)`` at once, so a
Pass/Choice loop runs without generator overhead. The others implement
``run(frame, raw_input, context, entered_id)``, a generator that yields scheduler instructions
(see :mod:`..execution`) and returns ``(output, next_name)``.
"""

from __future__ import annotations

import random
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from sfini_asl.jsonpath import (
    PathNotFound,
    ResultPathMatchFailure,
    compile_reference_path,
    set_at_path,
)

from ..failures import StatesError, error_matches
from ..jsonata.dataflow import JsonataStateDataflow
from ..jsonpath.dataflow import StateDataflow
from ..jsonpath.variables import restore_error, rewrite_state, state_uses_variables
from ..variables import CONTEXT_KEY, CompiledAssign, compile_assign

if TYPE_CHECKING:
    from ..execution import Frame

JSONPATH, JSONATA = "JSONPath", "JSONata"
Instruction = tuple[Any, ...]
RunResult = Generator[Instruction, Any, tuple[Any, "str | None"]]


def user_error(error: str, cause: str | None) -> StatesError:
    """An error that came from a Fail state, a worker or a branch: reported as is."""
    return StatesError(error, cause)


def runtime_error(detail: str) -> StatesError:
    """A States.Runtime error AWS reports as happening "while executing the state"."""
    return StatesError("States.Runtime", detail, in_state=True)


def wrap_error(err: StatesError, state_name: str, entered_id: int) -> StatesError:
    """The error as AWS reports it from this state (cause prefixed once, when it needs it)."""
    return err.at_state(state_name, entered_id)


def lookup(path: Any, value: Any, context: Any) -> Any:
    """``path.get`` with a missing value turned into AWS's States.Runtime error."""
    try:
        return path.get(value, context)
    except PathNotFound as exc:
        raise runtime_error(str(exc)) from None


class Retrier:
    """One element of a state's ``Retry``."""

    __slots__ = ("backoff_rate", "error_equals", "interval", "jitter", "max_attempts", "max_delay")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.error_equals: list[str] = list(spec["ErrorEquals"])
        self.interval: float = spec.get("IntervalSeconds", 1)
        self.max_attempts: int = spec.get("MaxAttempts", 3)
        self.backoff_rate: float = spec.get("BackoffRate", 2.0)
        self.max_delay: float | None = spec.get("MaxDelaySeconds")
        self.jitter: str = spec.get("JitterStrategy", "NONE")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (attempt counts from 0)."""
        delay = self.interval * (self.backoff_rate**attempt)
        if self.max_delay is not None:
            delay = min(delay, self.max_delay)
        if self.jitter == "FULL":
            delay = random.uniform(0, delay)
        return delay


class Catcher:
    """One element of a state's ``Catch``: ErrorEquals, Next, and (JSONPath) ResultPath and
    Assign; a JSONata state's catcher Output/Assign live in its JSONata data flow."""

    __slots__ = ("assign", "compiled_result_path", "error_equals", "index", "next", "result_path")

    def __init__(self, spec: Mapping[str, Any], index: int = 0, jsonpath: bool = True) -> None:
        self.index = index
        self.error_equals: list[str] = list(spec["ErrorEquals"])
        self.next: str = spec["Next"]
        self.result_path: str | None = spec.get("ResultPath", "$")
        path = self.result_path
        if path is None or path == "$":
            self.compiled_result_path: Any = path
        else:
            self.compiled_result_path = compile_reference_path(path)
        self.assign: CompiledAssign | None = (
            compile_assign(spec["Assign"], JSONPATH, f"Catch/{index}/Assign")
            if jsonpath and "Assign" in spec
            else None
        )


def error_output(err: StatesError) -> dict[str, Any]:
    """The ``{"Error": ..., "Cause": ...}`` object a Catch hands on."""
    out: dict[str, Any] = {"Error": err.error}
    if err.cause is not None:
        out["Cause"] = err.cause
    return out


def _state_context(context: Any) -> dict[str, Any] | None:
    """The ``State`` member of a context object (bound with the variables or not)."""
    if context is None:
        return None
    if CONTEXT_KEY in context:
        context = context[CONTEXT_KEY]
    state = context.get("State")
    return state if isinstance(state, dict) else None


class CompiledState:
    """A state ready to run. Subclasses set ``type_name`` and implement execute or run."""

    type_name: ClassVar[str] = ""
    simple: ClassVar[bool] = False
    #: fields handled by StateDataflow for this type
    dataflow_fields: ClassVar[tuple[str, ...]] = (
        "InputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "OutputPath",
    )

    #: JSONata subclasses say so; the definition picks the class per state at compile time
    query_language: ClassVar[str] = JSONPATH

    def __init__(self, name: str, spec: Mapping[str, Any]) -> None:
        self.name = name
        # JSONPath fields reading $var are compiled from a rewritten copy (bound context)
        self.uses_variables = self.query_language == JSONPATH and state_uses_variables(spec)
        if self.uses_variables:
            spec = rewrite_state(spec)
        self.spec = spec
        self.next: str | None = spec.get("Next")
        self.end: bool = bool(spec.get("End", False))
        self.entered_type = f"{self.type_name}StateEntered"
        self.exited_type = f"{self.type_name}StateExited"
        self.aborted_type = f"{self.type_name}StateAborted"
        self.failed_type = f"{self.type_name}StateFailed"
        flow_spec = {k: spec[k] for k in self.dataflow_fields if k in spec}
        self.dataflow = StateDataflow.compile(name, flow_spec)
        self.has_dataflow = bool(flow_spec)
        jsonpath = self.query_language == JSONPATH
        self.needs_context = self.uses_variables or ("$$" if jsonpath else "$states") in repr(spec)
        self.assign: CompiledAssign | None = (
            compile_assign(spec["Assign"], JSONPATH) if jsonpath and "Assign" in spec else None
        )
        #: a JSONata state's fields (Arguments, Output, Assign, Items, ...), else None
        self.jsonata = None if jsonpath else JsonataStateDataflow.compile(name, spec)
        self.retriers = [Retrier(r) for r in spec.get("Retry", ())]
        self.catchers = [Catcher(c, i, jsonpath) for i, c in enumerate(spec.get("Catch", ()))]

    def execute(self, frame: Frame, raw_input: Any, context: Any) -> tuple[Any, str | None]:
        """Run a simple state."""
        raise NotImplementedError

    def run(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        """Run a state that may block; the default wraps ``attempt`` in Retry/Catch.

        ``$$.State.RetryCount`` counts the retries made so far (0 on the first attempt)."""
        counts = [0] * len(self.retriers)
        state_context = _state_context(context)
        while True:
            if state_context is not None:
                state_context["RetryCount"] = sum(counts)
            try:
                result = yield from self.attempt(frame, raw_input, context, entered_id)
                return self.result_output(frame, raw_input, result, context), self.next
            except StatesError as exc:
                started = getattr(exc, "state_started", False)
                if self.uses_variables:
                    exc = restore_error(exc)
                err = wrap_error(exc, self.name, entered_id)
                frame.evaluation_failed(err, self.name)
                for i, retrier in enumerate(self.retriers):
                    if error_matches(
                        retrier.error_equals, err.error, task_failure=err.task_failure
                    ):
                        if counts[i] < retrier.max_attempts:
                            delay = retrier.delay(counts[i])
                            counts[i] += 1
                            yield frame.sleep_instruction(delay)
                            break
                        retrier = None
                        break
                else:
                    retrier = None
                if retrier is not None:
                    continue
                if started:
                    # Parallel/Map: <Type>StateFailed once no retry is left (before any catch)
                    frame.add_event(self.failed_type)
                for catcher in self.catchers:
                    if error_matches(
                        catcher.error_equals, err.error, task_failure=err.task_failure
                    ):
                        output = self.caught(frame, raw_input, catcher, err, context)
                        return output, catcher.next
                raise err from None

    def result_output(self, frame: Frame, raw_input: Any, result: Any, context: Any) -> Any:
        """ResultSelector, Assign (reads the selected result), ResultPath, OutputPath."""
        flow = self.dataflow
        if self.assign is None:
            return flow.result_to_output(raw_input, result, context)
        selected = flow.select_result(result, context)
        values = self.assign.evaluate_jsonpath(selected, context)
        output = flow.output(flow.apply_result(raw_input, selected), context)
        frame.assign(values)
        return output

    def caught(
        self, frame: Frame, raw_input: Any, catcher: Catcher, err: StatesError, context: Any
    ) -> Any:
        """The output a matching catcher hands on; its Assign reads the error output."""
        if catcher.assign is None:
            return self.catch_output(raw_input, catcher, err)
        try:
            values = catcher.assign.evaluate_jsonpath(error_output(err), context)
            output = self.catch_output(raw_input, catcher, err)
            frame.assign(values)
        except StatesError as exc:
            raise wrap_error(exc, self.name, frame.entered_id) from None
        return output

    def catch_output(self, raw_input: Any, catcher: Catcher, err: StatesError) -> Any:
        """The raw input with the error output at the catcher's ResultPath."""
        path = catcher.compiled_result_path
        if path is None:
            return raw_input
        if path == "$":
            return error_output(err)
        try:
            return set_at_path(raw_input, path, error_output(err))
        except ResultPathMatchFailure as exc:
            raise StatesError("States.ResultPathMatchFailure", str(exc)) from None

    def assign_jsonpath(self, frame: Frame, data: Any, context: Any) -> None:
        """Evaluate and bind the state's JSONPath Assign on ``data`` (no-op without one)."""
        if self.assign is not None:
            frame.assign(self.assign.evaluate_jsonpath(data, context))

    def attempt(self, frame: Frame, raw_input: Any, context: Any, entered_id: int) -> RunResult:
        """One try of the state's work; returns the raw result (before ResultSelector)."""
        raise NotImplementedError
        yield  # pragma: no cover

    def abort(self, frame: Frame) -> None:
        """Record that this state was stopped mid-way (the execution was stopped)."""
        frame.add_event(self.aborted_type)


__all__ = [
    "Catcher",
    "CompiledState",
    "Retrier",
    "error_output",
    "lookup",
    "runtime_error",
    "user_error",
    "wrap_error",
]
