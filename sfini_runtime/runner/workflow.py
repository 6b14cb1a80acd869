"""What one run starts: a ``Workflow`` (the state machine to start, its input, the activities
that need workers), found in a workflow module or in a stack of a cloud assembly.

A module is deployed directly onto the engine (its activities and state machines created, its
``lambdas`` registered in-process); a stack is what the engine loaded from ``cdk.out``, its ARNs
found by discovery and the Python functions of its activities by the ``sfini:activity``
metadata ``sfini_cdk.constructs.Activities`` writes on each activity resource.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sfini_runtime.cloud_assembly.resolver import ACTIVITY_METADATA
from sfini_runtime.runner.errors import RunError
from sfini_runtime.runner.loading import LoadError, collect, creation_order, import_module
from sfini_runtime.session import AWSSession

if TYPE_CHECKING:
    from sfini_runtime.discovery import DeployedArns

__all__ = [
    "Workflow",
    "import_workflow_module",
    "module_lambdas",
    "workflow_from_module",
    "workflow_from_stack",
]

#: the module attributes a workflow module may give: its demo input and the status it ends in
INPUT_ATTRIBUTE = "example_input"
STATUS_ATTRIBUTE = "EXPECTED_STATUS"
ERROR_ATTRIBUTE = "EXPECTED_ERROR"


@dataclasses.dataclass
class Workflow:
    """One execution to run, with the workers it needs.

    Attributes:
        label: how it is shown (module or stack name)
        state_machine_arn: the state machine to start
        input: the execution input (JSON-serialisable)
        activities: ``{activity ARN: sfini activity}`` to run workers for
        expected_status: the status the execution should end in (``SUCCEEDED``)
        expected_error: the error it should end with (``None``: any)
        test_case: a mock configuration test case to start it under (``arn#TestCase``)
    """

    label: str
    state_machine_arn: str
    input: Any = dataclasses.field(default_factory=dict)
    activities: dict[str, Any] = dataclasses.field(default_factory=dict)
    expected_status: str = "SUCCEEDED"
    expected_error: str | None = None
    test_case: str | None = None


def import_workflow_module(name: str) -> ModuleType:
    """Import a workflow module (a dotted name or a ``.py`` path; the cwd is importable)."""
    try:
        module = import_module(name)
    except LoadError as error:
        raise RunError(str(error)) from None
    return module


def module_lambdas(module: ModuleType) -> dict[str, Any]:
    """The module's ``lambdas``: ``{function name: handler(event, context)}`` (may be empty)."""
    lambdas = getattr(module, "lambdas", None) or {}
    if not isinstance(lambdas, Mapping) or not all(callable(h) for h in lambdas.values()):
        raise RunError(f"{module.__name__}.lambdas must map function names to handlers")
    return dict(lambdas)


def module_input(module: ModuleType) -> Any:
    """The module's demo input: ``example_input()`` (or a constant), default ``{}``."""
    value = getattr(module, INPUT_ATTRIBUTE, None)
    return ({} if value is None else value()) if callable(value) or value is None else value


def module_expected_status(module: ModuleType) -> str:
    """The status the module's demo run should end in (``EXPECTED_STATUS``, else SUCCEEDED)."""
    return str(getattr(module, STATUS_ATTRIBUTE, "SUCCEEDED"))


def module_expected_error(module: ModuleType) -> str | None:
    """The error the module's demo run should end with (``EXPECTED_ERROR``, else any)."""
    value = getattr(module, ERROR_ATTRIBUTE, None)
    return None if value is None else str(value)


def _entry_machine(module: ModuleType, machines: list[Any], name: str | None) -> Any:
    """The state machine to start: ``name``, else the module's ``sm``, else the only one that no
    other starts."""
    label = module.__name__
    if name is not None:
        for machine in machines:
            if machine.name == name:
                return machine
        known = ", ".join(sorted(m.name for m in machines)) or "none"
        raise RunError(f"{label} has no state machine {name!r} (it has: {known})")
    if not machines:
        raise RunError(f"{label} defines no state machine")
    chosen = getattr(module, "sm", None)
    if chosen is not None and any(chosen is m for m in machines):
        return chosen
    nested = {id(inner) for m in machines for inner in m.nested_state_machines()}
    top = [m for m in machines if id(m) not in nested]
    if len(top) != 1:
        names = ", ".join(sorted(m.name for m in top))
        raise RunError(f"{label} defines several state machines ({names}): name one to run")
    return top[0]


def workflow_from_module(
    module: ModuleType,
    session: AWSSession,
    *,
    state_machine: str | None = None,
    execution_input: Any = None,
) -> Workflow:
    """Create a module's activities and state machines on the engine ``session`` talks to and
    return the workflow that starts its entry machine (see ``_entry_machine``).

    Raises:
        RunError: no state machine (or not the one named), or a definition the engine rejects
    """
    from botocore.exceptions import ClientError

    from sfini_runtime import registration
    from sfini_runtime.runner.loading import is_activity

    found = collect(module)
    machines = creation_order(found.state_machines)
    entry = _entry_machine(module, machines, state_machine)
    _use_session([*found.activities.values(), *machines], session)
    activities: dict[str, Any] = {}
    try:
        for activity in found.activities.values():
            activities[registration.register_activity(activity, session=session)] = activity
        names = {activity.name for activity in activities.values()}
        for machine in machines:
            for resource in machine.task_resources():
                if is_activity(resource) and resource.name not in names:
                    names.add(resource.name)
                    activities[registration.register_activity(resource, session=session)] = resource
            arn = registration.register_state_machine(machine, session=session)
            if machine is entry:
                entry_arn = arn
    except ClientError as error:
        message = error.response["Error"].get("Message", error)
        raise RunError(f"{module.__name__}: {message}") from None
    return Workflow(
        label=module.__name__,
        state_machine_arn=entry_arn,
        input=module_input(module) if execution_input is None else execution_input,
        activities=activities,
        expected_status=module_expected_status(module),
        expected_error=module_expected_error(module),
    )


def _use_session(objects: list[Any], session: AWSSession) -> None:
    """Make the module's objects (and their Tasks' resources) use ``session``: their ARNs are
    then this engine's, whatever session they cached before."""
    for each in objects:
        resources = each.task_resources() if callable(getattr(each, "task_resources", None)) else []
        for resource in [each, *resources]:
            if hasattr(resource, "session") and not isinstance(resource, str):
                resource.session = session


def workflow_from_stack(
    cdk_out: str | Path,
    stack: str,
    session: AWSSession,
    *,
    state_machine: str | None = None,
    execution_input: Any = None,
) -> Workflow:
    """The workflow of one stack of a cloud assembly the engine has loaded: its entry state
    machine (``state_machine``, else the only one no other of the stack starts) and workers for
    every activity whose function the template's ``sfini:activity`` metadata names.

    Raises:
        RunError: no such stack, no state machine in it, or an activity module that does not
            import
    """
    from sfini_runtime.cloud_assembly import CloudAssemblyError, read_stacks
    from sfini_runtime.discovery import DiscoveryError, arns_from_assembly

    try:
        deployed = arns_from_assembly(cdk_out, stack, session=session, local_names=True)
        (found,) = [s for s in read_stacks(cdk_out) if s.matches(stack)][:1]
        template = found.template()
    except (DiscoveryError, CloudAssemblyError) as error:
        raise RunError(str(error)) from None
    if not deployed.state_machines:
        raise RunError(f"stack {stack!r} of {cdk_out} has no state machine")
    entry = _entry_arn(deployed, session, stack, state_machine)
    modules: dict[str, ModuleType] = {}
    activities: dict[str, Any] = {}
    for logical_id, resource in template.resources.items():
        meta = (resource.get("Metadata") or {}).get(ACTIVITY_METADATA)
        if template.resource_type(logical_id) != "AWS::StepFunctions::Activity" or not meta:
            continue
        name, module_name = meta.get("name"), meta.get("module")
        if module_name not in modules:
            modules[module_name] = import_workflow_module(module_name)
        activity = collect(modules[module_name]).activities.get(name)
        if activity is None:
            raise RunError(f"module {module_name!r} defines no activity {name!r} (stack {stack})")
        activities[deployed.activity_arn(logical_id)] = activity  # named or not
    return Workflow(
        label=found.name,
        state_machine_arn=entry,
        input={} if execution_input is None else execution_input,
        activities=activities,
    )


def _entry_arn(deployed: DeployedArns, session: AWSSession, stack: str, name: str | None) -> str:
    """The ARN of the state machine ``name`` (a name or logical id), else of the only one no
    other machine of the stack starts (its ARN in no other's definition on the engine)."""
    listed = deployed.names("stateMachine")
    if name is not None:
        if name in deployed.state_machines:
            return deployed.state_machines[name]
        raise RunError(
            f"stack {stack!r} has no state machine {name!r} (it has: {', '.join(listed)})"
        )
    from botocore.exceptions import ClientError

    # the machines themselves: their versions' and aliases' ARNs (``NAME:3``, ``NAME:live``) too
    # are listed, under ``<name>:<qualifier>``
    arns = sorted({arn for arn in deployed.state_machines.values() if arn.count(":") == 6})
    try:
        definitions = {
            arn: session.sfn.describe_state_machine(stateMachineArn=arn)["definition"]
            for arn in arns
        }
    except ClientError as error:
        message = error.response["Error"].get("Message", error)
        raise RunError(f"stack {stack!r}: {message}") from None
    started = {arn for arn in arns for text in definitions.values() if json.dumps(arn) in text}
    top = [arn for arn in arns if arn not in started]
    if len(top) != 1:
        names = ", ".join(n for n in listed if deployed.state_machines[n] in top)
        raise RunError(f"stack {stack!r} has several state machines ({names}): name one to run")
    return top[0]
