"""Running workflows on a local engine: workers for their activities, one execution each,
watched live, then reported (sfini 0.1.0's history format)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator, Sequence
from typing import Any

from sfini_runtime.execution import Execution
from sfini_runtime.runner.progress import Tracked, watch
from sfini_runtime.runner.workflow import Workflow
from sfini_runtime.session import AWSSession, default_session

__all__ = ["RunResult", "engine_session", "run_workflows"]

#: tasks each activity's worker runs at once by default (as ``sfini worker`` and sfini 0.1.0)
WORKER_CONCURRENCY = 1


@dataclasses.dataclass
class RunResult:
    """How one workflow's execution ended."""

    workflow: Workflow
    execution: Execution
    status: str
    seconds: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """Whether it ended as expected (``workflow.expected_status`` and, when given,
        ``workflow.expected_error``)."""
        expected_error = self.workflow.expected_error
        return (
            not self.timed_out
            and self.status == self.workflow.expected_status
            and (expected_error is None or self.execution.error == expected_error)
        )


@contextlib.contextmanager
def engine_session(engine: Any) -> Iterator[AWSSession]:
    """Point this process's AWS environment (and so every default session, the definition
    model's ARNs included) at ``engine`` while the block runs; yields the default session."""
    saved = {key: os.environ.get(key) for key in engine.env()}
    os.environ.update(engine.env())
    try:
        yield default_session()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_workflows(
    workflows: Sequence[Workflow],
    session: AWSSession,
    *,
    console: Any = None,
    live: bool | None = None,
    timeout: float | None = 300.0,
    concurrency: int = WORKER_CONCURRENCY,
) -> list[RunResult]:
    """Start workers for every activity the workflows need, start one execution of each, watch
    them to their end (see ``progress.watch``), end the workers. Each activity gets one
    worker running ``concurrency`` tasks at once.

    Returns:
        one ``RunResult`` per workflow, in order
    """
    from sfini_runtime.registration import execution_name
    from sfini_runtime.worker import Worker

    activities: dict[str, Any] = {}
    for workflow in workflows:
        activities.update(workflow.activities)
    workers = [
        Worker(activity, session=session, arn=arn, concurrency=concurrency)
        for arn, activity in activities.items()
    ]
    for worker in workers:
        worker.start()
    try:
        tracked = []
        for workflow in workflows:
            arn = workflow.state_machine_arn
            if workflow.test_case:
                arn = f"{arn}#{workflow.test_case}"
            machine = workflow.state_machine_arn.rsplit(":", 1)[-1]
            execution = Execution(execution_name(machine), arn, workflow.input, session=session)
            execution.start()
            tracked.append(Tracked(workflow.label, execution))
        watch(tracked, console=console, timeout=timeout, live=live)
    finally:
        for worker in workers:
            worker.end()
        for worker in workers:
            worker.join()
    return [
        RunResult(workflow, each.execution, each.status, each.seconds, each.timed_out)
        for workflow, each in zip(workflows, tracked, strict=True)
    ]
