"""Processes for the reliability tests: the local engine (``sfini local serve``) and
``sfini worker`` processes, each in a subprocess of its own, and reading histories back.

The fixtures of ``conftest.py`` start and clean these up; a test (or a benchmark) may also use
the classes directly, as context managers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "ACCOUNT",
    "REGION",
    "ROOT",
    "EngineProcess",
    "WorkerProcess",
    "attempts",
    "child_env",
    "free_port",
    "histories",
    "wait_for_executions",
]

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "123456789012", "us-east-1"
#: Environment variable naming the worker process to the activities it runs.
WORKER_NAME_VARIABLE = "SFINI_TEST_WORKER"


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(endpoint_url: str | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without its AWS settings, pointed at ``endpoint_url``, with
    the repository importable (so ``tests.reliability.workflows`` loads in a child)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PATH"] = os.pathsep.join([str(ROOT / ".venv" / "bin"), env.get("PATH", "")])
    if endpoint_url is not None:
        env.update(
            {
                "AWS_ENDPOINT_URL_SFN": endpoint_url,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "sfini-local",
                "AWS_SECRET_ACCESS_KEY": "sfini-local",
            }
        )
    env.update(extra)
    return env


def _wait_for_port(port: int, process: subprocess.Popen[Any], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the process exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


class EngineProcess:
    """``sfini local serve`` in a subprocess, on a free loopback port.

    Args:
        time_scale: ``--time-scale`` (time-outs, heartbeats and retry intervals multiplied)
        long_poll_seconds: ``--long-poll-seconds`` (how long GetActivityTask waits)
        log_path: file for the engine's output, default: discarded
        extra: more ``serve`` options (e.g. ``("--state-dir", DIR)``)
        port: port to listen on, default: a free one
    """

    def __init__(
        self,
        time_scale: float = 0.25,
        long_poll_seconds: float = 2.0,
        *,
        log_path: Path | None = None,
        extra: Iterable[str] = (),
        port: int | None = None,
    ) -> None:
        self.time_scale = time_scale
        self.long_poll_seconds = long_poll_seconds
        self.log_path = log_path
        self.extra = list(extra)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._client: Any = None

    @property
    def url(self) -> str:
        """The engine's endpoint URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> EngineProcess:
        """Start the engine; returns once it accepts connections."""
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        command = [
            sys.executable,
            "-m",
            "sfini_runtime.cli",
            "local",
            "serve",
            "--port",
            str(self.port),
            "--time-scale",
            str(self.time_scale),
            "--long-poll-seconds",
            str(self.long_poll_seconds),
            *self.extra,
        ]
        try:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=child_env(), stdout=output, stderr=output
            )
        finally:
            if output is not subprocess.DEVNULL:
                output.close()
        try:
            _wait_for_port(self.port, self.process, timeout)
        except (RuntimeError, TimeoutError) as error:
            self.kill()
            log = self.log_path.read_text(errors="replace")[-3000:] if self.log_path else ""
            raise RuntimeError(f"the local engine did not start: {error}\n{log}") from None
        return self

    def env(self) -> dict[str, str]:
        """A child environment pointed at this engine."""
        return child_env(self.url)

    def client(self) -> Any:
        """A boto3 Step Functions client for the engine (shared; retries on throttling)."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.Session().client(
                "stepfunctions",
                endpoint_url=self.url,
                region_name=REGION,
                aws_access_key_id="sfini-local",
                aws_secret_access_key="sfini-local",
                config=Config(
                    retries={"mode": "standard", "total_max_attempts": 8},
                    max_pool_connections=32,
                    read_timeout=70,
                ),
            )
        return self._client

    def session(self) -> Any:
        """An ``AWSSession`` for the engine."""
        from sfini_runtime.session import AWSSession

        return AWSSession(endpoint_url=self.url, region=REGION)

    def register(self, registration: Any, *machines: Any) -> list[str]:
        """Create ``registration``'s activities and ``machines``; the machines' ARNs."""
        from sfini_runtime import registration as registering

        session = self.session()
        registering.register_activities(registration, session=session)
        with _environment(self.env()):  # activity ARNs are rendered with the default session
            return [registering.register_state_machine(m, session=session) for m in machines]

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the engine process."""
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        """SIGKILL the engine and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM the engine and wait for it (SIGKILL after ``timeout``); its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def __enter__(self) -> EngineProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class WorkerProcess:
    """``sfini worker TARGET`` in a subprocess, its stderr in ``log_path``.

    The activities it runs see its name in ``$SFINI_TEST_WORKER``.
    """

    def __init__(
        self,
        target: str,
        name: str,
        endpoint_url: str,
        log_path: Path,
        *,
        concurrency: int = 1,
        grace_period: float = 30.0,
        extra: Iterable[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.target = target
        self.name = name
        self.endpoint_url = endpoint_url
        self.log_path = log_path
        command = [
            sys.executable,
            "-m",
            "sfini_runtime.cli",
            "worker",
            target,
            "--name",
            name,
            "-c",
            str(concurrency),
            "--grace-period",
            str(grace_period),
            *extra,
        ]
        environment = child_env(endpoint_url, **{WORKER_NAME_VARIABLE: name}, **(env or {}))
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log, stderr=log
            )

    @property
    def log(self) -> str:
        """What the worker wrote so far."""
        return self.log_path.read_text(errors="replace")

    def wait_polling(self, timeout: float = 60.0) -> None:
        """Wait until the worker says it is polling."""
        deadline = time.monotonic() + timeout
        while "polling activity" not in self.log:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited early:\n{self.log[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker {self.name} is not polling:\n{self.log[-3000:]}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the worker and reap it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> None:
        """SIGTERM the worker (a graceful stop)."""
        self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """Wait for the worker to exit; its exit code."""
        return self.process.wait(timeout)

    @property
    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None


def histories(client: Any, arns: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each execution's whole history, oldest event first."""
    result = {}
    for arn in arns:
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = client.get_execution_history(**kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        result[arn] = events
    return result


def wait_for_executions(
    client: Any, arns: Iterable[str], timeout: float, *, interval: float = 0.2
) -> dict[str, str]:
    """Wait until every execution has ended (or ``timeout`` passed); status by ARN."""
    pending = set(arns)
    statuses: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for arn in list(pending):
            status = client.describe_execution(executionArn=arn)["status"]
            if status != "RUNNING":
                statuses[arn] = status
                pending.discard(arn)
        if pending:
            time.sleep(interval)
    for arn in pending:
        statuses[arn] = "RUNNING"
    return statuses


#: History events that end an activity task attempt, and the outcome each stands for.
_ATTEMPT_ENDS = {
    "ActivitySucceeded": "succeeded",
    "ActivityFailed": "failed",
    "ActivityTimedOut": "timed out",
    "ActivityScheduleFailed": "schedule failed",
}


def attempts(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The activity task attempts of one history, in order: ``worker`` (the ActivityStarted
    event's workerName, None if never started), ``outcome`` (``succeeded``, ``failed``,
    ``timed out``, None while open), ``scheduled``/``ended`` (timestamps), ``input`` (JSON
    text), ``details`` (the ending event's details)."""
    found: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for event in events:
        kind = event["type"]
        if kind == "ActivityScheduled":
            details = event["activityScheduledEventDetails"]
            current = {
                "worker": None,
                "outcome": None,
                "scheduled": event["timestamp"],
                "ended": None,
                "input": details.get("input"),
                "details": None,
            }
            found.append(current)
        elif kind == "ActivityStarted" and current is not None:
            current["worker"] = event["activityStartedEventDetails"].get("workerName")
        elif kind in _ATTEMPT_ENDS and current is not None:
            current["outcome"] = _ATTEMPT_ENDS[kind]
            current["ended"] = event["timestamp"]
            key = kind[0].lower() + kind[1:] + "EventDetails"
            current["details"] = event.get(key, {})
            current = None
    return found
