"""Turning exceptions into the CLI's one-line ``Error: ...`` messages."""

from __future__ import annotations

import json
import logging

__all__ = ["OneLineFormatter", "describe_error"]


def describe_error(error: BaseException) -> str:
    """One line saying what went wrong, without a traceback."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        code = response["Error"].get("Code", "Error")
        message = response["Error"].get("Message", "") or str(error)
        return f"{code}: {message}"
    if isinstance(error, json.JSONDecodeError):
        return f"invalid JSON input: {error}"
    if isinstance(error, FileNotFoundError):
        return f"no such file: {error.filename}"
    text = " ".join(str(error).split())
    module = type(error).__module__
    if module.startswith(("botocore", "sfini_runtime", "click")) or isinstance(
        error, (ValueError, LookupError, RuntimeError, TypeError, OSError)
    ):
        return text or type(error).__name__
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class OneLineFormatter(logging.Formatter):
    """Log records as one line each: a logged exception becomes ``(its one-line description)``
    after the message instead of a traceback (``tracebacks=True`` keeps them, for -vv)."""

    def __init__(self, fmt: str, *, tracebacks: bool = False) -> None:
        super().__init__(fmt)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks or not record.exc_info or record.exc_info[1] is None:
            return super().format(record)
        error = record.exc_info[1]
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return f"{super().format(plain)} ({describe_error(error)})"
