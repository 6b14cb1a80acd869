"""Activity workers: poll for tasks, run them (several at once), heartbeat, report, end cleanly;
supervised worker processes to use every core."""

from __future__ import annotations

from sfini_runtime.worker.heartbeat import Heartbeater
from sfini_runtime.worker.polling import PollAborted, PollTransport
from sfini_runtime.worker.processes import (
    ActivityWorkers,
    WorkerFactory,
    WorkerProcessError,
    WorkerProcesses,
    run_worker_processes,
)
from sfini_runtime.worker.task import (
    MAX_CAUSE_LENGTH,
    MAX_ERROR_LENGTH,
    MAX_OUTPUT_BYTES,
    ResultNotSerialisable,
    ResultTooLarge,
    TaskExecution,
    TaskResultError,
    WorkerCancel,
    current_task,
    encode_output,
)
from sfini_runtime.worker.worker import (
    DEFAULT_GRACE_PERIOD,
    PollingUnsupported,
    Worker,
    WorkerGroup,
    run_workers,
)

__all__ = [
    "DEFAULT_GRACE_PERIOD",
    "MAX_CAUSE_LENGTH",
    "MAX_ERROR_LENGTH",
    "MAX_OUTPUT_BYTES",
    "ActivityWorkers",
    "Heartbeater",
    "PollAborted",
    "PollTransport",
    "PollingUnsupported",
    "ResultNotSerialisable",
    "ResultTooLarge",
    "TaskExecution",
    "TaskResultError",
    "Worker",
    "WorkerCancel",
    "WorkerFactory",
    "WorkerGroup",
    "WorkerProcessError",
    "WorkerProcesses",
    "current_task",
    "encode_output",
    "run_worker_processes",
    "run_workers",
]
