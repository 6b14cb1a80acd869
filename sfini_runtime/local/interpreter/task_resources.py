"""What a Task state's ``Resource`` names: an activity, a Lambda function, or a service
integration with its integration pattern.

AWS writes a service integration into history as ``resourceType`` (the service: ``lambda``,
``sqs``, ``states``, ``aws-sdk:dynamodb``) and ``resource`` (the action with its pattern
suffix: ``invoke``, ``sendMessage.waitForTaskToken``, ``startExecution.sync:2``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: the integration patterns (Step Functions developer guide, "Discover service integration
#: patterns"): call and go on, run a job to its end (.sync, .sync:2), wait for a callback
REQUEST_RESPONSE = "REQUEST_RESPONSE"
RUN_JOB = "RUN_JOB"
RUN_JOB_2 = "RUN_JOB_2"
WAIT_FOR_TASK_TOKEN = "WAIT_FOR_TASK_TOKEN"

ACTIVITY = "activity"
LAMBDA_FUNCTION = "lambda_function"  # the function's ARN as Resource (the legacy form)
SERVICE = "service"

# matched whole (fullmatch: ``$`` would let a trailing newline through), ASCII digits only
_ACTIVITY = re.compile(r"arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:activity:[^:\s]+")
_FUNCTION = re.compile(
    r"arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?"
)
_SERVICE = re.compile(
    r"arn:aws[a-z-]*:states:(?P<region>[a-z0-9-]*):(?P<account>[0-9]{12})?:"
    r"(?P<service>aws-sdk:[A-Za-z0-9-]+|[A-Za-z0-9-]+):(?P<action>[A-Za-z0-9_-]+)"
    r"(?P<suffix>\.sync(?::2)?|\.waitForTaskToken)?"
)
_SUFFIX_PATTERN = {
    None: REQUEST_RESPONSE,
    ".sync": RUN_JOB,
    ".sync:2": RUN_JOB_2,
    ".waitForTaskToken": WAIT_FOR_TASK_TOKEN,
}


@dataclass(frozen=True)
class TaskResource:
    """A parsed ``Resource``.

    ``kind`` is :data:`ACTIVITY`, :data:`LAMBDA_FUNCTION` or :data:`SERVICE`. For a service
    integration ``service`` is ``lambda``, ``sqs``, ``states``, ``aws-sdk:dynamodb`` ...,
    ``action`` the API action (``invoke``, ``sendMessage``), ``pattern`` one of the
    integration patterns. ``region`` is the ARN's region ('' when it has none).
    """

    arn: str
    kind: str
    service: str = ""
    action: str = ""
    pattern: str = REQUEST_RESPONSE
    region: str = ""
    function_name: str = ""  # LAMBDA_FUNCTION: the name (qualifier apart)
    qualifier: str | None = None

    @property
    def resource_type(self) -> str:
        """History's ``resourceType`` (``lambda`` for the legacy Lambda form)."""
        return "lambda" if self.kind == LAMBDA_FUNCTION else self.service

    @property
    def resource(self) -> str:
        """History's ``resource``: the action with its pattern suffix (service integrations),
        the ARN (activities, Lambda functions)."""
        if self.kind != SERVICE:
            return self.arn
        suffix = {RUN_JOB: ".sync", RUN_JOB_2: ".sync:2", WAIT_FOR_TASK_TOKEN: ".waitForTaskToken"}
        return self.action + suffix.get(self.pattern, "")

    @property
    def is_lambda(self) -> bool:
        """A Lambda function, in either form (the function's ARN or ``lambda:invoke``)."""
        return self.kind == LAMBDA_FUNCTION or (
            self.kind == SERVICE and self.service == "lambda" and self.action == "invoke"
        )

    @property
    def is_sdk(self) -> bool:
        """An AWS SDK integration (``arn:aws:states:::aws-sdk:SERVICE:ACTION``)."""
        return self.service.startswith("aws-sdk:")

    @property
    def sdk_service(self) -> str:
        """The service an integration calls (``dynamodb`` for ``aws-sdk:dynamodb``)."""
        return self.service.split(":", 1)[1] if self.is_sdk else self.service


def parse_task_resource(arn: str) -> TaskResource:
    """Parse a Task's ``Resource``; anything unrecognised is a SERVICE of its ARN's service."""
    if _ACTIVITY.fullmatch(arn):
        parts = arn.split(":")
        return TaskResource(arn, ACTIVITY, region=parts[3])
    match = _FUNCTION.fullmatch(arn)
    if match:
        return TaskResource(
            arn,
            LAMBDA_FUNCTION,
            region=match["region"],
            function_name=match["name"],
            qualifier=match["qualifier"],
        )
    match = _SERVICE.fullmatch(arn)
    if match:
        return TaskResource(
            arn,
            SERVICE,
            service=match["service"],
            action=match["action"],
            pattern=_SUFFIX_PATTERN[match["suffix"]],
            region=match["region"],
        )
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "states":
        return TaskResource(arn, SERVICE, service=parts[5], action=":".join(parts[6:]))
    return TaskResource(arn, SERVICE, service=parts[2] if len(parts) > 2 else "unknown")


__all__ = [
    "ACTIVITY",
    "LAMBDA_FUNCTION",
    "REQUEST_RESPONSE",
    "RUN_JOB",
    "RUN_JOB_2",
    "SERVICE",
    "WAIT_FOR_TASK_TOKEN",
    "TaskResource",
    "parse_task_resource",
]
