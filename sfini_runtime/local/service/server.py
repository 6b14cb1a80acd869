"""The HTTP/1.1 server: one thread per connection, keep-alive, each response in one write.

Writing headers and body separately stalls keep-alive clients on delayed ACKs (measured: 23
calls/s instead of ~1,800), so a response is assembled into one buffer and sent with one
``sendall``. A thread per connection lets many GetActivityTask long polls wait at once; the
``ConnectionRegistry`` bounds what silent or idle clients can hold (time-outs, a cap that
hangs up the longest-idle connection first) and lets ``drain`` answer in-flight requests
before the server stops.
"""

from __future__ import annotations

import errno
import logging
import re
import socket
import time
import uuid
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sfini_runtime.local.errors import SerializationException, ServiceError
from sfini_runtime.local.service import protocol
from sfini_runtime.local.service.connections import ConnectionLimits, ConnectionRegistry
from sfini_runtime.local.service.service import StepFunctionsService

logger = logging.getLogger(__name__)

#: AWS's request size limit ("1 MB per request" in the quotas): a longer body is answered 413 with
#: the plain-text message AWS sends (aws/aws-sdk-js-v3 issue 4184), so SDKs see what AWS gives them
MAX_BODY_BYTES = 1_049_600
_TOO_LARGE = f"HTTP content length exceeded {MAX_BODY_BYTES} bytes.".encode()
_DIGITS = re.compile("[0-9]+")
_HEX_DIGITS = re.compile(b"[0-9A-Fa-f]+")


class RequestTooLarge(Exception):
    """The request body is over ``MAX_BODY_BYTES``."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StepFunctionsHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        # Waiting for a request line: idle, so a silent client times out (TimeoutError ends
        # the connection in the base class) or is hung up when its slot is needed.
        connections = self.server.connections
        self.connection.settimeout(connections.limits.idle_seconds)
        super().handle_one_request()
        if not connections.end_request(self.connection):
            self.close_connection = True

    def parse_request(self) -> bool:
        connections = self.server.connections
        if not connections.begin_request(self.connection):
            self.close_connection = True  # hung up while its request line arrived
            return False
        # From here on each read may wait read_seconds; GetActivityTask's wait is not a read.
        self.connection.settimeout(connections.limits.read_seconds)
        return super().parse_request()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._chunked_body()
        # RFC 9110: 1*DIGIT, and one value; int() would also take "+5", "-0" and "1_0", and a
        # length the client never sends leaves the request waiting for the read time-out
        values = {value.strip() for value in self.headers.get_all("Content-Length") or ()}
        if len(values) > 1 or not all(_DIGITS.fullmatch(value) for value in values):
            raise SerializationException("Invalid Content-Length header")
        length = int(values.pop()) if values else 0
        if length > MAX_BODY_BYTES:
            raise RequestTooLarge
        return self.rfile.read(length) if length else b""

    def _chunked_body(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            digits = line.split(b";", 1)[0].strip()
            if not _HEX_DIGITS.fullmatch(digits):  # not "-1" (read to the end) nor "1_0"
                raise SerializationException("Invalid chunked request body")
            size = int(digits, 16)
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise RequestTooLarge
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _answer(self) -> None:
        try:
            body = self._body()
        except ServiceError as error:
            self.close_connection = True  # the rest of the stream cannot be trusted
            self._send(error.status, protocol.encode(protocol.error_document(error)))
            return
        except RequestTooLarge:
            self.close_connection = True
            self._send(413, _TOO_LARGE, "text; charset=utf-8")
            self._discard_input()
            return
        status, payload = self.server.service.handle(
            self.headers.get("X-Amz-Target"), body, self.headers.get("Content-Type")
        )
        self._send(status, payload)

    def _discard_input(self, max_bytes: int = 64 * 1024 * 1024, seconds: float = 5.0) -> None:
        """Read and drop what the client still sends (at most ``max_bytes`` for ``seconds``):
        closing a socket with unread input resets the connection, and the client could lose the
        answer it has not read yet."""
        deadline = time.monotonic() + seconds
        self.connection.settimeout(1.0)
        dropped = 0
        try:
            while dropped < max_bytes and time.monotonic() < deadline:
                chunk = self.connection.recv(65536)
                if not chunk:
                    return
                dropped += len(chunk)
        except OSError:
            return

    def _send(self, status: int, payload: bytes, content_type: str = protocol.CONTENT_TYPE) -> None:
        reason = HTTPStatus(status).phrase
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
            f"Date: {formatdate(usegmt=True)}\r\n"
        )
        if self.close_connection or self.server.connections.closing:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode("latin-1") + b"\r\n" + payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed HTTP (bad request line, header too long, unknown method): a JSON error
        in one write, then the connection closes; never an HTML page, never a 5xx."""
        self.close_connection = True
        status = HTTPStatus.BAD_REQUEST if code >= 500 else HTTPStatus(code)
        error = SerializationException(message or status.phrase)
        if code == HTTPStatus.NOT_IMPLEMENTED:
            error = SerializationException(f"Unsupported HTTP method: {self.command}")
        self._send(int(status), protocol.encode(protocol.error_document(error)))

    do_POST = _answer
    do_GET = _answer
    do_PUT = _answer
    do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)


class StepFunctionsHTTPServer(ThreadingHTTPServer):
    """Serves a ``StepFunctionsService`` over HTTP (bind loopback unless told otherwise).

    ``limits`` sets the idle and read time-outs and the connection cap.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        service: StepFunctionsService,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: ConnectionLimits | None = None,
    ):
        self.service = service
        self.connections = ConnectionRegistry(limits or ConnectionLimits())
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            return super().get_request()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                time.sleep(0.05)  # out of descriptors: do not spin on a readable listener
            raise

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return self.connections.admit(request)

    def shutdown_request(self, request: Any) -> None:
        self.connections.discard(request)
        super().shutdown_request(request)

    def drain(self, wait_seconds: float = 5.0) -> bool:
        """Stop taking requests: hang up idle connections and let in-flight requests be
        answered (at most ``wait_seconds``). True if every connection closed in time."""
        return self.connections.close_all(wait_seconds)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is routine; anything else is worth a trace.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])
