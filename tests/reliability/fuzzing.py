"""Support of the fuzzing and limits tests: raw HTTP requests, the AWS error codes an answer may
carry, hypothesis strategies for requests and definitions, and a watch on the engine's log."""

from __future__ import annotations

import http.client
import json
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from sfini_runtime.local.service.validation import service_model

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"
ROLE_ARN = "arn:aws:iam::123456789012:role/sfini-fuzz"
#: errors every AWS JSON 1.0 service may answer any operation with (the protocol's own, and the
#: common client errors AWS documents for all actions); InternalFailure (500) is not among them
COMMON_ERRORS = frozenset(
    {
        "ValidationException",
        "UnknownOperationException",
        "SerializationException",
        "MissingRequiredParameter",
    }
)


def operation_errors(operation: str | None) -> frozenset[str]:
    """The error codes AWS may answer ``operation`` with (every operation's when unknown)."""
    model = service_model()
    names = model.operation_names if operation not in model.operation_names else [operation]
    return COMMON_ERRORS | {
        shape.name for name in names for shape in model.operation_model(name).error_shapes
    }


@dataclass(frozen=True)
class Answer:
    """One HTTP response: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def document(self) -> Any:
        return json.loads(self.body)


class RawClient:
    """Posts bytes to the engine with ``http.client``: the test controls every header and byte."""

    def __init__(self, endpoint_url: str, timeout: float = 10.0) -> None:
        host, port = endpoint_url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.host, self.port, self.timeout = host, int(port), timeout
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def post(
        self,
        target: str | None,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = CONTENT_TYPE,
        method: str = "POST",
    ) -> Answer:
        """Send one request; a connection the server closed is reopened once."""
        given: dict[str, str] = {}
        if target is not None:
            given["X-Amz-Target"] = target
        if content_type is not None:
            given["Content-Type"] = content_type
        given.update(headers or {})
        # header values as UTF-8 bytes (lone surrogates too), line breaks blanked: any text
        sent = {
            name: value.replace("\r", " ").replace("\n", " ").encode("utf-8", "surrogatepass")
            for name, value in given.items()
        }
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, "/", body=body, headers=sent)
                response = connection.getresponse()
                answer = Answer(
                    response.status,
                    {k.lower(): v for k, v in response.getheaders()},
                    response.read(),
                )
            except (ConnectionError, http.client.RemoteDisconnected, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            if answer.headers.get("connection", "").lower() == "close":
                self.close()
            return answer
        raise AssertionError("unreachable")

    def call(self, operation: str, request: Any) -> Answer:
        """A well-formed request for ``operation`` with ``request`` as its JSON body."""
        body = json.dumps(request, allow_nan=False).encode()
        return self.post(TARGET_PREFIX + operation, body)


def check_answer(answer: Answer, operation: str | None = None) -> Any:
    """Assert ``answer`` is what AWS could send: a JSON object (200) or a 4xx JSON error whose
    ``__type`` is an error code of ``operation`` (or of any operation); return the document."""
    assert answer.status < 500, (answer.status, answer.body[:500])
    if answer.status == 413:  # AWS's request size limit: a plain-text answer, as AWS sends
        assert answer.body.startswith(b"HTTP content length exceeded"), answer.body[:200]
        return None
    document = answer.document()
    assert isinstance(document, dict), answer.body[:500]
    if answer.status == 200:
        assert "__type" not in document, document
        return document
    assert 400 <= answer.status < 500, answer.status
    assert document.get("__type") in operation_errors(operation), (operation, document)
    assert isinstance(document.get("message"), str), document
    return document


def send_raw(host: str, port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Write ``data`` to a new connection and read until the server closes it (or goes quiet)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may hang up before reading it all; what it answered still counts
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return received


def statuses(raw: bytes) -> list[int]:
    """The status codes of the HTTP responses in ``raw``."""
    found = []
    for line in raw.split(b"\r\n"):
        if line.startswith(b"HTTP/1.") and len(line) >= 12:
            found.append(int(line[9:12]))
    return found


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def engine_errors() -> Iterator[list[logging.LogRecord]]:
    """The ERROR records the engine logs meanwhile (a bug it caught: ``InternalFailure``, an
    execution failed inside the engine, a scheduler item that raised)."""
    collector = _Collector()
    logger = logging.getLogger("sfini_runtime")
    logger.addHandler(collector)
    try:
        yield collector.records
    finally:
        logger.removeHandler(collector)


def describe(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()} {r.exc_text or ''}" for r in records]


# -- strategies ------------------------------------------------------------------------------

#: JSON values, small and nested
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

#: text that stresses parsers: control characters, lone surrogates, long and empty strings
hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ud800",
            "null",
            "{",
            "[]",
            "x" * 81,
            "x" * 2049,
            "arn:",
            "arn:aws:states:us-east-1:123456789012:activity:",
            "arn:aws:states:us-east-1:123456789012:stateMachine:a:b:c",
            "arn:aws:states:us-east-1:123456789012:execution:m",
            "arn:aws:states:us-east-1:123456789012:express:m:e:x",
            "arn:aws:iam::123456789012:role/r",
            "1e999",
            "NaN",
            '"\\ud800"',
        ]
    ),
)


@st.composite
def mutation_of(draw: st.DrawFn, text: str) -> str:
    """One mutation of ``text`` (see ``mutated_text``)."""
    if not text:
        return draw(st.text(max_size=5))
    index = draw(st.integers(0, len(text) - 1))
    kind = draw(st.sampled_from(["replace", "delete", "insert", "truncate", "double", "swapcase"]))
    char = draw(st.characters(codec="utf-8"))
    if kind == "replace":
        return text[:index] + char + text[index + 1 :]
    if kind == "delete":
        return text[:index] + text[index + 1 :]
    if kind == "insert":
        return text[:index] + char + text[index:]
    if kind == "truncate":
        return text[:index]
    if kind == "double":
        return text + text
    return text.swapcase()


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if new is _DELETE and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(value[head], rest, new)
        return copy
    copy_list = list(value)
    if new is _DELETE and not rest:
        del copy_list[head]
    else:
        copy_list[head] = _replace(value[head], rest, new)
    return copy_list


_DELETE = object()


@st.composite
def mutated_document(draw: st.DrawFn, document: Any, replacements: Any = None) -> Any:
    """``document`` with one to three mutations at random places: a member deleted, a value
    replaced (by ``replacements`` or any JSON value), a member added, a string mutated."""
    values = replacements if replacements is not None else json_values
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        path = draw(st.sampled_from(paths))
        current: Any = document
        for step in path:
            current = current[step]
        kind = draw(st.sampled_from(["delete", "replace", "add", "mutate"]))
        if kind == "delete" and path:
            document = _replace(document, path, _DELETE)
        elif kind == "add" and isinstance(current, dict):
            key = draw(st.text(max_size=12) | st.sampled_from(_ASL_KEYS))
            document = _replace(document, path, {**current, key: draw(values)})
        elif kind == "mutate" and isinstance(current, str):
            document = _replace(document, path, draw(mutation_of(current)))
        else:
            document = _replace(document, path, draw(values))
    return document


#: ASL field names, so that added members are often ones the checker reads
_ASL_KEYS = [
    "Type",
    "Next",
    "End",
    "Default",
    "Choices",
    "Variable",
    "StringEquals",
    "NumericEquals",
    "BooleanEquals",
    "And",
    "Not",
    "Resource",
    "Parameters",
    "ResultPath",
    "InputPath",
    "OutputPath",
    "ResultSelector",
    "Retry",
    "Catch",
    "ErrorEquals",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "Branches",
    "ItemProcessor",
    "ItemsPath",
    "MaxConcurrency",
    "Iterator",
    "QueryLanguage",
    "Assign",
    "Output",
    "Arguments",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Error",
    "Cause",
    "StartAt",
    "States",
]
