"""Running workflows to their end on a local engine, for tests: ``Harness`` deploys them, keeps
a worker per activity and returns each execution as an ``ExecutionResult``;
``run_state_machine`` does it once on an engine of its own."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfini_runtime.testing.deployment import Deployment, deploy
from sfini_runtime.testing.errors import RunTimeout
from sfini_runtime.testing.result import ExecutionResult

if TYPE_CHECKING:
    from sfini_runtime.execution import Execution
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.session import AWSSession
    from sfini_runtime.worker import Worker

__all__ = [
    "DEFAULT_TIMEOUT",
    "TEST_POLL_SECONDS",
    "Harness",
    "new_engine",
    "run_state_machine",
    "session_for",
]

#: seconds an execution may run before a test stops it and fails
DEFAULT_TIMEOUT = 60.0
#: how long a test engine holds GetActivityTask (AWS: 60 s): a worker that ended comes back
#: from its last poll within this time, so replacing it costs a test at most this long
TEST_POLL_SECONDS = 1.0
#: seconds a task still running when a harness closes gets before it is cancelled
CLOSE_GRACE_SECONDS = 5.0
#: the longest pause between two status reads of a running execution
WAIT_INTERVAL_MAX = 0.1


def new_engine(
    time_scale: float = 0.0,
    *,
    lambdas: Mapping[str, Any] | None = None,
    mock_config: str | os.PathLike[str] | Mapping[str, Any] | None = None,
) -> LocalEngine:
    """A ``LocalEngine`` (not started) as tests want one: ``time_scale`` 0 by default (Waits and
    retry intervals take no time) and short activity polls; ``mock_config`` None reads
    ``$SFN_MOCK_CONFIG``, as ``LocalEngine`` does."""
    from sfini_runtime.local import LocalEngine

    return LocalEngine(
        time_scale=time_scale,
        activity_poll_seconds=TEST_POLL_SECONDS,
        lambdas=lambdas,
        mock_config=mock_config,
    )


def session_for(engine: LocalEngine) -> AWSSession:
    """An ``AWSSession`` for ``engine`` (its endpoint, region, dummy credentials), whatever the
    process's AWS environment says."""
    from sfini_runtime.session import AWSSession

    return AWSSession(
        _boto_session(engine.region), endpoint_url=engine.endpoint_url, region=engine.region
    )


@functools.cache
def _boto_session(region: str) -> Any:
    """One boto3 session per region for every test engine: its clients share the service
    models it has loaded (loading them again costs each test a tenth of a second)."""
    import boto3

    from sfini_runtime.local.service.local_engine import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY

    return boto3.session.Session(
        aws_access_key_id=DUMMY_ACCESS_KEY,
        aws_secret_access_key=DUMMY_SECRET_KEY,
        region_name=region,
    )


class Harness:
    """Workflows run to their end on one running local engine.

    ``run`` creates the state machine (and its activities, and the machines it starts), starts
    a worker for each activity it uses (kept for later runs: one per activity ARN, replaced
    when another object of that name comes), starts one execution and waits for its end
    (``timeout`` seconds at most: then it is stopped and ``RunTimeout`` raised). ``close``
    ends the workers.
    """

    def __init__(
        self, engine: LocalEngine, *, timeout: float = DEFAULT_TIMEOUT, concurrency: int = 1
    ) -> None:
        self.engine = engine
        self.session = session_for(engine)
        self.timeout = timeout
        self.concurrency = concurrency
        #: the results of the runs so far (the pytest plugin reports them when a test fails)
        self.results: list[ExecutionResult] = []
        self._workers: dict[str, Worker] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def workers(self) -> list[Worker]:
        """The workers running, one per activity."""
        with self._lock:
            return list(self._workers.values())

    def deploy(self, *objects: Any) -> Deployment:
        """Create ``objects`` (activities, registrations, state machines) on the engine."""
        return deploy(objects, self.session)

    def start_workers(self, *objects: Any, concurrency: int | None = None) -> list[Worker]:
        """Create the activities of ``objects`` (activities, registrations, state machines)
        and make sure a worker runs each (``concurrency`` tasks at once); returns them."""
        deployment = self.deploy(*objects)
        return [
            self._worker(arn, activity, concurrency or self.concurrency)
            for arn, activity in deployment.activities.items()
        ]

    def _worker(self, arn: str, activity: Any, concurrency: int) -> Worker:
        from sfini_runtime.worker import Worker

        with self._lock:
            current = self._workers.get(arn)
            if current is not None and current.activity is activity:
                return current
            worker = Worker(activity, session=self.session, arn=arn, concurrency=concurrency)
            self._workers[arn] = worker
        if current is not None:  # another function under that name: its polls must end first
            current.end()
            current.drain(TEST_POLL_SECONDS * 5)
        worker.start()
        return worker

    def start(
        self, state_machine: Any, execution_input: Any = None, *, test_case: str | None = None
    ) -> Execution:
        """Deploy ``state_machine``, start workers for its activities and start an execution
        with ``execution_input`` (None: ``{}``), under the mock ``test_case`` when given."""
        from sfini_runtime.execution import Execution
        from sfini_runtime.registration import execution_name
        from sfini_runtime.runner.loading import is_state_machine

        if not is_state_machine(state_machine):
            raise TypeError(f"expected a state machine to run, not {state_machine!r}")
        deployment = self.deploy(state_machine)
        for arn, activity in deployment.activities.items():
            self._worker(arn, activity, self.concurrency)
        arn = deployment.state_machines[state_machine.name]
        if test_case:
            arn = f"{arn}#{test_case}"
        execution = Execution(
            execution_name(state_machine.name),
            arn,
            {} if execution_input is None else execution_input,
            session=self.session,
        )
        execution.wait_interval_max = WAIT_INTERVAL_MAX
        execution.start()
        execution.state_machine = state_machine
        return execution

    def finish(self, execution: Execution, timeout: float | None = None) -> ExecutionResult:
        """Wait for ``execution`` to end (``timeout`` seconds, default ``self.timeout``) and
        read its history.

        Raises:
            RunTimeout: it ran longer (it is stopped first; the message has its history)
        """
        from sfini_runtime.execution import ExecutionFinished, WaitTimeout

        limit = self.timeout if timeout is None else timeout
        try:
            execution.wait(raise_on_failure=False, timeout=limit)
        except WaitTimeout:
            with contextlib.suppress(ExecutionFinished):  # it ended meanwhile
                execution.stop(error_code="sfini.TestTimeout", details=f"ran over {limit} s")
            result = self._keep(ExecutionResult.from_execution(execution))
            if result.status == "ABORTED":
                raise RunTimeout(
                    f"execution {execution.name} was still running after {limit} s "
                    f"(in states {execution.active_states()}); stopped",
                    result.history,
                ) from None
            return result
        return self._keep(ExecutionResult.from_execution(execution))

    def _keep(self, result: ExecutionResult) -> ExecutionResult:
        self.results.append(result)
        return result

    def run(
        self,
        state_machine: Any,
        execution_input: Any = None,
        *,
        test_case: str | None = None,
        timeout: float | None = None,
    ) -> ExecutionResult:
        """Run ``state_machine`` on ``execution_input`` to its end (see ``start``, ``finish``)."""
        return self.finish(self.start(state_machine, execution_input, test_case=test_case), timeout)

    def close(self) -> None:
        """End the workers: their running tasks get ``CLOSE_GRACE_SECONDS`` to finish (a task
        left by a stopped execution is cancelled after that); a fatal worker error is raised."""
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.begin_grace(CLOSE_GRACE_SECONDS)
        errors = []
        for worker in workers:
            try:
                worker.join()
            except Exception as error:
                errors.append(error)
        if errors:
            raise errors[0]


def run_state_machine(
    state_machine: Any,
    execution_input: Any = None,
    *,
    engine: LocalEngine | None = None,
    lambdas: Mapping[str, Any] | None = None,
    mock_config: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    test_case: str | None = None,
    time_scale: float = 0.0,
    timeout: float = DEFAULT_TIMEOUT,
) -> ExecutionResult:
    """Run ``state_machine`` once on ``execution_input`` to its end, with workers for its
    activities, and return how it ran.

    On ``engine`` when given (running; ``lambdas`` are registered on it), else on an engine of
    its own (``time_scale``, ``lambdas``, ``mock_config``) stopped afterwards. ``test_case``
    starts it under a mock configuration's test case.

    Raises:
        ValueError: ``mock_config`` with an ``engine`` (a mock configuration is an engine's)
        DeploymentError: the engine refused the definition
        RunTimeout: the execution ran over ``timeout`` seconds (then it is stopped)
    """
    if engine is not None:
        if mock_config is not None:
            raise ValueError("mock_config belongs to the engine: give it to LocalEngine instead")
        for name, handler in (lambdas or {}).items():
            engine.register_lambda(name, handler)
        with Harness(engine, timeout=timeout) as harness:
            return harness.run(state_machine, execution_input, test_case=test_case)
    with (
        new_engine(time_scale, lambdas=lambdas, mock_config=mock_config) as own,
        Harness(own, timeout=timeout) as harness,
    ):
        return harness.run(state_machine, execution_input, test_case=test_case)
