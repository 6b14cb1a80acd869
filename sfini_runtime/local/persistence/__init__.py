"""A durable local engine: its state in SQLite in a state directory (``--state-dir``).

Why a seam behind the store and the interpreter rather than a second store: the in-memory
engine, the default, must stay as fast as it is, so persistence is something a durable engine
*adds*: a journal (:class:`SQLiteJournal`) the interpreter reports events, task tokens,
answers and endings to (``interpreter.journal``; an engine without one calls nothing), a
service that syncs what an operation changed and flushes before it answers
(:class:`DurableService`), and a restore that loads the records back and resumes running
executions by replay (``interpreter.replay``). The lock, the schema check and the
refusals are :class:`StateDir`'s.

Tables (``schema``): activities, state machines and their revisions, versions and aliases,
executions, their history events (appended as they are written) and the activity task tokens
handed out. A database of an older schema version is migrated when it is opened.
"""

from __future__ import annotations

from .journal import SQLiteJournal
from .restore import Restored, load_token_key, restore
from .schema import SCHEMA_VERSION
from .service import DurableService
from .state_dir import StateDir, StateDirError

__all__ = [
    "SCHEMA_VERSION",
    "DurableService",
    "Restored",
    "SQLiteJournal",
    "StateDir",
    "StateDirError",
    "load_token_key",
    "restore",
]
