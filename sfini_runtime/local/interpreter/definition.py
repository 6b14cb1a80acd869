"""Parse and validate Amazon States Language JSON into compiled, immutable state graphs.

Validation collects every problem as an AWS-style diagnostic (``code``, ``message``,
``location``), which both ValidateStateMachineDefinition and the InvalidDefinition error of
Create/UpdateStateMachine report.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidDefinition
from .states import STATE_CLASSES
from .states.base import CompiledState

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
TERMINAL_TYPES = ("Succeed", "Fail")
JSONPATH, JSONATA = "JSONPath", "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)
#: fields only a JSONPath state may have
JSONPATH_ONLY_FIELDS = frozenset(
    {
        "InputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "OutputPath",
        "Result",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "ErrorPath",
        "CausePath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    }
)
#: fields only a JSONata state may have
JSONATA_ONLY_FIELDS = frozenset({"Arguments", "Output", "Items"})
#: state types that may Assign variables (Choice rules and Catchers may too)
ASSIGN_TYPES = ("Pass", "Task", "Map", "Parallel", "Choice", "Wait")
_COMMON = ("Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Output")
_FLOW = ("Next", "End", "Assign")
_RESULT = ("Parameters", "Arguments", "ResultSelector", "ResultPath", "Retry", "Catch")
_TASK = ("Resource", "Credentials", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds")
_MAP = (
    *("ItemsPath", "Items", "ItemProcessor", "Iterator", "ItemSelector", "ItemReader"),
    *("ItemBatcher", "ResultWriter", "Label", "MaxConcurrency", "MaxConcurrencyPath"),
    *("ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage"),
    "ToleratedFailurePercentagePath",
)
#: the fields the ASL defines for each state type (QueryLanguage decides which apply)
STATE_FIELDS: dict[str, frozenset[str]] = {
    "Pass": frozenset((*_COMMON, *_FLOW, "Parameters", "Result", "ResultPath")),
    "Task": frozenset((*_COMMON, *_FLOW, *_RESULT, *_TASK, "HeartbeatSecondsPath")),
    "Choice": frozenset((*_COMMON, "Assign", "Choices", "Default")),
    "Wait": frozenset((*_COMMON, *_FLOW, "Seconds", "SecondsPath", "Timestamp", "TimestampPath")),
    "Succeed": frozenset(_COMMON),
    "Fail": frozenset(
        ("Type", "Comment", "QueryLanguage", "Error", "ErrorPath", "Cause", "CausePath")
    ),
    "Parallel": frozenset((*_COMMON, *_FLOW, *_RESULT, "Branches")),
    "Map": frozenset((*_COMMON, *_FLOW, *_RESULT, *_MAP)),
}
#: numeric fields a JSONata state may give as a {% %} expression
_JSONATA_NUMBER_FIELDS = (
    "Seconds",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
)
_ARN_ACTIVITY = re.compile(r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]+$")
_ARN_ANY = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$")
_STATE_NAME_MAX = 80
_MESSAGE_PROBLEMS_MAX = 10  # problems an InvalidDefinition message spells out
_WAIT_SECONDS_MAX = 99_999_999  # the ASL reference: "from 0 up to 99999999"
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,79}$")


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a definition."""

    code: str
    message: str
    location: str

    def as_dict(self) -> dict[str, str]:
        """The ValidateStateMachineDefinition diagnostic shape."""
        return {
            "severity": "ERROR",
            "code": self.code,
            "message": self.message,
            "location": self.location,
        }

    def __str__(self) -> str:
        return f"{self.code}: {self.message} at {self.location}"


class DefinitionErrors(ValueError):
    """A definition with problems; ``diagnostics`` lists them."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(", ".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Graph:
    """A StartAt and its States: the machine, a Parallel branch or a Map processor."""

    start_at: str
    states: Mapping[str, CompiledState]


@dataclass(frozen=True)
class CompiledDefinition:
    """A validated definition, ready to run any number of executions."""

    text: str
    document: Mapping[str, Any]
    graph: Graph
    timeout_seconds: float | None
    activity_arns: frozenset[str]
    query_language: str = JSONPATH


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _Checker:
    """Walks a document, collecting diagnostics and compiling graphs."""

    def __init__(self) -> None:
        self.problems: list[Diagnostic] = []
        self.state_names: set[str] = set()
        self.activity_arns: set[str] = set()
        #: the machine's QueryLanguage: every state (nested ones too) inherits it
        self.top_language = JSONPATH
        #: the language of the state being compiled (state classes read it)
        self.language = JSONPATH

    def problem(self, code: str, message: str, location: str) -> None:
        self.problems.append(Diagnostic(code, message, location))

    def schema(self, message: str, location: str) -> None:
        self.problem("SCHEMA_VALIDATION_FAILED", message, location)

    # -- graphs -----------------------------------------------------------------------------
    def graph(self, doc: Any, where: str) -> Graph | None:
        if not isinstance(doc, Mapping):
            self.schema("Expected an object", where or "/")
            return None
        if "QueryLanguage" in doc:
            # nested graphs (branches, item processors) inherit the machine's language
            if doc["QueryLanguage"] not in QUERY_LANGUAGES:
                self.schema(
                    'The field "QueryLanguage" should have one of these values: '
                    "[JSONPath, JSONata]",
                    f"{where}/QueryLanguage",
                )
            elif not where:
                self.top_language = doc["QueryLanguage"]
        start_at = doc.get("StartAt")
        states = doc.get("States")
        if not isinstance(start_at, str):
            self.schema("The field 'StartAt' is required and must be a string", where or "/")
        if not isinstance(states, Mapping) or not states:
            self.schema(
                "The field 'States' is required and must be a non-empty object", where or "/"
            )
            return None
        compiled: dict[str, CompiledState] = {}
        for name, spec in states.items():
            state = self.state(name, spec, f"{where}/States/{name}")
            if state is not None:
                compiled[name] = state
        if isinstance(start_at, str) and start_at not in states:
            self.problem(
                "MISSING_TRANSITION_TARGET",
                f"Missing 'Next' target: {start_at}",
                f"{where}/StartAt",
            )
        self.transitions(states, where, start_at)
        if not isinstance(start_at, str) or self.problems:
            return None
        return Graph(start_at, compiled)

    def transitions(self, states: Mapping[str, Any], where: str, start_at: Any = None) -> None:
        targets: dict[str, list[str]] = {}
        for name, spec in states.items():
            if not isinstance(spec, Mapping):
                continue
            outs: list[tuple[str, str]] = []
            if isinstance(spec.get("Next"), str):
                outs.append((spec["Next"], f"{where}/States/{name}/Next"))
            if isinstance(spec.get("Default"), str):
                outs.append((spec["Default"], f"{where}/States/{name}/Default"))
            for i, rule in enumerate(_array(spec.get("Choices"))):
                if isinstance(rule, Mapping) and isinstance(rule.get("Next"), str):
                    outs.append((rule["Next"], f"{where}/States/{name}/Choices/{i}/Next"))
            for i, catcher in enumerate(_array(spec.get("Catch"))):
                if isinstance(catcher, Mapping) and isinstance(catcher.get("Next"), str):
                    outs.append((catcher["Next"], f"{where}/States/{name}/Catch/{i}/Next"))
            for target, location in outs:
                if target not in states:
                    self.problem(
                        "MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", location
                    )
            targets[name] = [t for t, _ in outs]
        if not any(
            isinstance(s, Mapping) and (s.get("End") is True or s.get("Type") in TERMINAL_TYPES)
            for s in states.values()
        ):
            self.problem("MISSING_END_STATE", "Workflow has no terminal state", f"{where}/States")
        if isinstance(start_at, str) and start_at in states:
            # AWS rejects a state nothing leads to (under the code MISSING_TRANSITION_TARGET)
            reached = {start_at}
            pending = [start_at]
            while pending:
                for target in targets.get(pending.pop(), ()):
                    if target in states and target not in reached:
                        reached.add(target)
                        pending.append(target)
            for name in states:
                if name not in reached:
                    self.problem(
                        "MISSING_TRANSITION_TARGET",
                        f'State "{name}" is not reachable.',
                        f"{where}/States/{name}",
                    )

    # -- one state --------------------------------------------------------------------------
    def state(self, name: str, spec: Any, where: str) -> CompiledState | None:
        before = len(self.problems)
        if name in self.state_names:
            self.problem("DUPLICATE_STATE_NAME", f"Duplicate State name: {name}", where)
        self.state_names.add(name)
        if not name or len(name) > _STATE_NAME_MAX:
            self.problem(
                "INVALID_STATE_NAME",
                f"State names must be 1 to {_STATE_NAME_MAX} characters long",
                where,
            )
        if not isinstance(spec, Mapping):
            self.schema("A state must be an object", where)
            return None
        kind = spec.get("Type")
        if kind not in STATE_TYPES:
            self.schema(
                'The field "Type" should have one of these values: '
                "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]",
                f"{where}/Type",
            )
            return None
        language = self.query_language(spec, where)
        if "Comment" in spec and not isinstance(spec["Comment"], str):
            self.schema("The field 'Comment' must be a string", f"{where}/Comment")
        for field in spec:
            if field not in STATE_FIELDS[kind] and field not in ("Retry", "Catch", "Assign"):
                self.schema(f"Field '{field}' is not supported by a {kind} state", where)
        self.language_fields(kind, spec, language, where)
        if kind not in TERMINAL_TYPES and kind != "Choice":
            has_next, has_end = "Next" in spec, spec.get("End") is True
            if has_next and has_end:
                self.schema("The fields 'Next' and 'End' are mutually exclusive", where)
            elif not has_next and not has_end:
                self.schema("This state must have either a 'Next' or an 'End: true' field", where)
            elif has_next and not isinstance(spec["Next"], str):
                self.schema("The field 'Next' must be a string", f"{where}/Next")
        elif "Next" in spec or "End" in spec:
            self.schema(f"A {kind} state cannot have a 'Next' or 'End' field", where)
        getattr(self, f"check_{kind.lower()}", lambda s, w: None)(spec, where)
        for field in ("Retry", "Catch"):
            if field in spec:
                if kind not in ("Task", "Parallel", "Map"):
                    self.schema(f"Field '{field}' is not supported by a {kind} state", where)
                else:
                    self.retry_catch(field, spec[field], f"{where}/{field}")
        if len(self.problems) > before:
            return None
        self.language = language
        try:
            return STATE_CLASSES[kind](name, spec, self, where)
        except DefinitionErrors as errors:
            self.problems.extend(errors.diagnostics)
        except ValueError as exc:  # syntax errors from paths, templates, intrinsics, rules
            field = getattr(exc, "field", None)
            location = f"{where}/{field}" if field else where
            code = getattr(exc, "code", None)
            if isinstance(code, str):  # JSONata: INVALID/UNSUPPORTED_JSONATA_EXPRESSION
                self.problem(code, getattr(exc, "message", str(exc)), location)
            else:
                self.schema(str(exc), location)
        return None

    # -- query languages --------------------------------------------------------------------
    def query_language(self, spec: Mapping[str, Any], where: str) -> str:
        """The state's language: its own QueryLanguage, else the machine's."""
        own = spec.get("QueryLanguage")
        if own is None:
            return self.top_language
        if own not in QUERY_LANGUAGES:
            self.schema(
                'The field "QueryLanguage" should have one of these values: [JSONPath, JSONata]',
                f"{where}/QueryLanguage",
            )
            return self.top_language
        if own == JSONPATH and self.top_language == JSONATA:
            self.schema(
                "A state cannot use JSONPath when the state machine's QueryLanguage is JSONata",
                f"{where}/QueryLanguage",
            )
        return own

    def language_fields(
        self, kind: str, spec: Mapping[str, Any], language: str, where: str
    ) -> None:
        """Fields the state's query language does not have; Assign where it cannot be."""
        forbidden = JSONPATH_ONLY_FIELDS if language == JSONATA else JSONATA_ONLY_FIELDS
        for field in spec:
            if field in forbidden:
                self.schema(
                    f"The field '{field}' is not supported in a {language} state "
                    f"(its QueryLanguage is {language})",
                    f"{where}/{field}",
                )
        if "Assign" in spec:
            if kind not in ASSIGN_TYPES:
                self.schema(
                    f"The field 'Assign' is not supported by a {kind} state", f"{where}/Assign"
                )
            else:
                self.assign_field(spec["Assign"], language, f"{where}/Assign")
        for i, catcher in enumerate(_array(spec.get("Catch"))):
            if not isinstance(catcher, Mapping):
                continue
            bad = "ResultPath" if language == JSONATA else "Output"
            if bad in catcher:
                self.schema(
                    f"The field '{bad}' is not supported in a Catcher of a {language} state",
                    f"{where}/Catch/{i}/{bad}",
                )
            if "Assign" in catcher:
                self.assign_field(catcher["Assign"], language, f"{where}/Catch/{i}/Assign")
        for i, rule in enumerate(_array(spec.get("Choices"))):
            if not isinstance(rule, Mapping):
                continue
            loc = f"{where}/Choices/{i}"
            if language == JSONATA and "Condition" not in rule:
                self.schema("A JSONata choice rule needs a 'Condition' field", loc)
            if language == JSONATA:
                for key in rule:
                    if key not in ("Condition", "Next", "Comment", "Assign", "Output"):
                        self.schema(
                            f"The field '{key}' is not supported in a JSONata choice rule",
                            f"{loc}/{key}",
                        )
            elif "Condition" in rule or "Output" in rule:
                field = "Condition" if "Condition" in rule else "Output"
                self.schema(
                    f"The field '{field}' is only supported in a JSONata choice rule",
                    f"{loc}/{field}",
                )
            if "Assign" in rule:
                self.assign_field(rule["Assign"], language, f"{loc}/Assign")

    def assign_field(self, assign: Any, language: str, where: str) -> None:
        """An Assign must be an object whose keys are variable names."""
        if not isinstance(assign, Mapping):
            self.schema("The field 'Assign' must be an object", where)
            return
        for key in assign:
            name = key[:-2] if language == JSONPATH and key.endswith(".$") else key
            if not _VARIABLE_NAME.match(name) or name == "states":
                self.schema(
                    f"Invalid variable name: '{name}'"
                    + (" ('states' is reserved)" if name == "states" else ""),
                    f"{where}/{key}",
                )

    def retry_catch(self, field: str, items: Any, where: str) -> None:
        if not isinstance(items, list):
            self.schema(f"The field '{field}' must be an array", where)
            return
        for i, item in enumerate(items):
            loc = f"{where}/{i}"
            if not isinstance(item, Mapping):
                self.schema("Expected an object", loc)
                continue
            errors = item.get("ErrorEquals")
            if (
                not isinstance(errors, list)
                or not errors
                or not all(isinstance(e, str) for e in errors)
            ):
                self.schema("The field 'ErrorEquals' must be a non-empty array of strings", loc)
            elif "States.ALL" in errors and (len(errors) > 1 or i != len(items) - 1):
                self.schema(
                    "States.ALL must appear alone in the last ErrorEquals of a "
                    f"{field[:-1] if field == 'Retry' else field}er",
                    f"{loc}/ErrorEquals",
                )
            if field == "Catch" and not isinstance(item.get("Next"), str):
                self.schema("The field 'Next' is required in a Catcher", loc)
            if field == "Retry":
                for key, minimum in (("IntervalSeconds", 1), ("MaxAttempts", 0)):
                    value = item.get(key, minimum)
                    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                        self.schema(f"The field '{key}' must be an integer >= {minimum}", loc)
                rate = item.get("BackoffRate", 2.0)
                if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 1:
                    self.schema("The field 'BackoffRate' must be a number >= 1.0", loc)
                if item.get("JitterStrategy", "NONE") not in ("NONE", "FULL"):
                    self.schema("The field 'JitterStrategy' must be FULL or NONE", loc)

    # -- per type ---------------------------------------------------------------------------
    def jsonata_expression(self, spec: Mapping[str, Any], value: Any) -> bool:
        """Whether ``value`` is a ``{% %}`` string in a state whose language is JSONata."""
        language = spec.get("QueryLanguage", self.top_language)
        return language == JSONATA and isinstance(value, str) and value.startswith("{%")

    def check_task(self, spec: Mapping[str, Any], where: str) -> None:
        resource = spec.get("Resource")
        if not isinstance(resource, str):
            self.schema("The field 'Resource' is required and must be a string", where)
        elif _ARN_ACTIVITY.match(resource):
            self.activity_arns.add(resource)
        elif not _ARN_ANY.match(resource):
            self.problem(
                "INVALID_RESOURCE", "Value is not a valid resource ARN", f"{where}/Resource"
            )
        for a, b in (
            ("TimeoutSeconds", "TimeoutSecondsPath"),
            ("HeartbeatSeconds", "HeartbeatSecondsPath"),
        ):
            if a in spec and b in spec:
                self.schema(f"The fields '{a}' and '{b}' are mutually exclusive", where)
            value = spec.get(a, 1)
            if self.jsonata_expression(spec, value):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self.schema(f"The field '{a}' must be a positive integer", f"{where}/{a}")
        timeout, heartbeat = spec.get("TimeoutSeconds"), spec.get("HeartbeatSeconds")
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
            self.schema(
                "The field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
                f"{where}/HeartbeatSeconds",
            )

    def check_wait(self, spec: Mapping[str, Any], where: str) -> None:
        given = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in spec]
        if len(given) != 1:
            self.schema(
                "A Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
                where,
            )
        seconds = spec.get("Seconds", 0)
        if self.jsonata_expression(spec, seconds):
            return
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
            self.schema("The field 'Seconds' must be a non-negative integer", f"{where}/Seconds")
        elif seconds > _WAIT_SECONDS_MAX:
            self.schema(
                f"The field 'Seconds' must be at most {_WAIT_SECONDS_MAX}", f"{where}/Seconds"
            )

    def check_choice(self, spec: Mapping[str, Any], where: str) -> None:
        choices = spec.get("Choices")
        if not isinstance(choices, list) or not choices:
            self.schema("The field 'Choices' is required and must be a non-empty array", where)
            return
        for i, rule in enumerate(choices):
            if not isinstance(rule, Mapping) or not isinstance(rule.get("Next"), str):
                self.schema("Each choice rule needs a 'Next' field", f"{where}/Choices/{i}")

    def check_fail(self, spec: Mapping[str, Any], where: str) -> None:
        for a in ("Error", "Cause"):
            if a in spec and f"{a}Path" in spec:
                self.schema(f"The fields '{a}' and '{a}Path' are mutually exclusive", where)
            if a in spec and not isinstance(spec[a], str):
                self.schema(f"The field '{a}' must be a string", f"{where}/{a}")

    def check_parallel(self, spec: Mapping[str, Any], where: str) -> None:
        branches = spec.get("Branches")
        if not isinstance(branches, list) or not branches:
            self.schema("The field 'Branches' is required and must be a non-empty array", where)

    def check_map(self, spec: Mapping[str, Any], where: str) -> None:
        if "ItemProcessor" not in spec and "Iterator" not in spec:
            self.schema("The field 'ItemProcessor' is required", where)
        processor = spec.get("ItemProcessor") or spec.get("Iterator") or {}
        if not isinstance(processor, Mapping):
            return  # compiling the subgraph reports "Expected an object"
        config = processor.get("ProcessorConfig") or {}
        if not isinstance(config, Mapping):
            self.schema(
                "The field 'ProcessorConfig' must be an object",
                f"{where}/ItemProcessor/ProcessorConfig",
            )
            return
        mode = config.get("Mode", "INLINE")
        if mode != "INLINE":
            self.schema(
                "Distributed Map is not supported by this engine yet",
                f"{where}/ItemProcessor/ProcessorConfig/Mode",
            )
        for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
            if key in spec:
                self.schema(f"The field '{key}' is not supported by this engine yet", where)
        for key in ("MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"):
            value = spec.get(key, 0)
            if self.jsonata_expression(spec, value):
                continue
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            if key != "ToleratedFailurePercentage":
                numeric = numeric and isinstance(value, int)
            if not numeric or value < 0 or (key == "ToleratedFailurePercentage" and value > 100):
                kind = "a number from 0 to 100" if key.endswith("Percentage") else "an integer >= 0"
                self.schema(f"The field '{key}' must be {kind}", f"{where}/{key}")
        if "ItemSelector" in spec and "Parameters" in spec:
            self.schema("The fields 'ItemSelector' and 'Parameters' are mutually exclusive", where)


def _array(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else no items (its type is reported elsewhere)."""
    return value if isinstance(value, list) else []


def _parse(definition: str) -> tuple[Any, list[Diagnostic]]:
    if not isinstance(definition, str) or not definition.strip():
        return None, [Diagnostic("MISSING_DESCRIPTION", "The definition is empty", "/")]
    try:
        return json.loads(definition, object_pairs_hook=_no_duplicate_keys), []
    except _DuplicateKey as dup:
        return None, [
            Diagnostic("SCHEMA_VALIDATION_FAILED", f"Duplicate object key: {dup.key}", "/")
        ]
    except (ValueError, RecursionError) as exc:
        return None, [Diagnostic("INVALID_JSON_DESCRIPTION", str(exc), "/")]


def _compile(definition: str) -> tuple[CompiledDefinition | None, list[Diagnostic]]:
    document, problems = _parse(definition)
    if problems:
        return None, problems
    checker = _Checker()
    if not isinstance(document, Mapping):
        checker.schema("The definition must be a JSON object", "/")
        return None, checker.problems
    timeout = document.get("TimeoutSeconds")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1
    ):
        checker.schema("The field 'TimeoutSeconds' must be a positive integer", "/TimeoutSeconds")
    for field in ("Comment", "Version"):
        if field in document and not isinstance(document[field], str):
            checker.schema(f"The field '{field}' must be a string", f"/{field}")
    graph = checker.graph(document, "")
    if checker.problems or graph is None:
        return None, checker.problems
    checker_graph = CompiledDefinition(
        text=definition,
        document=document,
        graph=graph,
        timeout_seconds=timeout,
        activity_arns=frozenset(checker.activity_arns),
        query_language=checker.top_language,
    )
    return checker_graph, []


def compile_subgraph(checker: Any, doc: Any, where: str) -> Graph:
    """Compile a nested graph (Parallel branch, Map processor) for a state class."""
    before = len(checker.problems)
    graph = checker.graph(doc, where)
    if graph is None or len(checker.problems) > before:
        problems = checker.problems[before:]
        del checker.problems[before:]
        raise DefinitionErrors(
            problems or [Diagnostic("SCHEMA_VALIDATION_FAILED", "Invalid", where)]
        )
    return graph


def compile_definition(definition: str) -> CompiledDefinition:
    """Compile ASL JSON or raise :class:`InvalidDefinition` with AWS's message format."""
    compiled, problems = _compile(definition)
    if compiled is None:
        joined = ", ".join(str(p) for p in problems[:_MESSAGE_PROBLEMS_MAX])
        hidden = len(problems) - _MESSAGE_PROBLEMS_MAX
        if hidden > 0:  # one message, not megabytes: ValidateStateMachineDefinition lists all
            joined += f", ... and {hidden} more problems"
        raise InvalidDefinition(f"Invalid State Machine Definition: '{joined}'")
    return compiled


def validate_definition(definition: str) -> list[dict[str, str]]:
    """ValidateStateMachineDefinition diagnostics (empty when the definition is valid)."""
    _, problems = _compile(definition)
    return [p.as_dict() for p in problems]


__all__ = [
    "CompiledDefinition",
    "DefinitionErrors",
    "Diagnostic",
    "Graph",
    "compile_definition",
    "compile_subgraph",
    "validate_definition",
]
