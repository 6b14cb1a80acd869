"""Direct registration through the Step Functions API (no CloudFormation): activities, state
machines, starting and listing executions.

The definition model (``sfini_cdk``) delegates its ``register``/``deregister``/
``is_registered``/``start_execution``/``list_executions`` methods here. ``session=None`` means
the default ``AWSSession`` for the current environment.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from sfini_runtime import arns
from sfini_runtime.session import AWSSession, default_session

if TYPE_CHECKING:
    from sfini_runtime.execution import Execution

__all__ = [
    "DEFAULT_ROLE_NAME",
    "activity_arn",
    "default_role_arn",
    "deregister_activities",
    "deregister_activity",
    "deregister_state_machine",
    "execution_name",
    "is_activity_registered",
    "is_state_machine_registered",
    "list_executions",
    "register_activities",
    "register_activity",
    "register_state_machine",
    "start_execution",
    "state_machine_arn",
]

_logger = logging.getLogger(__name__)

#: The role sfini 0.1.0 registered state machines with when given none.
DEFAULT_ROLE_NAME = "sfiniGenerated"
#: Longest execution name Step Functions accepts.
MAX_EXECUTION_NAME = 80
EXECUTION_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def _error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def activity_arn(activity: Any, *, session: AWSSession | None = None) -> str:
    """The ARN of ``activity`` (by name) in the session's region and account."""
    return default_session(session).arn_for("activity", activity.name)


def state_machine_arn(state_machine: Any, *, session: AWSSession | None = None) -> str:
    """The ARN of ``state_machine`` (by name) in the session's region and account."""
    return default_session(session).arn_for("stateMachine", state_machine.name)


def default_role_arn(state_machine: Any, *, session: AWSSession | None = None) -> str:
    """The role sfini registers ``state_machine`` with when given none (``sfiniGenerated``)."""
    session = default_session(session)
    return arns.role_arn(DEFAULT_ROLE_NAME, session.account_id, session.partition)


# --- activities ---------------------------------------------------------------------------------


def register_activity(activity: Any, *, session: AWSSession | None = None) -> str:
    """Create ``activity`` (idempotent); return its ARN."""
    session = default_session(session)
    _logger.info("Registering activity %r", activity.name)
    return session.sfn.create_activity(name=activity.name)["activityArn"]


def deregister_activity(activity: Any, *, session: AWSSession | None = None) -> None:
    """Delete ``activity``; an activity that does not exist is not an error."""
    session = default_session(session)
    _logger.info("Deleting activity %r", activity.name)
    try:
        session.sfn.delete_activity(activityArn=activity_arn(activity, session=session))
    except Exception as error:
        if _error_code(error) != "ActivityDoesNotExist":
            raise


def is_activity_registered(activity: Any, *, session: AWSSession | None = None) -> bool:
    """Whether ``activity`` exists."""
    session = default_session(session)
    try:
        session.sfn.describe_activity(activityArn=activity_arn(activity, session=session))
    except Exception as error:
        if _error_code(error) == "ActivityDoesNotExist":
            return False
        raise
    return True


def register_activities(registration: Any, *, session: AWSSession | None = None) -> list[str]:
    """Create every activity of ``registration``; return their ARNs."""
    return [
        register_activity(activity, session=session)
        for activity in registration.activities.values()
    ]


def deregister_activities(registration: Any, *, session: AWSSession | None = None) -> None:
    """Delete the activities ``registration`` defines, and no others."""
    for activity in registration.activities.values():
        deregister_activity(activity, session=session)


# --- state machines -----------------------------------------------------------------------------


def _definition_json(state_machine: Any) -> str:
    to_json = getattr(state_machine, "to_json", None)
    if callable(to_json):
        return to_json()
    return json.dumps(state_machine.to_dict(), indent=4)


def is_state_machine_registered(state_machine: Any, *, session: AWSSession | None = None) -> bool:
    """Whether a state machine named like ``state_machine`` exists."""
    session = default_session(session)
    try:
        session.sfn.describe_state_machine(
            stateMachineArn=state_machine_arn(state_machine, session=session)
        )
    except Exception as error:
        if _error_code(error) == "StateMachineDoesNotExist":
            return False
        raise
    return True


def register_state_machine(
    state_machine: Any,
    *,
    role_arn: str | None = None,
    allow_update: bool = False,
    session: AWSSession | None = None,
) -> str:
    """Create ``state_machine`` (or update it, if ``allow_update`` and it exists); return its ARN.

    Without ``role_arn`` a new machine gets ``default_role_arn`` and an update keeps its role.
    """
    session = default_session(session)
    definition = _definition_json(state_machine)
    if allow_update and is_state_machine_registered(state_machine, session=session):
        arn = state_machine_arn(state_machine, session=session)
        _logger.info("Updating state machine %r", state_machine.name)
        update: dict[str, Any] = {"stateMachineArn": arn, "definition": definition}
        if role_arn is not None:
            update["roleArn"] = role_arn
        session.sfn.update_state_machine(**update)
        return arn
    _logger.info("Creating state machine %r", state_machine.name)
    response = session.sfn.create_state_machine(
        name=state_machine.name,
        definition=definition,
        roleArn=role_arn or default_role_arn(state_machine, session=session),
    )
    return response["stateMachineArn"]


def deregister_state_machine(state_machine: Any, *, session: AWSSession | None = None) -> None:
    """Delete ``state_machine``."""
    session = default_session(session)
    _logger.info("Deleting state machine %r", state_machine.name)
    session.sfn.delete_state_machine(
        stateMachineArn=state_machine_arn(state_machine, session=session)
    )


# --- executions ---------------------------------------------------------------------------------


def execution_name(state_machine_name: str, now: datetime.datetime | None = None) -> str:
    """A unique execution name, as sfini 0.1.0 made them: ``{machine}_{time}_{uuid8}``."""
    stamp = (now or datetime.datetime.now()).strftime("%Y-%m-%dT%H-%M-%S")
    suffix = f"_{stamp}_{uuid.uuid4().hex[:8]}"
    return state_machine_name[: MAX_EXECUTION_NAME - len(suffix)] + suffix


def start_execution(
    state_machine: Any,
    execution_input: Any = None,
    *,
    session: AWSSession | None = None,
) -> Execution:
    """Start an execution of ``state_machine`` with ``execution_input`` (None: ``{}``)."""
    from sfini_runtime.execution import Execution

    session = default_session(session)
    execution = Execution(
        execution_name(state_machine.name),
        state_machine_arn(state_machine, session=session),
        {} if execution_input is None else execution_input,
        session=session,
    )
    execution.start()
    execution.state_machine = state_machine
    return execution


def list_executions(
    state_machine: Any,
    status: str | None = None,
    *,
    session: AWSSession | None = None,
) -> list[Execution]:
    """The executions of ``state_machine``, newest first, optionally only those in ``status``."""
    from sfini_runtime.execution import Execution

    session = default_session(session)
    if status is not None and status not in EXECUTION_STATUSES:
        raise ValueError(f"status must be one of {', '.join(EXECUTION_STATUSES)}, not {status!r}")
    kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn(state_machine, session=session)}
    if status is not None:
        kwargs["statusFilter"] = status
    executions = []
    for page in session.sfn.get_paginator("list_executions").paginate(**kwargs):
        for item in page["executions"]:
            execution = Execution.from_execution_list_item(item, session=session)
            execution.state_machine = state_machine
            executions.append(execution)
    return executions
