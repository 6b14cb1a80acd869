"""A flaky network on loopback: an HTTP/1.1 proxy between workers and the local engine that
injects seeded random faults, one decision per request, and records what each did.

Faults (``FaultyProxy.rates`` gives each one's probability per request):

- ``drop``: the connection is closed (FIN) before the request is forwarded;
- ``reset``: the connection is reset (RST, ``SO_LINGER`` 0) before the request is forwarded;
- ``delay``: the request is forwarded after a pause of up to ``max_delay`` seconds;
- ``reset_after``: the request is forwarded and answered, then the client's connection is
  reset before the answer reaches it;
- ``cut``: the request is forwarded and answered, half the answer is sent, and the connection
  is closed.

The last two lose an answer the engine gave: ``lost`` lists them (the operation, the request and
response bodies), so a test can check what became of, say, a task a lost GetActivityTask answer
carried. ``reports`` lists, for each task token, what happened to each SendTaskSuccess or
SendTaskFailure sent for it, in order.
"""

from __future__ import annotations

import collections
import contextlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = ["FAULTS", "FaultyProxy", "LostAnswer"]

FAULTS = ("drop", "reset", "delay", "reset_after", "cut")
_REPORTS = ("SendTaskSuccess", "SendTaskFailure")


@dataclass(frozen=True)
class LostAnswer:
    """An answer of the engine that did not reach the client."""

    operation: str
    fault: str
    request: bytes
    response: bytes


class _Message:
    """One HTTP/1.1 message read whole: its head (start line and headers) and body."""

    def __init__(self, head: bytes, headers: dict[str, str], body: bytes) -> None:
        self.head = head
        self.headers = headers
        self.body = body

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    @property
    def closes(self) -> bool:
        return self.headers.get("connection", "").lower() == "close"


def _read_message(reader: BinaryIO) -> _Message | None:
    """The next message on ``reader``; None at the end of the stream."""
    lines = []
    while True:
        line = reader.readline(65537)
        if not line:
            return None
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            break
    headers = {}
    for line in lines[1:-1]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ValueError("the proxy does not forward chunked messages")
    length = int(headers.get("content-length") or 0)
    body = reader.read(length) if length else b""
    if len(body) < length:
        return None
    return _Message(b"".join(lines), headers, body)


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with an RST rather than a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class FaultyProxy:
    """Forwards ``127.0.0.1:port`` (``url``) to the engine at ``upstream_port``, with faults.

    Args:
        upstream_port: the engine's port on loopback
        seed: seed of the fault decisions
        rates: probability of each fault per request (see the module), default: none
        max_delay: longest pause of a ``delay`` fault, seconds
    """

    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 0,
        rates: dict[str, float] | None = None,
        max_delay: float = 0.3,
    ) -> None:
        unknown = set(rates or {}) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        self.upstream_port = upstream_port
        self.rates = dict(rates or {})
        self.max_delay = max_delay
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        #: faults injected, by fault
        self.counts: collections.Counter[str] = collections.Counter()
        #: faults injected, by (fault, operation)
        self.by_operation: collections.Counter[tuple[str, str]] = collections.Counter()
        #: requests received, by operation
        self.requests: collections.Counter[str] = collections.Counter()
        #: answers the engine gave that did not reach the client
        self.lost: list[LostAnswer] = []
        #: per task token, what became of each SendTaskSuccess/SendTaskFailure sent for it:
        #: "answered" (the answer reached the worker), "lost" (answered, the answer lost),
        #: "not forwarded" (dropped or reset before the engine saw it)
        self.reports: dict[str, list[str]] = collections.defaultdict(list)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._sockets: set[socket.socket] = set()
        self._running = False
        self._thread = threading.Thread(target=self._accept, name="faulty-proxy", daemon=True)

    @property
    def url(self) -> str:
        """The endpoint URL that goes through the proxy."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FaultyProxy:
        """Start accepting connections."""
        self._running = True
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, and close every connection."""
        self._running = False
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
        self._thread.join(5)

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- decisions ------------------------------------------------------------------------------

    def _choose(self, operation: str) -> str | None:
        with self._lock:
            self.requests[operation] += 1
            draw = self._random.random()
            pause = self._random.uniform(0, self.max_delay)
            total = 0.0
            for fault in FAULTS:
                total += self.rates.get(fault, 0.0)
                if draw < total:
                    self.counts[fault] += 1
                    self.by_operation[fault, operation] += 1
                    return fault if fault != "delay" else f"delay:{pause}"
            return None

    def _record_report(self, operation: str, body: bytes, what: str) -> None:
        if operation not in _REPORTS:
            return
        import json

        with contextlib.suppress(ValueError, AttributeError):
            token = json.loads(body).get("taskToken")
            with self._lock:
                self.reports[token].append(what)

    def _lose(self, operation: str, fault: str, request: _Message, response: _Message) -> None:
        with self._lock:
            self.lost.append(LostAnswer(operation, fault, request.body, response.body))
        self._record_report(operation, request.body, "lost")

    # --- connections ----------------------------------------------------------------------------

    def _accept(self) -> None:
        while self._running:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        upstream_reader: BinaryIO | None = None
        client_reader = client.makefile("rb")
        try:
            while self._running:
                request = _read_message(client_reader)
                if request is None:
                    return
                target = request.headers.get("x-amz-target", "")
                operation = target.rpartition(".")[2] or "?"
                fault = self._choose(operation)
                if fault in ("drop", "reset"):
                    self._record_report(operation, request.body, "not forwarded")
                    if fault == "reset":
                        _reset(client)
                    return
                if fault is not None and fault.startswith("delay:"):
                    time.sleep(float(fault.partition(":")[2]))
                if upstream is None:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                    self._track(upstream)
                    upstream_reader = upstream.makefile("rb")
                upstream.sendall(request.raw)
                assert upstream_reader is not None
                response = _read_message(upstream_reader)
                if response is None:
                    return
                if fault == "reset_after":
                    self._lose(operation, fault, request, response)
                    _reset(client)
                    return
                if fault == "cut":
                    self._lose(operation, fault, request, response)
                    raw = response.raw
                    client.sendall(raw[: len(raw) // 2])
                    return
                self._record_report(operation, request.body, "answered")
                client.sendall(response.raw)
                if response.closes or request.closes:
                    return
        except (OSError, ValueError):
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
                    with self._lock:
                        self._sockets.discard(sock)

    def summary(self) -> dict[str, Any]:
        """What the proxy did: requests and faults, by kind."""
        with self._lock:
            return {
                "requests": dict(self.requests),
                "faults": dict(self.counts),
                "lost answers": collections.Counter(a.operation for a in self.lost),
            }
