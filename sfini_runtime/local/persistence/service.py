"""The service of a durable engine: each answer waits for what it acknowledges to be written."""

from __future__ import annotations

from typing import Any

from sfini_runtime.local.service.service import StepFunctionsService

from .journal import SQLiteJournal

__all__ = ["DurableService"]

#: operations that change nothing: answered without a flush
_READ_ONLY = frozenset(
    {
        "DescribeActivity",
        "DescribeExecution",
        "DescribeStateMachine",
        "DescribeStateMachineForExecution",
        "GetExecutionHistory",
        "ListActivities",
        "ListExecutions",
        "ListStateMachines",
        "DescribeStateMachineAlias",
        "ListStateMachineAliases",
        "ListStateMachineVersions",
        "ListTagsForResource",
        "ValidateStateMachineDefinition",
    }
)


#: operations that change the state machine their request's ``stateMachineArn`` names
_MACHINE_CHANGES = ("UpdateStateMachine", "DeleteStateMachine", "PublishStateMachineVersion")


def _machine_of(qualified_arn: str) -> str:
    """The state machine ARN of a version or alias ARN (``MACHINE_ARN:QUALIFIER``)."""
    return qualified_arn.rsplit(":", 1)[0]


class DurableService(StepFunctionsService):
    """A :class:`StepFunctionsService` whose changes are journaled before it answers.

    After an operation that changed a resource, the resource is synced (written as the store
    has it); before any answer but a read-only one the journal is flushed, so what the answer
    acknowledges is committed (a StartExecution's row and ExecutionStarted event, the
    ActivityStarted event and token of a GetActivityTask, a SendTaskSuccess's result).
    """

    journal: SQLiteJournal

    def call(self, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        if operation in _READ_ONLY:
            return super().call(operation, request)
        try:
            response = super().call(operation, request)
            self._sync(operation, request, response)
            return response
        finally:
            self.journal.flush()

    def _sync(self, operation: str, request: dict[str, Any], response: dict[str, Any]) -> None:
        journal = self.journal
        if operation == "CreateActivity":
            journal.sync_activity(response["activityArn"])
        elif operation == "DeleteActivity":
            journal.sync_activity(request["activityArn"])
        elif operation == "CreateStateMachine":
            journal.sync_state_machine(response["stateMachineArn"])
        elif operation in _MACHINE_CHANGES:
            journal.sync_state_machine(request["stateMachineArn"])
        elif operation == "DeleteStateMachineVersion":
            journal.sync_state_machine(_machine_of(request["stateMachineVersionArn"]))
        elif operation == "CreateStateMachineAlias":
            journal.sync_state_machine(_machine_of(response["stateMachineAliasArn"]))
        elif operation in ("UpdateStateMachineAlias", "DeleteStateMachineAlias"):
            journal.sync_state_machine(_machine_of(request["stateMachineAliasArn"]))
        elif operation in ("TagResource", "UntagResource"):
            arn = request["resourceArn"]
            if ":activity:" in arn:
                journal.sync_activity(arn)
            else:
                journal.sync_state_machine(arn)
