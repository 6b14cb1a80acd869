"""Run one state as TestState does: once, with no history, reporting each data-flow step.

The state's compiled logic does the work (its JSONPath data flow, JSONata fields, Choice
rules, Fail error, Retry/Catch matchers); this module calls the steps one by one to record
what each produced (``inspectionData``), and answers with the state's outcome: SUCCEEDED (its
output and next state), FAILED, RETRIABLE (a retrier would retry: its index and back-off) or
CAUGHT_ERROR (a catcher handles the error: its index, output and next state).

A Task's result is the mock's (checked by ``check_mock``), or what ``run_task`` gets from
the integration, as an execution would call it. A Map or Parallel state is always mocked: the
mock is the array of its iterations' or branches' results (``stateConfiguration`` says how
many iterations failed, or which state caused the error of the mock's ``errorOutput``).
"""

from __future__ import annotations

import copy
import math
import uuid
from collections.abc import Callable
from typing import Any

from ...errors import ValidationException
from ..failures import STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD, StatesError, error_matches
from ..history import to_json
from ..jsonpath.variables import restore_error
from ..states.base import JSONATA, lookup, runtime_error
from ..task_resources import ACTIVITY, WAIT_FOR_TASK_TOKEN
from ..variables import bind_context
from .frame import TestFrame
from .prepare import TestStateCase

__all__ = ["MockChecker", "TaskRunner", "run_test_state"]

#: runs an un-mocked Task state's call as an execution would: (state, its definition as
#: written, state input, variables) -> the task's result; raises StatesError for its failure
TaskRunner = Callable[[Any, Any, Any, Any], Any]
#: checks a mocked result against the API's output shape: (task resource, result, mode) ->
#: the problem, or None
MockChecker = Callable[[Any, Any, str], "str | None"]

_ABSENT: Any = object()


class _Inspection:
    """``inspectionData``: JSON text for the data, numbers and objects as they are."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def put(self, key: str, value: Any) -> None:
        self.data[key] = to_json(value)

    def put_value(self, key: str, value: Any) -> None:
        self.data[key] = value


class _Run:
    """One TestState run: the case, its frame and context, and what it has inspected."""

    def __init__(
        self,
        case: TestStateCase,
        context: dict[str, Any],
        run_task: TaskRunner,
        check_mock: MockChecker,
    ) -> None:
        self.case = case
        self.state: Any = case.state
        self.frame = TestFrame(case.variables)
        self.raw = case.input_value
        self.plain_context = context
        self.context: Any = (
            bind_context(context, self.frame.variables) if self.state.uses_variables else context
        )
        self.run_task = run_task
        self.check_mock = check_mock
        self.inspection = _Inspection()
        self.jsonata = self.state.query_language == JSONATA

    # -- the outcome ----------------------------------------------------------------------
    def response(
        self,
        status: str,
        *,
        output: Any = _ABSENT,
        next_state: str | None = None,
        error: StatesError | None = None,
    ) -> dict[str, Any]:
        response: dict[str, Any] = {"status": status}
        if output is not _ABSENT:
            response["output"] = to_json(output)
        if error is not None:
            if error.error is not None:
                response["error"] = error.error
            if error.cause is not None:
                response["cause"] = error.cause
        if next_state is not None:
            response["nextState"] = next_state
        if self.case.inspection_level != "INFO":
            if self.frame.assigned is not None:
                self.inspection.put("variables", self.frame.variables.visible())
            response["inspectionData"] = self.inspection.data
        return response

    def failed(self, err: StatesError) -> dict[str, Any]:
        """RETRIABLE, CAUGHT_ERROR or FAILED, as the state's Retry and Catch decide."""
        state = self.state
        if state.uses_variables:  # name $var as written, not as the compiled paths read it
            err = restore_error(err)
        for index, retrier in enumerate(state.retriers):
            if error_matches(retrier.error_equals, err.error, task_failure=err.task_failure):
                count = self.case.retrier_retry_count
                if count < retrier.max_attempts:
                    delay = retrier.delay(count)
                    seconds = int(delay) if float(delay).is_integer() else delay
                    self.inspection.put_value(
                        "errorDetails",
                        {"retryBackoffIntervalSeconds": seconds, "retryIndex": index},
                    )
                    return self.response("RETRIABLE", error=err)
                break
        for catcher in state.catchers:
            if error_matches(catcher.error_equals, err.error, task_failure=err.task_failure):
                try:
                    output = state.caught(self.frame, self.raw, catcher, err, self.context)
                except StatesError as exc:
                    return self.response("FAILED", error=exc)
                self.inspection.put_value("errorDetails", {"catchIndex": catcher.index})
                return self.response(
                    "CAUGHT_ERROR", output=output, next_state=catcher.next, error=err
                )
        return self.response("FAILED", error=err)

    def run(self) -> dict[str, Any]:
        self.inspection.put("input", self.raw)
        runner = getattr(self, f"_{self.state.type_name.lower()}")
        try:
            output, next_state = runner()
        except StatesError as err:
            return self.failed(err)
        return self.response("SUCCEEDED", output=output, next_state=next_state)

    # -- the JSONPath result steps ----------------------------------------------------------
    def _jsonpath_result(self, result: Any) -> Any:
        """ResultSelector, Assign, ResultPath and OutputPath of a JSONPath state's result."""
        flow = self.state.dataflow
        selected = flow.select_result(result, self.context)
        self.inspection.put("afterResultSelector", selected)
        values = None
        if self.state.assign is not None:
            values = self.state.assign.evaluate_jsonpath(selected, self.context)
        combined = flow.apply_result(self.raw, selected)
        self.inspection.put("afterResultPath", combined)
        output = flow.output(combined, self.context)
        if values is not None:
            self.frame.assign(values)
        return output

    def _jsonata_result(self, result: Any) -> Any:
        state_exit = self.state.jsonata.finish(self.raw, self.context, self.frame.variables, result)
        if state_exit.assigned is not None:
            self.frame.assign(state_exit.assigned)
        return state_exit.output

    def _after_input_path(self) -> Any:
        value = self.state.dataflow.select_input(self.raw, self.context)
        self.inspection.put("afterInputPath", value)
        return value

    def _mock_error(self) -> StatesError | None:
        mock = self.case.mock
        if mock is None or not mock.has_error:
            return None
        return StatesError(mock.error, mock.cause)  # type: ignore[arg-type]

    # -- each state type ----------------------------------------------------------------------
    def _pass(self) -> tuple[Any, str | None]:
        state = self.state
        if self.jsonata:
            return state.execute(self.frame, self.raw, self.context)
        flow = state.dataflow
        if "Result" in state.spec:
            result = copy.deepcopy(state.spec["Result"])
            self.inspection.put("result", result)
        else:
            self._after_input_path()
            result = flow.effective_input(self.raw, self.context)
            self.inspection.put("afterParameters", result)
        self.inspection.put("afterResultSelector", result)
        values = None
        if state.assign is not None:
            values = state.assign.evaluate_jsonpath(result, self.context)
        combined = flow.apply_result(self.raw, result)
        self.inspection.put("afterResultPath", combined)
        output = flow.output(combined, self.context)
        if values is not None:
            self.frame.assign(values)
        return output, state.next

    def _simple(self) -> tuple[Any, str | None]:
        if not self.jsonata:
            self._after_input_path()
        return self.state.execute(self.frame, self.raw, self.context)

    _succeed = _choice = _fail = _simple

    def _wait(self) -> tuple[Any, str | None]:
        state = self.state
        if self.jsonata:
            flow, variables = state.jsonata, self.frame.variables
            flow.wait_seconds(self.raw, self.context, variables)
            flow.wait_timestamp(self.raw, self.context, variables)
            state_exit = flow.finish(self.raw, self.context, variables)
            if state_exit.assigned is not None:
                self.frame.assign(state_exit.assigned)
            return state_exit.output, state.next
        value = self._after_input_path()
        state._seconds(self.frame, value, self.context)  # the Wait's own check of its fields
        return state.dataflow.output(value, self.context), state.next

    def _task(self) -> tuple[Any, str | None]:
        state = self.state
        mock = self.case.mock
        if mock is not None and mock.has_result and mock.field_validation_mode != "NONE":
            problem = self.check_mock(state.task_resource, mock.result, mock.field_validation_mode)
            if problem is not None:
                raise ValidationException(f"Mock result schema validation error: {problem}")
        resource = state.task_resource
        if resource.pattern == WAIT_FOR_TASK_TOKEN and resource.kind != ACTIVITY:
            task = self.plain_context.setdefault("Task", {})
            task.setdefault("Token", str(uuid.uuid4()))
        if self.jsonata:
            task_input = state.jsonata.effective_input(self.raw, self.context, self.frame.variables)
            self.inspection.put("afterArguments", task_input)
        else:
            self._after_input_path()
            task_input = state.dataflow.effective_input(self.raw, self.context)
            self.inspection.put("afterParameters", task_input)
        error = self._mock_error()
        if error is not None:
            error.task_failure = True
            raise error
        if mock is not None:
            result = copy.deepcopy(mock.result)
        else:
            result = self.run_task(state, self.case.spec, self.raw, self.case.variables)
        self.inspection.put("result", result)
        if self.jsonata:
            return self._jsonata_result(result), state.next
        return self._jsonpath_result(result), state.next

    def _parallel(self) -> tuple[Any, str | None]:
        state = self.state
        if self.jsonata:
            value = state.jsonata.effective_input(self.raw, self.context, self.frame.variables)
            if "Arguments" in state.spec:
                self.inspection.put("afterArguments", value)
        else:
            state.dataflow.effective_input(self.raw, self.context)
        error = self._mock_error()
        if error is not None:
            raise error
        result = copy.deepcopy(self.case.mock.result)  # type: ignore[union-attr]
        if self.jsonata:
            return self._jsonata_result(result), state.next
        return self._jsonpath_result(result), state.next

    def _map_items(self, value: Any) -> list[Any]:
        state, case = self.state, self.case
        if "ItemReader" in state.spec:
            items = case.map_item_reader_data if case.has_item_reader_data else []
            if not isinstance(items, list):
                raise runtime_error("The ItemReader data must be an array")
            return items
        if self.jsonata:
            return state.jsonata.map_items(value, self.context, self.frame.variables)
        items = lookup(state.items_path, value, self.context)
        if not isinstance(items, list):
            source = state.items_path.source
            shown = source[1:] if source.startswith("$$") else source
            raise StatesError("States.Runtime", f'Reference path "{shown}" must point to array.')
        self.inspection.put("afterItemsPath", items)
        return items

    def _map_limits(self, value: Any) -> tuple[int, Any, Any]:
        """(MaxConcurrency, ToleratedFailureCount, ToleratedFailurePercentage) of the Map."""
        state, context = self.state, self.context
        if self.jsonata:
            flow, variables = state.jsonata, self.frame.variables
            return (
                flow.max_concurrency_value(value, context, variables) or 0,
                flow.tolerated_failure_count_value(value, context, variables),
                flow.tolerated_failure_percentage_value(value, context, variables),
            )
        concurrency = state.max_concurrency
        count, percentage = state.tolerated_count, state.tolerated_percentage
        if state.max_concurrency_path is not None:
            concurrency = state._number(
                state.max_concurrency_path, "MaxConcurrencyPath", value, context, True
            )
        if state.tolerated_count_path is not None:
            count = state._number(
                state.tolerated_count_path, "ToleratedFailureCountPath", value, context, True
            )
        if state.tolerated_percentage_path is not None:
            percentage = state._number(
                state.tolerated_percentage_path,
                "ToleratedFailurePercentagePath",
                value,
                context,
                False,
            )
        return concurrency, count, percentage

    def _map(self) -> tuple[Any, str | None]:
        state, case = self.state, self.case
        value = self.raw if self.jsonata else self._after_input_path()
        no_items = "ItemReader" not in state.spec and "Items" not in state.spec
        if self.jsonata and no_items and type(value) is not list:
            state.prepare(self.frame, self.raw, self.context)  # raises the Map's own error
        items = self._map_items(value)
        concurrency, count, percentage = self._map_limits(value)
        self.inspection.put_value("maxConcurrency", concurrency)
        if count is not None:
            self.inspection.put_value("toleratedFailureCount", count)
        if percentage is not None:
            self.inspection.put_value("toleratedFailurePercentage", float(percentage))
        if not self.jsonata and state.selector is not None:
            selected = [
                state.select_item(self.frame, value, index, item, self.context)
                for index, item in enumerate(items)
            ]
            self.inspection.put("afterItemSelector", selected)
        error = self._mock_error()
        if error is not None:
            raise error
        failures = case.map_iteration_failure_count or 0
        if count is not None or percentage is not None:
            allowed: float = count if count is not None else math.inf
            if percentage is not None:
                allowed = min(allowed, math.floor(len(items) * percentage / 100))
            if failures > allowed:
                raise StatesError(
                    STATES_EXCEED_TOLERATED_FAILURE_THRESHOLD,
                    "The specified tolerated failure threshold was exceeded",
                )
        result = copy.deepcopy(case.mock.result)  # type: ignore[union-attr]
        if self.jsonata:
            return self._jsonata_result(result), state.next
        return self._jsonpath_result(result), state.next


def run_test_state(
    case: TestStateCase,
    context: dict[str, Any],
    *,
    run_task: TaskRunner,
    check_mock: MockChecker,
) -> dict[str, Any]:
    """The TestState response for ``case``, its state seeing ``context`` as ``$$``."""
    return _Run(case, context, run_task, check_mock).run()
