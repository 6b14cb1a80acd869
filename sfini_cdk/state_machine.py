"""State machines: a named set of states with a start state, rendered to ASL.

``to_dict()`` is the one place the ASL of a workflow is produced: the CDK constructs, direct
registration and the local engine all use it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sfini_cdk import validation
from sfini_cdk._default import DEFAULT, JSONable, default_session, is_given
from sfini_cdk.errors import InvalidDefinition, InvalidField, InvalidName
from sfini_cdk.state._base import ResourceResolver, State, inherited_query_language
from sfini_cdk.state._task import Task
from sfini_cdk.state.query_language import QueryLanguage
from sfini_cdk.task_resource import ArnResource, default_resource_arn

if TYPE_CHECKING:
    from sfini_runtime.execution import Execution
    from sfini_runtime.session import AWSSession

#: ARN the construction-time checks render every Task resource as (no AWS call).
_PLACEHOLDER_ARN = "arn:aws:states:us-east-1:123456789012:activity:placeholder"


def _placeholder_resolver(resource: object) -> str:
    return _PLACEHOLDER_ARN


class StateMachine:
    """A state machine: states, the start state's name, and execution settings.

    The definition is checked when the machine is constructed and again when it is rendered
    (``to_dict``); problems raise an ``InvalidDefinition`` subclass naming the state.

    Args:
        name: name of state machine
        states: state machine's states, by name
        start_state: name of the start state
        comment: description of the state machine
        timeout: execution time-out (seconds)
        session: session to use for AWS communication, default: the shared default session
        query_language: ``"JSONPath"`` (the default) or ``"JSONata"``, for every state that
            does not set its own
    """

    def __init__(
        self,
        name: str,
        states: dict[str, State],
        start_state: str,
        comment: str = DEFAULT,
        timeout: int = DEFAULT,
        *,
        session: AWSSession | None = None,
        query_language: str = DEFAULT,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidName(f"state machine name must be a non-empty str, got {name!r}")
        self.name = name
        self.states = states
        self.start_state = start_state
        self.comment = comment
        self.timeout = timeout
        self.query_language = query_language
        self._session = session
        validation.check_state_objects(self)
        definition = self._render(_placeholder_resolver, self._top_query_language())
        validation.validate_definition(
            definition,
            query_language=self.query_language if is_given(query_language) else None,
            name=name,
        )

    def __str__(self) -> str:
        return f"{self.name!r} ({len(self.states)} states)"

    def __repr__(self) -> str:
        return f"StateMachine({self.name!r})"

    @property
    def session(self) -> AWSSession:
        """The session this state machine uses (the shared default one unless given)."""
        if self._session is None:
            self._session = default_session()
        return self._session

    @session.setter
    def session(self, session: AWSSession | None) -> None:
        self._session = session

    def _top_query_language(self) -> str:
        return self.query_language if is_given(self.query_language) else QueryLanguage.JSONPATH

    def _render(self, resources: ResourceResolver, query_language: str) -> dict[str, Any]:
        token = inherited_query_language.set(query_language)
        try:
            states: dict[str, Any] = {}
            for name, state in self.states.items():
                try:
                    states[name] = state.to_dict(resources=resources)
                except InvalidDefinition as error:
                    if error.state_name is None:
                        error.state_name = name
                    raise
        finally:
            inherited_query_language.reset(token)
        defn: dict[str, Any] = {"StartAt": self.start_state, "States": states}
        if is_given(self.comment):
            defn["Comment"] = self.comment
        if is_given(self.timeout):
            defn["TimeoutSeconds"] = self.timeout
        return defn

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        """Render this state machine's ASL definition, checking it and the machine's name
        (AWS's naming rules apply to machines rendered on their own, not to Parallel branches
        or Map processors, which ``branch_dict`` renders).

        Args:
            resources: maps each Task's resource object to the string written as its
                ``Resource``; default: ``sfini_cdk.task_resource.default_resource_arn``
                (``TaskResource.arn``, which asks the session for region and account)

        Raises:
            InvalidName: the machine's name is not one AWS accepts
            InvalidDefinition: the definition is invalid (the subclass names the problem)
        """
        validation.check_resource_name("state machine", self.name)
        defn = self._render(resources or default_resource_arn, self._top_query_language())
        if is_given(self.query_language):
            defn = {"QueryLanguage": self.query_language, **defn}
        validation.validate_definition(
            defn, query_language=self._top_query_language(), name=self.name
        )
        return defn

    def to_json(self, *, resources: ResourceResolver | None = None, indent: int | None = 4) -> str:
        """``to_dict()`` as a JSON string."""
        return json.dumps(self.to_dict(resources=resources), indent=indent)

    def branch_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        """Render this machine as a Parallel branch or Map item processor (no checks: the
        enclosing machine checks the whole definition).

        The states inherit the top-level machine's query language (as in AWS).
        """
        if is_given(self.query_language):
            raise InvalidField(
                f"state machine {self.name!r} sets query_language but is used as a Parallel "
                "branch or Map processor: set it on the enclosing state or machine instead"
            )
        return self._render(resources or default_resource_arn, inherited_query_language.get())

    def iter_states(self) -> list[State]:
        """Every state, nested branches' and processors' included, in definition order."""
        found: list[State] = []
        for state in self.states.values():
            found.append(state)
            for branch in getattr(state, "branches", None) or ():
                found.extend(branch.iter_states())
        return found

    def task_resources(self) -> list[object]:
        """Every Task's resource (nested ones included), in definition order, each once."""
        seen: set[int] = set()
        resources: list[object] = []
        for state in self.iter_states():
            if isinstance(state, Task) and id(state.resource) not in seen:
                seen.add(id(state.resource))
                resources.append(state.resource)
        return resources

    def with_nested(self) -> list[StateMachine]:
        """This machine after the machines its Tasks start, transitively (creation order)."""
        ordered: list[StateMachine] = []
        visiting: list[StateMachine] = []

        def place(machine: StateMachine) -> None:
            if any(machine is m for m in [*ordered, *visiting]):
                return
            visiting.append(machine)
            for inner in machine.nested_state_machines():
                place(inner)
            visiting.pop()
            ordered.append(machine)

        place(self)
        return ordered

    def nested_state_machines(self) -> list[StateMachine]:
        """The state machines this one's Tasks start (a machine, or a resource wrapping one as
        ``state_machine``), in definition order, each once, this machine excluded."""
        found: list[StateMachine] = []
        for resource in self.task_resources():
            inner = getattr(resource, "state_machine", resource)
            if (
                isinstance(inner, StateMachine)
                and inner is not self
                and all(inner is not f for f in found)
            ):
                found.append(inner)
        return found

    @property
    def arn(self) -> str:
        """The state machine's ARN (from the session's partition, region and account)."""
        from sfini_runtime import registration

        return registration.state_machine_arn(self, session=self.session)

    @property
    def default_role_arn(self) -> str:
        """The ARN of the IAM role ``register`` uses when none is given."""
        from sfini_runtime import registration

        return registration.default_role_arn(self, session=self.session)

    def register(self, role_arn: str | None = None, allow_update: bool = False) -> None:
        """Create (or, with ``allow_update``, update) this state machine in Step Functions.

        Args:
            role_arn: ARN of the IAM role executions run as, default: ``default_role_arn``
            allow_update: update an existing state machine of the same name
        """
        from sfini_runtime import registration

        registration.register_state_machine(
            self, role_arn=role_arn, allow_update=allow_update, session=self.session
        )

    def deregister(self) -> None:
        """Delete this state machine from Step Functions."""
        from sfini_runtime import registration

        registration.deregister_state_machine(self, session=self.session)

    def is_registered(self) -> bool:
        """Whether this state machine exists in Step Functions."""
        from sfini_runtime import registration

        return registration.is_state_machine_registered(self, session=self.session)

    def start_execution(self, execution_input: JSONable) -> Execution:
        """Start an execution with the given input; returns the started execution."""
        from sfini_runtime import registration

        return registration.start_execution(self, execution_input, session=self.session)

    def list_executions(self, status: str | None = None) -> list[Execution]:
        """This state machine's executions, optionally only those with ``status``
        (``RUNNING``, ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT``, ``ABORTED``)."""
        from sfini_runtime import registration

        return registration.list_executions(self, status, session=self.session)


#: the default resolver renders a nested state machine as its ARN
ArnResource.register(StateMachine)


def construct_state_machine(
    name: str,
    start_state: State,
    comment: str = DEFAULT,
    timeout: int = DEFAULT,
    *,
    session: AWSSession | None = None,
    query_language: str = DEFAULT,
) -> StateMachine:
    """Build a state machine from its start state, following every transition.

    Next, Default, choice-rule and Catch targets are followed (loops included), so every
    state reachable from ``start_state`` is in the machine. Build it after defining all the
    states' transitions.

    Args:
        name: name of state machine
        start_state: the state executions start with
        comment: description of the state machine
        timeout: execution time-out (seconds)
        session: session to use for AWS communication
        query_language: ``"JSONPath"`` (the default) or ``"JSONata"``

    Returns:
        the state machine
    """
    if not isinstance(start_state, State):
        raise InvalidField(
            f"State machine {name!r}: the start state must be a State (Pass, Task, ...), "
            f"not {type(start_state).__name__}"
        )
    states: dict[str, State] = {}
    start_state.add_to(states)
    return StateMachine(
        name,
        states,
        start_state.name,
        comment=comment,
        timeout=timeout,
        session=session,
        query_language=query_language,
    )


def nested_first(state_machines: list[StateMachine]) -> list[StateMachine]:
    """``state_machines`` and the machines their Tasks start, each once, a machine after every
    machine it starts (creation order: a Task's target must exist first)."""
    ordered: list[StateMachine] = []
    for machine in state_machines:
        ordered.extend(m for m in machine.with_nested() if all(m is not o for o in ordered))
    return ordered
