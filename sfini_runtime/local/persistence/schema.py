"""The SQLite schema of a state directory, and how values are written into it.

Dates are integer milliseconds since the epoch (AWS keeps dates to the millisecond); an
event is its GetExecutionHistory form as compact JSON, its timestamp in milliseconds.
``schema_version`` holds one row; a directory written by a newer sfini is refused, one written
by an older sfini is migrated (``MIGRATIONS``) when it is opened.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = [
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "decode_event",
    "encode_event",
    "from_ms",
    "to_ms",
]

SCHEMA_VERSION = 2

# state machine versions and aliases (schema version 2); routing is JSON [[version ARN, weight]]
_VERSIONS_TABLES = """
CREATE TABLE versions (
    machine_arn TEXT NOT NULL, number INTEGER NOT NULL, revision_key TEXT NOT NULL,
    description TEXT, creation_date INTEGER NOT NULL, sequence INTEGER NOT NULL,
    PRIMARY KEY (machine_arn, number)
) WITHOUT ROWID;
CREATE TABLE aliases (
    machine_arn TEXT NOT NULL, name TEXT NOT NULL, description TEXT, routing TEXT NOT NULL,
    creation_date INTEGER NOT NULL, update_date INTEGER NOT NULL, sequence INTEGER NOT NULL,
    PRIMARY KEY (machine_arn, name)
) WITHOUT ROWID;
"""

SCHEMA = (
    """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE activities (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, creation_date INTEGER NOT NULL,
    sequence INTEGER NOT NULL, tags TEXT NOT NULL
);
CREATE TABLE state_machines (
    arn TEXT PRIMARY KEY, creation_date INTEGER NOT NULL, sequence INTEGER NOT NULL,
    tags TEXT NOT NULL, status TEXT NOT NULL, revision_key TEXT NOT NULL,
    next_version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE revisions (
    machine_arn TEXT NOT NULL, revision_key TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (machine_arn, revision_key)
) WITHOUT ROWID;
CREATE TABLE executions (
    arn TEXT PRIMARY KEY, sequence INTEGER NOT NULL, name TEXT NOT NULL,
    machine_arn TEXT NOT NULL, revision_key TEXT NOT NULL, type TEXT NOT NULL,
    input TEXT NOT NULL, status TEXT NOT NULL, start_date INTEGER NOT NULL,
    stop_date INTEGER, output TEXT, error TEXT, cause TEXT, test_case TEXT,
    version_arn TEXT, alias_arn TEXT
);
CREATE TABLE events (
    execution_arn TEXT NOT NULL, id INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (execution_arn, id)
) WITHOUT ROWID;
CREATE TABLE tokens (
    token TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, scheduled_id INTEGER NOT NULL,
    answer TEXT
);
CREATE INDEX tokens_by_event ON tokens (execution_arn, scheduled_id);
"""
    + _VERSIONS_TABLES
)

#: version -> the SQL that brings a database of that version to the next
MIGRATIONS = {
    1: """
ALTER TABLE state_machines ADD COLUMN next_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE executions ADD COLUMN version_arn TEXT;
ALTER TABLE executions ADD COLUMN alias_arn TEXT;
"""
    + _VERSIONS_TABLES,
}

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def to_ms(moment: datetime) -> int:
    """A tz-aware datetime as integer milliseconds since the epoch."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(millis: int) -> datetime:
    """Integer milliseconds since the epoch as a tz-aware UTC datetime."""
    return _EPOCH + timedelta(milliseconds=millis)


def encode_event(event: dict[str, Any]) -> str:
    """One history event as the JSON text a row holds."""
    return _encode({**event, "timestamp": to_ms(event["timestamp"])})


def decode_event(text: str) -> dict[str, Any]:
    """A row's JSON text back into the event GetExecutionHistory answers."""
    event = json.loads(text)
    event["timestamp"] = from_ms(event["timestamp"])
    return event
