"""Errors the local engine answers API calls with, each carrying the AWS error code.

One class per AWS Step Functions API error code: the service layer turns any of them into
the JSON 1.0 error response AWS sends (``{"__type": code, "message": ...}``) with ``status``.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An error answered to an API call, with AWS's error code and HTTP status."""

    code: str = "InternalFailure"
    status: int = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class ValidationException(ServiceError):
    """A request parameter is missing or invalid."""

    code = "ValidationException"


class UnknownOperationException(ServiceError):
    """No such operation."""

    code = "UnknownOperationException"


class SerializationException(ServiceError):
    """The request body is not JSON."""

    code = "SerializationException"


class MissingRequiredParameter(ServiceError):
    """A required request parameter is missing."""

    code = "MissingRequiredParameter"


class InvalidArn(ServiceError):
    """An ARN is malformed."""

    code = "InvalidArn"


class InvalidName(ServiceError):
    """A resource name is invalid."""

    code = "InvalidName"


class InvalidDefinition(ServiceError):
    """The Amazon States Language definition is invalid."""

    code = "InvalidDefinition"


class InvalidExecutionInput(ServiceError):
    """Execution input is not valid JSON."""

    code = "InvalidExecutionInput"


class InvalidOutput(ServiceError):
    """A task output is not valid JSON."""

    code = "InvalidOutput"


class InvalidToken(ServiceError):
    """A task token is malformed."""

    code = "InvalidToken"


class TaskDoesNotExist(ServiceError):
    """No task has this token (any more)."""

    code = "TaskDoesNotExist"


class TaskTimedOut(ServiceError):
    """The task has timed out or its execution has ended."""

    code = "TaskTimedOut"


class ActivityDoesNotExist(ServiceError):
    """No activity has this ARN."""

    code = "ActivityDoesNotExist"


class ActivityWorkerLimitExceeded(ServiceError):
    """Too many workers are polling one activity at once (AWS: 1,000)."""

    code = "ActivityWorkerLimitExceeded"


class ActivityAlreadyExists(ServiceError):
    """An activity with this name exists."""

    code = "ActivityAlreadyExists"


class StateMachineDoesNotExist(ServiceError):
    """No state machine has this ARN."""

    code = "StateMachineDoesNotExist"


class StateMachineAlreadyExists(ServiceError):
    """A state machine with this name and another definition exists."""

    code = "StateMachineAlreadyExists"


class StateMachineDeleting(ServiceError):
    """The state machine is being deleted."""

    code = "StateMachineDeleting"


class StateMachineTypeNotSupported(ServiceError):
    """The operation does not support this state machine type."""

    code = "StateMachineTypeNotSupported"


class ExecutionDoesNotExist(ServiceError):
    """No execution has this ARN."""

    code = "ExecutionDoesNotExist"


class ExecutionAlreadyExists(ServiceError):
    """An execution with this name and other input exists."""

    code = "ExecutionAlreadyExists"


class ExecutionLimitExceeded(ServiceError):
    """Too many running executions."""

    code = "ExecutionLimitExceeded"


class ResourceNotFound(ServiceError):
    """The tagged resource does not exist."""

    code = "ResourceNotFound"


class TooManyTags(ServiceError):
    """More than 50 tags on one resource."""

    code = "TooManyTags"


class InvalidLoggingConfiguration(ServiceError):
    """The logging configuration is invalid."""

    code = "InvalidLoggingConfiguration"


class InvalidTracingConfiguration(ServiceError):
    """The tracing configuration is invalid."""

    code = "InvalidTracingConfiguration"


class ConflictException(ServiceError):
    """The request conflicts with the resource's state."""

    code = "ConflictException"


class ServiceQuotaExceededException(ServiceError):
    """The request would exceed a service quota (e.g. 1,000 versions of a state machine)."""

    code = "ServiceQuotaExceededException"
    status = 402


class InternalFailure(ServiceError):
    """A bug in the engine (never the answer to bad input)."""

    code = "InternalFailure"
    status = 500


__all__ = [
    "ActivityAlreadyExists",
    "ActivityDoesNotExist",
    "ActivityWorkerLimitExceeded",
    "ConflictException",
    "ExecutionAlreadyExists",
    "ExecutionDoesNotExist",
    "ExecutionLimitExceeded",
    "InternalFailure",
    "InvalidArn",
    "InvalidDefinition",
    "InvalidExecutionInput",
    "InvalidLoggingConfiguration",
    "InvalidName",
    "InvalidOutput",
    "InvalidToken",
    "InvalidTracingConfiguration",
    "MissingRequiredParameter",
    "ResourceNotFound",
    "SerializationException",
    "ServiceError",
    "ServiceQuotaExceededException",
    "StateMachineAlreadyExists",
    "StateMachineDeleting",
    "StateMachineDoesNotExist",
    "StateMachineTypeNotSupported",
    "TaskDoesNotExist",
    "TaskTimedOut",
    "TooManyTags",
    "UnknownOperationException",
    "ValidationException",
]
