"""Workers: poll an activity for tasks and run several at once; end promptly, lose none."""

from __future__ import annotations

import collections
import json
import logging
import queue
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterable
from typing import Any

from sfini_runtime.session import AWSSession, default_session
from sfini_runtime.worker.heartbeat import Heartbeater
from sfini_runtime.worker.polling import PollAborted, PollTransport
from sfini_runtime.worker.task import TaskExecution, WorkerCancel, is_transient

__all__ = ["DEFAULT_GRACE_PERIOD", "PollingUnsupported", "Worker", "WorkerGroup", "run_workers"]

_logger = logging.getLogger(__name__)

#: Seconds running tasks get to finish after SIGTERM/SIGINT before they are cancelled.
DEFAULT_GRACE_PERIOD = 30.0
MAX_WORKER_NAME = 80
_MAX_POLLERS = 4
#: Seconds between ``run_workers``' checks for signals, errors and the end.
_SUPERVISE_INTERVAL = 0.1


#: Error codes of an endpoint that does not know the operation it was sent.
_UNKNOWN_OPERATION_CODES = frozenset(
    {"UnknownOperationException", "InvalidAction", "NotImplemented", "NotImplementedError"}
)


class PollingUnsupported(RuntimeError):
    """The Step Functions endpoint does not implement GetActivityTask (moto, for one)."""


def _unsupported_polling(error: BaseException, endpoint: str) -> PollingUnsupported | None:
    """A ``PollingUnsupported`` if ``error`` says the endpoint cannot serve activity tasks."""
    from sfini_runtime.worker.task import error_code

    # moto's mock_aws raises NotImplementedError in-process; a server answers with a code
    if (
        not isinstance(error, NotImplementedError)
        and error_code(error) not in _UNKNOWN_OPERATION_CODES
    ):
        return None
    return PollingUnsupported(
        f"The Step Functions endpoint {endpoint} does not implement GetActivityTask, so no "
        f"worker can run activity tasks on it (moto cannot; `sfini local serve` can): {error}"
    )


def _default_worker_name() -> str:
    suffix = "-" + uuid.uuid4().hex[:8]
    return socket.gethostname()[: MAX_WORKER_NAME - len(suffix)] + suffix


class _Slots:
    """Counts free task slots; ``acquire`` blocks until one is free or the worker stops."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._condition = threading.Condition()
        self._closed = False

    def acquire(self) -> bool:
        with self._condition:
            while self._free == 0 and not self._closed:
                self._condition.wait()
            if self._closed:
                return False
            self._free -= 1
            return True

    def release(self) -> None:
        with self._condition:
            self._free += 1
            self._condition.notify()

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()


class _SlotHold:
    """One task's hold on a slot, released exactly once (when its function returns, or when
    the task ends some other way)."""

    __slots__ = ("_held", "_lock", "_slots")

    def __init__(self, slots: _Slots) -> None:
        self._slots = slots
        self._held = True
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if not self._held:
                return
            self._held = False
        self._slots.release()


class Worker:
    """Worker to poll for activity tasks and run them.

    Args:
        activity: activity to poll and run tasks of (a ``CallableActivity``)
        name: name of worker, used for identification, default: host name and a random suffix
        session: session to use for AWS communication, default: the activity's
        arn: the activity's ARN, default: from its name, the session's region and account
        concurrency: most tasks whose function runs at once (a task's report, sent after its
            function returns, overlaps the poll for the next task)
        pollers: most long polls in flight at once, default: ``min(concurrency, 4)``
        grace_period: seconds running tasks get after SIGTERM/SIGINT before they are cancelled

    Attributes:
        api_calls: Step Functions calls made, by operation
        outcomes: tasks finished, by outcome (``succeeded``, ``failed``, ``cancelled``, ``lost``)
    """

    task_execution_class = TaskExecution
    #: Pauses after a transient polling error: first, longest (seconds).
    poll_backoff_initial = 0.5
    poll_backoff_max = 20.0
    #: Seconds ``join`` gives cancelled tasks' code to unwind.
    cancel_wait = 1.0

    def __init__(
        self,
        activity: Any,
        name: str | None = None,
        *,
        session: AWSSession | None = None,
        arn: str | None = None,
        concurrency: int = 1,
        pollers: int | None = None,
        grace_period: float = DEFAULT_GRACE_PERIOD,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self.activity = activity
        self.name = name or _default_worker_name()
        self.session = default_session(session or getattr(activity, "session", None))
        self.arn = arn
        self.concurrency = concurrency
        self.pollers = max(1, min(pollers or min(concurrency, _MAX_POLLERS), concurrency))
        self.grace_period = grace_period
        self.api_calls: collections.Counter[str] = collections.Counter()
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.error: BaseException | None = None

        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._grace_deadline: float | None = None
        self._slots = _Slots(concurrency)
        self._queue: queue.SimpleQueue[TaskExecution | None] = queue.SimpleQueue()
        self._running: set[TaskExecution] = set()
        self._idle = threading.Condition(self._lock)
        self._poller_threads: list[threading.Thread] = []
        self._task_threads: list[threading.Thread] = []
        self._heartbeater = Heartbeater(name=f"sfini-heartbeat-{self.name}")
        self._transport: PollTransport | None = None
        self._poll_client: Any = None
        self._keeper: threading.Thread | None = None
        self._polls_in_flight = 0
        self._started = False
        self._joined = False

    def __str__(self) -> str:
        return f"{self.name} [{self.activity.name}]"

    def __repr__(self) -> str:
        return f"Worker({self.activity.name!r}, name={self.name!r}, concurrency={self.concurrency})"

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start polling (returns at once)."""
        if not callable(getattr(self.activity, "call_with", None)):
            raise TypeError(f"Activity '{self.activity.name}' cannot be executed: it has no code")
        if len(self.name) > MAX_WORKER_NAME:
            raise ValueError(f"worker name is over {MAX_WORKER_NAME} characters: {self.name!r}")
        if self._started:
            raise RuntimeError(f"Worker '{self}' was already started")
        self._started = True
        if self.arn is None:
            self.arn = self.session.arn_for("activity", self.activity.name)
        from sfini_runtime.session import CONNECT_TIMEOUT, READ_TIMEOUT

        self._poll_client = self.session.new_client(
            "stepfunctions", max_pool_connections=self.pollers
        )
        self._transport = PollTransport(READ_TIMEOUT, CONNECT_TIMEOUT)
        self._transport.install(self._poll_client)
        self._heartbeater.start()
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._task_loop, name=f"sfini-task-{self.name}-{index}", daemon=True
            )
            thread.start()
            self._task_threads.append(thread)
        for index in range(self.pollers):
            thread = threading.Thread(
                target=self._poll_loop, name=f"sfini-poll-{self.name}-{index}", daemon=True
            )
            thread.start()
            self._poller_threads.append(thread)
        # The one thread that is not a daemon: Python does not exit while the worker runs (as
        # with sfini 0.1.0), nor after end() while a poll in flight may still bring a task.
        self._keeper = threading.Thread(
            target=self._keep, name=f"sfini-keeper-{self.name}", daemon=False
        )
        self._keeper.start()
        _logger.info("Worker %s polling %s", self, self.arn)

    def end(self, *, abort_polls: bool = False) -> None:
        """Stop polling now, without waiting for the long polls in flight; running tasks go on.

        A poll in flight is left to finish in the background (at most 60 s after it began): a
        task it brings back is still run (or, during a shutdown, failed with ``WorkerCancel`` at
        once), never dropped; Python does not exit before those polls are back (``drain``).
        ``abort_polls=True`` cuts those polls instead; Step Functions may then hand a task to a
        cut poll, and that task waits for its timeout: use it only when nothing can be lost.
        """
        if not self._stopping.is_set():
            _logger.info("Worker %s: ending", self)
            self._stopping.set()
            self._slots.close()
        if abort_polls and self._transport is not None:
            self._transport.abort()

    def shutdown(self, grace_period: float | None = None) -> None:
        """Stop polling, give running tasks ``grace_period`` seconds, cancel the rest, join:
        when it returns, every task it ran is reported and counted in ``outcomes``."""
        self.begin_grace(self.grace_period if grace_period is None else grace_period)
        self.join()

    def begin_grace(self, grace_period: float) -> None:
        """Stop polling; tasks still running in ``grace_period`` seconds get cancelled."""
        deadline = time.monotonic() + grace_period
        with self._lock:
            if self._grace_deadline is None or deadline < self._grace_deadline:
                self._grace_deadline = deadline
            self._idle.notify_all()
        self.end()

    @property
    def ended(self) -> bool:
        """Whether ``end`` was called (or polling failed for good)."""
        return self._stopping.is_set()

    @property
    def settled(self) -> bool:
        """Whether ``join`` would return at once: ended, and no task running (or the grace
        period over, so that ``join`` cancels what still runs)."""
        if not self._stopping.is_set():
            return False
        with self._lock:
            deadline = self._grace_deadline
            return not self._running or (deadline is not None and time.monotonic() >= deadline)

    @property
    def polling(self) -> bool:
        """Whether a long poll is in flight (one left over from ``end`` included)."""
        return any(thread.is_alive() for thread in self._poller_threads)

    @property
    def polls_in_flight(self) -> int:
        """How many GetActivityTask calls are under way (those left over from ``end`` included)."""
        with self._lock:
            return self._polls_in_flight

    @property
    def running_tasks(self) -> list[TaskExecution]:
        """The tasks running now."""
        with self._lock:
            return list(self._running)

    def join(self) -> None:
        """Block until the worker is ended and its running tasks are done (reported and counted
        in ``outcomes``); re-raise a fatal polling error. Long polls left in flight by ``end``
        are not waited for (``drain``)."""
        while not self._stopping.wait(0.5):
            pass
        self._wait_for_tasks()
        self._release_threads()
        if self.error is not None:
            raise self.error

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until the long polls left in flight by ``end`` are back and the tasks they
        brought are done (run, or failed with ``WorkerCancel`` during a shutdown); False if
        some are still out after ``timeout`` seconds. A poll ends at most 60 s after it began.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._poller_threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        with self._lock:
            while self._running and (deadline is None or time.monotonic() < deadline):
                self._idle.wait(0.5 if deadline is None else max(0.0, deadline - time.monotonic()))
            return not self._running and not self.polling

    def _release_threads(self) -> None:
        with self._lock:
            if self._joined:
                return
            self._joined = True
        self._heartbeater.stop()
        for _ in self._task_threads:  # tasks after end() run in threads of their own
            self._queue.put(None)

    def _keep(self) -> None:
        """Hold the process open until the worker is ended, its tasks are done (or cancelled
        once the grace period is over) and its polls in flight are back."""
        self._stopping.wait()
        while True:
            self._wait_for_tasks()
            for thread in self._poller_threads:
                thread.join()
            with self._lock:
                # a cancelled task whose code is stuck in a blocking call is already reported;
                # one whose report is under way is not settled yet
                if all(task.settled for task in self._running):
                    break
        self._release_threads()

    def run(self) -> None:
        """Poll for and run tasks until ended (SIGTERM/SIGINT end it gracefully)."""
        run_workers([self])

    def _wait_for_tasks(self) -> None:
        with self._lock:
            while self._running:
                deadline = self._grace_deadline
                if deadline is not None and time.monotonic() >= deadline:
                    break
                timeout = (
                    0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
                )
                self._idle.wait(timeout)
            leftover = list(self._running)
        for task in leftover:
            _logger.warning("Cancelling %s: the grace period is over", task)
            task.cancel("Activity task cancelled: the worker shut down before it finished")
        for task in leftover:  # another thread (join, the keeper) may be the one reporting it
            task.wait_settled()
        if leftover:
            # Cancelled code gets a moment to unwind (WorkerCancel is raised in it); code stuck
            # in a blocking call is not waited for: its task is already reported.
            deadline = time.monotonic() + self.cancel_wait
            with self._lock:
                while self._running and time.monotonic() < deadline:
                    self._idle.wait(max(0.0, deadline - time.monotonic()))

    # --- API calls ------------------------------------------------------------------------------

    def _count(self, operation: str) -> None:
        with self._lock:
            self.api_calls[operation] += 1

    def _call(self, operation: str, **kwargs: Any) -> Any:
        self._count(operation)
        return getattr(self.session.sfn, operation)(**kwargs)

    # --- polling and running --------------------------------------------------------------------

    def _poll_loop(self) -> None:
        backoff = self.poll_backoff_initial
        while self._slots.acquire():
            with self._lock:
                self.api_calls["get_activity_task"] += 1
                self._polls_in_flight += 1
            try:
                backoff = self._poll_once(backoff)
            finally:
                with self._lock:
                    self._polls_in_flight -= 1
            if backoff is None:
                return

    def _poll_once(self, backoff: float) -> float | None:
        """One poll, and the task it brings dispatched; the next back-off (None: stop)."""
        try:
            response = self._poll_client.get_activity_task(
                activityArn=self.arn, workerName=self.name
            )
        except PollAborted:
            self._slots.release()
            return None
        except Exception as error:
            self._slots.release()
            if self._stopping.is_set():
                return None
            if not is_transient(error):
                endpoint = self._poll_client.meta.endpoint_url
                unsupported = _unsupported_polling(error, endpoint)
                if unsupported is not None:
                    _logger.error("Worker %s: %s", self, unsupported)
                    error = unsupported
                else:
                    _logger.error("Worker %s: polling failed", self, exc_info=error)
                self.error = error
                self.end()
                return None
            _logger.warning("Worker %s: polling failed (%s); retrying", self, error)
            self._stopping.wait(backoff)
            return min(backoff * 2, self.poll_backoff_max)
        token = response.get("taskToken")
        if not token:
            self._slots.release()
        else:
            self._dispatch(token, response.get("input", "null"))
        return self.poll_backoff_initial

    def _dispatch(self, token: str, raw_input: str) -> None:
        try:
            task_input = json.loads(raw_input)
        except ValueError:
            task_input = raw_input
        task = self.task_execution_class(
            self.activity,
            token,
            task_input,
            session=self.session,
            heartbeater=self._heartbeater,
            call=self._call,
            on_finished=self._task_settled,
        )
        task.on_returned = _SlotHold(self._slots).release
        with self._lock:
            late = self._stopping.is_set()
            if not late:
                self._running.add(task)
                self._queue.put(task)
        if late:
            self._run_late(task)

    def _run_late(self, task: TaskExecution) -> None:
        """A task a poll brought back after ``end``: run it (with heartbeats of its own), or,
        if the worker is shutting down, fail it with ``WorkerCancel`` at once."""
        if self._grace_deadline is not None:
            self._finish_report(task, task.report_cancelled)
            task.on_returned()
            return
        task.heartbeater = None
        with self._lock:
            self._running.add(task)
        threading.Thread(
            target=self._run_task, args=(task,), name=f"sfini-late-{self.name}", daemon=True
        ).start()

    def _finish_report(self, task: TaskExecution, report: Any) -> None:
        try:
            report()
        except Exception:
            _logger.exception("Worker %s: could not report on %s", self, task)

    def _task_settled(self, task: TaskExecution) -> None:
        """Count a task's outcome the moment it is settled (reported, or lost)."""
        with self._lock:
            self.outcomes[task.outcome or "unreported"] += 1

    def _task_loop(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            self._run_task(task)

    def _run_task(self, task: TaskExecution) -> None:
        try:
            task.run()
        except WorkerCancel:
            pass
        except BaseException:
            _logger.exception("Worker %s: task %s crashed", self, task)
        finally:
            if task.outcome is not None:
                # Another thread (a cancel from join or the keeper) may still be sending the
                # report: the task leaves the running set only once it is settled and counted,
                # so join() never returns between the two.
                task.wait_settled()
            with self._lock:
                self._running.discard(task)
                if task.outcome is None:  # crashed before it could report
                    self.outcomes["unreported"] += 1
                self._idle.notify_all()
            task.on_returned()  # frees the slot unless the function's return already did


class WorkerGroup:
    """Several workers (one per activity, say) started, ended and joined together."""

    def __init__(self, workers: Iterable[Worker]) -> None:
        self.workers = list(workers)

    def start(self) -> None:
        """Start every worker."""
        for worker in self.workers:
            worker.start()

    def end(self) -> None:
        """Stop every worker's polling."""
        for worker in self.workers:
            worker.end()

    def begin_grace(self, grace_period: float) -> None:
        """Stop polling; tasks still running after ``grace_period`` seconds get cancelled."""
        for worker in self.workers:
            worker.begin_grace(grace_period)

    def join(self) -> None:
        """Wait for every worker; re-raise the first fatal error."""
        errors = []
        for worker in self.workers:
            try:
                worker.join()
            except BaseException as error:
                errors.append(error)
        if errors:
            raise errors[0]

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for every worker's polls left in flight (``Worker.drain``); False if some are
        still out after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        drained = True
        for worker in self.workers:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            drained = worker.drain(left) and drained
        return drained

    def run(self) -> None:
        """Start, and run until ended or signalled."""
        run_workers(self.workers)


def _drain(workers: list[Worker], received: list[int], handled: int) -> None:
    """Wait for the long polls still in flight: Step Functions may hand one a task, which
    only this process can then fail (``WorkerCancel``) or run. A signal abandons them."""
    polls = sum(worker.polls_in_flight for worker in workers)
    if not polls:
        return
    _logger.warning(
        "Waiting for %d long poll(s) in flight to come back (60 s at most): a task handed to "
        "one is %s at once (signal again to abandon them)",
        polls,
        "failed with WorkerCancel"
        if any(w._grace_deadline is not None for w in workers)
        else "run",
    )
    while any(worker.polling for worker in workers):
        if len(received) > handled:
            _logger.warning(
                "Abandoning the long polls in flight: a task Step Functions hands to one now "
                "waits for its time-out"
            )
            for worker in workers:
                worker.end(abort_polls=True)
            break
        time.sleep(_SUPERVISE_INTERVAL)
    for worker in workers:
        worker.drain(timeout=worker.cancel_wait)


def run_workers(workers: Iterable[Worker], grace_period: float | None = None) -> None:
    """Run ``workers`` until they end; SIGTERM/SIGINT stop their polling, give running tasks
    their grace period (a second signal: none), then cancel what is left, and wait for the
    long polls still in flight (a task one brings back is failed with ``WorkerCancel`` at
    once; a further signal abandons them).

    A worker whose polling fails for good (e.g. its activity does not exist) ends the others.
    """
    workers = list(workers)
    # The handler only records the signal: one that took a lock (an Event, a Condition) could
    # deadlock with this thread, which may hold that lock at the moment the signal arrives.
    received: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        try:
            for worker in workers:
                worker.start()
        except BaseException:
            for worker in workers:
                worker.end()
            raise
        handled = 0
        while True:
            if len(received) > handled:
                immediate = len(received) > 1
                handled = len(received)
                periods = [
                    0.0
                    if immediate
                    else (worker.grace_period if grace_period is None else grace_period)
                    for worker in workers
                ]
                if immediate:
                    _logger.warning(
                        "Received signal %d again: cancelling the running tasks", received[-1]
                    )
                else:
                    _logger.warning(
                        "Received signal %d: polling stopped; running tasks get %g s to finish "
                        "(signal again to cancel them now)",
                        received[-1],
                        max(periods, default=0.0),
                    )
                for worker, period in zip(workers, periods, strict=True):
                    worker.begin_grace(period)
            if any(worker.error is not None for worker in workers):
                for worker in workers:
                    worker.end()
            if all(worker.settled for worker in workers):
                break
            time.sleep(_SUPERVISE_INTERVAL)
        try:
            WorkerGroup(workers).join()
        finally:
            _drain(workers, received, handled)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
