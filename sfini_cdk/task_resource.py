"""What a Task state runs: activities, Lambda functions, nested state machines, service APIs.

A ``Task`` accepts any object as its resource. Rendering turns it into the ``Resource`` string
through a resolver; the default resolver (``default_resource_arn``) knows ``TaskResource``
objects (their ``arn``), ``StateMachine`` objects and plain ARN strings. The CDK constructs pass
their own resolver, which also understands CDK objects such as ``aws_lambda.IFunction``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import TYPE_CHECKING

from sfini_cdk._default import JSONable, default_session
from sfini_cdk.errors import UnsupportedTaskResource

if TYPE_CHECKING:
    from sfini_cdk.state_machine import StateMachine
    from sfini_runtime.session import AWSSession


class ArnResource(abc.ABC):  # noqa: B024  (a marker: nothing to implement)
    """A Task resource other than a ``TaskResource`` that the default resolver renders as its
    ``arn``: ``sfini_cdk.state_machine`` registers ``StateMachine`` (so this module needs no
    import of it)."""


class TaskResource:
    """Something that runs a Task: an AWS resource identified by name.

    The ARN comes from the session's partition, region and account, computed when first asked
    for (never at construction).

    Args:
        name: name of resource
        session: session to use for AWS communication, default: the shared default session

    Attributes:
        service: resource type, the ARN's resource-type part
    """

    service: str | None = None
    #: the ARN's service namespace
    arn_service = "states"

    def __init__(self, name: str, *, session: AWSSession | None = None) -> None:
        self.name = name
        self._session = session

    def __str__(self) -> str:
        return f"{self.name} [{self.service}]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def session(self) -> AWSSession:
        """The session this resource uses (the shared default one unless given)."""
        if self._session is None:
            self._session = default_session()
        return self._session

    @session.setter
    def session(self, session: AWSSession | None) -> None:
        self._session = session

    @property
    def arn(self) -> str:
        """The resource's ARN, from the session's partition, region and account."""
        session = self.session
        return (
            f"arn:{session.partition}:{self.arn_service}:{session.region}:"
            f"{session.account_id}:{self.service}:{self.name}"
        )

    def task_input_fields(self, resolve: Callable[[object], str]) -> dict[str, JSONable]:
        """Fields this resource adds to the Task's ``Parameters``/``Arguments``."""
        return {}


class Lambda(TaskResource):
    """An AWS Lambda function running a Task (``Resource`` is the function's ARN).

    Args:
        name: name of Lambda function
        session: session to use for AWS communication
    """

    service = "function"
    arn_service = "lambda"


class ServiceIntegration(TaskResource):
    """A Step Functions service integration, e.g. ``ServiceIntegration("sqs", "sendMessage")``.

    Args:
        service_name: integrated service, e.g. ``"sqs"``, ``"dynamodb"``, ``"lambda"``
        action: API action, e.g. ``"sendMessage"``, ``"invoke"``
        integration: ``None`` (request-response), ``"sync"``, ``"sync:2"`` or
            ``"waitForTaskToken"``
        session: session to use for AWS communication (its partition is used)
    """

    INTEGRATION_PATTERNS = (None, "sync", "sync:2", "waitForTaskToken")

    def __init__(
        self,
        service_name: str,
        action: str,
        *,
        integration: str | None = None,
        session: AWSSession | None = None,
    ) -> None:
        if integration not in self.INTEGRATION_PATTERNS:
            raise ValueError(
                f"integration must be one of {self.INTEGRATION_PATTERNS}, got {integration!r}"
            )
        super().__init__(f"{service_name}:{action}", session=session)
        self.service_name = service_name
        self.action = action
        self.integration = integration

    @property
    def service(self) -> str:  # type: ignore[override]
        return self.service_name

    @property
    def arn(self) -> str:
        suffix = "" if self.integration is None else f".{self.integration}"
        return f"arn:{self.session.partition}:states:::{self.service_name}:{self.action}{suffix}"


class StateMachineResource(ServiceIntegration):
    """Run another state machine as a Task (``states:startExecution``).

    The nested machine's ARN goes into the Task's ``Parameters`` (JSONPath) or ``Arguments``
    (JSONata) as ``StateMachineArn``.

    Args:
        state_machine: the state machine to start (a ``StateMachine`` or its ARN)
        integration: ``"sync:2"`` (default: wait, output as JSON), ``"sync"`` (wait, output as
            a string), ``"waitForTaskToken"``, or ``None`` (start and go on)
        session: session to use for AWS communication (its partition is used)
    """

    def __init__(
        self,
        state_machine: StateMachine | str,
        *,
        integration: str | None = "sync:2",
        session: AWSSession | None = None,
    ) -> None:
        super().__init__("states", "startExecution", integration=integration, session=session)
        self.state_machine = state_machine

    def __str__(self) -> str:
        name = getattr(self.state_machine, "name", self.state_machine)
        return f"{name} [stateMachine]"

    def __repr__(self) -> str:
        return f"StateMachineResource({self.state_machine!r})"

    def task_input_fields(self, resolve: Callable[[object], str]) -> dict[str, JSONable]:
        return {"StateMachineArn": resolve(self.state_machine)}


#: Alias: the Step Functions API name of the nested-execution integration.
StartExecution = StateMachineResource


def default_resource_arn(resource: object) -> str:
    """The default resolver: the ARN string for a Task's resource.

    Raises:
        UnsupportedTaskResource: ``resource`` is neither a ``TaskResource``, a
            ``StateMachine`` nor a str
    """
    if isinstance(resource, str):
        return resource
    if isinstance(resource, (TaskResource, ArnResource)):
        return resource.arn  # type: ignore[attr-defined]  (a registered ArnResource)
    raise UnsupportedTaskResource(
        f"unsupported Task resource type {type(resource).__module__}."
        f"{type(resource).__qualname__}: expected a sfini_cdk TaskResource (Activity, Lambda, "
        "...) or an ARN str (CDK objects are rendered by sfini_cdk.constructs)"
    )
