"""Turning exceptions into the CLI's one-line ``Error: ...`` messages."""

from __future__ import annotations

import json

__all__ = ["describe_error"]


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
