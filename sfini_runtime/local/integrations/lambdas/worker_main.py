"""A Lambda worker process: imports one function's handler from its code directory (the init
phase), then runs invocations sent over its stdin, answering on its original stdout, as
Lambda's Python runtime does (the same error types and messages).

Run as a script (``python worker_main.py CONFIG_JSON``); it imports nothing of sfini but its
two standard-library-only siblings, loaded by path, so a cold start costs one interpreter
start and the function's own imports. What the function prints goes to stderr (its "logs").
It exits when the engine closes the pipe or goes away, and ignores Ctrl-C (the engine stops it).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

_HERE = Path(__file__).resolve().parent


def _sibling(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_sfini_lambda_{name}", _HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _error(error_type: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"errorMessage": message, "errorType": error_type}
    if request_id is not None:
        document["requestId"] = request_id
    document["stackTrace"] = []
    return document


def _stack(tb: Any) -> list[str]:
    return [
        f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}\n    {frame.line}\n'
        for frame in traceback.extract_tb(tb)[1:]
    ]


def _load_handler(spec: str) -> tuple[Any, dict[str, Any] | None]:
    """The handler ``MODULE.FUNCTION`` names (module path may use ``/``), or the init error
    document Lambda's runtime reports."""
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        return None, _error("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {exc}")
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return None, _error(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        )
    except SyntaxError as exc:
        return None, _error(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}"
        )
    except Exception as exc:
        document = _error(type(exc).__name__, str(exc))
        document["stackTrace"] = _stack(exc.__traceback__)
        return None, document
    handler = getattr(module, function_name, None)
    if handler is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, _error("Runtime.HandlerNotFound", message)
    return handler, None


def _watch_parent(parent: int) -> None:
    """Exit when the engine's process is gone (no orphan survives it)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    config = json.loads(argv[1])
    frames = _sibling("frames")
    context_module = _sibling("context")
    # the protocol keeps the original stdin/stdout; the function's prints go to stderr
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()

    task_root = config["task_root"]
    sys.path[0] = task_root  # the function's code first, as LAMBDA_TASK_ROOT is on Lambda
    os.chdir(task_root)
    handler, init_error = _load_handler(config["handler"])
    frames.write(proto_out, {"init_error": init_error} if init_error else {"ready": True})
    if init_error:
        return 0
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
    while True:
        try:
            request = frames.read(proto_in)
        except frames.FrameEOF:
            return 0
        request_id = request["request_id"]
        context = context_module.LambdaContext(
            function_name=config["function_name"],
            function_version=config["version"],
            invoked_function_arn=request["invoked_arn"],
            memory_limit_in_mb=config["memory_mb"],
            aws_request_id=request_id,
            log_group_name=config["log_group_name"],
            log_stream_name=config["log_stream_name"],
            deadline_ms=request["deadline_ms"],
            client_context=request.get("client_context"),
        )
        os.environ["_X_AMZN_TRACE_ID"] = request.get("trace_id") or ""
        try:
            event = json.loads(request["payload"]) if request["payload"] else {}
            result = handler(event, context)
        except Exception as exc:
            document = _error(type(exc).__name__, str(exc), request_id)
            document["stackTrace"] = _stack(exc.__traceback__)
            answer = {"error": document}
        else:
            try:
                answer = {"payload": encode(result)}
            except (TypeError, ValueError) as exc:
                answer = {
                    "error": _error(
                        "Runtime.MarshalError", f"Unable to marshal response: {exc}", request_id
                    )
                }
        sys.stdout.flush()
        sys.stderr.flush()
        frames.write(proto_out, answer)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
