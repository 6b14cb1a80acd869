"""A mock configuration in AWS Step Functions Local's format: read, checked, looked up.

The format ("Using mocked service integrations for testing in Step Functions Local", AWS Step
Functions developer guide)::

    {"StateMachines": {"<machine name>": {"TestCases": {"<test case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": <result>},
                                        "1-2": {"Throw": {"Error": "...", "Cause": "..."}}}}}

An execution runs a test case when it was started on ``<state machine ARN>#<test case>``; each
state the test case names is answered by its mocked response instead of calling anything.
Invocation keys are zero-based invocation numbers of that state in the execution (retries
count, Map iterations and Parallel branches share the count) or inclusive ranges (``"1-2"``).

What happens past the last key, or at a gap between keys: the guide says a mocked Task needs a
response for every invocation and that the execution fails otherwise. So does this engine: the
state fails with ``States.Runtime`` (which no Retry or Catch handles), its cause naming the
file, the test case, the state and the invocation number.

Checked when loaded (the engine's start-up), each problem one :class:`MockConfigError` naming
the file, the line and the field: JSON syntax, the shape, a test case naming a mocked response
that does not exist, malformed or overlapping invocation keys, a key given twice. A test case
naming a state the machine lacks can only be seen against the machine: checked when a machine
of that name is created or updated and when an execution starts on that test case
(:meth:`MockConfiguration.check_state_machine`). A mocked response no test case names, or one
with no invocation keys at all, is accepted (Step Functions Local resolves responses only
when a state uses them, and generated files have such entries).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path as FilePath
from typing import Any

from .locations import KeyLocations, Path, field_name
from .responder import MockedAnswer, missing_invocation
from .responses import MockedInvocation, MockedResponse

STATE_MACHINES = "StateMachines"
MOCKED_RESPONSES = "MockedResponses"
TEST_CASES = "TestCases"
RETURN, THROW = "Return", "Throw"

#: fullmatch, ASCII digits only (``\d`` takes any Unicode digit, ``$`` a trailing newline)
_INVOCATION_KEY = re.compile(r"([0-9]+)(?:-([0-9]+))?")


class MockConfigError(ValueError):
    """A mock configuration that cannot be used; the message names file, line and field."""


class UnknownTestCase(ValueError):
    """An execution was started on a test case the mock configuration does not define."""


class _Reader:
    """Turns the parsed JSON into test cases and responses, or raises the first problem."""

    def __init__(self, name: str, locations: KeyLocations | None) -> None:
        self.name = name
        self.locations = locations

    def error(self, path: Path, message: str) -> MockConfigError:
        where = self.name
        if self.locations is not None:
            where += f" line {self.locations.line(path)}"
        return MockConfigError(f"{where}: {field_name(path)}: {message}")

    def members(self, value: Any, path: Path, what: str) -> Iterator[tuple[str, Any]]:
        if not isinstance(value, Mapping):
            raise self.error(path, f"must be an object ({what}), not {_kind(value)}")
        for key, member in value.items():
            if not isinstance(key, str):
                raise self.error(path, f"keys must be strings, not {_kind(key)} {key!r}")
            yield key, member

    def read(
        self, data: Any
    ) -> tuple[dict[str, dict[str, dict[str, str]]], dict[str, MockedResponse]]:
        if not isinstance(data, Mapping):
            raise self.error((), f"a mock configuration is a JSON object, not {_kind(data)}")
        for key in data:
            if key not in (STATE_MACHINES, MOCKED_RESPONSES):
                raise self.error(
                    (key,), f"unknown field (a mock configuration has {STATE_MACHINES} and "
                    f"{MOCKED_RESPONSES})"
                )  # fmt: skip
        responses = {
            name: self.response(name, value)
            for name, value in self.members(
                data.get(MOCKED_RESPONSES, {}), (MOCKED_RESPONSES,), "mocked responses by name"
            )
        }
        machines: dict[str, dict[str, dict[str, str]]] = {}
        for machine, spec in self.members(
            data.get(STATE_MACHINES, {}), (STATE_MACHINES,), "state machines by name"
        ):
            path: Path = (STATE_MACHINES, machine)
            fields = dict(self.members(spec, path, f"with {TEST_CASES}"))
            for key in fields:
                if key != TEST_CASES:
                    raise self.error(
                        (*path, key), f"unknown field (a state machine has {TEST_CASES})"
                    )
            if TEST_CASES not in fields:
                raise self.error(path, f"needs {TEST_CASES}")
            cases: dict[str, dict[str, str]] = {}
            for case, states in self.members(
                fields[TEST_CASES], (*path, TEST_CASES), "test cases by name"
            ):
                case_path: Path = (*path, TEST_CASES, case)
                mapping: dict[str, str] = {}
                for state, response in self.members(
                    states, case_path, "mocked response names by state name"
                ):
                    state_path: Path = (*case_path, state)
                    if not isinstance(response, str):
                        raise self.error(
                            state_path,
                            f"must be the name of a mocked response (a string), not "
                            f"{_kind(response)}",
                        )
                    if response not in responses:
                        raise self.error(
                            state_path,
                            f"names the mocked response '{response}', which "
                            f"{MOCKED_RESPONSES} does not define",
                        )
                    mapping[state] = response
                cases[case] = mapping
            machines[machine] = cases
        return machines, responses

    def response(self, name: str, value: Any) -> MockedResponse:
        path: Path = (MOCKED_RESPONSES, name)
        invocations = []
        for key, answer in self.members(value, path, 'answers by invocation key such as "0"'):
            invocations.append(self.invocation((*path, key), key, answer))
        invocations.sort(key=lambda invocation: invocation.first)
        for before, after in itertools.pairwise(invocations):
            if after.first <= before.last:
                raise self.error(
                    (*path, after.key),
                    f'overlaps "{before.key}" (invocation {after.first} would have two answers)',
                )
        return MockedResponse(name, tuple(invocations))

    def invocation(self, path: Path, key: str, answer: Any) -> MockedInvocation:
        match = _INVOCATION_KEY.fullmatch(key)
        if match is None:
            raise self.error(
                path,
                'an invocation key is a zero-based invocation number ("0") or an inclusive '
                'range ("1-2")',
            )
        first = int(match[1])
        last = int(match[2]) if match[2] is not None else first
        if last < first:
            raise self.error(path, f'a range goes from the lower number up ("{last}-{first}")')
        if (
            not isinstance(answer, Mapping)
            or len(answer) != 1
            or not (RETURN in answer or THROW in answer)
        ):
            found = f" (found {_fields(answer)})" if isinstance(answer, Mapping) else ""
            raise self.error(path, f"needs exactly one of {RETURN} or {THROW}{found}")
        if RETURN in answer:
            return MockedInvocation(key, first, last, False, result=answer[RETURN])
        throw = answer[THROW]
        throw_path: Path = (*path, THROW)
        fields = dict(self.members(throw, throw_path, "with Error and Cause"))
        for field in fields:
            if field not in ("Error", "Cause"):
                raise self.error(
                    (*throw_path, field), "unknown field (a Throw has Error and Cause)"
                )
        error = fields.get("Error")
        if not isinstance(error, str):
            raise self.error(
                (*throw_path, "Error") if "Error" in fields else throw_path,
                "needs Error, the error name (a string)",
            )
        cause = fields.get("Cause")
        if cause is not None and not isinstance(cause, str):
            raise self.error((*throw_path, "Cause"), f"must be a string, not {_kind(cause)}")
        return MockedInvocation(key, first, last, True, error=error, cause=cause)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _fields(value: Mapping[Any, Any]) -> str:
    return ", ".join(str(key) for key in value) or "no fields"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def state_names(definition: Any) -> set[str]:
    """Every state name of an ASL definition (JSON text or parsed), inside Parallel branches
    and Map iterations too."""
    if isinstance(definition, str):
        definition = json.loads(definition)
    names: set[str] = set()
    pending = [definition]
    while pending:
        machine = pending.pop()
        states = machine.get("States") if isinstance(machine, Mapping) else None
        if not isinstance(states, Mapping):
            continue
        for name, state in states.items():
            names.add(name)
            if not isinstance(state, Mapping):
                continue
            pending.extend(state.get("Branches") or ())
            for nested in ("Iterator", "ItemProcessor"):
                if nested in state:
                    pending.append(state[nested])
    return names


class MockConfiguration:
    """A loaded mock configuration: :meth:`load` reads and checks it, :meth:`mock_for`
    answers a Task's call when the execution's test case names the call's state."""

    def __init__(
        self,
        name: str,
        state_machines: Mapping[str, Mapping[str, Mapping[str, str]]],
        responses: Mapping[str, MockedResponse],
        locations: KeyLocations | None = None,
    ) -> None:
        #: how messages name the configuration (its file, or "mock configuration")
        self.name = name
        #: machine name -> test case -> state name -> mocked response name
        self.state_machines = state_machines
        self.responses = responses
        self._locations = locations
        self._checked: set[tuple[str, str]] = set()

    @classmethod
    def load(cls, source: Any) -> MockConfiguration:
        """Read ``source``: a file path (``str`` or path-like), JSON text (a ``str`` starting
        with ``{``) or a mapping. Raises :class:`MockConfigError` for anything unusable."""
        if isinstance(source, MockConfiguration):
            return source
        if isinstance(source, Mapping):
            return cls._from_data(source, "mock configuration", None)
        if isinstance(source, str) and source.lstrip().startswith(("{", "[")):
            return cls._from_text(source, "mock configuration (JSON text)")
        if isinstance(source, (str, os.PathLike)):
            name = os.fspath(source)
            if not name:
                raise MockConfigError("the mock configuration path is empty")
            try:
                text = FilePath(name).read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise MockConfigError(f"{name}: not UTF-8 text ({exc.reason})") from None
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise MockConfigError(
                    f"{name}: cannot read the mock configuration: {reason}"
                ) from None
            return cls._from_text(text, name)
        raise MockConfigError(
            f"a mock configuration is a file path, JSON text or a mapping, not "
            f"{type(source).__name__}"
        )

    @classmethod
    def _from_text(cls, text: str, name: str) -> MockConfiguration:
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise MockConfigError(
                f"{name} line {exc.lineno} column {exc.colno}: not JSON: {exc.msg}"
            ) from None
        except ValueError as exc:  # NaN, Infinity
            raise MockConfigError(f"{name}: not JSON: {exc}") from None
        locations = KeyLocations(text)
        if locations.duplicates:
            parent, key, offset = locations.duplicates[0]
            raise MockConfigError(
                f"{name} line {locations.line_of_offset(offset)}: {field_name((*parent, key))}: "
                "given twice (JSON keeps only the last one)"
            )
        return cls._from_data(data, name, locations)

    @classmethod
    def _from_data(cls, data: Any, name: str, locations: KeyLocations | None) -> MockConfiguration:
        machines, responses = _Reader(name, locations).read(data)
        return cls(name, machines, responses, locations)

    @property
    def description(self) -> str:
        """How a sentence names the configuration: ``the mock configuration FILE`` (without
        the name twice when it was given as data rather than a file)."""
        if self.name.startswith("mock configuration"):
            return f"the {self.name}"
        return f"the mock configuration {self.name}"

    # -- lookups ------------------------------------------------------------------------------
    def test_case(self, state_machine_name: str, test_case: str) -> Mapping[str, str] | None:
        """State name -> mocked response name of a test case (None when not defined)."""
        return self.state_machines.get(state_machine_name, {}).get(test_case)

    def where(self, path: Path) -> str:
        """``FILE line N: FIELD`` for a message about ``path``."""
        where = self.name
        if self._locations is not None:
            where += f" line {self._locations.line(path)}"
        return f"{where}: {field_name(path)}"

    def check_test_case(self, state_machine_name: str, test_case: str, definition: Any) -> None:
        """Before an execution starts on ``test_case``: it must exist (:class:`UnknownTestCase`)
        and name only states of the machine (:class:`MockConfigError`)."""
        cases = self.state_machines.get(state_machine_name)
        if cases is None or test_case not in cases:
            known = ", ".join(f"'{c}'" for c in cases or ()) or "none"
            raise UnknownTestCase(
                f"Test case '{test_case}' of state machine '{state_machine_name}' is not in "
                f"{self.description} (its test cases for that machine: {known})"
            )
        self.check_state_machine(state_machine_name, definition)

    def check_state_machine(self, state_machine_name: str, definition: Any) -> None:
        """Every test case of ``state_machine_name`` must name states ``definition`` has
        (inside Map and Parallel states too); raises :class:`MockConfigError` naming the file,
        the test case and the state."""
        cases = self.state_machines.get(state_machine_name)
        if not cases:
            return
        key = (state_machine_name, definition if isinstance(definition, str) else repr(definition))
        if key in self._checked:
            return
        names = state_names(definition)
        for case, mapping in cases.items():
            for state in mapping:
                if state not in names:
                    path = (STATE_MACHINES, state_machine_name, TEST_CASES, case, state)
                    raise MockConfigError(
                        f"{self.where(path)}: test case '{case}' names the state '{state}', "
                        f"which state machine '{state_machine_name}' does not have (its "
                        f"states: {', '.join(sorted(names))})"
                    )
        self._checked.add(key)

    def mock_for(self, call: Any) -> Any:
        """The mocked answer of ``call`` (a ``TaskCall``), None when its execution runs no
        test case or the test case does not name its state. An invocation with no answer
        (past the last key, at a gap) raises ``States.Runtime``: the execution fails."""
        if call.test_case is None:
            return None
        mapping = self.test_case(call.state_machine_name, call.test_case)
        if mapping is None:
            return None
        response_name = mapping.get(call.state_name)
        if response_name is None:
            return None
        response = self.responses[response_name]
        invocation = response.for_invocation(call.invocation_index)
        if invocation is None:
            raise missing_invocation(self.description, call, response)
        return MockedAnswer(invocation)


__all__ = [
    "MockConfigError",
    "MockConfiguration",
    "MockedInvocation",
    "MockedResponse",
    "UnknownTestCase",
    "state_names",
]
