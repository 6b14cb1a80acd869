"""TestState: one state run on its own, as AWS's TestState API runs it.

The request is checked by :func:`~sfini_runtime.local.interpreter.test_state.prepare_test_state`
(AWS's codes and messages) and run by
:func:`~sfini_runtime.local.interpreter.test_state.run_test_state`. Without a ``context`` the
state sees the context object AWS gives it: an EXPRESS execution of a state machine made for
the call. An un-mocked Task calls its integration as an execution would: the engine runs a
one-state EXPRESS execution of the Task (without its Retry, Catch and result processing,
which TestState reports itself) and hands its result back.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from sfini_runtime.arns import role_arn as make_role_arn
from sfini_runtime.local.integrations.services.mock_results import check_mock_result
from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.history import format_timestamp, to_json
from sfini_runtime.local.interpreter.test_state import (
    TestStateCase,
    prepare_test_state,
    run_test_state,
)
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.registry import Request, Response, operation

__all__ = ["test_state"]

_TASK_SECONDS = 300.0  # an un-mocked Task runs at most as long as an EXPRESS execution
#: the fields of a Task an execution of it alone keeps (the rest TestState applies itself)
_TASK_RESULT_FIELDS = ("ResultSelector", "ResultPath", "OutputPath", "Output", "Assign")


def _in_own_account(service: ServiceContext, role_arn: str) -> str:
    """The role as the state sees it: in the caller's account (AWS passes no role of another
    account to a TestState call; the local engine, without IAM, takes any and names it here)."""
    parts = role_arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "iam":
        parts[4] = service.arns.account_id
        return ":".join(parts)
    return role_arn


def _default_context(service: ServiceContext, case: TestStateCase, role_arn: str | None) -> dict:
    """The context object of a state run by TestState: an EXPRESS execution of its own."""
    machine = f"TestState-{uuid.uuid4().hex[:12]}"
    name = str(uuid.uuid4())
    started = format_timestamp(datetime.now(timezone.utc))
    execution: dict[str, Any] = {
        "Id": service.arns.state_machine(machine).replace(":stateMachine:", ":express:")
        + f":{name}",
        "Input": json.loads(case.input_text),
        "Name": name,
    }
    if role_arn is not None:
        execution["RoleArn"] = _in_own_account(service, role_arn)
    execution["StartTime"] = started
    return {
        "Execution": execution,
        "StateMachine": {"Id": service.arns.state_machine(machine), "Name": machine},
        "State": {
            "Name": case.state.name,
            "EnteredTime": started,
            "RetryCount": case.retrier_retry_count,
        },
    }


def _task_runner(service: ServiceContext, role_arn: str | None) -> Any:
    """How an un-mocked Task is called: a one-state EXPRESS execution on the engine."""

    def run_task(
        state: Any, written: dict[str, Any], raw_input: Any, variables: dict[str, Any]
    ) -> Any:
        spec = {
            key: value
            for key, value in written.items()
            if key not in _TASK_RESULT_FIELDS and key not in ("Retry", "Catch", "Next", "End")
        }
        spec["End"] = True
        spec["QueryLanguage"] = state.query_language
        states: dict[str, Any] = {state.name: spec}
        start = state.name
        if variables:  # the variables the request gives, bound before the Task runs
            start = f"{state.name}-variables"
            states[start] = {"Type": "Pass", "Assign": variables, "Next": state.name}
        definition = service.engine.compile(json.dumps({"StartAt": start, "States": states}))
        machine = f"TestState-{uuid.uuid4().hex[:12]}"
        name = str(uuid.uuid4())
        record = service.engine.start_execution(
            definition=definition,
            execution_arn=service.arns.express_execution(machine, name),
            state_machine_arn=service.arns.state_machine(machine),
            state_machine_name=machine,
            execution_name=name,
            input_text=to_json(raw_input),
            role_arn=role_arn
            or make_role_arn("TestState", service.arns.account_id, service.arns.partition),
            state_machine_type="EXPRESS",
        )
        if not record.done.wait(_TASK_SECONDS):
            service.engine.stop_execution(
                record.execution_arn, error="States.Timeout", cause="The task ran too long"
            )
            record.done.wait(5.0)
        if record.status == "SUCCEEDED" and record.output is not None:
            return json.loads(record.output)
        err = StatesError(record.error or "States.TaskFailed", record.cause)
        err.task_failure = True
        raise err

    return run_task


@operation("TestState")
def test_state(service: ServiceContext, request: Request) -> Response:
    """Run the state the request defines; its status, output or error, and inspection data."""
    case = prepare_test_state(request)
    role_arn = request.get("roleArn")
    context = case.context
    if context is None:
        context = _default_context(service, case, role_arn)
    return run_test_state(
        case,
        context,
        run_task=_task_runner(service, role_arn),
        check_mock=check_mock_result,
    )


test_state.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
