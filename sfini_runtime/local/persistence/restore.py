"""Bringing a state directory back: resources into the store, executions into the engine.

Finished executions come back as they ended. Running ones are resumed by replay
(``interpreter.replay``): run again from their input, their recorded history answering until
it runs out. A state machine left DELETING is deleted again, so its running executions fail
at their next transition as they would have.
"""

from __future__ import annotations

import json
import logging
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from sfini_runtime.local.interpreter import ExecutionRecord
from sfini_runtime.local.service.store import (
    Activity,
    Execution,
    StateMachine,
    StateMachineAlias,
    StateMachineRevision,
    StateMachineVersion,
)

from .journal import SQLiteJournal
from .schema import decode_event, from_ms

__all__ = ["Restored", "load_token_key", "restore"]

logger = logging.getLogger(__name__)

#: the events that end an execution, and the status each leaves
_ENDINGS = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


@dataclass
class _Running:
    record: ExecutionRecord
    revision: StateMachineRevision
    test_case: str | None


@dataclass
class Restored:
    """What :func:`restore` found: counts for the log, and the work :meth:`resume` does."""

    activities: int
    state_machines: int
    finished: int
    running: list[_Running]
    deleting: list[str]

    def resume(self, service: Any) -> None:
        """Resume the running executions on ``service``'s engine (scheduler started or not)."""
        engine = service.engine
        for item in self.running:
            engine.resume_execution(
                item.record,
                item.revision.compiled,
                role_arn=item.revision.role_arn,
                state_machine_name=item.revision.name,
                test_case=item.test_case,
            )
        for arn in self.deleting:
            with service.store.lock:
                machine = service.store.state_machines.get(arn)
                if machine is not None:
                    machine.status = "ACTIVE"  # deleted again below, as the client asked
            service.call("DeleteStateMachine", {"stateMachineArn": arn})


def load_token_key(db: sqlite3.Connection) -> bytes:
    """The key task tokens are signed with (made and kept on first use)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'token_key'").fetchone()
    if row is not None:
        return bytes.fromhex(row[0])
    key = secrets.token_bytes(32)
    db.execute("INSERT INTO meta VALUES ('token_key', ?)", (key.hex(),))
    return key


def restore(db: sqlite3.Connection, service: Any, journal: SQLiteJournal) -> Restored:
    """Load every record of ``db`` into ``service``'s store and engine (before it serves)."""
    store = service.store
    compiled: dict[str, Any] = {}

    def compile_once(definition: str) -> Any:
        if definition not in compiled:
            compiled[definition] = service.engine.compile(definition)
        return compiled[definition]

    highest = 0
    for arn, name, created, sequence, tags in db.execute(
        "SELECT arn, name, creation_date, sequence, tags FROM activities"
    ):
        store.activities[arn] = Activity(arn, name, from_ms(created), sequence, json.loads(tags))
        highest = max(highest, sequence)
    revisions: dict[tuple[str, str], StateMachineRevision] = {}
    for machine_arn, key, body in db.execute("SELECT * FROM revisions"):
        fields = json.loads(body)
        revisions[(machine_arn, key)] = StateMachineRevision(
            arn=machine_arn,
            name=fields["name"],
            definition=fields["definition"],
            compiled=compile_once(fields["definition"]),
            role_arn=fields["role_arn"],
            type=fields["type"],
            logging_configuration=fields["logging_configuration"],
            tracing_configuration=fields["tracing_configuration"],
            update_date=from_ms(fields["update_date"]),
            revision_id=fields["revision_id"],
        )
    deleting = []
    for arn, created, sequence, tags, status, key, next_version in db.execute(
        "SELECT arn, creation_date, sequence, tags, status, revision_key, next_version "
        "FROM state_machines"
    ):
        machine = StateMachine(revisions[(arn, key)], from_ms(created), sequence, json.loads(tags))
        machine.status = status
        machine.next_version = next_version
        store.state_machines[arn] = machine
        highest = max(highest, sequence)
        if status == "DELETING":
            deleting.append(arn)
    highest = max(highest, _restore_versions(db, store, revisions))
    for token, arn, scheduled_id, answer in db.execute("SELECT * FROM tokens"):
        journal.tokens[(arn, scheduled_id)] = token
        if answer is not None:
            journal.answers[token] = tuple(json.loads(answer))
    running: list[_Running] = []
    finished = 0
    rows = db.execute(
        "SELECT arn, sequence, name, machine_arn, revision_key, type, input, status, "
        "start_date, stop_date, output, error, cause, test_case, version_arn, alias_arn "
        "FROM executions ORDER BY sequence"
    ).fetchall()
    for row in rows:
        arn, sequence, name, machine_arn, key, machine_type, input_text, status = row[:8]
        start, stop, output, error, cause, test_case, version_arn, alias_arn = row[8:]
        highest = max(highest, sequence)
        revision = revisions.get((machine_arn, key))
        events = [
            decode_event(body)
            for (body,) in db.execute(
                "SELECT body FROM events WHERE execution_arn = ? ORDER BY id", (arn,)
            )
        ]
        if revision is None or not events:
            logger.warning("state directory: execution %s is incomplete; left out", arn)
            continue
        record = ExecutionRecord(
            execution_arn=arn,
            state_machine_arn=machine_arn,
            name=name,
            state_machine_type=machine_type,
            status=status,
            start_date=from_ms(start),
            stop_date=None if stop is None else from_ms(stop),
            input=input_text,
            output=output,
            error=error,
            cause=cause,
            history=events,
        )
        if status == "RUNNING" and events[-1]["type"] in _ENDINGS:
            _ended_by(record, events[-1])  # ended just before the restart, row not updated
        if record.status == "RUNNING":
            running.append(_Running(record, revision, test_case))
        else:
            service.engine.restore_finished(
                record, revision.compiled, revision.role_arn, revision.name
            )
            finished += 1
        store.add_execution(
            Execution(
                arn,
                name,
                sequence,
                input_text,
                revision,
                record,
                version_arn=version_arn,
                alias_arn=alias_arn,
            )
        )
    store.continue_sequence(highest)
    return Restored(len(store.activities), len(store.state_machines), finished, running, deleting)


def _restore_versions(
    db: sqlite3.Connection, store: Any, revisions: dict[tuple[str, str], StateMachineRevision]
) -> int:
    """Load the machines' versions and aliases; the highest sequence number they hold."""
    highest = 0
    for arn, number, key, description, created, sequence in db.execute(
        "SELECT machine_arn, number, revision_key, description, creation_date, sequence "
        "FROM versions"
    ):
        machine = store.state_machines.get(arn)
        revision = revisions.get((arn, key))
        if machine is None or revision is None:
            logger.warning("state directory: version %s:%s is incomplete; left out", arn, number)
            continue
        machine.versions[number] = StateMachineVersion(
            arn, number, revision, description, from_ms(created), sequence
        )
        highest = max(highest, sequence)
    for machine in store.state_machines.values():  # listed in number order, as published
        machine.versions = dict(sorted(machine.versions.items()))
    for arn, name, description, routing, created, updated, sequence in db.execute(
        "SELECT machine_arn, name, description, routing, creation_date, update_date, sequence "
        "FROM aliases"
    ):
        machine = store.state_machines.get(arn)
        if machine is None:
            continue
        machine.aliases[name] = StateMachineAlias(
            machine_arn=arn,
            name=name,
            description=description,
            routing=[(version, weight) for version, weight in json.loads(routing)],
            creation_date=from_ms(created),
            update_date=from_ms(updated),
            sequence=sequence,
        )
        highest = max(highest, sequence)
    return highest


def _ended_by(record: ExecutionRecord, event: dict[str, Any]) -> None:
    """Finish ``record`` as its last event says it ended."""
    record.status = _ENDINGS[event["type"]]
    record.stop_date = event["timestamp"]
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
    if record.status == "SUCCEEDED":
        record.output = details.get("output")
    else:
        record.error, record.cause = details.get("error"), details.get("cause")
