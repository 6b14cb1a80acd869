"""Opening a state directory: one engine at a time, our schema, the files left as found.

Every check reads before anything is written, so a directory that is refused (not writable,
in use by another engine, holding a newer schema or a file that is no database) keeps its
files exactly as they were. The lock is ``fcntl.flock`` on ``engine.lock``, which holds the
process id of the engine that has it; the kernel drops the lock when that process dies,
``kill -9`` included, so a stale lock file never blocks a restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from pathlib import Path

from .schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION

__all__ = ["DATABASE_NAME", "LOCK_NAME", "StateDir", "StateDirError"]

DATABASE_NAME = "engine.sqlite3"
LOCK_NAME = "engine.lock"
_SQLITE_HEADER = b"SQLite format 3\x00"


class StateDirError(Exception):
    """A state directory the engine cannot use; the message is one line naming it."""


class StateDir:
    """An open, locked state directory and its database connection.

    ``StateDir.open(path)`` creates the directory if needed; ``close()`` closes the database
    and releases the lock.
    """

    def __init__(self, path: Path, lock_fd: int, connection: sqlite3.Connection) -> None:
        self.path = path
        self.connection = connection
        self._lock_fd: int | None = lock_fd

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> StateDir:
        """Lock and open ``path``; ``StateDirError`` says why it cannot be used."""
        directory = Path(path).expanduser()
        created = not directory.exists()
        _ensure_directory(directory)
        lock_path = directory / LOCK_NAME
        lock_existed = lock_path.exists()
        lock_fd = _lock(directory)
        try:
            connection = _connect(directory / DATABASE_NAME)
        except BaseException:
            if not lock_existed:  # refused: leave the directory as it was found
                with contextlib.suppress(OSError):
                    lock_path.unlink()
                if created:
                    with contextlib.suppress(OSError):
                        directory.rmdir()
            _unlock(lock_fd)
            raise
        return cls(directory, lock_fd, connection)

    def close(self) -> None:
        """Close the database and release the lock (idempotent)."""
        if self._lock_fd is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()
        _unlock(self._lock_fd)
        self._lock_fd = None


def _ensure_directory(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise StateDirError(f"state directory {directory} is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StateDirError(
            f"state directory {directory} cannot be created: {exc.strerror or exc}"
        ) from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StateDirError(f"state directory {directory} is not writable")


def _lock(directory: Path) -> int:
    lock_path = directory / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)  # no O_TRUNC: the PID stays
    except OSError as exc:
        raise StateDirError(
            f"state directory {directory} is not writable: {exc.strerror or exc}"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StateDirError(
            f"state directory {directory} is in use by another engine (process {holder})"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        os.close(fd)


def _connect(database: Path) -> sqlite3.Connection:
    exists = database.exists() and database.stat().st_size > 0
    if exists:
        _check_header(database)
        if not os.access(database, os.R_OK | os.W_OK):
            raise StateDirError(f"state database {database} is not writable")
    try:
        connection = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise StateDirError(f"state database {database} cannot be opened: {exc}") from None
    try:
        if exists:
            _check_version(connection, database)
        else:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(
                f"BEGIN; {SCHEMA} INSERT INTO schema_version VALUES ({SCHEMA_VERSION}); COMMIT;"
            )
        connection.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives the process being killed (it is in the OS's
        # cache once written); only losing power may cost the last commits
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise StateDirError(f"state database {database} is corrupt: {exc}") from None
    except BaseException:
        connection.close()
        raise
    return connection


def _check_header(database: Path) -> None:
    try:
        with database.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StateDirError(
            f"state database {database} cannot be read: {exc.strerror or exc}"
        ) from None
    if header != _SQLITE_HEADER:
        raise StateDirError(f"state database {database} is corrupt: not an SQLite database")


def _check_version(connection: sqlite3.Connection, database: Path) -> None:
    try:
        row = connection.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise StateDirError(
                f"state database {database} is not a sfini engine's (no schema_version)"
            ) from None
        raise
    if row is None or not isinstance(row[0], int):
        raise StateDirError(f"state database {database} is corrupt: no schema version")
    if row[0] > SCHEMA_VERSION:
        raise StateDirError(
            f"state database {database} has schema version {row[0]}, newer than this "
            f"sfini's {SCHEMA_VERSION}; use a newer sfini or another --state-dir"
        )
    # checked before the first write: a database with damaged pages is refused untouched
    problems = [r[0] for r in connection.execute("PRAGMA quick_check(1)")]
    if problems != ["ok"]:
        raise StateDirError(f"state database {database} is corrupt: {problems[0]}")
    _migrate(connection, row[0])


def _migrate(connection: sqlite3.Connection, version: int) -> None:
    """Bring a database written by an older sfini to ``SCHEMA_VERSION``, in one transaction."""
    if version >= SCHEMA_VERSION:
        return
    steps = "".join(MIGRATIONS[v] for v in range(version, SCHEMA_VERSION))
    connection.executescript(
        f"BEGIN; {steps} UPDATE schema_version SET version = {SCHEMA_VERSION}; COMMIT;"
    )
