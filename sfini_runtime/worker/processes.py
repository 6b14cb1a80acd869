"""Workers on every core: pre-started worker processes, supervised.

A parent process starts ``processes`` children (the ``spawn`` start method: a forked copy of a
process with threads, boto3's connection pools or a local engine in it is unsafe, so each child
starts afresh and builds its own workers, sessions and clients). Each child runs the workers its
factory makes with ``run_workers``. The parent replaces a child that dies (a crash, SIGKILL) and
one that retires after ``max_tasks_per_child`` tasks; what happens to the tasks a dead child held
is Step Functions' rule, as for any worker that vanishes: they time out (heartbeat or task
time-out, ``ActivityTimedOut``) and a Retry on ``States.Timeout`` runs them again. SIGTERM or
SIGINT to the parent drains every child as SIGTERM drains one worker (``run_workers``).
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from sfini_runtime.worker.child import (
    EXIT_FATAL,
    ChildSpec,
    LogSetup,
    WorkerFactory,
    child_main,
)
from sfini_runtime.worker.worker import MAX_WORKER_NAME, Worker

__all__ = [
    "ActivityWorkers",
    "WorkerFactory",
    "WorkerProcessError",
    "WorkerProcesses",
    "run_worker_processes",
]

_logger = logging.getLogger(__name__)

_SUPERVISE_INTERVAL = 0.1


class WorkerProcessError(RuntimeError):
    """Worker processes could not be kept running (a child fails at start-up again and again,
    or one ended abnormally during the shutdown)."""


@dataclasses.dataclass(frozen=True)
class ActivityWorkers:
    """A ``WorkerFactory``: a ``Worker`` for each activity of ``target`` (``MODULE:OBJECT``, an
    activity registration, an activity or a list of them, as ``sfini worker`` takes).

    ``arns`` maps activity names to ARNs (default: from the name, region and account); the
    session is made in the child from ``endpoint_url``, ``region`` and ``profile`` (default: the
    AWS configuration and environment). With several activities, the workers are named
    ``<child name>-<activity name>``.
    """

    target: str
    concurrency: int = 1
    grace_period: float | None = None
    arns: Mapping[str, str] | None = None
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None

    def __call__(self, name: str) -> list[Worker]:
        from sfini_runtime.runner.loading import collect, load_object
        from sfini_runtime.session import AWSSession

        found = collect(load_object(self.target))
        if not found.activities:
            raise ValueError(f"{self.target} defines no activities")
        session = AWSSession(
            endpoint_url=self.endpoint_url, region=self.region, profile=self.profile
        )
        several = len(found.activities) > 1
        options: dict[str, Any] = {"concurrency": self.concurrency}
        if self.grace_period is not None:
            options["grace_period"] = self.grace_period
        return [
            Worker(
                activity,
                f"{name}-{activity_name}"[:MAX_WORKER_NAME] if several else name,
                session=session,
                arn=(self.arns or {}).get(activity_name),
                **options,
            )
            for activity_name, activity in sorted(found.activities.items())
        ]


def _default_base_name(processes: int) -> str:
    suffix = f"-{uuid.uuid4().hex[:8]}"
    room = MAX_WORKER_NAME - len(suffix) - len(f"-{processes - 1}")
    return socket.gethostname()[:room] + suffix


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


@dataclasses.dataclass
class _Child:
    index: int
    name: str
    process: Any
    connection: Any
    started: float
    ready: bool = False
    retiring: bool = False
    error: BaseException | None = None
    failure: str | None = None  # "fatal" or "start-failed", as the child said


class WorkerProcesses:
    """``processes`` worker processes, each running the workers ``factory`` makes, supervised.

    Args:
        factory: makes a child's workers from its name (``ActivityWorkers``, or a picklable
            callable: it runs in the child); a ``MODULE:OBJECT`` string is
            ``ActivityWorkers(target)``
        processes: how many children run at once
        name: the children's names are ``<name>-<index>`` (index 0 to processes - 1, kept by
            a replacement), default: host name and a random suffix
        max_tasks_per_child: a child stops polling after this many tasks, finishes them and
            exits, and is replaced at once (polls already in flight may each bring one more
            task: it is run, never dropped); default: no limit
        grace_period: seconds running tasks get after SIGTERM/SIGINT, default: the workers'
        start_attempts: a child that dies this many times in a row before its workers poll
            ends the whole group with ``WorkerProcessError``
        restart_delay: the first pause before restarting a child that failed at start-up, or
            crashed twice in a row within ``stable_after`` seconds of starting; doubled each
            time, up to ``max_restart_delay``
    """

    def __init__(
        self,
        factory: WorkerFactory | str,
        processes: int = 2,
        *,
        name: str | None = None,
        max_tasks_per_child: int | None = None,
        grace_period: float | None = None,
        start_attempts: int = 3,
        restart_delay: float = 0.5,
        max_restart_delay: float = 30.0,
        stable_after: float = 10.0,
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, not {processes}")
        if max_tasks_per_child is not None and max_tasks_per_child < 1:
            raise ValueError(f"max_tasks_per_child must be at least 1, not {max_tasks_per_child}")
        if start_attempts < 1:
            raise ValueError(f"start_attempts must be at least 1, not {start_attempts}")
        self.factory: WorkerFactory = (
            ActivityWorkers(factory) if isinstance(factory, str) else factory
        )
        try:
            pickle.dumps(self.factory)
        except Exception as error:
            raise TypeError(
                "the worker factory runs in each worker process, so it must be picklable (a "
                f"module-level function or an ActivityWorkers): {error}"
            ) from error
        self.processes = processes
        self.name = name or _default_base_name(processes)
        if len(self.child_name(processes - 1)) > MAX_WORKER_NAME:
            raise ValueError(
                f"worker name {name!r} is too long: its children's names ({name}-0 to "
                f"{self.child_name(processes - 1)}) must be at most {MAX_WORKER_NAME} characters"
            )
        self.max_tasks_per_child = max_tasks_per_child
        self.grace_period = grace_period
        self.start_attempts = start_attempts
        self.restart_delay = restart_delay
        self.max_restart_delay = max_restart_delay
        self.stable_after = stable_after
        #: the children started so far, replacements included (the latest 10,000): (name, pid)
        self.started: collections.deque[tuple[str, int]] = collections.deque(maxlen=10_000)
        self._context = multiprocessing.get_context("spawn")
        self._logs = LogSetup.of_parent()
        self._slots: list[_Child | None] = [None] * processes
        self._retiring: list[_Child] = []
        self._restart_at: dict[int, float] = {}
        self._start_failures = [0] * processes
        self._crashes = [0] * processes
        self._signals: list[int] = []
        self._stopping = False
        self._failure: BaseException | None = None
        self._abnormal: list[str] = []
        self._lock = threading.Lock()

    def child_name(self, index: int) -> str:
        """The name of the child at ``index``."""
        return f"{self.name}-{index}"

    @property
    def pids(self) -> list[int]:
        """The process ids of the children running now (retiring ones included)."""
        with self._lock:
            children = [c for c in self._slots if c is not None] + self._retiring
            return [c.process.pid for c in children if c.process.pid is not None]

    @property
    def ready(self) -> int:
        """How many slots have a child whose workers poll."""
        with self._lock:
            return sum(1 for child in self._slots if child is not None and child.ready)

    def stop(self) -> None:
        """Drain every child, as SIGTERM to this process does (``run`` then returns)."""
        with self._lock:
            self._signals.append(0)

    # --- running --------------------------------------------------------------------------------

    def run(self) -> None:
        """Start the children and supervise them until drained (SIGTERM/SIGINT or ``stop``);
        raise ``WorkerProcessError`` if they could not be kept running, or the error that ended
        a child's workers for good (e.g. the activity does not exist)."""
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self._on_signal)
        try:
            for index in range(self.processes):
                self._start(index)
            self._supervise()
        except BaseException:
            self._abandon()
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if self._failure is not None:
            raise self._failure
        if self._abnormal:
            raise WorkerProcessError(
                "worker processes ended abnormally during the shutdown: "
                + ", ".join(self._abnormal)
            )

    def _abandon(self) -> None:
        """The supervisor itself failed: drain the children and wait for them."""
        self._stopping = True
        for child in self._children():
            self._drain_child(child)
        for child in self._children():
            child.process.join()

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._signals.append(signum)  # only recorded: the handler must take no lock

    def _start(self, index: int) -> None:
        name = self.child_name(index)
        receiver, sender = self._context.Pipe()
        spec = ChildSpec(
            self.factory, name, self.max_tasks_per_child, self.grace_period, self._logs
        )
        process = self._context.Process(
            target=child_main, args=(spec, sender), name=name, daemon=False
        )
        process.start()
        sender.close()
        child = _Child(index, name, process, receiver, time.monotonic())
        with self._lock:
            self._slots[index] = child
            self.started.append((name, process.pid))
        _logger.info("Worker process %s started (pid %d)", name, process.pid)

    def _children(self) -> list[_Child]:
        with self._lock:
            return [child for child in self._slots if child is not None] + list(self._retiring)

    def _supervise(self) -> None:
        handled = 0
        while True:
            with self._lock:
                signals = list(self._signals)
            if len(signals) > handled:
                for number, signum in enumerate(signals[handled:], handled + 1):
                    self._forward(signum, number)
                handled = len(signals)
            children = self._children()
            if self._stopping and not children:
                return
            waitables = [child.process.sentinel for child in children]
            waitables += [child.connection for child in children if child.connection is not None]
            ready = multiprocessing.connection.wait(waitables, _SUPERVISE_INTERVAL)
            for child in children:
                if child.connection is not None and child.connection in ready:
                    self._receive(child)
            for child in children:
                if child.process.sentinel in ready:
                    child.process.join()
                    self._drain_messages(child)
                    self._exited(child)
            if not self._stopping:
                now = time.monotonic()
                for index, due in sorted(self._restart_at.items()):
                    if due <= now:
                        del self._restart_at[index]
                        self._start(index)

    def _forward(self, signum: int, count: int) -> None:
        """The ``count``-th signal (or ``stop``): stop restarting children; ask every child to
        drain (the second time: to cancel its running tasks now; the third: to abandon its polls
        in flight; after that, SIGKILL)."""
        if not self._stopping:
            _logger.warning(
                "%s: draining %d worker process(es)",
                f"Received signal {signum}" if signum else "Stopping",
                len(self._children()),
            )
        self._stopping = True
        self._restart_at.clear()
        for child in self._children():
            self._drain_child(child, kill=count > 3)

    @staticmethod
    def _drain_child(child: _Child, *, kill: bool = False) -> None:
        if kill:
            with contextlib.suppress(ProcessLookupError, TypeError):
                os.kill(child.process.pid, signal.SIGKILL)
        elif child.connection is not None:
            with contextlib.suppress(OSError):
                child.connection.send(("drain",))

    def _receive(self, child: _Child) -> None:
        try:
            kind, *details = child.connection.recv()
        except (EOFError, OSError):
            child.connection.close()
            child.connection = None
            return
        except Exception as error:  # a detail this process cannot unpickle
            kind, details = "unreadable", [WorkerProcessError(f"unreadable message: {error}")]
        if kind == "ready":
            child.ready = True
            self._start_failures[child.index] = 0
        elif kind == "retiring":
            self._retire(child)
        elif kind in ("fatal", "start-failed"):
            child.failure = kind
            child.error = details[0] if details else None
        elif kind == "unreadable" and child.error is None:
            child.error = details[0]

    def _drain_messages(self, child: _Child) -> None:
        while child.connection is not None and child.connection.poll():
            self._receive(child)
        if child.connection is not None:
            child.connection.close()
            child.connection = None

    def _retire(self, child: _Child) -> None:
        """A child that took its most tasks: out of its slot, a replacement in at once."""
        with self._lock:
            if self._slots[child.index] is not child:
                return
            child.retiring = True
            self._slots[child.index] = None
            self._retiring.append(child)
        if not self._stopping:
            self._start(child.index)

    def _exited(self, child: _Child) -> None:
        code = child.process.exitcode
        with self._lock:
            if child in self._retiring:
                self._retiring.remove(child)
                slot = False
            else:
                slot = self._slots[child.index] is child
                if slot:
                    self._slots[child.index] = None
        how = _describe_exit(code)
        if not slot:
            if code != 0:
                _logger.warning("Retiring worker process %s ended (%s)", child.name, how)
            return
        if self._stopping:
            if code != 0:
                self._abnormal.append(f"{child.name} ({how})")
            return
        if child.failure == "fatal" or code == EXIT_FATAL:
            _logger.error("Worker process %s: its workers failed; stopping all", child.name)
            self._fail(child.error or WorkerProcessError(f"worker process {child.name}: {how}"))
            return
        if not child.ready:
            self._start_failures[child.index] += 1
            failures = self._start_failures[child.index]
            detail = f"{type(child.error).__name__}: {child.error}" if child.error else how
            if failures >= self.start_attempts:
                self._fail(
                    WorkerProcessError(
                        f"worker process {child.name} failed at start-up {failures} times in "
                        f"a row; giving up ({detail})"
                    )
                )
                return
            delay = self._delay(failures)
            _logger.warning(
                "Worker process %s failed at start-up (%s); restarting in %g s",
                child.name,
                detail,
                delay,
            )
        else:
            lived = time.monotonic() - child.started
            crashes = self._crashes[child.index] + 1 if lived < self.stable_after else 1
            self._crashes[child.index] = crashes
            delay = 0.0 if crashes == 1 else self._delay(crashes - 1)
            _logger.warning(
                "Worker process %s (pid %d) ended (%s)%s; restarting it%s",
                child.name,
                child.process.pid,
                how,
                "" if code == 0 else ": its tasks time out (a Task's Retry runs them again)",
                f" in {delay:g} s" if delay else "",
            )
        self._restart_at[child.index] = time.monotonic() + delay

    def _delay(self, failures: int) -> float:
        return min(self.restart_delay * 2 ** (failures - 1), self.max_restart_delay)

    def _fail(self, error: BaseException) -> None:
        """Stop for good: drain the other children, then raise ``error`` from ``run``."""
        if self._failure is None:
            self._failure = error
        with self._lock:
            self._signals.append(0)


def run_worker_processes(
    factory: WorkerFactory | str,
    processes: int = 2,
    *,
    name: str | None = None,
    max_tasks_per_child: int | None = None,
    grace_period: float | None = None,
) -> None:
    """Run ``processes`` supervised worker processes until SIGTERM/SIGINT drains them
    (``WorkerProcesses``); call it under ``if __name__ == "__main__":`` (the children import
    the main module)."""
    WorkerProcesses(
        factory,
        processes,
        name=name,
        max_tasks_per_child=max_tasks_per_child,
        grace_period=grace_period,
    ).run()
