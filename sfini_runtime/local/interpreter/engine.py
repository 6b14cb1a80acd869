"""The Engine: the interpreter's API for the HTTP service (and for tests).

Thread-safe: every public method takes the one engine lock briefly; the scheduler thread runs
the executions. ``get_activity_task`` blocks outside the lock.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..errors import ExecutionDoesNotExist, InvalidOutput
from .activities import ActivityBroker, ActivityTask
from .clock import Clock
from .definition import CompiledDefinition, compile_definition, validate_definition
from .execution import RUNNING, Execution, ExecutionRecord
from .history import NOT_TRUNCATED, History, parse_json, utc_now
from .host import ExecutionHost
from .journal import Journal
from .replay import RecordedIntegrations, ReplayHistory
from .scheduler import Scheduler
from .task_calls import IntegrationHost, NoIntegrations

#: finished executions an engine keeps by default (AWS keeps them for 90 days)
DEFAULT_RETAINED_EXECUTIONS = 10_000


class Engine:
    """Runs executions of ASL definitions. Thread-safe. One scheduler thread, no thread per
    execution.

    ``retained_executions`` finished executions are kept (the oldest are forgotten first,
    and ``on_forget(execution_arn)`` is called for each); running executions are always kept.

    ``time_scale`` multiplies every duration: Waits, retry intervals and time-outs (a Task's
    TimeoutSeconds and HeartbeatSeconds, the machine's TimeoutSeconds). At 0, Waits and retry
    intervals take no time and time-outs are not armed at all (a time-out scaled to zero would
    fire before any worker could answer); test time-outs with a small positive scale such as
    0.01. ``activity_exists(arn)`` tells whether an activity exists (a Task on a missing one
    fails as on AWS); by default every activity exists.

    ``journal`` (None: the default, nothing recorded) is told every event, task token,
    worker answer and ending as it happens (``journal.Journal``); a durable engine passes one,
    with the ``token_key`` its task tokens are signed with, and brings its executions back
    with :meth:`restore_finished` and :meth:`resume_execution` after a restart.
    """

    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        activity_exists: Callable[[str], bool] | None = None,
        retained_executions: int = DEFAULT_RETAINED_EXECUTIONS,
        on_forget: Callable[[str], None] | None = None,
        integrations: IntegrationHost | None = None,
        region: str = "us-east-1",
        journal: Journal | None = None,
        token_key: bytes | None = None,
    ) -> None:
        if time_scale < 0:
            raise ValueError("time_scale must be >= 0")
        if retained_executions < 1:
            raise ValueError("retained_executions must be >= 1")
        self.clock = Clock(time_scale)
        self.time_scale = self.clock.time_scale
        self.retained_executions = retained_executions
        self._on_forget = on_forget
        self._finished: deque[str] = deque()
        self.lock = threading.Lock()
        self.scheduler = Scheduler(self.lock)
        self.activities = ActivityBroker(self.scheduler, self.clock, token_key)
        self.journal = journal
        self._executions: dict[str, Execution] = {}
        self._closed = False
        #: chooses what a Task other than an activity calls (mocks, Lambda, services)
        self.integrations: IntegrationHost = integrations or NoIntegrations()
        self.region = region
        #: what executions and their states are given instead of the engine
        self.host = ExecutionHost(
            lock=self.lock,
            scheduler=self.scheduler,
            clock=self.clock,
            activities=self.activities,
            integrations=(
                self.integrations if journal is None else RecordedIntegrations(self.integrations)
            ),
            region=region,
            activity_exists=activity_exists,
            ended=self._execution_ended,
            journal=journal,
        )

    def timeout_delay(self, seconds: float) -> float | None:
        """Real seconds until a time-out of ``seconds`` fires; None: do not arm it (scale 0)."""
        return self.clock.timeout_delay(seconds)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the scheduler thread (idempotent)."""
        self.scheduler.start()

    def close(self) -> None:
        """Stop the scheduler thread and wake every blocked poller."""
        with self.lock:
            self._closed = True
            self.activities.wake_all()
        self.scheduler.close()

    def __enter__(self) -> Engine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- definitions ------------------------------------------------------------------------
    def compile(self, definition: str) -> CompiledDefinition:
        """Compile ASL JSON; raises ``errors.InvalidDefinition`` with AWS's message format."""
        return compile_definition(definition)

    def validate(self, definition: str) -> list[dict[str, str]]:
        """ValidateStateMachineDefinition diagnostics (empty list: valid)."""
        return validate_definition(definition)

    # -- executions -------------------------------------------------------------------------
    def start_execution(
        self,
        *,
        definition: CompiledDefinition,
        execution_arn: str,
        state_machine_arn: str,
        state_machine_name: str,
        execution_name: str,
        input_text: str,
        role_arn: str,
        start_date: datetime | None = None,
        state_machine_type: str = "STANDARD",
        on_end: Callable[[ExecutionRecord], None] | None = None,
        state_machine_alias_arn: str | None = None,
        state_machine_version_arn: str | None = None,
        test_case: str | None = None,
    ) -> ExecutionRecord:
        """Start an execution; returns at once (RUNNING, ExecutionStarted in history).

        ``test_case`` names the mock configuration's test case the execution runs (Step
        Functions Local's ``stateMachineArn#TestCase``)."""
        input_value = json.loads(input_text)
        record = ExecutionRecord(
            execution_arn=execution_arn,
            state_machine_arn=state_machine_arn,
            name=execution_name,
            state_machine_type=state_machine_type,
            status=RUNNING,
            start_date=start_date or utc_now(),
            stop_date=None,
            input=input_text,
            output=None,
            error=None,
            cause=None,
            history=[],
        )
        execution = Execution(
            self.host,
            definition,
            record,
            role_arn=role_arn,
            state_machine_name=state_machine_name,
            input_value=input_value,
            on_end=on_end,
            test_case=test_case,
        )
        details: dict[str, Any] = {
            "input": input_text,
            "inputDetails": NOT_TRUNCATED,
            "roleArn": role_arn,
        }
        if state_machine_alias_arn:
            details["stateMachineAliasArn"] = state_machine_alias_arn
        if state_machine_version_arn:
            details["stateMachineVersionArn"] = state_machine_version_arn
        with self.lock:
            self._executions[execution_arn] = execution
            execution.begin(input_value, input_text, details)
        return record

    def restore_finished(
        self, record: ExecutionRecord, definition: CompiledDefinition, role_arn: str, name: str
    ) -> None:
        """Take back an execution that had ended before a restart (its record is final)."""
        history = History()
        history.events.extend(record.history)
        execution = Execution(
            self.host,
            definition,
            record,
            role_arn=role_arn,
            state_machine_name=name,
            input_value=None,
            on_end=None,
            history=history,
        )
        execution.ended = True
        record.done.set()
        with self.lock:
            self._executions[record.execution_arn] = execution
            self._finished.append(record.execution_arn)

    def resume_execution(
        self,
        record: ExecutionRecord,
        definition: CompiledDefinition,
        *,
        role_arn: str,
        state_machine_name: str,
        test_case: str | None = None,
    ) -> ExecutionRecord:
        """Go on with an execution that was running when the engine stopped: ``record``
        holds its recorded history; it runs again from its input, the record answering
        until it runs out (``replay.ReplayHistory``)."""
        journal = self.journal
        arn = record.execution_arn
        sink = (lambda event: journal.event_added(arn, event)) if journal else (lambda event: None)
        history = ReplayHistory(record.history, sink)
        input_value = json.loads(record.input)
        execution = Execution(
            self.host,
            definition,
            record,
            role_arn=role_arn,
            state_machine_name=state_machine_name,
            input_value=input_value,
            on_end=None,
            test_case=test_case,
            history=history,
        )
        with self.lock:
            self._executions[arn] = execution
            execution.resume(input_value, record.input)
        return record

    def stop_execution(
        self, execution_arn: str, *, error: str | None = None, cause: str | None = None
    ) -> datetime:
        """Abort a running execution (ExecutionAborted); returns the stop date."""
        with self.lock:
            execution = self._get(execution_arn)
            execution.abort(error, cause)
            return execution.record.stop_date  # type: ignore[return-value]

    def terminate_at_next_transition(
        self,
        execution_arn: str,
        error: str,
        cause: str,
        on_end: Callable[[ExecutionRecord], None],
    ) -> bool:
        """Fail a running execution with ``error``/``cause`` when it next enters a state (AWS's
        treatment of the executions of a deleted state machine); ``on_end(record)`` runs once
        it has ended. False when the execution is not running (``on_end`` is not called)."""
        with self.lock:
            execution = self._executions.get(execution_arn)
            if execution is None or execution.ended:
                return False
            execution.terminate = (error, cause)
            previous = execution.on_end

            def ended(record: ExecutionRecord) -> None:
                if previous is not None:
                    previous(record)
                on_end(record)

            execution.on_end = ended
            return True

    def when_ended(self, execution_arn: str, callback: Callable[[ExecutionRecord], None]) -> None:
        """Call ``callback(record)`` once the execution has ended (soon, when it already has),
        on the scheduler thread without the lock; raises ``errors.ExecutionDoesNotExist``."""
        with self.lock:
            execution = self._get(execution_arn)
            if execution.ended:
                self.scheduler.defer(callback, execution.record)
                return
            previous = execution.on_end

            def ended(record: ExecutionRecord) -> None:
                if previous is not None:
                    previous(record)
                callback(record)

            execution.on_end = ended

    def get_execution(self, execution_arn: str) -> ExecutionRecord:
        """The live record of an execution; raises ``errors.ExecutionDoesNotExist``."""
        return self._get(execution_arn).record

    def test_case_of(self, execution_arn: str) -> str | None:
        """The mock test case an execution runs (None: none, or no such execution)."""
        execution = self._executions.get(execution_arn)
        return None if execution is None else execution.test_case

    def _get(self, execution_arn: str) -> Execution:
        execution = self._executions.get(execution_arn)
        if execution is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{execution_arn}'")
        return execution

    def _execution_ended(self, execution: Execution) -> None:
        if execution.on_end is not None:
            self.scheduler.defer(execution.on_end, execution.record)
        # retention: only the newest finished executions stay (running ones always do)
        journal = self.journal
        if journal is not None:
            journal.execution_ended(execution.record)
        finished = self._finished
        finished.append(execution.record.execution_arn)
        while len(finished) > self.retained_executions:
            arn = finished.popleft()
            self._executions.pop(arn, None)
            if journal is not None:
                journal.execution_forgotten(arn)
            if self._on_forget is not None:
                self.scheduler.defer(self._on_forget, arn)

    # -- activities -------------------------------------------------------------------------
    def get_activity_task(
        self, activity_arn: str, worker_name: str | None, wait_seconds: float = 60.0
    ) -> tuple[str, str] | None:
        """Long-poll for a task (real seconds): ``(task_token, input_text)`` or None."""
        with self.lock:
            if self._closed:
                return None
            taken = self.activities.take(activity_arn, worker_name)
            if isinstance(taken, ActivityTask):
                return taken.token, taken.input_text
            waiter = taken
        waiter.event.wait(max(0.0, wait_seconds))
        task = waiter.task  # set before the event, so no lock is needed to read it
        if task is not None:
            return task.token, task.input_text
        with self.lock:
            task = waiter.task
            if task is not None:
                return task.token, task.input_text
            self.activities.give_up(activity_arn, waiter)
            return None

    def send_task_success(self, task_token: str, output: str) -> None:
        """A worker's result; raises InvalidToken, TaskDoesNotExist, TaskTimedOut, InvalidOutput."""
        try:
            parse_json(output)
        except (TypeError, ValueError) as exc:
            with self.lock:
                self.activities.lookup(task_token)
            raise InvalidOutput(f"Invalid Output: {exc}") from None
        with self.lock:
            task = self.activities.lookup(task_token)
            self.activities.retire(task, "done")
            if self.journal is not None:
                self.journal.task_answered(task_token, ("succeeded", output))
            task.deliver(("succeeded", output))

    def send_task_failure(
        self, task_token: str, error: str | None = None, cause: str | None = None
    ) -> None:
        """A worker's failure; raises InvalidToken, TaskDoesNotExist, TaskTimedOut."""
        with self.lock:
            task = self.activities.lookup(task_token)
            self.activities.retire(task, "done")
            if self.journal is not None:
                self.journal.task_answered(task_token, ("failed", error, cause))
            task.deliver(("failed", error, cause))

    def send_task_heartbeat(self, task_token: str) -> None:
        """A worker is alive; restarts the heartbeat clock."""
        with self.lock:
            task = self.activities.lookup(task_token)
            self.activities.arm_heartbeat(task)


__all__ = ["Engine"]
