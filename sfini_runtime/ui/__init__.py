"""The web view: state machines, executions and each execution's graph, live, in a browser.

It reads any Step Functions endpoint (the local engine, AWS) through the public API and never
writes. ``start_ui`` runs it in a background thread (``sfini local serve --ui`` does, beside
the engine); ``serve_ui`` runs it until interrupted (``sfini ui``). It binds loopback unless
told otherwise.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from sfini_runtime.ui.data import NotFound, UpstreamError, ViewData
from sfini_runtime.ui.layout import (
    DEFAULT_MAX_NODES,
    Layout,
    LayoutTooLarge,
    layout_definition,
    layout_graph,
)
from sfini_runtime.ui.server import UIServer
from sfini_runtime.ui.status import STATUSES, StateRun, event_owners, state_runs
from sfini_runtime.ui.svg import render_svg

__all__ = [
    "DEFAULT_MAX_NODES",
    "STATUSES",
    "Layout",
    "LayoutTooLarge",
    "NotFound",
    "StateRun",
    "UIHandle",
    "UIServer",
    "UpstreamError",
    "ViewData",
    "event_owners",
    "layout_definition",
    "layout_graph",
    "render_svg",
    "serve_ui",
    "start_ui",
    "state_runs",
]


class UIHandle:
    """A running web view: its ``url``, ``port``; ``stop()`` (or leave the ``with`` block)."""

    def __init__(self, server: UIServer) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"sfini-ui:{server.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The port the view listens on."""
        return self.server.port

    @property
    def url(self) -> str:
        """The view's address (``http://127.0.0.1:PORT/``)."""
        host = self.server.server_address[0]
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join(timeout=5)
        self.server.server_close()

    def __enter__(self) -> UIHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _server(
    endpoint_url: str | None,
    host: str,
    port: int,
    session: Any,
    max_nodes: int | None,
) -> UIServer:
    if session is None:
        from sfini_runtime.session import AWSSession

        session = AWSSession(endpoint_url=endpoint_url)
    try:
        return UIServer(ViewData(session.sfn, max_nodes=max_nodes), host, port)
    except OSError as exc:
        error = OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        error.errno = exc.errno
        raise error from None


def start_ui(
    endpoint_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    session: Any = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> UIHandle:
    """Serve the web view of the Step Functions endpoint ``endpoint_url`` (default: the
    environment's, else AWS) on ``host:port`` (port 0: a free one) from a background thread.

    ``session`` (an ``AWSSession``) replaces ``endpoint_url``. Returns a ``UIHandle``: its
    ``url``; ``stop()`` ends it. Raises ``OSError`` when the address cannot be bound.
    """
    return UIHandle(_server(endpoint_url, host, port, session, max_nodes))


def serve_ui(
    endpoint_url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    session: Any = None,
    on_ready: Any = None,
) -> None:
    """Serve the web view in this thread until interrupted (Ctrl-C); ``on_ready(url)`` is
    called once it listens."""
    server = _server(endpoint_url, host, port, session, DEFAULT_MAX_NODES)
    try:
        if on_ready is not None:
            on_ready(f"http://{server.server_address[0]}:{server.port}/")
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
