"""The Step Functions history event types, as data: each type's name, the key of its details
(``activityScheduledEventDetails``, ``stateEnteredEventDetails``; none for a type the API
gives no details) and the fields those details may hold.

One table for both sides of the history: the runtime's parser and formatter
(``sfini_runtime.execution.history``) read events with it, the local engine's writer
(``sfini_runtime.local.interpreter.history``) writes them with it. It is the API's
``HistoryEventType`` and ``HistoryEvent`` (botocore's service model; a test keeps them in
step). Importing it is cheap: the standard library only.
"""

from __future__ import annotations

__all__ = [
    "DETAILS_KEYS",
    "EVENT_TYPES",
    "FIELD_KINDS",
    "JSON_TEXT",
    "NUMBER",
    "OBJECT",
    "TEXT",
    "EventType",
    "details_key",
]

#: a details field holding a string
TEXT = "text"
#: a string holding JSON text (an input, an output, a task's parameters)
JSON_TEXT = "json_text"
#: an integer
NUMBER = "number"
#: an object (``inputDetails``, ``assignedVariables``, ``taskCredentials``)
OBJECT = "object"

#: every field of every event type's details, with its kind (one kind wherever it appears)
FIELD_KINDS: dict[str, str] = {
    **dict.fromkeys(("error", "cause", "name", "resource", "resourceType", "region"), TEXT),
    **dict.fromkeys(("workerName", "roleArn", "mapRunArn", "location", "state"), TEXT),
    **dict.fromkeys(("stateMachineAliasArn", "stateMachineVersionArn"), TEXT),
    **dict.fromkeys(("input", "output", "parameters"), JSON_TEXT),
    **dict.fromkeys(("timeoutInSeconds", "heartbeatInSeconds", "length", "index"), NUMBER),
    "redriveCount": NUMBER,
    **dict.fromkeys(("inputDetails", "outputDetails", "taskCredentials"), OBJECT),
    **dict.fromkeys(("assignedVariables", "assignedVariablesDetails"), OBJECT),
}


class EventType:
    """One history event type (a plain class: the engine imports this table when it starts).

    Args:
        name: the type (``TaskStateEntered``)
        details_key: the key of its details in an event; None when the API gives it none
        fields: the keys its details may hold, in the API's order
    """

    __slots__ = ("details_key", "fields", "name")

    def __init__(self, name: str, details_key: str | None, fields: tuple[str, ...] = ()) -> None:
        self.name = name
        self.details_key = details_key
        self.fields = fields

    def __repr__(self) -> str:
        return f"EventType({self.name!r}, {self.details_key!r}, {self.fields!r})"


def _own_key(name: str) -> str:
    """The API's naming of an event type's details: ``activityStartedEventDetails``."""
    return name[:1].lower() + name[1:] + "EventDetails"


_ERROR = ("error", "cause")
_TASK = ("resourceType", "resource")
_INPUT = ("input", "inputDetails")
_OUTPUT = ("output", "outputDetails")
_TIMEOUTS = ("timeoutInSeconds", "heartbeatInSeconds")
_STATE_KINDS = ("Choice", "Fail", "Map", "Parallel", "Pass", "Succeed", "Task", "Wait")

#: (event types, the fields of their details; None: the API gives them no details)
_DECLARED: tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...] = (
    (("ActivityFailed", "ActivityScheduleFailed", "ActivityTimedOut"), _ERROR),
    (("ActivityScheduled",), ("resource", *_INPUT, *_TIMEOUTS)),
    (("ActivityStarted",), ("workerName",)),
    (("ActivitySucceeded",), _OUTPUT),
    (("ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"), _ERROR),
    (
        ("ExecutionStarted",),
        (*_INPUT, "roleArn", "stateMachineAliasArn", "stateMachineVersionArn"),
    ),
    (("ExecutionSucceeded",), _OUTPUT),
    (("ExecutionRedriven",), ("redriveCount",)),
    (
        (
            "LambdaFunctionFailed",
            "LambdaFunctionScheduleFailed",
            "LambdaFunctionStartFailed",
            "LambdaFunctionTimedOut",
        ),
        _ERROR,
    ),
    (("LambdaFunctionScheduled",), ("resource", *_INPUT, "timeoutInSeconds", "taskCredentials")),
    (("LambdaFunctionSucceeded",), _OUTPUT),
    (
        tuple(f"MapIteration{end}" for end in ("Aborted", "Failed", "Started", "Succeeded")),
        ("name", "index"),
    ),
    (("MapRunFailed",), _ERROR),
    (("MapRunStarted",), ("mapRunArn",)),
    (("MapRunRedriven",), ("mapRunArn", "redriveCount")),
    (("MapStateStarted",), ("length",)),
    (("TaskFailed", "TaskStartFailed", "TaskSubmitFailed", "TaskTimedOut"), (*_TASK, *_ERROR)),
    (
        ("TaskScheduled",),
        (*_TASK, "region", "parameters", *_TIMEOUTS, "taskCredentials"),
    ),
    (("TaskStarted",), _TASK),
    (("TaskSubmitted", "TaskSucceeded"), (*_TASK, *_OUTPUT)),
    (("EvaluationFailed",), (*_ERROR, "location", "state")),
    (
        (
            *(f"{kind}StateAborted" for kind in ("Map", "Parallel", "Task", "Wait")),
            *("MapStateFailed", "MapStateSucceeded", "ParallelStateFailed"),
            *("ParallelStateStarted", "ParallelStateSucceeded", "LambdaFunctionStarted"),
            *("MapRunAborted", "MapRunSucceeded"),
        ),
        None,
    ),
)


def _table() -> dict[str, EventType]:
    table: dict[str, EventType] = {}
    for names, fields in _DECLARED:
        for name in names:
            key = None if fields is None else _own_key(name)
            table[name] = EventType(name, key, fields or ())
    # every state's Entered and Exited events share two details keys (a Fail state never exits)
    for kind in _STATE_KINDS:
        name = f"{kind}StateEntered"
        table[name] = EventType(name, "stateEnteredEventDetails", ("name", *_INPUT))
        if kind != "Fail":
            name = f"{kind}StateExited"
            fields = ("name", *_OUTPUT, "assignedVariables", "assignedVariablesDetails")
            table[name] = EventType(name, "stateExitedEventDetails", fields)
    return table


#: event type -> its declaration (every ``HistoryEventType`` of the API)
EVENT_TYPES: dict[str, EventType] = _table()

#: event type -> the key of its details (None: the type has none); the engine's writer reads it
DETAILS_KEYS: dict[str, str | None] = {
    name: event_type.details_key for name, event_type in EVENT_TYPES.items()
}


def details_key(event_type: str) -> str | None:
    """The key of ``event_type``'s details: the table's (None for a type without details),
    else, for a type newer than this table, the API's naming (``<type>EventDetails`` with a
    lower-case first letter)."""
    if event_type in DETAILS_KEYS:
        return DETAILS_KEYS[event_type]
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return _own_key(event_type)
