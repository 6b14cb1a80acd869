"""Lambda functions run by warm worker processes, one function per pool.

Each worker is a fresh Python interpreter (``worker_main.py``) started in the function's code
directory with the function's environment: it imports the handler once (Lambda's init phase)
and then serves invocations one at a time over pipes, staying warm between them. A pool keeps
up to ``max_processes`` workers; more invocations at once wait for one to come free. A worker
that runs past the function's time-out is killed (Lambda's time-out answer), one that exits is
reported as ``Runtime.ExitError``, one whose init fails answers with Lambda's init error; the
next invocation starts a fresh worker. Closing the pool kills every worker; a worker whose
engine process disappears exits by itself.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import frames
from .base import (
    UNHANDLED,
    FunctionConfig,
    InvokeRequest,
    InvokeResult,
    returned,
    timed_out,
)
from .context import log_stream_name
from .inprocess import client_context

WORKER_MAIN = Path(__file__).resolve().parent / "worker_main.py"
#: Lambda's limit on a function's init phase
INIT_SECONDS = 10.0
DEFAULT_MAX_PROCESSES = 8


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, function: FunctionConfig, code_dir: Path, environment: Mapping[str, str]):
        self.instance = uuid.uuid4().hex
        self.log_stream_name = log_stream_name(function.version, self.instance)
        config = {
            "task_root": str(code_dir),
            "handler": function.handler,
            "function_name": function.name,
            "version": function.version,
            "memory_mb": function.memory_mb,
            "log_group_name": function.log_group_name,
            "log_stream_name": self.log_stream_name,
        }
        env = {**environment, "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream_name}
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER_MAIN), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=code_dir,
            env=env,
            close_fds=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin.fileno()
        self.stdout = self.process.stdout.fileno()
        self.init_error: dict[str, Any] | None = None
        try:
            ready = frames.read(self.stdout, time.monotonic() + INIT_SECONDS)
        except frames.FrameTimeout:
            self.kill()
            self.init_error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": f"INIT phase timed out after {INIT_SECONDS:.2f} seconds",
            }
        except (frames.FrameEOF, ValueError):
            self.init_error = self._exit_error(None)
        else:
            self.init_error = ready.get("init_error")
        if self.init_error is not None:
            self.kill()

    def _exit_error(self, request_id: str | None) -> dict[str, Any]:
        code = self.process.wait()
        reason = f"signal: {_signal_name(-code)}" if code < 0 else f"exit status {code}"
        prefix = f"RequestId: {request_id} " if request_id else ""
        return {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"{prefix}Error: Runtime exited with error: {reason}",
        }

    def call(self, document: dict[str, Any], deadline: float) -> dict[str, Any] | None:
        """Send one invocation; its answer, ``{"error": ...}`` if the process died, or None
        when the deadline passed (the process is then killed)."""
        try:
            frames.write(self.stdin, document)
            return dict(frames.read(self.stdout, deadline))
        except frames.FrameTimeout:
            self.kill()
            return None
        except (frames.FrameEOF, OSError, ValueError):
            self.kill_quietly()
            return {"error": self._exit_error(document["request_id"]), "exited": True}

    def kill_quietly(self) -> None:
        """Wait briefly for a process that is exiting by itself, else kill it."""
        try:
            self.process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def _signal_name(number: int) -> str:
    import signal

    try:
        return {signal.SIGKILL: "killed", signal.SIGSEGV: "segmentation fault"}.get(
            signal.Signals(number), signal.Signals(number).name.lower()
        )
    except ValueError:
        return str(number)


class ProcessBackend:
    """Runs one function's invocations in warm worker processes (see the module docstring)."""

    #: a worker past its time-out is killed here; the integration's timer is a backstop
    enforces_timeout = True

    def __init__(
        self,
        code_dir: str | Path,
        environment: Mapping[str, str],
        *,
        max_processes: int = DEFAULT_MAX_PROCESSES,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.code_dir = Path(code_dir)
        self._on_close = on_close
        self.environment = dict(environment)
        self.max_processes = max_processes
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._count = 0
        self._closed = False
        self._free = threading.Condition()
        #: worker processes started so far (cold starts)
        self.started = 0

    def _acquire(self, function: FunctionConfig) -> _Worker:
        with self._free:
            while True:
                if self._closed:
                    raise RuntimeError("the function's worker pool is closed")
                while self._idle:
                    worker = self._idle.pop()
                    if worker.alive:
                        return worker
                    self._count -= 1
                if self._count < self.max_processes:
                    self._count += 1
                    break
                self._free.wait()
        try:
            worker = _Worker(function, self.code_dir, self.environment)
        except BaseException:
            self._release(None)
            raise
        with self._free:
            self.started += 1
            self._all.add(worker)
            closed = self._closed
        if closed:
            worker.kill()
        return worker

    def _release(self, worker: _Worker | None) -> None:
        with self._free:
            if worker is not None and worker.alive and not self._closed:
                self._idle.append(worker)
            else:
                self._count -= 1
                if worker is not None:
                    self._all.discard(worker)
                    worker.kill()
            self._free.notify()

    def invoke(self, function: FunctionConfig, request: InvokeRequest) -> InvokeResult:
        worker = self._acquire(function)
        if worker.init_error is not None:
            self._release(worker)
            return _unhandled({**worker.init_error, "requestId": request.request_id})
        deadline_ms = time.time() * 1000 + function.timeout_seconds * 1000
        document = {
            "payload": request.payload.decode(),
            "request_id": request.request_id,
            "invoked_arn": request.invoked_arn,
            "deadline_ms": deadline_ms,
            "client_context": client_context(request.client_context),
        }
        answer = worker.call(document, time.monotonic() + function.timeout_seconds)
        self._release(worker)
        if answer is None:
            return timed_out(request.request_id, function.timeout_seconds)
        if "error" in answer:
            return _unhandled(answer["error"])
        payload = str(answer["payload"]).encode()
        return returned(payload, request.request_id, function.version)

    def close(self) -> None:
        """Kill every worker (running invocations are answered as exited)."""
        with self._free:
            self._closed = True
            workers, self._idle = list(self._all), []
            self._all.clear()
            self._free.notify_all()
        for worker in workers:
            worker.kill()
        if self._on_close is not None:
            self._on_close()


def _unhandled(document: dict[str, Any]) -> InvokeResult:
    return InvokeResult(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), UNHANDLED
    )


#: variables of the engine's environment a worker keeps (the interpreter needs some; the
#: endpoint variables point the function's AWS SDK calls at local services too)
_INHERITED = ("PATH", "HOME", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT", "AWS_CA_BUNDLE")


def function_environment(
    function: FunctionConfig,
    code_dir: Path,
    region: str,
    base: Mapping[str, str],
    host: Mapping[str, str],
) -> dict[str, str]:
    """A worker's environment as Lambda builds one: a few of the ``host``'s variables and its
    ``AWS_ENDPOINT_URL*``, then ``base`` (the engine's endpoint, region, credentials), the
    template's variables, and Lambda's reserved variables (which the template cannot set)."""
    env = {key: host[key] for key in _INHERITED if key in host}
    env.update({k: v for k, v in host.items() if k.startswith("AWS_ENDPOINT_URL")})
    env.update(base)
    env.update({"LANG": "en_US.UTF-8", "TZ": ":UTC", "PYTHONUNBUFFERED": "1"})
    env.update(function.environment)
    runtime = function.runtime or f"python{sys.version_info[0]}.{sys.version_info[1]}"
    env.update(
        {
            "_HANDLER": function.handler or "",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": function.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group_name,
            "LAMBDA_TASK_ROOT": str(code_dir),
        }
    )
    return env


__all__ = ["DEFAULT_MAX_PROCESSES", "INIT_SECONDS", "ProcessBackend", "function_environment"]
