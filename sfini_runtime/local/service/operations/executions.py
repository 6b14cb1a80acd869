"""Executions: Start (idempotent by name), StartSync (EXPRESS), Stop, Describe, List, history."""

from __future__ import annotations

import math
import uuid
from typing import Any

from sfini_runtime.arns import (
    EXECUTION,
    EXPRESS,
    StateMachineRef,
    parse_state_machine_ref,
    parse_states_arn,
)
from sfini_runtime.event_types import DETAILS_KEYS
from sfini_runtime.local.errors import (
    ExecutionAlreadyExists,
    InvalidExecutionInput,
    ResourceNotFound,
    StateMachineDoesNotExist,
    StateMachineTypeNotSupported,
    ValidationException,
)
from sfini_runtime.local.interpreter.history import parse_json
from sfini_runtime.local.service.operations.aliases import route
from sfini_runtime.local.service.operations.context import ServiceContext
from sfini_runtime.local.service.operations.registry import Request, Response, operation
from sfini_runtime.local.service.operations.state_machines import active_machine
from sfini_runtime.local.service.pagination import paginate
from sfini_runtime.local.service.store import (
    Execution,
    StateMachine,
    StateMachineRevision,
    now,
)
from sfini_runtime.local.service.validation import check_name

EXPRESS_MAX_SECONDS = 300.0  # an EXPRESS execution runs at most five minutes
_DATA_FIELDS = ("input", "output")


def _checked_input(request: Request) -> str:
    text = request.get("input")
    if text is None:
        return "{}"
    try:
        parse_json(text)
    except ValueError as exc:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{exc}'") from None
    return text


def _mocks(service: ServiceContext) -> Any:
    integrations = getattr(service, "integrations", None)
    return getattr(integrations, "mocks", None)


def _test_case(service: ServiceContext, requested_arn: str) -> tuple[str, str | None]:
    """``stateMachineArn#TestCase`` (Step Functions Local's way of choosing a mock
    configuration's test case): (the ARN, the test case or None)."""
    machine_arn, hash_sign, test_case = requested_arn.partition("#")
    if not hash_sign:
        return machine_arn, None
    if _mocks(service) is None:
        raise ValidationException(
            f"Test case '{test_case}' requested ('{requested_arn}'), but the local engine has "
            "no mock configuration (give one with SFN_MOCK_CONFIG=FILE or sfini local serve "
            "--mock-config FILE)"
        )
    if not test_case:
        raise ValidationException(
            f"No test case after '#' in '{requested_arn}' (stateMachineArn#TestCaseName)"
        )
    return machine_arn, test_case


def _check_test_case(
    service: ServiceContext, revision: StateMachineRevision, test_case: str
) -> None:
    try:
        _mocks(service).check_test_case(revision.name, test_case, revision.definition)
    except ValueError as exc:  # UnknownTestCase, MockConfigError
        raise ValidationException(str(exc)) from None


def _target(
    service: ServiceContext, machine: StateMachine, ref: StateMachineRef
) -> tuple[StateMachineRevision, str | None, str | None]:
    """What a start on ``ref`` runs: (revision, version ARN, alias ARN); an alias picks one of
    its versions by weight."""
    alias_arn = None
    version_number = ref.version
    if ref.alias is not None:
        alias = machine.aliases.get(ref.alias)
        if alias is None:
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.arn}'")
        alias_arn = alias.arn
        version_number = parse_state_machine_ref(route(service, alias), version=True).version
    if version_number is None:
        return machine.revision, None, None
    version = machine.versions.get(version_number)
    if version is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{ref.arn}'")
    return version.revision, version.arn, alias_arn


def _start(service: ServiceContext, request: Request, *, sync: bool) -> tuple[Execution, bool]:
    """Start (or find, for an idempotent repeat) an execution: (execution, is_new). The ARN
    may name a version or an alias of the machine (the execution records which)."""
    machine_arn, test_case = _test_case(service, request["stateMachineArn"])
    ref = parse_state_machine_ref(machine_arn, version=True, alias=True)
    name = request.get("name") or str(uuid.uuid4())
    check_name(name)
    input_text = _checked_input(request)
    with service.store.lock:
        machine = active_machine(service, ref.machine_arn)
        revision, version_arn, alias_arn = _target(service, machine, ref)
        express = revision.type == "EXPRESS"
        if sync and not express:
            raise StateMachineTypeNotSupported(
                "This operation is not supported by this type of state machine"
            )
        if test_case is not None:
            _check_test_case(service, revision, test_case)
        if express:
            arn = service.arns.express_execution(revision.name, name)
        else:
            arn = service.arns.execution(revision.name, name)
            existing = service.store.executions.get(arn)
            if existing is not None:
                if existing.input == input_text and existing.record.status == "RUNNING":
                    return existing, False
                raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        record = service.engine.start_execution(
            definition=revision.compiled,
            execution_arn=arn,
            state_machine_arn=revision.arn,
            state_machine_name=revision.name,
            execution_name=name,
            input_text=input_text,
            role_arn=revision.role_arn,
            start_date=now(),
            state_machine_type=revision.type,
            state_machine_alias_arn=alias_arn,
            state_machine_version_arn=version_arn,
            test_case=test_case,
        )
        execution = Execution(
            arn,
            name,
            service.store.next_sequence(),
            input_text,
            revision,
            record,
            version_arn=version_arn,
            alias_arn=alias_arn,
        )
        service.store.add_execution(execution)
    return execution, True


@operation("StartExecution")
def start_execution(service: ServiceContext, request: Request) -> Response:
    execution, _ = _start(service, request, sync=False)
    return {"executionArn": execution.arn, "startDate": execution.record.start_date}


def _outcome(record: Any, *, include_data: bool = True) -> Response:
    """The status fields DescribeExecution and StartSyncExecution share."""
    status = record.status
    response: Response = {
        "executionArn": record.execution_arn,
        "stateMachineArn": record.state_machine_arn,
        "name": record.name,
        "status": status,
        "startDate": record.start_date,
    }
    if status != "RUNNING" and record.stop_date is not None:
        response["stopDate"] = record.stop_date
    if include_data:
        response["input"] = record.input
    response["inputDetails"] = {"included": include_data}
    if status == "SUCCEEDED" and record.output is not None:
        if include_data:
            response["output"] = record.output
        response["outputDetails"] = {"included": include_data}
    if status != "RUNNING":
        if record.error is not None:
            response["error"] = record.error
        if record.cause is not None:
            response["cause"] = record.cause
    return response


@operation("StartSyncExecution")
def start_sync_execution(service: ServiceContext, request: Request) -> Response:
    execution, _ = _start(service, request, sync=True)
    record = execution.record
    if not record.done.wait(EXPRESS_MAX_SECONDS):
        service.engine.stop_execution(
            record.execution_arn,
            error="States.Timeout",
            cause="The express execution ran longer than five minutes",
        )
        record.done.wait(5.0)
    include_data = request.get("includedData") != "METADATA_ONLY"
    response = _outcome(record, include_data=include_data)
    # AWS answers a synchronous execution that did not succeed with outputDetails too (and no
    # output); DescribeExecution leaves it out
    response.setdefault("outputDetails", {"included": include_data})
    end = record.stop_date or now()
    elapsed_ms = max(0.0, (end - record.start_date).total_seconds() * 1000)
    response["billingDetails"] = {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": max(100, math.ceil(elapsed_ms / 100) * 100),
    }
    return response


def _qualifiers(execution: Execution) -> Response:
    """The version and alias ARNs an execution records (when started on them)."""
    found: Response = {}
    if execution.version_arn:
        found["stateMachineVersionArn"] = execution.version_arn
    if execution.alias_arn:
        found["stateMachineAliasArn"] = execution.alias_arn
    return found


def _execution(service: ServiceContext, arn: str) -> Execution:
    parse_states_arn(arn, EXECUTION, EXPRESS)
    return service.store.execution(arn)


_REDRIVE_REASONS = {
    "RUNNING": "Execution is RUNNING and cannot be redriven",
    "SUCCEEDED": "Execution is SUCCEEDED and cannot be redriven",
}


@operation("DescribeExecution")
def describe_execution(service: ServiceContext, request: Request) -> Response:
    execution = _execution(service, request["executionArn"])
    record = execution.record
    response = _outcome(record, include_data=request.get("includedData") != "METADATA_ONLY")
    response.update(_qualifiers(execution))
    response["redriveCount"] = 0
    reason = _REDRIVE_REASONS.get(response["status"])
    response["redriveStatus"] = "NOT_REDRIVABLE" if reason else "REDRIVABLE"
    if reason:
        response["redriveStatusReason"] = reason
    return response


@operation("StopExecution")
def stop_execution(service: ServiceContext, request: Request) -> Response:
    record = _execution(service, request["executionArn"]).record
    if record.status == "RUNNING":
        stop_date = service.engine.stop_execution(
            record.execution_arn, error=request.get("error"), cause=request.get("cause")
        )
    else:
        stop_date = record.stop_date
    return {"stopDate": stop_date or now()}


@operation("DescribeStateMachineForExecution")
def describe_state_machine_for_execution(service: ServiceContext, request: Request) -> Response:
    revision = _execution(service, request["executionArn"]).state_machine
    response: Response = {
        "stateMachineArn": revision.arn,
        "name": revision.name,
        "definition": revision.definition,
        "roleArn": revision.role_arn,
        "updateDate": revision.update_date,
        "loggingConfiguration": revision.logging_configuration,
        "tracingConfiguration": revision.tracing_configuration,
    }
    if revision.revision_id:
        response["revisionId"] = revision.revision_id
    if request.get("includedData") == "METADATA_ONLY":
        del response["definition"]
    return response


def _resource_not_found(arn: str) -> ResourceNotFound:
    error = ResourceNotFound(f"Resource not found: '{arn}'")
    error.extra = {"resourceName": arn}
    return error


@operation("ListExecutions")
def list_executions(service: ServiceContext, request: Request) -> Response:
    machine_arn = request.get("stateMachineArn")
    if request.get("mapRunArn"):
        if machine_arn:
            raise ValidationException("Cannot specify both a StateMachine ARN and a MapRun ARN")
        raise _resource_not_found(request["mapRunArn"])
    if not machine_arn:
        raise ValidationException(
            "1 validation error detected: Must provide a StateMachine ARN or MapRun ARN"
        )
    ref = parse_state_machine_ref(machine_arn, version=True, alias=True)
    machine = service.store.state_machine(ref.machine_arn)
    if ref.version is not None and ref.version not in machine.versions:
        raise _resource_not_found(machine_arn)
    if ref.alias is not None and ref.alias not in machine.aliases:
        raise _resource_not_found(machine_arn)
    if machine.type == "EXPRESS":
        raise StateMachineTypeNotSupported(
            "This operation is not supported by this type of state machine"
        )
    status_filter = request.get("statusFilter")
    if status_filter == "PENDING_REDRIVE":
        raise ValidationException(
            "Cannot use the PENDING_REDRIVE status filter with a StateMachine ARN"
        )
    executions = service.store.executions_of(ref.machine_arn)
    executions.reverse()  # most recent first
    if ref.version is not None:
        executions = [e for e in executions if e.version_arn == ref.arn]
    elif ref.alias is not None:
        executions = [e for e in executions if e.alias_arn == ref.arn]
    if status_filter:
        executions = [e for e in executions if e.record.status == status_filter]
    if request.get("redriveFilter") == "REDRIVEN":
        executions = []
    listing = f"ListExecutions:{machine_arn}:{status_filter}"
    page, token = paginate(executions, lambda e: e.sequence, request, listing, descending=True)
    items = []
    for execution in page:
        record = execution.record
        item: Response = {
            "executionArn": execution.arn,
            "stateMachineArn": ref.machine_arn,
            "name": execution.name,
            "status": record.status,
            "startDate": record.start_date,
            **_qualifiers(execution),
        }
        if item["status"] != "RUNNING" and record.stop_date is not None:
            item["stopDate"] = record.stop_date
        items.append(item)
    response: Response = {"executions": items}
    if token:
        response["nextToken"] = token
    return response


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its details' input and output left out (includeExecutionData=false)."""
    key = DETAILS_KEYS[event["type"]]
    if key is None or key not in event:
        return event
    details = {k: v for k, v in event[key].items() if k not in _DATA_FIELDS}
    return {**event, key: details}


@operation("GetExecutionHistory")
def get_execution_history(service: ServiceContext, request: Request) -> Response:
    arn = request["executionArn"]
    record = _execution(service, arn).record
    events = list(record.history)
    reverse = bool(request.get("reverseOrder"))
    if reverse:
        events.reverse()
    listing = f"GetExecutionHistory:{arn}:{reverse}"
    page, token = paginate(events, lambda e: e["id"], request, listing, descending=reverse)
    if request.get("includeExecutionData") is False:
        page = [_without_data(event) for event in page]
    response: Response = {"events": page}
    if token:
        response["nextToken"] = token
    return response
