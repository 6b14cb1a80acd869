"""Which HTTP connections are open, which are idle, and when the server hangs one up.

A connection costs a thread and a file descriptor, so the server bounds both: a connection
waiting for its next request is *idle* and may be hung up (after ``idle_seconds``, when the
server needs its slot for a new connection, or when the server stops); a connection whose
request is being read or answered is *active* and is never hung up from outside. Waiting for
a task inside GetActivityTask is active work on the server's side, so long polls are safe.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

#: room for AWS's 1,000 pollers of one activity and the calls that feed and answer them
DEFAULT_MAX_CONNECTIONS = 1200


@dataclass(frozen=True)
class ConnectionLimits:
    """Time-outs and the connection cap of the HTTP server.

    ``idle_seconds``: how long a keep-alive connection may wait for its next request (and a new
    connection for its first). ``read_seconds``: how long a request's line, headers or body may
    stay silent between two reads (a slow client that keeps sending is never cut off).
    ``max_connections``: open connections at most; a new one beyond it takes the slot of the
    longest-idle connection, or is closed at once when every connection is active.
    """

    idle_seconds: float = 60.0
    read_seconds: float = 20.0
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def __post_init__(self) -> None:
        if self.idle_seconds <= 0 or self.read_seconds <= 0:
            raise ValueError("idle_seconds and read_seconds must be > 0")
        if self.max_connections < 1:
            raise ValueError("max_connections must be >= 1")


def hang_up(sock: socket.socket) -> None:
    """End a connection another thread may be reading: its read returns end-of-stream."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class ConnectionRegistry:
    """The server's open connections; thread-safe."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._idle: dict[socket.socket, None] = {}  # insertion order: longest idle first
        self._active: set[socket.socket] = set()
        self._hung_up: set[socket.socket] = set()
        self.closing = False

    def __len__(self) -> int:
        with self._lock:
            return len(self._idle) + len(self._active) + len(self._hung_up)

    def counts(self) -> tuple[int, int]:
        """(idle, active) connections."""
        with self._lock:
            return len(self._idle), len(self._active)

    def admit(self, sock: socket.socket) -> bool:
        """Register a new connection, hanging up idle ones to make room; False: refuse it."""
        with self._lock:
            if self.closing:
                return False
            while len(self._idle) + len(self._active) >= self.limits.max_connections:
                if not self._idle:
                    return False
                oldest = next(iter(self._idle))
                self._hang_up_locked(oldest)
            self._idle[sock] = None
            return True

    def begin_request(self, sock: socket.socket) -> bool:
        """A request line arrived; False if the connection was hung up meanwhile."""
        with self._lock:
            if sock not in self._idle:
                return False
            del self._idle[sock]
            self._active.add(sock)
            return True

    def end_request(self, sock: socket.socket) -> bool:
        """The request was answered; False if the connection must close now (server stopping)."""
        with self._lock:
            self._active.discard(sock)
            if self.closing or sock in self._hung_up:
                return False
            self._idle.pop(sock, None)
            self._idle[sock] = None  # now the most recently idle
            return True

    def discard(self, sock: socket.socket) -> None:
        """The connection is closed."""
        with self._lock:
            self._idle.pop(sock, None)
            self._active.discard(sock)
            self._hung_up.discard(sock)
            self._changed.notify_all()

    def close_all(self, wait_seconds: float) -> bool:
        """Refuse new work, hang up idle connections and wait for active requests to be
        answered (at most ``wait_seconds``); True if every connection closed in time."""
        deadline = time.monotonic() + wait_seconds
        with self._lock:
            self.closing = True
            for sock in list(self._idle):
                self._hang_up_locked(sock)
            while self._idle or self._active or self._hung_up:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def _hang_up_locked(self, sock: socket.socket) -> None:
        self._idle.pop(sock, None)
        self._hung_up.add(sock)
        hang_up(sock)
