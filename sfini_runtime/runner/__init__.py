"""Running workflows end to end on a local engine, the way they run on AWS: find what was
deployed (a workflow module created directly, or a cloud assembly's stack), start workers for
its activities, start executions, watch them live and print their histories.

Used by ``sfini local run`` and by the examples' main job (``python -m examples``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfini_asl._lazy import lazy_exports

if TYPE_CHECKING:
    from sfini_runtime.runner.errors import RunError
    from sfini_runtime.runner.progress import Tracked, watch
    from sfini_runtime.runner.report import report, summary
    from sfini_runtime.runner.run import RunResult, engine_session, run_workflows
    from sfini_runtime.runner.workflow import (
        Workflow,
        import_workflow_module,
        module_lambdas,
        workflow_from_module,
        workflow_from_stack,
    )

_NAMES = {
    "RunError": "sfini_runtime.runner.errors",
    "Tracked": "sfini_runtime.runner.progress",
    "watch": "sfini_runtime.runner.progress",
    "report": "sfini_runtime.runner.report",
    "summary": "sfini_runtime.runner.report",
    "RunResult": "sfini_runtime.runner.run",
    "engine_session": "sfini_runtime.runner.run",
    "run_workflows": "sfini_runtime.runner.run",
    "Workflow": "sfini_runtime.runner.workflow",
    "import_workflow_module": "sfini_runtime.runner.workflow",
    "module_lambdas": "sfini_runtime.runner.workflow",
    "workflow_from_module": "sfini_runtime.runner.workflow",
    "workflow_from_stack": "sfini_runtime.runner.workflow",
}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES, globals())
__all__ = [
    "RunError",
    "RunResult",
    "Tracked",
    "Workflow",
    "engine_session",
    "import_workflow_module",
    "module_lambdas",
    "report",
    "run_workflows",
    "summary",
    "watch",
    "workflow_from_module",
    "workflow_from_stack",
]
