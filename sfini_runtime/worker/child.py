"""One worker process, the child side of ``WorkerProcesses``: make the workers, run them until
drained, and tell the parent how it went (through a pipe: "ready", "retiring", the error that
ended them); the parent's drain requests come in through that pipe."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sfini_runtime.worker.worker import Worker, WorkerGroup, run_workers

__all__ = [
    "EXIT_FATAL",
    "EXIT_START_FAILED",
    "ChildSpec",
    "LogSetup",
    "WorkerFactory",
    "child_main",
]

_logger = logging.getLogger(__name__)

#: Makes a child's workers, given the child's name (``<name>-<index>``); called in the child,
#: so it must be picklable: a module-level function, a ``functools.partial`` of one, or an
#: ``ActivityWorkers``.
WorkerFactory = Callable[[str], "Worker | WorkerGroup | Iterable[Worker]"]

#: A child's exit status when its workers failed for good (``run_workers`` raised).
EXIT_FATAL = 3
#: A child's exit status when its factory raised.
EXIT_START_FAILED = 4


@dataclasses.dataclass(frozen=True)
class LogSetup:
    """The parent's logging, re-created in a child (spawned children start unconfigured)."""

    levels: Mapping[str, int]
    formatter: logging.Formatter | None

    @classmethod
    def of_parent(cls) -> LogSetup:
        levels = {"": logging.getLogger().level}
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
                levels[name] = logger.level
        formatter = next(
            (handler.formatter for handler in logging.getLogger().handlers if handler.formatter),
            None,
        )
        try:
            pickle.dumps(formatter)
        except Exception:
            formatter = None
        return cls(levels, formatter)

    def apply(self) -> None:
        handler = logging.StreamHandler()
        if self.formatter is not None:
            handler.setFormatter(self.formatter)
        root = logging.getLogger()
        root.handlers[:] = [handler]
        for name, level in self.levels.items():
            logging.getLogger(name or None).setLevel(level)


@dataclasses.dataclass(frozen=True)
class ChildSpec:
    factory: WorkerFactory
    name: str
    max_tasks: int | None
    grace_period: float | None
    logs: LogSetup


class _TaskBudget:
    """Ends a child's workers the moment they have taken ``limit`` tasks (``spent`` is set).

    They are ended from the poll that brought the last task, before that poll's thread can
    start another: only polls already in flight (with ``concurrency`` above 1) may each bring
    one more task, which is run (``Worker`` runs a task a poll brings back after ``end``)."""

    def __init__(self, limit: int, workers: list[Worker]) -> None:
        self.limit = limit
        self.taken = 0
        self.spent = threading.Event()
        self._workers = workers
        self._lock = threading.Lock()
        for worker in workers:
            self._count_tasks_of(worker)

    def take(self) -> None:
        with self._lock:
            self.taken += 1
            spent = self.taken == self.limit
        if spent:
            _logger.info("Took %d tasks (the most per process): retiring", self.limit)
            self.spent.set()  # first: ended workers then mean "retiring", not "failed"
            for worker in self._workers:
                worker.end()

    def _count_tasks_of(self, worker: Worker) -> None:
        """Count each task ``worker`` takes (a ``task_execution_class`` for this worker)."""
        budget = self
        base = worker.task_execution_class

        class CountedTask(base):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                budget.take()

        worker.task_execution_class = CountedTask  # type: ignore[misc]


def _as_workers(made: Any) -> list[Worker]:
    if isinstance(made, Worker):
        return [made]
    if isinstance(made, WorkerGroup):
        return list(made.workers)
    workers = list(made)
    if not workers or not all(isinstance(worker, Worker) for worker in workers):
        raise TypeError(f"the worker factory made {made!r}, not a Worker or a list of them")
    return workers


class _Control:
    """A child's side of its pipe to the parent: drain requests in, news out.

    The parent asks for a drain through the pipe, not with a signal: one that arrived before
    ``run_workers`` handles signals (the child still starting) would kill the child. A request
    is acted on once the workers run (SIGTERM to this process, which ``run_workers`` handles:
    a second one cancels running tasks, a third abandons polls in flight). The parent gone
    (the pipe closed) is a drain request too: no child outlives its supervisor.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._lock = threading.Lock()
        self._drains = 0
        self._running = False
        #: SIGTERM/SIGINT received before ``run_workers`` handles them (appended by a handler,
        #: which must take no lock)
        self._early_signals: list[int] = []

    @property
    def draining(self) -> bool:
        with self._lock:
            return self._drains + len(self._early_signals) > 0

    def hold_signals(self) -> None:
        """Until the workers run, and once they are done, a signal is a drain request rather
        than death (``run_workers`` restores these handlers when it returns)."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda number, _frame: self._early_signals.append(number))

    def listen(self) -> None:
        while True:
            try:
                self.connection.recv()
            except (EOFError, OSError):
                _logger.warning("The supervising process is gone: draining")
                self._drain()
                return
            except Exception:
                pass  # a garbled message still means "drain"
            self._drain()

    def _drain(self) -> None:
        with self._lock:
            self._drains += 1
            running = self._running
        if running:
            os.kill(os.getpid(), signal.SIGTERM)

    def workers_running(self) -> None:
        """The workers poll and ``run_workers`` handles signals: pass on the drains so far."""
        with self._lock:
            self._running = True
            pending = self._drains + len(self._early_signals)
        for _ in range(pending):
            os.kill(os.getpid(), signal.SIGTERM)

    def workers_done(self) -> None:
        """``run_workers`` returned: drain requests have nothing left to do."""
        with self._lock:
            self._running = False

    def send(self, *message: Any) -> None:
        """Tell the parent; a parent gone or an unpicklable detail is no reason to fail."""
        try:
            self.connection.send(message)
        except (pickle.PicklingError, TypeError, AttributeError):
            kind, *details = message
            with contextlib.suppress(OSError):
                self.connection.send((kind, *(RuntimeError(repr(d)) for d in details)))
        except OSError:
            pass


def _report_ready(workers: list[Worker], control: _Control, budget: _TaskBudget | None) -> None:
    """Say "ready" once every worker polls, and "retiring" once the task budget is spent."""
    while True:
        if (budget is not None and budget.spent.is_set()) or all(w.polling for w in workers):
            break
        if any(worker.ended for worker in workers):
            return  # they failed to start: run_workers raises
        time.sleep(0.01)
    # run_workers installs its signal handlers before it starts the workers
    control.workers_running()
    control.send("ready")
    if budget is None:
        return
    budget.spent.wait()
    control.send("retiring")


def child_main(spec: ChildSpec, connection: Any) -> None:
    """A worker process: make the workers, run them until drained, tell the parent how it went."""
    control = _Control(connection)
    control.hold_signals()
    if hasattr(os, "setpgid"):
        with contextlib.suppress(OSError):
            # A terminal's Ctrl-C reaches the parent alone, which passes one drain to each child
            # (a child that got the signal too would take the parent's as a second: "cancel now").
            os.setpgid(0, 0)
    spec.logs.apply()
    threading.Thread(target=control.listen, name="sfini-child-control", daemon=True).start()
    try:
        workers = _as_workers(spec.factory(spec.name))
    except BaseException as error:
        _logger.error("Worker process %s could not make its workers: %s", spec.name, error)
        control.send("start-failed", error)
        raise SystemExit(EXIT_START_FAILED) from None
    if control.draining:  # asked to stop while starting: nothing taken, nothing to drain
        return
    budget = None if spec.max_tasks is None else _TaskBudget(spec.max_tasks, workers)
    threading.Thread(
        target=_report_ready, args=(workers, control, budget), name="sfini-child-ready", daemon=True
    ).start()
    try:
        run_workers(workers, grace_period=spec.grace_period)
    except BaseException as error:
        control.send("fatal", error)
        raise SystemExit(EXIT_FATAL) from None
    finally:
        control.workers_done()
