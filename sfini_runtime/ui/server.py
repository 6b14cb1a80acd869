"""The web view's HTTP server: the page, its static files and its JSON, read-only.

Routes (GET and HEAD only; anything else is 405):

- ``/``: the page, listing state machines and executions
- ``/execution/<execution ARN>``: the page, for one execution (404 page for an unknown one)
- ``/static/<file>``: the page's script and style sheet (package data, no CDN)
- ``/api/state-machines``, ``/api/executions?stateMachineArn=&status=``,
  ``/api/execution?arn=``: JSON (errors as ``{"error": code, "message": ...}``)
"""

from __future__ import annotations

import html
import json
import logging
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sfini_runtime.ui.data import NotFound, UpstreamError, ViewData

__all__ = ["UIServer"]

logger = logging.getLogger(__name__)

_STATIC_NAME = re.compile(r"^[a-z0-9_-]+\.(js|css|svg)$")
_CONTENT_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
# everything the page loads comes from this server: a CDN link would be refused
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _static(name: str) -> bytes | None:
    if not _STATIC_NAME.match(name):
        return None
    resource = resources.files("sfini_runtime.ui").joinpath("static", name)
    try:
        return resource.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _page(title: str, message: str) -> bytes:
    """A small HTML page of its own (for a 404), styled like the view."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)} - sfini</title>"
        '<link rel=stylesheet href="/static/app.css"></head>'
        f'<body><header><a href="/">sfini executions</a></header><main class=notice>'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        '<p><a href="/">All executions</a></p></main></body></html>'
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: UIServer
    server_version = "sfini-ui"
    protocol_version = "HTTP/1.1"

    # -- responses --------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=60" if cache else "no-store")
        for header, value in _SECURITY_HEADERS.items():
            self.send_header(header, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data, default=str).encode()
        self._send(status, body, _CONTENT_TYPES["json"])

    def _error_json(self, status: int, code: str, message: str) -> None:
        self._json(status, {"error": code, "message": message})

    def _not_found_page(self, title: str, message: str) -> None:
        self._send(HTTPStatus.NOT_FOUND, _page(title, message), _CONTENT_TYPES["html"])

    # -- methods ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        try:
            self._route()
        except Exception:  # a bug here must not reach the user as a dropped connection
            logger.exception("web view: failed to answer %s", self.path)
            self._error_json(HTTPStatus.INTERNAL_SERVER_ERROR, "InternalError", "see the log")

    do_HEAD = do_GET

    def _refuse(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        body = b"The web view is read-only.\n"
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("web view: " + format, *args)

    # -- routing ----------------------------------------------------------------------------
    def _route(self) -> None:
        url = urlsplit(self.path)
        path, query = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
        if path == "/" or path == "/index.html":
            return self._index()
        if path.startswith("/execution/"):
            return self._execution_page(unquote(path[len("/execution/") :]))
        if path.startswith("/static/"):
            body = _static(path[len("/static/") :])
            if body is None:
                return self._not_found_page("Not found", f"There is no file {path}.")
            suffix = path.rsplit(".", 1)[-1]
            return self._send(HTTPStatus.OK, body, _CONTENT_TYPES[suffix], cache=True)
        if path.startswith("/api/"):
            return self._api(path[len("/api/") :], query)
        return self._not_found_page("Not found", f"There is no page {path}.")

    def _index(self) -> None:
        body = _static_page()
        self._send(HTTPStatus.OK, body, _CONTENT_TYPES["html"])

    def _execution_page(self, arn: str) -> None:
        if not arn:
            return self._not_found_page(
                "Execution not found", "The address names no execution: /execution/<ARN>."
            )
        try:
            self.server.data.describe_execution(arn)
        except NotFound:
            return self._not_found_page(
                "Execution not found", f"There is no execution {arn} on this endpoint."
            )
        except UpstreamError as error:
            return self._send(
                HTTPStatus.BAD_GATEWAY,
                _page("Endpoint error", f"{error.code}: {error}"),
                _CONTENT_TYPES["html"],
            )
        self._index()

    def _api(self, name: str, query: dict[str, str]) -> None:
        data = self.server.data
        try:
            if name == "state-machines":
                return self._json(HTTPStatus.OK, {"stateMachines": data.state_machines()})
            if name == "executions":
                found = data.executions(
                    query.get("stateMachineArn") or None, query.get("status") or None
                )
                return self._json(HTTPStatus.OK, {"executions": found})
            if name == "execution":
                if not query.get("arn"):
                    return self._error_json(HTTPStatus.BAD_REQUEST, "MissingArn", "arn= is needed")
                after = query.get("after", "0")
                if not after.isdigit():
                    raise ValueError(f"after= takes an event number, not {after!r}")
                return self._json(HTTPStatus.OK, data.execution(query["arn"], int(after)))
        except NotFound as error:
            return self._error_json(HTTPStatus.NOT_FOUND, error.code, str(error))
        except UpstreamError as error:
            return self._error_json(HTTPStatus.BAD_GATEWAY, error.code, str(error))
        except ValueError as error:
            return self._error_json(HTTPStatus.BAD_REQUEST, "InvalidParameter", str(error))
        self._error_json(HTTPStatus.NOT_FOUND, "NotFound", f"no API /api/{name}")


def _static_page() -> bytes:
    return resources.files("sfini_runtime.ui").joinpath("static", "index.html").read_bytes()


class UIServer(ThreadingHTTPServer):
    """The web view's server on ``(host, port)`` (port 0: a free one), reading ``data``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, data: ViewData, host: str = "127.0.0.1", port: int = 0) -> None:
        self.data = data
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that hangs up is no error; anything else is logged, not printed."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("web view: %s hung up: %s", client_address, error)
        else:
            logger.warning("web view: request from %s failed", client_address, exc_info=True)
