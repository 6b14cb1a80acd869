"""The Amazon States Language specification as data: state types, the fields of each type and
query language, numeric ranges and naming rules, as Step Functions applies them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ASSIGN_TYPES",
    "CATCHER_FIELDS",
    "ERROR_ALL",
    "EXECUTION_TYPES",
    "FORBIDDEN_NAME_CHARACTERS",
    "JITTER_STRATEGIES",
    "JSONATA",
    "JSONATA_NUMBER_FIELDS",
    "JSONATA_ONLY_FIELDS",
    "JSONPATH",
    "JSONPATH_ONLY_FIELDS",
    "MACHINE_TIMEOUT_RULE",
    "MAP_LABEL_MAX",
    "MAX_DELAY_LIMIT",
    "MAX_SECONDS",
    "NULLABLE_PATH_FIELDS",
    "NUMBER_PATH_FIELDS",
    "PATH_FIELDS",
    "PREDEFINED_ERRORS",
    "PROCESSOR_MODES",
    "QUERY_LANGUAGES",
    "RESOURCE_NAME_MAX",
    "RETRIER_FIELDS",
    "RETRIER_NUMBER_RULES",
    "STATE_FIELDS",
    "STATE_NAME_MAX",
    "STATE_NUMBER_RULES",
    "STATE_TYPES",
    "STRING_INTRINSICS",
    "TERMINAL_TYPES",
    "VARIABLE_NAME",
    "WAIT_SECONDS_MAX",
    "NumberRule",
    "describe_character",
    "forbidden_name_character",
    "resource_name_problem",
    "state_name_problem",
]

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
TERMINAL_TYPES = ("Succeed", "Fail")
JSONPATH, JSONATA = "JSONPath", "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)
#: fields only a JSONPath state may have
JSONPATH_ONLY_FIELDS = frozenset(
    {
        *("InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath", "Result"),
        *("ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath"),
        *("HeartbeatSecondsPath", "ErrorPath", "CausePath", "MaxConcurrencyPath"),
        *("ToleratedFailureCountPath", "ToleratedFailurePercentagePath"),
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
    # Map: no Arguments (its iterations read ItemSelector, or Parameters, its JSONPath legacy
    # name); JSONata gives it Items instead of ItemsPath
    "Map": frozenset((*_COMMON, *_FLOW, *(f for f in _RESULT if f != "Arguments"), *_MAP)),
}
#: numeric fields a JSONata state may give as a {% %} expression instead
JSONATA_NUMBER_FIELDS = frozenset(
    {
        *("Seconds", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency"),
        *("ToleratedFailureCount", "ToleratedFailurePercentage"),
    }
)
#: JSONPath fields: {field: whether it must be a reference path (one definite node)}
PATH_FIELDS = {
    **{field: False for field in ("InputPath", "OutputPath")},
    **{
        field: True
        for field in (
            *("ResultPath", "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath"),
            *("HeartbeatSecondsPath", "ErrorPath", "CausePath", "MaxConcurrencyPath"),
            *("ToleratedFailureCountPath", "ToleratedFailurePercentagePath"),
        )
    },
}
#: path fields whose null has a meaning (no input, no output, discard the result, ...)
NULLABLE_PATH_FIELDS = frozenset({"InputPath", "OutputPath", "ResultPath", "ItemsPath"})
#: the intrinsic functions ErrorPath and CausePath may call instead (they return a string)
STRING_INTRINSICS = frozenset(
    {
        *("States.Format", "States.JsonToString", "States.ArrayGetItem"),
        *("States.Base64Encode", "States.Base64Decode", "States.Hash", "States.UUID"),
    }
)
#: numeric fields and their ``...Path`` twins (a state has at most one of each pair)
NUMBER_PATH_FIELDS = {
    field: f"{field}Path"
    for field in (
        *("TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency"),
        *("ToleratedFailureCount", "ToleratedFailurePercentage"),
    )
}
#: a state name: 1 to 80 characters (any characters: "Job Complete?" is AWS's own example)
STATE_NAME_MAX = 80
#: what ``.`` in AWS's state-name pattern (``^.{1,80}$``, an ECMAScript regex) does not match
STATE_NAME_LINE_BREAKS = frozenset("\n\r\u2028\u2029")


def state_name_problem(name: object) -> str | None:
    """Why AWS would reject ``name`` as a state name, or None."""
    if not isinstance(name, str) or not name:
        return f"state name must be a non-empty str, got {name!r}"
    if len(name) > STATE_NAME_MAX:
        return f"name is {len(name)} characters long, more than {STATE_NAME_MAX}"
    if not STATE_NAME_LINE_BREAKS.isdisjoint(name):
        return "State names cannot contain line breaks"
    return None


#: the longest name of a state machine, activity, execution or Map Run (the API's limit)
RESOURCE_NAME_MAX = 80
#: characters AWS forbids in those names, besides whitespace and control characters
FORBIDDEN_NAME_CHARACTERS = frozenset('<>{}[]?*"#%\\^|~`$&,;:/')


def forbidden_name_character(name: str) -> str | None:
    """The first character AWS forbids in a state machine, activity or execution name:
    whitespace, brackets, wildcards, ``"#%\\^|~`$&,;:/``, control characters (U+0000-001F,
    U+007F-009F), U+FFFE, U+FFFF and surrogates; ``None`` when there is none."""
    for character in name:
        code = ord(character)
        if (
            character.isspace()
            or character in FORBIDDEN_NAME_CHARACTERS
            or code < 0x20
            or 0x7F <= code <= 0x9F
            or code in (0xFFFE, 0xFFFF)
            or 0xD800 <= code <= 0xDFFF
        ):
            return character
    return None


def describe_character(character: str) -> str:
    """A forbidden character as messages name it: ``whitespace (' ')``, ``'#'``, ..."""
    code = ord(character)
    if character.isspace():
        return f"whitespace ({character!r})"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"a control character ({character!r})"
    return repr(character)


def resource_name_problem(name: object) -> str | None:
    """Why AWS would reject ``name`` for a state machine, activity or execution, or None."""
    if not isinstance(name, str) or not name or len(name) > RESOURCE_NAME_MAX:
        return f"a name has 1 to {RESOURCE_NAME_MAX} characters"
    character = forbidden_name_character(name)
    if character is not None:
        return f"a name cannot contain {character!r}"
    return None


#: a Map state's Label: up to 40 characters (it names the Map Run)
MAP_LABEL_MAX = 40
#: the ASL reference: Seconds "from 0 up to 99999999"
WAIT_SECONDS_MAX = 99_999_999
#: a variable name: a letter or underscore, then letters, digits, underscores; 80 at most
#: (match it whole, ``VARIABLE_NAME.fullmatch``: a name ending in a line break is none)
VARIABLE_NAME = re.compile(r"[^\W\d]\w{0,79}")


#: the largest value AWS documents for its second counts and retry attempts
MAX_SECONDS = 99_999_999
#: MaxDelaySeconds is less than this (AWS: "greater than 0 and less than 31622401")
MAX_DELAY_LIMIT = 31_622_401


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class NumberRule:
    """The values a numeric field takes: an int (or any number) from ``minimum`` to
    ``maximum`` (no bound when None)."""

    minimum: float
    maximum: float | None = None
    integer: bool = True

    def accepts_type(self, value: Any) -> bool:
        """Whether ``value`` has the type: an int, or any number (a bool is neither)."""
        if isinstance(value, bool):
            return False
        return isinstance(value, int) if self.integer else _is_number(value)

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is one of them."""
        if not self.accepts_type(value):
            return False
        return value >= self.minimum and (self.maximum is None or value <= self.maximum)

    def describe(self) -> str:
        """``an int from 1 to 99999999``, ``a number >= 1.0``, ..."""
        kind = "an int" if self.integer else "a number"
        if self.maximum is None:
            return f"{kind} >= {self.minimum}"
        return f"{kind} from {self.minimum} to {self.maximum}"

    def aws_message(self, field: str, value: Any) -> str:
        """The shorter wording ValidateStateMachineDefinition gives for a ``value`` it rejects
        (the one the local engine has always given)."""
        above = self.maximum is not None and self.accepts_type(value) and value > self.maximum
        if above and self.integer:
            return f"The field '{field}' must be at most {self.maximum}"
        kind = "an integer" if self.integer else "a number"
        if self.maximum is None:
            return f"The field '{field}' must be {kind} >= {self.minimum}"
        return f"The field '{field}' must be {kind} from {self.minimum} to {self.maximum}"


#: state fields holding a number (under JSONata also a ``{% %}`` expression)
STATE_NUMBER_RULES = {
    "TimeoutSeconds": NumberRule(1, MAX_SECONDS),
    "HeartbeatSeconds": NumberRule(1, MAX_SECONDS),
    "Seconds": NumberRule(0, WAIT_SECONDS_MAX),
    "MaxConcurrency": NumberRule(0),
    "ToleratedFailureCount": NumberRule(0),
    "ToleratedFailurePercentage": NumberRule(0, 100, integer=False),
}
#: a retrier's numeric fields
RETRIER_NUMBER_RULES = {
    "IntervalSeconds": NumberRule(1, MAX_SECONDS),
    "MaxAttempts": NumberRule(0, MAX_SECONDS),
    "BackoffRate": NumberRule(1.0, integer=False),
    "MaxDelaySeconds": NumberRule(1, MAX_DELAY_LIMIT - 1),
}
#: the machine's own TimeoutSeconds (AWS documents no upper bound)
MACHINE_TIMEOUT_RULE = NumberRule(1)
#: a retrier's fields
RETRIER_FIELDS = frozenset({"ErrorEquals", "Comment", "JitterStrategy", *RETRIER_NUMBER_RULES})
#: a catcher's fields (ResultPath under JSONPath, Output under JSONata)
CATCHER_FIELDS = frozenset({"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"})
JITTER_STRATEGIES = ("FULL", "NONE")
PROCESSOR_MODES = ("INLINE", "DISTRIBUTED")
#: a Distributed Map's ExecutionType
EXECUTION_TYPES = ("STANDARD", "EXPRESS")
#: the error name that matches any error (alone, in the last retrier or catcher)
ERROR_ALL = "States.ALL"
#: the errors Step Functions defines: the ``States.`` prefix is reserved for them
PREDEFINED_ERRORS = frozenset(
    {
        *(ERROR_ALL, "States.BranchFailed", "States.DataLimitExceeded"),
        *("States.ExceedToleratedFailureThreshold", "States.HeartbeatTimeout"),
        *("States.Http.Socket", "States.IntrinsicFailure", "States.ItemReaderFailed"),
        *("States.NoChoiceMatched", "States.ParameterPathFailure", "States.Permissions"),
        *("States.QueryEvaluationError", "States.ResultPathMatchFailure"),
        *("States.ResultWriterFailed", "States.Runtime", "States.TaskFailed", "States.Timeout"),
    }
)
