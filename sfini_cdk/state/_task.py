"""The Task state: run an activity, a Lambda function, a nested state machine, a service API."""

from __future__ import annotations

from typing import Any

from sfini_cdk._default import DEFAULT, JSONable, is_given
from sfini_cdk.errors import InvalidDefinition, InvalidField
from sfini_cdk.state._base import (
    CanCatch,
    CanRetry,
    HasArguments,
    HasAssign,
    HasNext,
    HasOutput,
    HasParameters,
    HasResultPath,
    HasResultSelector,
    ResourceResolver,
    State,
    put,
)
from sfini_cdk.state.query_language import QueryLanguage
from sfini_cdk.task_resource import default_resource_arn


class Task(
    HasAssign,
    HasOutput,
    HasResultSelector,
    HasArguments,
    HasParameters,
    HasResultPath,
    HasNext,
    CanRetry,
    CanCatch,
    State,
):
    """Run a unit of work.

    ``resource`` may be any object: rendering turns it into the ``Resource`` ARN through the
    resolver in use (see ``sfini_cdk.task_resource``). With a resource that has a
    ``heartbeat`` (a ``CallableActivity``) and no heartbeat given, ``HeartbeatSeconds`` is the
    activity's heartbeat plus 5 seconds, as in sfini 0.1.0, except when that is not smaller than
    a numeric ``timeout``: AWS requires HeartbeatSeconds < TimeoutSeconds, and the task time-out
    would fire first anyway, so the automatic heartbeat is left out.

    Args:
        name: name of state
        resource: task executor: activity, Lambda function, nested state machine, ...
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        result_path: result location JSONPath, ``None`` for discarded result
        timeout: seconds before the task times out (``TimeoutSeconds``; a ``{% %}``
            expression under JSONata)
        timeout_path: JSONPath of the timeout (``TimeoutSecondsPath``)
        heartbeat: seconds allowed between heartbeats (``HeartbeatSeconds``)
        heartbeat_path: JSONPath of the heartbeat interval (``HeartbeatSecondsPath``)
        parameters: task input template (JSONPath ``Parameters``)
        arguments: task input (JSONata ``Arguments``)
        result_selector: result template (JSONPath ``ResultSelector``)
        credentials: role to assume for the task (``Credentials``)
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
        assign: variables to assign

    Attributes:
        next: next state to execute
        retriers: retry policies
        catchers: error handlers
    """

    _heartbeat_extra = 5
    #: The largest HeartbeatSeconds AWS accepts.
    _max_heartbeat = 99_999_999

    def __init__(
        self,
        name: str,
        resource: object,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        result_path: str | None = DEFAULT,
        timeout: int | str = DEFAULT,
        *,
        timeout_path: str = DEFAULT,
        heartbeat: int | str = DEFAULT,
        heartbeat_path: str = DEFAULT,
        parameters: JSONable = DEFAULT,
        arguments: JSONable = DEFAULT,
        result_selector: JSONable = DEFAULT,
        credentials: JSONable = DEFAULT,
        query_language: str = DEFAULT,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(
            name,
            comment,
            input_path,
            output_path,
            result_path=result_path,
            parameters=parameters,
            arguments=arguments,
            result_selector=result_selector,
            query_language=query_language,
            output=output,
            assign=assign,
        )
        self.resource = resource
        self.timeout = timeout
        self.timeout_path = timeout_path
        self.heartbeat = heartbeat
        self.heartbeat_path = heartbeat_path
        self.credentials = credentials

    def _resource_fields(self, resources: ResourceResolver | None) -> dict[str, Any]:
        if resources is None:
            resources = default_resource_arn
        resolve = resources
        try:
            fields: dict[str, Any] = {"Resource": resolve(self.resource)}
            input_fields_of = getattr(self.resource, "task_input_fields", None)
            extra = input_fields_of(resolve) if callable(input_fields_of) else {}
        except InvalidDefinition as error:
            error.state_name = self.name
            raise
        if extra:
            jsonata = self.effective_query_language() == QueryLanguage.JSONATA
            key = "Arguments" if jsonata else "Parameters"
            given = self.arguments if jsonata else self.parameters
            if not is_given(given):
                given = {}
            if not isinstance(given, dict):
                raise InvalidField(
                    f"{key} must be an object to carry {', '.join(extra)}", state_name=self.name
                )
            fields[key] = {**extra, **given}
        return fields

    def _heartbeat_seconds(self) -> Any:
        if is_given(self.heartbeat) or is_given(self.heartbeat_path):
            return self.heartbeat
        activity_heartbeat = getattr(self.resource, "heartbeat", None)
        if isinstance(activity_heartbeat, int) and not isinstance(activity_heartbeat, bool):
            seconds = activity_heartbeat + self._heartbeat_extra
            timeout = self.timeout
            if isinstance(timeout, int) and not isinstance(timeout, bool) and seconds >= timeout:
                return DEFAULT
            if seconds > self._max_heartbeat:
                return DEFAULT  # above AWS's limit: no heartbeat time-out, as AWS's default
            return seconds
        return DEFAULT

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        defn.update(self._resource_fields(resources))
        put(defn, "Credentials", self.credentials)
        put(defn, "TimeoutSeconds", self.timeout)
        put(defn, "TimeoutSecondsPath", self.timeout_path)
        put(defn, "HeartbeatSeconds", self._heartbeat_seconds())
        put(defn, "HeartbeatSecondsPath", self.heartbeat_path)
        return defn
