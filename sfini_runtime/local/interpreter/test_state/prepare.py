"""TestState's request, checked as AWS checks it: the definition (one state, or a machine and
a ``stateName``), the input, variables and context, the mock and the state configuration.

Every refusal is the API error AWS answers with (``InvalidDefinition`` or
``ValidationException``, AWS's messages). What passes is a :class:`TestStateCase`: the
compiled state, ready for :mod:`.runner`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sfini_asl.checker import check_definition, parse_definition
from sfini_asl.diagnostics import DefinitionErrors, Diagnostic
from sfini_asl.spec import JSONPATH

from ...errors import InvalidDefinition, InvalidExecutionInput, ValidationException
from ..definition import Graph
from ..states import STATE_CLASSES, CompiledState
from ..task_resources import ACTIVITY, REQUEST_RESPONSE

__all__ = [
    "INSPECTION_LEVELS",
    "SINGLE_STATE_NAME",
    "TestStateCase",
    "TestStateMock",
    "prepare_test_state",
]

#: the name a definition of a single state runs under (``$states.context.State.Name``)
SINGLE_STATE_NAME = "StateName"
INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
_MOCKABLE = ("Task", "Map", "Parallel")
_UNSUPPORTED_WITHOUT_MOCK = (
    "TestState API does not support Map or Parallel states. Supported state types include: "
    "[Task, Wait, Pass, Succeed, Fail, Choice]"
)
_UNSUPPORTED_TASK_WITHOUT_MOCK = (
    "TestState API does not support Activity tasks, .sync or .waitForTaskToken service "
    "integration patterns unless a mock is specified"
)
_MESSAGE_PROBLEMS_MAX = 10


@dataclass(frozen=True)
class TestStateMock:
    """The request's ``mock``: a result (JSON) or an error, and how a result is checked."""

    __test__ = False  # not a pytest class

    result: Any = None
    has_result: bool = False
    error: str | None = None
    cause: str | None = None
    has_error: bool = False
    #: STRICT (AWS's default), PRESENT or NONE
    field_validation_mode: str = "STRICT"


@dataclass
class TestStateCase:
    """A TestState call that passed validation."""

    __test__ = False  # not a pytest class

    state: CompiledState
    spec: Mapping[str, Any]
    input_value: Any
    input_text: str
    variables: dict[str, Any]
    context: dict[str, Any] | None
    inspection_level: str
    reveal_secrets: bool
    mock: TestStateMock | None
    retrier_retry_count: int = 0
    error_caused_by_state: str | None = None
    map_iteration_failure_count: int | None = None
    map_item_reader_data: Any = None
    has_item_reader_data: bool = False


class _StateCompiler:
    """What the state classes need to compile one state and its nested graphs."""

    def __init__(self, language: str) -> None:
        self.top_language = language
        self.language = language

    def subgraph(self, doc: Mapping[str, Any], where: str) -> Graph:
        states: dict[str, CompiledState] = {}
        for name, spec in doc["States"].items():
            states[name] = self.state(name, spec, f"{where}/States/{name}")
        return Graph(doc["StartAt"], states)

    def state(self, name: str, spec: Mapping[str, Any], where: str) -> CompiledState:
        self.language = spec.get("QueryLanguage", self.top_language)
        try:
            return STATE_CLASSES[spec["Type"]](name, spec, self, where)
        except DefinitionErrors:
            raise
        except ValueError as exc:  # the checker passed it: should not happen
            problem = Diagnostic("SCHEMA_VALIDATION_FAILED", str(exc), where)
            raise DefinitionErrors([problem]) from None


def _invalid_definition(problems: list[Diagnostic]) -> InvalidDefinition:
    joined = ", ".join(str(p) for p in problems[:_MESSAGE_PROBLEMS_MAX])
    return InvalidDefinition(f"Invalid State Machine Definition: '{joined}'")


def _targets(spec: Mapping[str, Any]) -> Iterator[str]:
    """The names a state transitions to (Next, Default, Choices, Catch)."""
    for key in ("Next", "Default"):
        if isinstance(spec.get(key), str):
            yield spec[key]
    for group in ("Choices", "Catch"):
        rules = spec.get(group)
        if isinstance(rules, list):
            for rule in rules:
                if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
                    yield rule["Next"]


def _single_state_machine(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A machine around one state: the states it names are stand-ins that end at once."""
    states: dict[str, Any] = {SINGLE_STATE_NAME: spec}
    for target in _targets(spec):
        states.setdefault(target, {"Type": "Succeed"})
    return {"StartAt": SINGLE_STATE_NAME, "States": states}


def _nested_graphs(spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A Map's processor and a Parallel's branches (the well-formed ones)."""
    graphs: list[Any] = [spec.get("ItemProcessor") or spec.get("Iterator")]
    branches = spec.get("Branches")
    if isinstance(branches, list):
        graphs += branches
    return [graph for graph in graphs if isinstance(graph, Mapping)]


def _find_state(
    graph: Mapping[str, Any], name: str, language: str
) -> tuple[Mapping[str, Any], str] | None:
    """The state ``name`` anywhere in ``graph`` (nested graphs too), with its query language."""
    states = graph.get("States")
    if not isinstance(states, Mapping):
        return None
    if name in states and isinstance(states[name], Mapping):
        return states[name], language
    for spec in states.values():
        if not isinstance(spec, Mapping):
            continue
        inner = spec.get("QueryLanguage", language)
        for sub in _nested_graphs(spec):
            found = _find_state(sub, name, inner)
            if found is not None:
                return found
    return None


def _nested_names(spec: Mapping[str, Any]) -> set[str]:
    """The names of the states inside a Map's processor or a Parallel's branches."""
    names: set[str] = set()
    for graph in _nested_graphs(spec):
        if isinstance(graph.get("States"), Mapping):
            for name, inner in graph["States"].items():
                names.add(name)
                if isinstance(inner, Mapping):
                    names |= _nested_names(inner)
    return names


def _unrun_resource(problem: Diagnostic, unrun: set[str]) -> bool:
    """A Resource problem of a state the mocked Map or Parallel does not run (AWS lets it be)."""
    if problem.code != "INVALID_RESOURCE":
        return False
    return any(f"/States/{name}/" in f"{problem.location}/" for name in unrun)


def _definition(
    text: str, state_name: str | None, mocked: bool
) -> tuple[str, Mapping[str, Any], str]:
    """(state name, state spec, top query language) of a checked definition."""
    document, problems = parse_definition(text)
    if problems:
        raise _invalid_definition(problems)
    if not isinstance(document, Mapping):
        raise InvalidDefinition("Invalid State Machine Definition: 'the definition is no object'")
    if "States" in document:  # a whole machine
        language = document.get("QueryLanguage", JSONPATH)
        name = state_name if state_name is not None else document.get("StartAt")
        found = _find_state(document, name, language) if isinstance(name, str) else None
        if found is None:
            raise ValidationException("State not found in definition")
        machine = document
        spec, _ = found
    else:
        name, spec, language = SINGLE_STATE_NAME, document, JSONPATH
        machine = _single_state_machine(document)
    problems = check_definition(machine)
    if mocked:
        unrun = _nested_names(spec)
        problems = [p for p in problems if not _unrun_resource(p, unrun)]
    if problems:
        raise _invalid_definition(problems)
    return name, spec, language


def _compile(name: str, spec: Mapping[str, Any], language: str) -> CompiledState:
    compiler = _StateCompiler(language)
    try:
        return compiler.state(name, spec, f"/States/{name}")
    except DefinitionErrors as errors:
        raise _invalid_definition(list(errors.diagnostics)) from None


def _json(text: Any, what: str, error: type[Exception] = ValidationException) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise error(f"Invalid {what}: '{exc}'") from None


def _mock(request: Mapping[str, Any]) -> TestStateMock | None:
    mock = request.get("mock")
    if mock is None:
        return None
    mode = mock.get("fieldValidationMode", "STRICT")
    if "result" in mock and "errorOutput" in mock:
        raise ValidationException("A mock can have either a result or an errorOutput, not both")
    if "result" in mock:
        try:
            result = json.loads(mock["result"])
        except ValueError as exc:
            raise ValidationException(f"Mocked result must be valid JSON: {exc}") from None
        return TestStateMock(result=result, has_result=True, field_validation_mode=mode)
    if "errorOutput" in mock:
        error = mock["errorOutput"]
        return TestStateMock(
            error=error.get("error"),
            cause=error.get("cause"),
            has_error=True,
            field_validation_mode=mode,
        )
    raise ValidationException("A mock must have a result or an errorOutput")


_CONTEXT_STRINGS = {
    "Execution": ("Id", "Name", "RoleArn", "StartTime", "RedriveTime"),
    "State": ("EnteredTime", "Name"),
    "StateMachine": ("Id", "Name"),
    "Task": ("Token",),
}


def _context(text: str | None) -> dict[str, Any] | None:
    """The request's context object, checked as AWS checks a mocked one."""
    if text is None:
        return None
    try:
        context = json.loads(text)
    except ValueError as exc:
        raise ValidationException(f"Invalid Context object provided: {exc}") from None
    if not isinstance(context, dict):
        raise ValidationException("Invalid Context object provided: the context must be an object")
    if "Map" in context:
        raise ValidationException(
            "Invalid Context object provided: 'Map' field is not supported when mocking a "
            "Context object"
        )
    for member, strings in _CONTEXT_STRINGS.items():
        part = context.get(member)
        if part is None:
            continue
        if not isinstance(part, dict):
            raise ValidationException(
                f"Invalid Context object provided: {member} must be an object"
            )
        for key in strings:
            if key in part and not isinstance(part[key], str):
                raise ValidationException(
                    f"Invalid Context object provided: {member}.{key} must be a string"
                )
    state = context.get("State")
    if isinstance(state, dict) and "RetryCount" in state:
        count = state["RetryCount"]
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValidationException(
                "Invalid Context object provided: State.RetryCount must be an integer"
            )
    return context


def _check_mock_fits(case: TestStateCase) -> None:
    """The combinations of mock, state type and configuration AWS refuses."""
    state_type = case.spec["Type"]
    mock = case.mock
    if mock is not None and case.reveal_secrets:
        raise ValidationException(
            "TestState does not support RevealSecrets when a mock is specified."
        )
    if mock is not None and state_type not in _MOCKABLE:
        raise ValidationException(
            f"State type '{state_type}' is not supported when a mock is specified"
        )
    if mock is None and case.map_iteration_failure_count is not None:
        raise ValidationException(
            "TestState does not support MapIterationFailureCount when a mock is not specified."
        )
    if mock is None and state_type in ("Map", "Parallel"):
        raise InvalidDefinition(_UNSUPPORTED_WITHOUT_MOCK)
    if mock is None and state_type == "Task":
        resource = case.state.task_resource  # type: ignore[attr-defined]
        if resource.kind == ACTIVITY or resource.pattern != REQUEST_RESPONSE:
            raise InvalidDefinition(_UNSUPPORTED_TASK_WITHOUT_MOCK)
    if state_type == "Parallel" and mock is not None and mock.has_result:
        result = mock.result
        if not isinstance(result, list) or len(result) != len(case.spec["Branches"]):
            raise ValidationException(
                "Mocked result must contain the same number of items as number of Parallel "
                "branches."
            )
    if case.map_iteration_failure_count is not None and state_type != "Map":
        raise ValidationException(
            "TestState supports MapIterationFailureCount only for a Map state"
        )


def prepare_test_state(request: Mapping[str, Any]) -> TestStateCase:
    """Check a TestState request (its shape already checked against the API model)."""
    name, spec, language = _definition(
        request["definition"], request.get("stateName"), request.get("mock") is not None
    )
    mock = _mock(request)
    context = _context(request.get("context"))
    input_text = request.get("input", "{}")
    input_value = _json(input_text, "State Input", InvalidExecutionInput)
    variables: dict[str, Any] = {}
    if request.get("variables") is not None:
        variables = _json(request["variables"], "variables")
        if not isinstance(variables, dict):
            raise ValidationException("The variables must be a JSON object")
    config = request.get("stateConfiguration") or {}
    case = TestStateCase(
        state=_compile(name, spec, language),
        spec=spec,
        input_value=input_value,
        input_text=input_text,
        variables=variables,
        context=context,
        inspection_level=request.get("inspectionLevel", "INFO"),
        reveal_secrets=bool(request.get("revealSecrets", False)),
        mock=mock,
        retrier_retry_count=config.get("retrierRetryCount", 0),
        error_caused_by_state=config.get("errorCausedByState"),
        map_iteration_failure_count=config.get("mapIterationFailureCount"),
    )
    if "mapItemReaderData" in config:
        case.map_item_reader_data = _json(config["mapItemReaderData"], "mapItemReaderData")
        case.has_item_reader_data = True
    _check_mock_fits(case)
    return case
