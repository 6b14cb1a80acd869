"""The Amazon States Language specification as data: state types, the fields of each type and
query language, numeric ranges and naming rules, as Step Functions applies them."""

from __future__ import annotations

import re

__all__ = [
    "ASSIGN_TYPES",
    "FORBIDDEN_NAME_CHARACTERS",
    "JSONATA",
    "JSONATA_ONLY_FIELDS",
    "JSONPATH",
    "JSONPATH_ONLY_FIELDS",
    "MAP_LABEL_MAX",
    "QUERY_LANGUAGES",
    "RESOURCE_NAME_MAX",
    "STATE_FIELDS",
    "STATE_NAME_MAX",
    "STATE_TYPES",
    "TERMINAL_TYPES",
    "VARIABLE_NAME",
    "WAIT_SECONDS_MAX",
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
    "Map": frozenset((*_COMMON, *_FLOW, *_RESULT, *_MAP)),
}
#: a state name: 1 to 80 characters (any characters: "Job Complete?" is AWS's own example)
STATE_NAME_MAX = 80
#: what ``.`` in AWS's state-name pattern (``^.{1,80}$``, an ECMAScript regex) does not match
STATE_NAME_LINE_BREAKS = frozenset("\n\r\u2028\u2029")


def state_name_problem(name: object) -> str | None:
    """Why AWS would reject ``name`` as a state name, or None."""
    if not isinstance(name, str) or not name or len(name) > STATE_NAME_MAX:
        return f"State names must be 1 to {STATE_NAME_MAX} characters long"
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
VARIABLE_NAME = re.compile(r"^[^\W\d]\w{0,79}$")
