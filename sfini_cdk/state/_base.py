"""The abstract state and the capability mix-ins the concrete states combine."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sfini_cdk._default import DEFAULT, DefaultParameter, JSONable, is_given
from sfini_cdk.errors import DuplicateStateName, InvalidErrorMatch, InvalidField

_logger = logging.getLogger(__name__)

#: Maps a Task's resource object to the string written as its ``Resource`` (ARN).
ResourceResolver = Callable[[object], str]

#: The query language a state inherits while its machine is being rendered.
inherited_query_language: ContextVar[str] = ContextVar(
    "inherited_query_language", default="JSONPath"
)


def put(defn: dict[str, Any], key: str, value: object) -> None:
    """Set ``defn[key]`` if ``value`` was given (``None`` included: it means JSON null)."""
    # ``is_given`` inlined: rendering calls this ~10 times per state.
    if not isinstance(value, DefaultParameter):
        defn[key] = value


class State:
    """Abstract state.

    Args:
        name: name of state
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
    """

    def __init__(
        self,
        name: str,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        *,
        query_language: str = DEFAULT,
    ) -> None:
        self.name = name
        self.comment = comment
        self.input_path = input_path
        self.output_path = output_path
        self.query_language = query_language

    def __str__(self) -> str:
        return f"{self.name} [{type(self).__name__}]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def asl_type(self) -> str:
        """The ASL ``Type`` of this state."""
        return type(self).__name__

    def add_to(self, states: dict[str, State]) -> None:
        """Add this state, and every state it leads to, to a state-machine definition.

        Args:
            states: state-machine states, by name

        Raises:
            DuplicateStateName: a different state with this name is already in ``states``
        """
        existing = states.get(self.name, self)
        if existing is not self:
            raise DuplicateStateName(
                f"two different states are named {self.name!r}", state_name=self.name
            )
        states[self.name] = self

    def successors(self) -> list[State]:
        """The states this state can transition to (Next, Default, choices, catchers)."""
        return []

    def effective_query_language(self) -> str:
        """This state's query language: its own, else the one of the machine being rendered."""
        if is_given(self.query_language):
            return self.query_language
        return inherited_query_language.get()

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        """Convert this state to its ASL definition.

        Args:
            resources: maps a Task resource to its ARN string, default: the resource's ``arn``

        Returns:
            definition
        """
        defn: dict[str, Any] = {"Type": self.asl_type}
        put(defn, "QueryLanguage", self.query_language)
        put(defn, "Comment", self.comment)
        put(defn, "InputPath", self.input_path)
        put(defn, "OutputPath", self.output_path)
        return defn


class Transitions(State):
    """Mix-in: adding the state to a definition adds its successors too."""

    def add_to(self, states: dict[str, State]) -> None:
        # A worklist, not recursion: a chain of thousands of states must not hit Python's
        # recursion limit. Popping successors in reverse keeps the depth-first order.
        pending: list[State] = [self]
        while pending:
            state = pending.pop()
            State.add_to(state, states)
            for successor in reversed(state.successors()):
                if successor.name in states:
                    State.add_to(successor, states)  # raises if a different state has that name
                else:
                    pending.append(successor)


class HasNext(Transitions):
    """State able to advance mix-in.

    Attributes:
        next: next state to execute, or ``None`` if the state is terminal (``End``)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.next: State | None = None

    def successors(self) -> list[State]:
        rest = super().successors()
        return rest if self.next is None else [self.next, *rest]

    def goes_to(self, state: State) -> None:
        """Set the next state to execute after this one."""
        if not isinstance(state, State):
            raise InvalidField(
                f"next state must be a State, got {type(state).__name__} {state!r}",
                state_name=self.name,
            )
        if self.next is not None:
            _logger.warning("Overriding current next state: %s", self.next)
        self.next = state

    def remove_next(self) -> None:
        """Remove the next state, making this state terminal."""
        self.next = None

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        if self.next is None:
            defn["End"] = True
        else:
            defn["Next"] = self.next.name
        return defn


class HasResultPath(State):
    """State with result mix-in: ``result_path`` places the result, ``None`` discards it."""

    def __init__(self, *args: Any, result_path: str | None = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.result_path = result_path

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "ResultPath", self.result_path)
        return defn


class HasParameters(State):
    """Mix-in: ``Parameters`` (JSONPath) builds the effective input."""

    def __init__(self, *args: Any, parameters: JSONable = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parameters = parameters

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "Parameters", self.parameters)
        return defn


class HasArguments(State):
    """Mix-in: ``Arguments`` (JSONata) builds the task's or branches' input."""

    def __init__(self, *args: Any, arguments: JSONable = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arguments = arguments

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "Arguments", self.arguments)
        return defn


class HasResultSelector(State):
    """Mix-in: ``ResultSelector`` (JSONPath) reshapes the result before ``ResultPath``."""

    def __init__(self, *args: Any, result_selector: JSONable = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.result_selector = result_selector

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "ResultSelector", self.result_selector)
        return defn


class HasOutput(State):
    """Mix-in: ``Output`` (JSONata) gives the state output."""

    def __init__(self, *args: Any, output: JSONable = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output = output

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "Output", self.output)
        return defn


class HasAssign(State):
    """Mix-in: ``Assign`` stores workflow variables (both query languages)."""

    def __init__(self, *args: Any, assign: dict[str, JSONable] = DEFAULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assign = assign

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "Assign", self.assign)
        return defn


@dataclass
class Retrier:
    """One ``Retry`` entry: which errors to retry, and how."""

    errors: Sequence[str]
    interval: int = DEFAULT
    max_attempts: int = DEFAULT
    backoff_rate: float = DEFAULT
    max_delay: int = DEFAULT
    jitter_strategy: str = DEFAULT
    comment: str = DEFAULT

    def to_dict(self) -> dict[str, JSONable]:
        """The ASL retrier."""
        defn: dict[str, Any] = {"ErrorEquals": list(self.errors)}
        put(defn, "Comment", self.comment)
        put(defn, "IntervalSeconds", self.interval)
        put(defn, "MaxAttempts", self.max_attempts)
        put(defn, "BackoffRate", self.backoff_rate)
        put(defn, "MaxDelaySeconds", self.max_delay)
        put(defn, "JitterStrategy", self.jitter_strategy)
        return defn


@dataclass
class Catcher:
    """One ``Catch`` entry: which errors to catch, and where to go."""

    errors: Sequence[str]
    next_state: State
    result_path: str | None = DEFAULT
    output: JSONable = DEFAULT
    assign: dict[str, JSONable] = DEFAULT
    comment: str = DEFAULT

    def to_dict(self) -> dict[str, JSONable]:
        """The ASL catcher."""
        defn: dict[str, Any] = {"ErrorEquals": list(self.errors), "Next": self.next_state.name}
        put(defn, "Comment", self.comment)
        put(defn, "ResultPath", self.result_path)
        put(defn, "Output", self.output)
        put(defn, "Assign", self.assign)
        return defn


class CanRetry(State):
    """Retryable state mix-in.

    Attributes:
        retriers: retry policies, in order
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retriers: list[Retrier] = []

    def retry_for(
        self,
        errors: Sequence[str],
        interval: int = DEFAULT,
        max_attempts: int = DEFAULT,
        backoff_rate: float = DEFAULT,
        *,
        max_delay: int = DEFAULT,
        jitter_strategy: str = DEFAULT,
        comment: str = DEFAULT,
    ) -> Retrier:
        """Add a retry policy.

        Args:
            errors: names of the errors to retry (see ``States`` for the predefined ones)
            interval: seconds before the first retry (``IntervalSeconds``)
            max_attempts: maximum number of retries (``MaxAttempts``)
            backoff_rate: interval multiplier between attempts (``BackoffRate``)
            max_delay: upper bound of the interval, seconds (``MaxDelaySeconds``)
            jitter_strategy: ``"FULL"`` or ``"NONE"`` (``JitterStrategy``)
            comment: retrier description

        Returns:
            the added retrier
        """
        retrier = Retrier(
            _error_names(errors, "Retry", self.name),
            interval=interval,
            max_attempts=max_attempts,
            backoff_rate=backoff_rate,
            max_delay=max_delay,
            jitter_strategy=jitter_strategy,
            comment=comment,
        )
        self.retriers.append(retrier)
        return retrier

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        if self.retriers:
            defn["Retry"] = [retrier.to_dict() for retrier in self.retriers]
        return defn


def _error_names(errors: Any, field: str, state_name: str) -> list[str]:
    """``errors`` as a list of error names; a bare str or non-str items are a mistake."""
    if isinstance(errors, str):
        raise InvalidErrorMatch(
            f"{field} errors must be a list of error names, got the str {errors!r} "
            f"(write [{errors!r}])",
            state_name=state_name,
        )
    try:
        names = list(errors)
    except TypeError:
        raise InvalidErrorMatch(
            f"{field} errors must be a list of error names, got {type(errors).__name__}",
            state_name=state_name,
        ) from None
    wrong = [name for name in names if not isinstance(name, str)]
    if wrong:
        raise InvalidErrorMatch(
            f"{field} error names must be str, got {wrong[0]!r}", state_name=state_name
        )
    return names


class CanCatch(Transitions):
    """Exception-catching state mix-in.

    Attributes:
        catchers: error handlers, in order
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catchers: list[Catcher] = []

    def successors(self) -> list[State]:
        return [*super().successors(), *(catcher.next_state for catcher in self.catchers)]

    def catch(
        self,
        errors: Sequence[str],
        next_state: State,
        result_path: str | None = DEFAULT,
        *,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
        comment: str = DEFAULT,
    ) -> Catcher:
        """Add an error handler.

        Args:
            errors: names of the errors to catch (see ``States`` for the predefined ones)
            next_state: state to execute when one of them is caught
            result_path: where to put the error details (JSONPath), ``None`` to discard them
            output: state output when caught (JSONata)
            assign: variables to assign when caught
            comment: catcher description

        Returns:
            the added catcher
        """
        errors = _error_names(errors, "Catch", self.name)
        if not isinstance(next_state, State):
            raise InvalidField(
                f"Catch next state must be a State, got {type(next_state).__name__}",
                state_name=self.name,
            )
        caught = {error for catcher in self.catchers for error in catcher.errors}
        if caught.intersection(errors):
            _logger.warning("Handler has already accounted-for errors: %s", list(errors))
        catcher = Catcher(
            list(errors),
            next_state,
            result_path=result_path,
            output=output,
            assign=assign,
            comment=comment,
        )
        self.catchers.append(catcher)
        return catcher

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        if self.catchers:
            defn["Catch"] = [catcher.to_dict() for catcher in self.catchers]
        return defn
