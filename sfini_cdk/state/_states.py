"""The flow states: Succeed, Fail, Pass, Wait and Choice."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from sfini_cdk._default import DEFAULT, JSONable, is_given
from sfini_cdk.errors import ChoiceWithoutRules, InvalidChoiceRule, InvalidDefinition, InvalidField
from sfini_cdk.state._base import (
    HasAssign,
    HasNext,
    HasOutput,
    HasParameters,
    HasResultPath,
    ResourceResolver,
    State,
    Transitions,
    put,
)
from sfini_cdk.state.choice import ChoiceRule

_logger = logging.getLogger(__name__)


class Succeed(HasOutput, State):
    """End the execution (or branch) successfully.

    Args:
        name: name of state
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
    """

    def __init__(
        self,
        name: str,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        *,
        query_language: str = DEFAULT,
        output: JSONable = DEFAULT,
    ) -> None:
        super().__init__(
            name,
            comment,
            input_path,
            output_path,
            query_language=query_language,
            output=output,
        )


class Fail(State):
    """End the execution unsuccessfully.

    Args:
        name: name of state
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        cause: failure description (a ``{% %}`` expression under JSONata)
        error: error name (a ``{% %}`` expression under JSONata)
        error_path: JSONPath of the error name in the input (``ErrorPath``)
        cause_path: JSONPath of the failure description in the input (``CausePath``)
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
    """

    def __init__(
        self,
        name: str,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        cause: str = DEFAULT,
        error: str = DEFAULT,
        *,
        error_path: str = DEFAULT,
        cause_path: str = DEFAULT,
        query_language: str = DEFAULT,
    ) -> None:
        super().__init__(name, comment, input_path, output_path, query_language=query_language)
        self.error = error
        self.cause = cause
        self.error_path = error_path
        self.cause_path = cause_path

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "Cause", self.cause)
        put(defn, "CausePath", self.cause_path)
        put(defn, "Error", self.error)
        put(defn, "ErrorPath", self.error_path)
        return defn


class Pass(HasAssign, HasOutput, HasParameters, HasResultPath, HasNext, State):
    """Pass its input to its output, possibly injecting or reshaping data.

    Args:
        name: name of state
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        result_path: result location JSONPath, ``None`` for discarded result
        result: the state's result (``Result``), default: its effective input
        parameters: effective input template (JSONPath ``Parameters``)
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
        assign: variables to assign

    Attributes:
        next: next state to execute
    """

    def __init__(
        self,
        name: str,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        result_path: str | None = DEFAULT,
        result: JSONable = DEFAULT,
        *,
        parameters: JSONable = DEFAULT,
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
            query_language=query_language,
            output=output,
            assign=assign,
        )
        self.result = result

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        put(defn, "Result", self.result)
        return defn


class Wait(HasAssign, HasOutput, HasNext, State):
    """Wait before continuing.

    Give exactly one of ``until`` (sfini 0.1.0: ``int`` seconds, aware ``datetime`` to wait
    until, or ``str`` JSONPath of a timestamp), ``seconds``, ``timestamp``, ``seconds_path`` or
    ``timestamp_path``. Under JSONata ``seconds`` and ``timestamp`` may be ``{% %}`` expressions.

    Args:
        name: name of state
        until: time to wait, as in sfini 0.1.0
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        seconds: seconds to wait (``Seconds``)
        timestamp: aware ``datetime`` or ISO 8601 str to wait until (``Timestamp``)
        seconds_path: JSONPath of the seconds to wait (``SecondsPath``)
        timestamp_path: JSONPath of the timestamp to wait until (``TimestampPath``)
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
        assign: variables to assign

    Attributes:
        next: next state to execute
    """

    def __init__(
        self,
        name: str,
        until: int | datetime.datetime | str = DEFAULT,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        *,
        seconds: int | str = DEFAULT,
        timestamp: datetime.datetime | str = DEFAULT,
        seconds_path: str = DEFAULT,
        timestamp_path: str = DEFAULT,
        query_language: str = DEFAULT,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(
            name,
            comment,
            input_path,
            output_path,
            query_language=query_language,
            output=output,
            assign=assign,
        )
        self.until = until
        self.seconds = seconds
        self.timestamp = timestamp
        self.seconds_path = seconds_path
        self.timestamp_path = timestamp_path

    def _wait_field(self) -> tuple[str, Any]:
        given = {
            key: value
            for key, value in (
                ("until", self.until),
                ("Seconds", self.seconds),
                ("Timestamp", self.timestamp),
                ("SecondsPath", self.seconds_path),
                ("TimestampPath", self.timestamp_path),
            )
            if is_given(value)
        }
        if len(given) != 1:
            problem = "none" if not given else ", ".join(given)
            raise InvalidField(
                "Wait needs exactly one of until, Seconds, Timestamp, SecondsPath, "
                f"TimestampPath; got {problem}",
                state_name=self.name,
            )
        [(key, value)] = given.items()
        if key == "until":
            if isinstance(value, bool):
                raise InvalidField("Wait time must not be a bool", state_name=self.name)
            if isinstance(value, int):
                key = "Seconds"
            elif isinstance(value, datetime.datetime):
                key = "Timestamp"
            elif isinstance(value, str):
                key = "TimestampPath"
            else:
                raise InvalidField(
                    f"invalid type for wait time: {type(value).__name__}", state_name=self.name
                )
        if key == "Timestamp" and isinstance(value, datetime.datetime):
            if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
                from sfini_cdk.errors import NaiveDatetime

                raise NaiveDatetime(
                    f"Wait time {value.isoformat()} must be aware (have a time zone)",
                    state_name=self.name,
                )
            value = value.isoformat("T")
        return key, value

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn = super().to_dict(resources=resources)
        key, value = self._wait_field()
        defn[key] = value
        return defn


def _check_next_state(state: Any, name: str, what: str = "choice rule next state") -> None:
    if not isinstance(state, State):
        raise InvalidChoiceRule(
            f"{what} must be a State, got {type(state).__name__} {state!r}", state_name=name
        )


class Choice(HasAssign, HasOutput, Transitions, State):
    """Branch on conditions: the first matching rule's next state runs, else the default.

    Args:
        name: name of state
        comment: state description
        input_path: state input filter JSONPath, ``None`` for empty input
        output_path: state output filter JSONPath, ``None`` for discarded output
        query_language: ``"JSONPath"`` or ``"JSONata"``, default: the state machine's
        output: state output (JSONata)
        assign: variables to assign

    Attributes:
        choices (list[ChoiceRule]): choice rules, in order
        default: state to execute when no rule matches, or ``None`` (Step Functions then
            fails with ``States.NoChoiceMatched``)
    """

    def __init__(
        self,
        name: str,
        comment: str = DEFAULT,
        input_path: str | None = DEFAULT,
        output_path: str | None = DEFAULT,
        *,
        query_language: str = DEFAULT,
        output: JSONable = DEFAULT,
        assign: dict[str, JSONable] = DEFAULT,
    ) -> None:
        super().__init__(
            name,
            comment,
            input_path,
            output_path,
            query_language=query_language,
            output=output,
            assign=assign,
        )
        self.choices: list[ChoiceRule] = []
        self.default: State | None = None

    def successors(self) -> list[State]:
        targets = [rule.next_state for rule in self.choices if rule.next_state is not None]
        if self.default is not None:
            targets.append(self.default)
        return [*targets, *super().successors()]

    def add(self, rule: ChoiceRule) -> None:
        """Add a choice rule.

        Raises:
            InvalidChoiceRule: the rule has no next state
        """
        if not isinstance(rule, ChoiceRule):
            raise InvalidChoiceRule(f"{rule!r} is not a choice rule", state_name=self.name)
        if rule.next_state is None:
            raise InvalidChoiceRule(
                f"top-level choice rule {rule} must specify a next state", state_name=self.name
            )
        _check_next_state(rule.next_state, self.name)
        self.choices.append(rule)

    def remove(self, rule: ChoiceRule) -> None:
        """Remove a choice rule.

        Raises:
            ValueError: the rule is not one of this state's
        """
        if rule not in self.choices:
            raise ValueError(f"rule {rule} is not registered with choice state {self.name!r}")
        self.choices.remove(rule)

    def set_default(self, state: State) -> None:
        """Set the state to execute when no rule matches."""
        _check_next_state(state, self.name, "default state")
        if self.default is not None:
            _logger.warning("Overwriting current default state %s with %s", self.default, state)
        self.default = state

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        if not self.choices:
            has_default = "" if self.default is None else " (a Default alone is not enough)"
            raise ChoiceWithoutRules(
                f"Choice state has no choice rules{has_default}", state_name=self.name
            )
        defn = super().to_dict(resources=resources)
        rules = []
        for rule in self.choices:
            if rule.next_state is None:
                raise InvalidChoiceRule(
                    f"top-level choice rule {rule} must specify a next state",
                    state_name=self.name,
                )
            _check_next_state(rule.next_state, self.name)
            try:
                rules.append(rule.to_dict())
            except InvalidDefinition as error:
                error.state_name = self.name
                raise
            except RecursionError:
                raise InvalidChoiceRule(
                    "a choice rule is nested too deeply (And/Or/Not hundreds of levels deep)",
                    state_name=self.name,
                ) from None
        defn["Choices"] = rules
        if self.default is not None:
            defn["Default"] = self.default.name
        return defn
