"""GetActivityTask long polls that ``end()`` can cut short.

A long poll holds its HTTP connection for up to 60 s. botocore gives no handle on the socket of a
call in flight, so the poll client sends GetActivityTask itself, over a connection this module owns
(one per polling thread): botocore still builds, signs, retries and parses the call; ``abort()``
shuts the socket down, and the poll in flight ends at once with ``PollAborted``.

The transport takes the place of the client's HTTP session (the last step of a call), not of a
``before-send`` event handler: every handler registered on the client or its session still runs
first, and one that answers the call itself (moto's ``mock_aws``, botocore's ``Stubber``, a
user's) is obeyed, so the transport only ever sends what would otherwise have gone on the wire.

Behind an HTTP proxy the poll goes through botocore's own transport; it cannot be cut short then,
and the worker abandons it instead (a task it brings back is still reported).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

__all__ = ["PollAborted", "PollTransport"]


class PollAborted(Exception):
    """The long poll was cut short by ``PollTransport.abort``."""


class _Body:
    """The ``raw`` of a botocore ``AWSResponse``: the body, already read."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class _PollingHTTPSession:
    """A botocore HTTP session that sends GetActivityTask through a ``PollTransport`` and
    everything else through the session it wraps."""

    def __init__(self, wrapped: Any, transport: PollTransport) -> None:
        self._wrapped = wrapped
        self._transport = transport

    def send(self, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode("ascii", "replace")
        if target.endswith(".GetActivityTask"):
            return self._transport.send(request)
        return self._wrapped.send(request)

    def close(self) -> None:
        self._transport.close()
        self._wrapped.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)


class PollTransport:
    """Sends GetActivityTask calls of one botocore client over connections it can shut down.

    Install it with ``install(client)``; each thread polling through that client gets a
    connection of its own, kept alive between polls.
    """

    def __init__(self, read_timeout: float, connect_timeout: float) -> None:
        self.read_timeout = read_timeout
        self.connect_timeout = connect_timeout
        self._lock = threading.Lock()
        self._connections: dict[int, http.client.HTTPConnection] = {}
        self._aborted = False
        self._ssl_context: ssl.SSLContext | None = None
        self.installed = False

    def install(self, client: Any) -> bool:
        """Route ``client``'s GetActivityTask calls through this transport; False where it
        cannot (an HTTP proxy, a botocore whose endpoint has no ``http_session``)."""
        url = urllib.parse.urlsplit(client.meta.endpoint_url)
        proxies = urllib.request.getproxies()
        if proxies.get(url.scheme) and not urllib.request.proxy_bypass(url.hostname or ""):
            return False
        endpoint = getattr(client, "_endpoint", None)
        http_session = getattr(endpoint, "http_session", None)
        if http_session is None or not callable(getattr(http_session, "send", None)):
            return False
        endpoint.http_session = _PollingHTTPSession(http_session, self)
        self.installed = True
        return True

    @property
    def aborted(self) -> bool:
        """Whether ``abort`` was called."""
        return self._aborted

    def abort(self) -> None:
        """End every poll in flight now, and refuse new ones."""
        with self._lock:
            self._aborted = True
            connections = list(self._connections.values())
            self._connections.clear()
        for connection in connections:
            sock = connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            connection.close()

    def close(self) -> None:
        """Close the idle connections (``abort`` without refusing new polls)."""
        with self._lock:
            connections = list(self._connections.values())
            self._connections.clear()
        for connection in connections:
            connection.close()

    def _connection(self, url: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        key = threading.get_ident()
        with self._lock:
            if self._aborted:
                raise PollAborted("the worker is ending")
            connection = self._connections.get(key)
            if connection is None:
                connection = self._new_connection(url)
                self._connections[key] = connection
        return connection

    def _new_connection(self, url: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        host = url.hostname or "localhost"
        if url.scheme == "https":
            if self._ssl_context is None:
                from botocore.httpsession import get_cert_path

                self._ssl_context = ssl.create_default_context(cafile=get_cert_path(True))
            return http.client.HTTPSConnection(
                host, url.port, timeout=self.connect_timeout, context=self._ssl_context
            )
        return http.client.HTTPConnection(host, url.port, timeout=self.connect_timeout)

    def _forget(self, connection: http.client.HTTPConnection) -> None:
        key = threading.get_ident()
        with self._lock:
            if self._connections.get(key) is connection:
                del self._connections[key]
        connection.close()

    def send(self, request: Any) -> Any:
        """Send one prepared GetActivityTask request; its ``AWSResponse``."""
        from botocore.awsrequest import AWSResponse
        from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

        url = urllib.parse.urlsplit(request.url)
        target = url.path or "/"
        if url.query:
            target += "?" + url.query
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {name: value for name, value in request.headers.items()}
        # One retry on a fresh connection: a kept-alive connection may have been closed by the
        # server while idle, before the request reached it.
        for attempt in range(2):
            connection = self._connection(url)
            fresh = connection.sock is None
            try:
                if fresh:
                    connection.connect()
                    connection.sock.settimeout(self.read_timeout)
                connection.request(request.method, target, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                self._forget(connection)
                if self._aborted:
                    raise PollAborted("the worker is ending") from error
                if fresh and isinstance(error, (ConnectionRefusedError, socket.gaierror)):
                    raise EndpointConnectionError(endpoint_url=request.url, error=error) from error
                if attempt == 0 and not fresh:
                    continue
                raise ConnectionClosedError(endpoint_url=request.url, error=error) from error
            if response.will_close:
                self._forget(connection)
            return AWSResponse(
                request.url, response.status, dict(response.getheaders()), _Body(data)
            )
        raise AssertionError("unreachable")  # pragma: no cover
