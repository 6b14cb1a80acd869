"""Executions and their frames: the state-to-state loop and how an execution ends.

An execution has one root *frame* plus one per running Parallel branch or Map iteration.
A frame wraps a generator (:func:`run_graph`) that the scheduler steps; it yields one of
three instructions: ``(SLEEP, seconds)`` (a Wait, a retry interval), ``(PARK,)`` (waiting for
an activity worker or for child frames; someone else resumes it) and ``(YIELD,)`` (give other
executions a turn). Everything here runs on the scheduler thread with the engine lock held.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .failures import StatesError
from .history import (
    NOT_TRUNCATED,
    History,
    HistoryLimitExceeded,
    exceeds_payload_limit,
    format_timestamp,
    to_json,
    utc_now,
)
from .jsonpath.variables import restore_error
from .states.base import wrap_error
from .variables import VariableScope, assigned_variables_details, bind_context

if TYPE_CHECKING:
    from .definition import CompiledDefinition, Graph
    from .host import ExecutionHost
    from .scheduler import Timer

log = logging.getLogger(__name__)

SLEEP = "sleep"
PARK = "park"
YIELD = "yield"
_PARK = (PARK,)
_YIELD = (YIELD,)
#: state transitions a frame makes before letting other work run
TRANSITIONS_PER_TURN = 200

RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED = (
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "TIMED_OUT",
    "ABORTED",
)


@dataclass
class ExecutionRecord:
    """What the service reads about an execution (live: updated as the execution runs)."""

    execution_arn: str
    state_machine_arn: str
    name: str
    state_machine_type: str
    status: str
    start_date: datetime
    stop_date: datetime | None
    input: str
    output: str | None
    error: str | None
    cause: str | None
    history: list[dict[str, Any]]
    done: threading.Event = field(default_factory=threading.Event)


def data_limit_error(state_name: str) -> StatesError:
    """AWS's error for a payload over 256 KiB."""
    err = StatesError(
        "States.DataLimitExceeded",
        f"The state/task '{state_name}' returned a result with a size exceeding the maximum "
        "number of bytes service limit.",
    )
    err.verbatim = True  # type: ignore[attr-defined]
    return err


class ExecutionTerminated(Exception):
    """The execution's state machine was deleted: it ends at its next state transition."""


def run_graph(frame: Frame, graph: Graph, value: Any, text: str | None = None) -> Generator:
    """Run the states of ``graph`` from its StartAt; returns ``(output, output_text)``."""
    execution = frame.execution
    add = execution.history.add
    states = graph.states
    state = states[graph.start_at]
    budget = TRANSITIONS_PER_TURN
    while True:
        if execution.terminate is not None:
            raise ExecutionTerminated
        frame.state = state
        if text is None:
            text = to_json(value)
        entered = add(
            state.entered_type,
            frame.last,
            {"name": state.name, "input": text, "inputDetails": NOT_TRUNCATED},
        )
        frame.last = frame.entered_id = entered
        if state.needs_context:
            context = execution.context(state.name, entered_id=entered)
            if state.uses_variables:  # JSONPath fields reading $var: compiled for this
                context = bind_context(context, frame.variables)
        else:
            context = None
        if state.simple:
            output, target = state.execute(frame, value, context)
        else:
            output, target = yield from state.run(frame, value, context, entered)
        text = to_json(output)
        if exceeds_payload_limit(text):
            raise data_limit_error(state.name)
        exited = {"name": state.name, "output": text, "outputDetails": NOT_TRUNCATED}
        if frame.assigned is not None:
            exited = {**assigned_variables_details(frame.assigned), **exited}
            frame.assigned = None
        frame.last = add(state.exited_type, frame.last, exited)
        frame.state = None
        if target is None:
            return output, text
        value = output
        state = states[target]
        budget -= 1
        if not budget:
            budget = TRANSITIONS_PER_TURN
            yield _YIELD


class ChildGroup:
    """Child frames (Parallel branches, Map iterations) whose ends a parent frame awaits."""

    __slots__ = ("finished", "frames", "parent", "waiting")

    def __init__(self, parent: Frame) -> None:
        self.parent = parent
        self.frames: list[Frame] = []
        self.finished: deque[tuple[Frame, bool, Any]] = deque()
        self.waiting = False

    def child_done(self, child: Frame, ok: bool, value: Any) -> None:
        self.finished.append((child, ok, value))
        if self.waiting:
            self.waiting = False
            self.parent.resume(None)

    def wait(self) -> tuple[Any, ...]:
        """The instruction that parks the parent until a child has finished."""
        if self.finished:
            return _YIELD
        self.waiting = True
        return _PARK

    def cancel_all(self) -> None:
        """Stop every child still running (after a failure)."""
        for child in self.frames:
            if child.alive:
                child.cancel()

    def abort_running(self, cause_id: int, map_name: str | None = None) -> None:
        """Stop every child still running because a sibling failed, as AWS records it: the
        running state's ``<Type>StateAborted`` (then ``MapIterationAborted`` for a Map
        iteration), each following ``cause_id``, the event that made the sibling fail."""
        parent = self.parent
        for child in self.frames:
            if not child.alive:
                continue
            if child.state is not None:
                child.last = cause_id
                child.state.abort(child)
            if map_name is not None and child.iteration is not None:
                parent.last = cause_id
                parent.add_event(
                    "MapIterationAborted", {"index": child.iteration[0], "name": map_name}
                )
            child.cancel()
        parent.last = cause_id


class Frame:
    """One thread of control inside an execution."""

    __slots__ = (
        "alive",
        "assigned",
        "blocker",
        "children",
        "entered_id",
        "execution",
        "gen",
        "group",
        "iteration",
        "last",
        "parent",
        "state",
        "variables",
    )

    def __init__(
        self,
        execution: Execution,
        last: int,
        group: ChildGroup | None = None,
        iteration: tuple[int, str] | None = None,
    ) -> None:
        self.execution = execution
        self.last = last
        self.entered_id = 0
        self.group = group
        self.parent = group.parent if group is not None else None
        self.iteration = iteration  # (index, map state name) for Map iterations
        # workflow variables: a branch or iteration reads its parent's, assigns its own
        self.variables = self.parent.variables.child() if self.parent else VariableScope()
        #: what the current state assigned (reported in its StateExited event)
        self.assigned: dict[str, Any] | None = None
        self.gen: Generator | None = None
        self.alive = True
        self.blocker: Any = None  # a Timer or an ActivityTask to cancel on abort
        self.state: Any = None
        self.children: list[Frame] = []
        execution.frames.append(self)
        if self.parent is not None:
            self.parent.children.append(self)

    # -- helpers for states ----------------------------------------------------------------
    def add_event(self, event_type: str, details: Any = None) -> int:
        """Record an event following this frame's last one."""
        self.last = self.execution.history.add(event_type, self.last, details)
        return self.last

    def assign(self, values: dict[str, Any]) -> None:
        """Set workflow variables in this frame's scope (after the state's work is done)."""
        self.variables.assign(values)
        self.assigned = values

    def evaluation_failed(self, err: StatesError, state_name: str) -> None:
        """Record EvaluationFailed for a JSONata error of ``state_name`` (once per error)."""
        details = getattr(err, "evaluation_failed_details", None)
        if details is not None and not getattr(err, "recorded", False):
            err.recorded = True  # type: ignore[attr-defined]
            self.add_event("EvaluationFailed", details(state_name))

    def now(self) -> datetime:
        """The moment the frame's current state began, for the arithmetic of a Wait until a
        timestamp: now, or when a resumed execution replays the state, when it was entered."""
        history = self.execution.history
        if 0 < self.entered_id <= history.recorded:  # entered before the restart
            return history.timestamp_of(self.entered_id)  # type: ignore[attr-defined]
        return datetime.now(timezone.utc)

    def sleep_instruction(self, seconds: float) -> tuple[Any, ...]:
        """The instruction for waiting ``seconds`` (scaled by the host's clock)."""
        return (SLEEP, self.execution.host.clock.sleep_seconds(seconds))

    @staticmethod
    def park_instruction() -> tuple[Any, ...]:
        """The instruction for waiting until someone calls resume/fail."""
        return _PARK

    def spawn(
        self,
        group: ChildGroup,
        graph: Graph,
        value: Any,
        last: int,
        iteration: tuple[int, str] | None = None,
    ) -> Frame:
        """Start a child frame running ``graph`` on ``value``."""
        child = Frame(self.execution, last, group, iteration)
        group.frames.append(child)
        child.gen = run_graph(child, graph, value)
        self.execution.host.scheduler.call_soon(child.step, None, None)
        return child

    # -- driven by the scheduler -----------------------------------------------------------
    def resume(self, value: Any) -> None:
        """Continue this frame with ``value`` (from any code holding the lock)."""
        self.blocker = None
        self.execution.host.scheduler.call_soon(self.step, value, None)

    def fail(self, error: BaseException) -> None:
        """Continue this frame by raising ``error`` into it."""
        self.blocker = None
        self.execution.host.scheduler.call_soon(self.step, None, error)

    def step(self, value: Any, error: BaseException | None) -> None:
        """Advance the generator to its next instruction."""
        if not self.alive:
            return
        execution = self.execution
        gen = self.gen
        try:
            instruction = gen.send(value) if error is None else gen.throw(error)  # type: ignore[union-attr]
        except StopIteration as stop:
            self.alive = False
            output, text = stop.value
            if self.group is not None:
                self.group.child_done(self, True, output)
            else:
                execution.succeed(text)
            return
        except StatesError as err:
            self.alive = False
            state = self.state
            if state is not None:
                if state.uses_variables:
                    err = restore_error(err)
                err = wrap_error(err, state.name, self.entered_id)
                self.evaluation_failed(err, state.name)
            if self.group is not None:
                self.group.child_done(self, False, err)
            else:
                execution.fail(err.error, err.cause, self.last)
            return
        except ExecutionTerminated:
            self.alive = False
            error, cause = execution.terminate  # type: ignore[misc]
            execution.fail(error, cause, self.last)
            return
        except HistoryLimitExceeded:
            self.alive = False
            execution.fail(
                "States.Runtime",
                "The execution reached the maximum number of history events (25000).",
                self.last,
            )
            return
        except Exception as exc:  # a bug: fail the execution, keep the engine running
            self.alive = False
            log.exception("execution %s failed inside the engine", execution.record.execution_arn)
            execution.fail("States.Runtime", f"Internal engine error: {exc!r}", self.last)
            return
        kind = instruction[0]
        if kind is SLEEP:
            delay = instruction[1]
            history = execution.history
            if 0 < self.last <= history.recorded:  # began before the restart: what is left
                delay = history.remaining_sleep(self.last, delay)  # type: ignore[attr-defined]
            self.blocker = execution.host.scheduler.call_later(delay, self.step, None, None)
        elif kind is YIELD:
            execution.host.scheduler.call_soon(self.step, None, None)
        # PARK: whoever holds the blocker resumes the frame

    def cancel(self) -> None:
        """Stop this frame and its children without recording anything."""
        self.alive = False
        for child in self.children:
            if child.alive:
                child.cancel()
        blocker = self.blocker
        self.blocker = None
        if blocker is not None:
            blocker.cancel()
        if self.gen is not None:
            try:
                self.gen.close()
            except Exception:  # closing must never break an abort
                log.exception("closing a frame failed")


class Execution:
    """A running (or ended) execution of a compiled definition."""

    def __init__(
        self,
        host: ExecutionHost,
        definition: CompiledDefinition,
        record: ExecutionRecord,
        *,
        role_arn: str,
        state_machine_name: str,
        input_value: Any,
        on_end: Callable[[ExecutionRecord], None] | None,
        test_case: str | None = None,
        history: History | None = None,
    ) -> None:
        #: the engine's scheduler, clock, activity broker and integrations
        self.host = host
        #: the mock configuration's test case this execution runs (None: no mocks)
        self.test_case = test_case
        #: calls each Task state has made so far (a mock's invocation number)
        self.invocations: dict[str, int] = {}
        self.definition = definition
        self.record = record
        if history is None:
            history = host.new_history(record.execution_arn)
        self.history = history
        record.history = history.events
        self.frames: list[Frame] = []
        self.on_end = on_end
        self.ended = False
        self.timeout_timer: Timer | None = None
        self.tasks: set[Any] = set()  # outstanding ActivityTasks
        #: (error, cause) to fail with at the next state transition (state machine deleted)
        self.terminate: tuple[str, str] | None = None
        self.context_execution = {
            "Id": record.execution_arn,
            "Input": input_value,
            "StartTime": format_timestamp(record.start_date),
            "Name": record.name,
            "RoleArn": role_arn,
            "RedriveCount": 0,
        }
        self.context_state_machine = {"Id": record.state_machine_arn, "Name": state_machine_name}

    def count_invocation(self, state_name: str) -> int:
        """Number this call of ``state_name``'s task (0 for the first, retries count)."""
        index = self.invocations.get(state_name, 0)
        self.invocations[state_name] = index + 1
        return index

    def context(
        self, state_name: str, extra: dict[str, Any] | None = None, entered_id: int = 0
    ) -> dict[str, Any]:
        """The context object ``$$`` for the state just entered (event ``entered_id``; by
        default the newest event)."""
        entered = self.history.events[entered_id - 1]["timestamp"]
        ctx = {
            "Execution": self.context_execution,
            "StateMachine": self.context_state_machine,
            "State": {"Name": state_name, "EnteredTime": format_timestamp(entered)},
        }
        if extra:
            ctx.update(extra)
        return ctx

    # -- start and end ---------------------------------------------------------------------
    def begin(self, input_value: Any, input_text: str, started_details: dict[str, Any]) -> None:
        """Record ExecutionStarted and queue the root frame."""
        self.history.add("ExecutionStarted", 0, started_details, timestamp=self.record.start_date)
        root = Frame(self, 0)
        root.gen = run_graph(root, self.definition.graph, input_value, input_text)
        scheduler = self.host.scheduler
        timeout = self.definition.timeout_seconds
        delay = None if timeout is None else self.host.timeout_delay(timeout)
        if delay is not None:
            self.timeout_timer = scheduler.call_later(delay, self.time_out)
        scheduler.call_soon(root.step, None, None)

    def resume(self, input_value: Any, input_text: str) -> None:
        """Run a resumed execution again from its input on its recorded history (a
        ``ReplayHistory``), its TimeoutSeconds re-armed for the time left."""
        root = Frame(self, 0)
        root.gen = run_graph(root, self.definition.graph, input_value, input_text)
        scheduler = self.host.scheduler
        timeout = self.definition.timeout_seconds
        delay = None if timeout is None else self.host.timeout_delay(timeout)
        if delay is not None:
            elapsed = (utc_now() - self.record.start_date).total_seconds()
            self.timeout_timer = scheduler.call_later(max(0.0, delay - elapsed), self.time_out)
        scheduler.call_soon(root.step, None, None)

    def succeed(self, output_text: str) -> None:
        """The root frame returned: ExecutionSucceeded."""
        if self.ended:
            return
        last = self.history.last_id
        self.history.add(
            "ExecutionSucceeded",
            last,
            {"output": output_text, "outputDetails": NOT_TRUNCATED},
            final=True,
        )
        self.record.output = output_text
        self._end(SUCCEEDED)

    def fail(self, error: str | None, cause: str | None, last: int | None = None) -> None:
        """The root frame raised: ExecutionFailed."""
        if self.ended:
            return
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.cancel_frames()
        self.history.add(
            "ExecutionFailed",
            self.history.last_id if last is None else last,
            details,
            final=True,
        )
        self.record.error, self.record.cause = error, cause
        self._end(FAILED)

    def time_out(self) -> None:
        """The machine's TimeoutSeconds passed: ExecutionTimedOut."""
        if self.ended:
            return
        self.timeout_timer = None
        self.cancel_frames()
        # AWS: empty details, and DescribeExecution of a TIMED_OUT execution has no error
        self.history.add("ExecutionTimedOut", self.history.last_id, {}, final=True)
        self._end(TIMED_OUT)

    def abort(self, error: str | None, cause: str | None) -> None:
        """StopExecution: the running states' Aborted events, then ExecutionAborted."""
        if self.ended:
            return
        for frame in reversed(self.frames):
            if not frame.alive:
                continue
            try:
                if frame.state is not None:
                    frame.state.abort(frame)
                if frame.iteration is not None:
                    index, name = frame.iteration
                    frame.add_event("MapIterationAborted", {"index": index, "name": name})
            except HistoryLimitExceeded:
                break
        self.cancel_frames()
        details: dict[str, Any] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        self.history.add("ExecutionAborted", self.history.last_id, details, final=True)
        self.record.error, self.record.cause = error, cause
        self._end(ABORTED)

    def cancel_frames(self) -> None:
        """Stop every frame and withdraw every outstanding activity task."""
        for frame in self.frames:
            if frame.alive:
                frame.cancel()
        for task in list(self.tasks):
            task.cancel()
        self.tasks.clear()

    def _end(self, status: str) -> None:
        self.ended = True
        if self.timeout_timer is not None:
            self.timeout_timer.cancel()
            self.timeout_timer = None
        self.frames = []
        record = self.record
        record.stop_date = self.history.events[-1]["timestamp"]
        record.status = status
        record.done.set()
        self.host.execution_ended(self)


__all__ = [
    "ABORTED",
    "FAILED",
    "RUNNING",
    "SUCCEEDED",
    "TIMED_OUT",
    "ChildGroup",
    "Execution",
    "ExecutionRecord",
    "ExecutionTerminated",
    "Frame",
    "run_graph",
]
