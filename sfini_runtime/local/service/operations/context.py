"""What an operation handler is given: the service's engine, store, ARNs and settings.

``service.StepFunctionsService`` is one; the handlers name this protocol rather than that
class, so the operations do not depend on the service that dispatches to them.
"""

from __future__ import annotations

from typing import Any, Protocol

from sfini_runtime.arns import ArnFactory
from sfini_runtime.local.service.operations.pollers import Pollers
from sfini_runtime.local.service.store import Store

__all__ = ["ServiceContext"]


class ServiceContext(Protocol):
    """The parts of the service an operation handler uses."""

    #: the engine (a ``sfini_runtime.local.interpreter.Engine``)
    engine: Any
    #: the resources: state machines, activities, executions, tags
    store: Store
    #: ARNs of this region and account
    arns: ArnFactory
    #: how long GetActivityTask waits for a task
    activity_poll_seconds: float
    #: the GetActivityTask calls waiting on each activity (at most 1,000 an activity, as on AWS)
    pollers: Pollers
    #: the engine's integration host (``integrations.Integrations``), when it has one
    integrations: Any
