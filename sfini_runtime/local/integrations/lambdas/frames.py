"""The pipe protocol between the engine and a Lambda worker process: JSON documents, each
sent as a 4-byte big-endian length and the UTF-8 text.

Standard library only: the worker process loads this file by path, without the package.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_LENGTH = struct.Struct(">I")


class FrameTimeout(Exception):
    """No whole frame arrived before the deadline."""


class FrameEOF(Exception):
    """The other end closed the pipe."""


def encode(document: Any) -> bytes:
    """One frame holding ``document``."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return _LENGTH.pack(len(body)) + body


def write(fd: int, document: Any) -> None:
    """Send ``document`` on ``fd`` (all of it)."""
    view = memoryview(encode(document))
    while view:
        view = view[os.write(fd, view) :]


def read(fd: int, deadline: float | None = None) -> Any:
    """The next document on ``fd``; ``deadline`` (``time.monotonic()``) bounds the wait."""
    (length,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size, deadline))
    return json.loads(_read_exactly(fd, length, deadline))


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise FrameTimeout()
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise FrameEOF()
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
