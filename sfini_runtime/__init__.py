"""What runs against deployed (or local) Step Functions: workers, executions, the CLI, the engine.

Importing this package is cheap (no boto3, click or rich until a name that needs them is used),
and it never imports ``aws_cdk`` or ``sfini_cdk``.
"""

from __future__ import annotations

from sfini_asl._lazy import lazy_exports

# public name -> module that defines it (imported on first use)
_EXPORTS = {
    "AWSSession": "sfini_runtime.session",
    "default_session": "sfini_runtime.session",
    "Arn": "sfini_runtime.arns",
    "parse_arn": "sfini_runtime.arns",
    "Execution": "sfini_runtime.execution",
    "ExecutionError": "sfini_runtime.execution",
    "ExecutionFailed": "sfini_runtime.execution",
    "WaitTimeout": "sfini_runtime.execution",
    "Event": "sfini_runtime.execution",
    "ExecutionStarted": "sfini_runtime.execution",
    "StateEntered": "sfini_runtime.execution",
    "StateExited": "sfini_runtime.execution",
    "ActivityScheduled": "sfini_runtime.execution",
    "ActivityStarted": "sfini_runtime.execution",
    "LambdaFunctionScheduled": "sfini_runtime.execution",
    "ObjectSucceeded": "sfini_runtime.execution",
    "Failed": "sfini_runtime.execution",
    "TaskScheduled": "sfini_runtime.execution",
    "TaskStarted": "sfini_runtime.execution",
    "TaskSubmitted": "sfini_runtime.execution",
    "TaskSucceeded": "sfini_runtime.execution",
    "TaskFailed": "sfini_runtime.execution",
    "EvaluationFailed": "sfini_runtime.execution",
    "ExecutionRedriven": "sfini_runtime.execution",
    "MapStateStarted": "sfini_runtime.execution",
    "MapIterationEvent": "sfini_runtime.execution",
    "MapRunStarted": "sfini_runtime.execution",
    "MapRunRedriven": "sfini_runtime.execution",
    "parse_history": "sfini_runtime.execution",
    "Worker": "sfini_runtime.worker",
    "WorkerGroup": "sfini_runtime.worker",
    "TaskExecution": "sfini_runtime.worker",
    "WorkerCancel": "sfini_runtime.worker",
    "current_task": "sfini_runtime.worker",
    "WorkerProcesses": "sfini_runtime.worker",
    "ActivityWorkers": "sfini_runtime.worker",
    "WorkerProcessError": "sfini_runtime.worker",
    "run_worker_processes": "sfini_runtime.worker",
    "CLI": "sfini_runtime.cli",
    "DeployedArns": "sfini_runtime.discovery",
    "DiscoveryError": "sfini_runtime.discovery",
    "NotDeployed": "sfini_runtime.discovery",
    "AmbiguousName": "sfini_runtime.discovery",
    "AssemblyError": "sfini_runtime.discovery",
    "arns_by_name": "sfini_runtime.discovery",
    "arns_from_assembly": "sfini_runtime.discovery",
    "arns_from_outputs": "sfini_runtime.discovery",
    "arns_from_stack": "sfini_runtime.discovery",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
