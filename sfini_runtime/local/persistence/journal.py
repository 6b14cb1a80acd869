"""The SQLite journal: what the engine and the service did, written in batched transactions.

Callers only queue records (a deque append, safe from any thread and cheap under the engine
lock); :meth:`SQLiteJournal.flush` writes everything queued in one transaction. A background
thread flushes every ``FLUSH_SECONDS``, and the service flushes before it answers any call
that changed something, so whatever an answer acknowledged (an execution started, a task
token handed out, a worker's result accepted, a resource created) is committed before the
client sees it: a ``kill -9`` loses at most what was never answered.

Resource records are *syncs*: "write activity X as the store has it now" (or delete it when
the store no longer has it), read under the store lock at flush time. They are idempotent and
their order does not matter, so a change and the sync of it can never be applied out of order.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from .schema import encode_event, to_ms

if TYPE_CHECKING:
    from sfini_runtime.local.interpreter import ExecutionRecord
    from sfini_runtime.local.service.store import Execution, StateMachineRevision, Store

__all__ = ["FLUSH_SECONDS", "SQLiteJournal", "revision_body", "revision_key"]

logger = logging.getLogger(__name__)

#: the longest a history event waits for its transaction when no answer flushes sooner
FLUSH_SECONDS = 0.05


def revision_key(revision: StateMachineRevision) -> str:
    """The key a revision is stored under: its revision id; for a machine's first revision
    (which has none), ``initial@<its date in ms>``, so that a machine created again under a
    deleted one's name does not find the old machine's first revision (databases written
    before keyed it ``''``: those rows still read back, under that key)."""
    return revision.revision_id or f"initial@{to_ms(revision.update_date)}"


def revision_body(revision: StateMachineRevision) -> str:
    """A revision (without its compiled form) as JSON text."""
    return json.dumps(
        {
            "name": revision.name,
            "definition": revision.definition,
            "role_arn": revision.role_arn,
            "type": revision.type,
            "logging_configuration": revision.logging_configuration,
            "tracing_configuration": revision.tracing_configuration,
            "update_date": to_ms(revision.update_date),
            "revision_id": revision.revision_id,
        }
    )


class SQLiteJournal:
    """Records an engine's resources and executions in a state directory's database."""

    def __init__(self, connection: sqlite3.Connection, store: Store) -> None:
        self._db = connection
        self._store = store
        self._pending: deque[tuple[Any, ...]] = deque()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        #: tokens handed out before the restart: (execution ARN, ActivityScheduled id) -> token
        self.tokens: dict[tuple[str, int], str] = {}
        #: answers accepted before the restart that may have no event yet: token -> outcome
        self.answers: dict[str, tuple[Any, ...]] = {}

    # -- the interpreter's journal (``interpreter.journal.Journal``) --------------------------
    def event_added(self, execution_arn: str, event: dict[str, Any]) -> None:
        self._pending.append(("event", execution_arn, event))

    def task_scheduled(self, token: str, execution_arn: str, scheduled_id: int) -> None:
        self._pending.append(("token", token, execution_arn, scheduled_id))

    def task_answered(self, token: str, outcome: tuple[Any, ...]) -> None:
        self._pending.append(("answer", token, outcome))

    def token_for(self, execution_arn: str, scheduled_id: int) -> str | None:
        return self.tokens.get((execution_arn, scheduled_id))

    def answer_for(self, token: str) -> tuple[Any, ...] | None:
        return self.answers.get(token)

    def execution_ended(self, record: ExecutionRecord) -> None:
        # queued after the execution's last event, and the record is final: read at flush
        self._pending.append(("ended", record))

    def execution_forgotten(self, execution_arn: str) -> None:
        self._pending.append(("forget", execution_arn))

    # -- the store and the service ------------------------------------------------------------
    def execution_added(self, execution: Execution, test_case: str | None) -> None:
        """A new execution in the store. Its row is its record *now*: read later, it could
        say SUCCEEDED in a batch that lacks the events queued meanwhile, which a kill would
        then lose; queued now, it follows every event it reflects."""
        revision = execution.state_machine
        record = execution.record
        row = (
            execution.arn,
            execution.sequence,
            execution.name,
            revision.arn,
            revision_key(revision),
            revision.type,
            execution.input,
            record.status,
            to_ms(record.start_date),
            None if record.stop_date is None else to_ms(record.stop_date),
            record.output,
            record.error,
            record.cause,
            test_case,
            execution.version_arn,
            execution.alias_arn,
        )
        self._pending.append(("execution", revision, row))

    def sync_activity(self, arn: str) -> None:
        """Write the activity ``arn`` as the store has it (or delete it)."""
        self._pending.append(("activity", arn))

    def sync_state_machine(self, arn: str) -> None:
        """Write the state machine ``arn`` as the store has it (or delete it)."""
        self._pending.append(("machine", arn))

    # -- writing --------------------------------------------------------------------------
    def start(self) -> None:
        """Start the background flusher (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="sfini-state-journal", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        """Stop the flusher and write what is left."""
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(FLUSH_SECONDS)
            try:
                self.flush()
            except sqlite3.Error:  # disk full, ...: keep serving, say so once per batch
                logger.exception("writing the state directory failed")

    def flush(self) -> None:
        """Write everything queued so far in one transaction."""
        with self._write_lock:
            pending = self._pending
            if not pending:
                return
            items = []
            while pending:
                items.append(pending.popleft())
            db = self._db
            db.execute("BEGIN")
            try:
                events: list[tuple[str, int, str]] = []
                for item in items:
                    kind = item[0]
                    if kind == "event":
                        event = item[2]
                        events.append((item[1], event["id"], encode_event(event)))
                        continue
                    if events:
                        db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", events)
                        events = []
                    getattr(self, f"_write_{kind}")(db, *item[1:])
                if events:
                    db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", events)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    @staticmethod
    def _write_token(db: sqlite3.Connection, token: str, arn: str, scheduled_id: int) -> None:
        db.execute(
            "INSERT OR IGNORE INTO tokens VALUES (?, ?, ?, NULL)", (token, arn, scheduled_id)
        )

    @staticmethod
    def _write_answer(db: sqlite3.Connection, token: str, outcome: tuple[Any, ...]) -> None:
        db.execute("UPDATE tokens SET answer = ? WHERE token = ?", (json.dumps(outcome), token))

    @staticmethod
    def _write_execution(
        db: sqlite3.Connection, revision: StateMachineRevision, row: tuple[Any, ...]
    ) -> None:
        db.execute(
            "INSERT OR IGNORE INTO revisions VALUES (?, ?, ?)",
            (revision.arn, revision_key(revision), revision_body(revision)),
        )
        db.execute(
            "INSERT OR REPLACE INTO executions VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )

    @staticmethod
    def _write_ended(db: sqlite3.Connection, record: ExecutionRecord) -> None:
        db.execute(
            "UPDATE executions SET status = ?, stop_date = ?, output = ?, error = ?, cause = ? "
            "WHERE arn = ?",
            (
                record.status,
                None if record.stop_date is None else to_ms(record.stop_date),
                record.output,
                record.error,
                record.cause,
                record.execution_arn,
            ),
        )

    @staticmethod
    def _write_forget(db: sqlite3.Connection, arn: str) -> None:
        db.execute("DELETE FROM executions WHERE arn = ?", (arn,))
        db.execute("DELETE FROM events WHERE execution_arn = ?", (arn,))
        db.execute("DELETE FROM tokens WHERE execution_arn = ?", (arn,))

    def _write_activity(self, db: sqlite3.Connection, arn: str) -> None:
        with self._store.lock:
            activity = self._store.activities.get(arn)
            row = None
            if activity is not None:
                row = (
                    arn,
                    activity.name,
                    to_ms(activity.creation_date),
                    activity.sequence,
                    json.dumps(activity.tags),
                )
        if row is None:
            db.execute("DELETE FROM activities WHERE arn = ?", (arn,))
        else:
            db.execute("INSERT OR REPLACE INTO activities VALUES (?, ?, ?, ?, ?)", row)

    def _write_machine(self, db: sqlite3.Connection, arn: str) -> None:
        """The machine's row, its current revision, its versions and its aliases."""
        db.execute("DELETE FROM versions WHERE machine_arn = ?", (arn,))
        db.execute("DELETE FROM aliases WHERE machine_arn = ?", (arn,))
        with self._store.lock:
            machine = self._store.state_machines.get(arn)
            if machine is None:
                db.execute("DELETE FROM state_machines WHERE arn = ?", (arn,))
                return
            revision = machine.revision
            row = (
                arn,
                to_ms(machine.creation_date),
                machine.sequence,
                json.dumps(machine.tags),
                machine.status,
                revision_key(revision),
                machine.next_version,
            )
            revisions = [revision] + [v.revision for v in machine.versions.values()]
            versions = [
                (
                    arn,
                    v.number,
                    revision_key(v.revision),
                    v.description,
                    to_ms(v.creation_date),
                    v.sequence,
                )
                for v in machine.versions.values()
            ]
            aliases = [
                (
                    arn,
                    a.name,
                    a.description,
                    json.dumps(a.routing),
                    to_ms(a.creation_date),
                    to_ms(a.update_date),
                    a.sequence,
                )
                for a in machine.aliases.values()
            ]
        db.executemany(
            "INSERT OR IGNORE INTO revisions VALUES (?, ?, ?)",
            [(arn, revision_key(r), revision_body(r)) for r in revisions],
        )
        db.execute("INSERT OR REPLACE INTO state_machines VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        db.executemany("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?)", versions)
        db.executemany("INSERT INTO aliases VALUES (?, ?, ?, ?, ?, ?, ?)", aliases)
