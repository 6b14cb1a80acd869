"""The engine's resources: activities, state machines, executions and their tags, in memory.

Every record carries a sequence number from one counter, giving listings a stable order that
pagination tokens can point into. The store is guarded by one re-entrant lock that operations
hold while they check-then-change (idempotent creates and starts). A durable engine gives the
store a ``journal`` (``sfini_runtime.local.persistence``) told of each new execution; without
one (the default) nothing is recorded.
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfini_runtime.local.errors import (
    ActivityDoesNotExist,
    ExecutionDoesNotExist,
    StateMachineDoesNotExist,
)
from sfini_runtime.local.interpreter.history import utc_now

MAX_TAGS = 50


def now() -> datetime:
    """The current time, tz-aware UTC, to the millisecond (as AWS stores dates)."""
    return utc_now()


@dataclass
class Activity:
    """An activity: a named queue of tasks for workers."""

    arn: str
    name: str
    creation_date: datetime
    sequence: int
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StateMachineRevision:
    """What an execution runs: the state machine as it was when the execution started."""

    arn: str
    name: str
    definition: str
    compiled: Any
    role_arn: str
    type: str
    logging_configuration: dict[str, Any]
    tracing_configuration: dict[str, Any]
    update_date: datetime
    revision_id: str | None


@dataclass
class StateMachineVersion:
    """A published, immutable revision of a state machine (``MACHINE_ARN:NUMBER``)."""

    machine_arn: str
    number: int
    revision: StateMachineRevision
    description: str | None
    creation_date: datetime
    sequence: int

    @property
    def arn(self) -> str:
        return f"{self.machine_arn}:{self.number}"


@dataclass
class StateMachineAlias:
    """A name routing executions to one or two versions by weight (``MACHINE_ARN:NAME``)."""

    machine_arn: str
    name: str
    description: str | None
    #: (version ARN, weight) pairs, weights summing to 100
    routing: list[tuple[str, int]]
    creation_date: datetime
    update_date: datetime
    sequence: int

    @property
    def arn(self) -> str:
        return f"{self.machine_arn}:{self.name}"


@dataclass
class StateMachine:
    """A state machine, its current revision, its published versions and its aliases."""

    revision: StateMachineRevision
    creation_date: datetime
    sequence: int
    tags: dict[str, str] = field(default_factory=dict)
    #: ACTIVE, or DELETING while executions of a deleted machine are still running
    status: str = "ACTIVE"
    #: published versions by number (numbers are never reused)
    versions: dict[int, StateMachineVersion] = field(default_factory=dict)
    #: the number the next published version gets
    next_version: int = 1
    #: aliases by name
    aliases: dict[str, StateMachineAlias] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return self.revision.arn

    @property
    def name(self) -> str:
        return self.revision.name

    @property
    def type(self) -> str:
        return self.revision.type


@dataclass
class Execution:
    """An execution as the service knows it; its progress lives in the engine's record."""

    arn: str
    name: str
    sequence: int
    input: str
    state_machine: StateMachineRevision
    record: Any  # sfini_runtime.local.interpreter.ExecutionRecord
    #: the version the execution runs, when started on a version or an alias
    version_arn: str | None = None
    #: the alias the execution was started on, or None
    alias_arn: str | None = None


class Store:
    """All resources of one engine (one region and account)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._sequence = itertools.count(1)
        self.activities: dict[str, Activity] = {}
        self.state_machines: dict[str, StateMachine] = {}
        #: picks the version a start on an alias runs (seed it for repeatable routing)
        self.random = random.Random()
        self.executions: dict[str, Execution] = {}
        # insertion-ordered (oldest first), so forgetting one execution is O(1)
        self._executions_by_machine: dict[str, dict[str, Execution]] = {}
        #: told of every execution added (a ``persistence.SQLiteJournal``); None: in memory
        self.journal: Any = None
        #: the test case an execution runs, by ARN, for the journal (None: none)
        self.test_case_of: Any = None

    def next_sequence(self) -> int:
        return next(self._sequence)

    def continue_sequence(self, after: int) -> None:
        """Go on numbering after ``after`` (the highest number a restored record has)."""
        self._sequence = itertools.count(after + 1)

    def activity(self, arn: str) -> Activity:
        """The activity ``arn``; ``ActivityDoesNotExist`` when there is none."""
        found = self.activities.get(arn)
        if found is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return found

    def state_machine(self, arn: str) -> StateMachine:
        """The state machine ``arn``; ``StateMachineDoesNotExist`` when there is none."""
        found = self.state_machines.get(arn)
        if found is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        return found

    def execution(self, arn: str) -> Execution:
        """The execution ``arn``; ``ExecutionDoesNotExist`` when there is none."""
        found = self.executions.get(arn)
        if found is None:
            raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
        return found

    def add_execution(self, execution: Execution) -> None:
        with self.lock:
            self.executions[execution.arn] = execution
            machine_arn = execution.state_machine.arn
            self._executions_by_machine.setdefault(machine_arn, {})[execution.arn] = execution
            if self.journal is not None:
                test_case = self.test_case_of(execution.arn) if self.test_case_of else None
                self.journal.execution_added(execution, test_case)

    def forget_execution(self, arn: str) -> None:
        """Drop a finished execution the engine no longer retains."""
        with self.lock:
            execution = self.executions.pop(arn, None)
            if execution is None:
                return
            machine_arn = execution.state_machine.arn
            of_machine = self._executions_by_machine.get(machine_arn)
            if of_machine is not None:
                of_machine.pop(arn, None)
                if not of_machine:
                    del self._executions_by_machine[machine_arn]

    def executions_of(self, state_machine_arn: str) -> list[Execution]:
        """The executions of a state machine, oldest first."""
        with self.lock:
            return list(self._executions_by_machine.get(state_machine_arn, {}).values())

    def activity_exists(self, arn: str) -> bool:
        return arn in self.activities
