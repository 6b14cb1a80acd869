"""History event classes declared as data: their constructors, and the one parser and one
formatter that serve every class from its declarations."""

from __future__ import annotations

import datetime
import inspect
import json
from typing import Any, ClassVar

import pytest
import sfini.execution.history as seed_history

from sfini_runtime.event_types import EVENT_TYPES, FIELD_KINDS, JSON_TEXT
from sfini_runtime.execution import history
from sfini_runtime.execution.history import NOT_GIVEN, REQUIRED, Field, parse_history
from sfini_runtime.execution.history.constructors import InvalidFieldName, declared_init
from sfini_runtime.execution.history.parsing import DuplicateEventType, _table, read_event

T0 = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)

CLASSES = sorted(set(history.EVENT_CLASSES.values()), key=lambda cls: cls.__name__)
SEED_CLASSES = [
    name
    for name, value in vars(seed_history).items()
    if isinstance(value, type) and issubclass(value, seed_history.Event)
]


def _shape(signature: inspect.Signature) -> list[tuple[str, bool]]:
    """Each argument's name and whether it has a default (sfini 0.1.0's default differs)."""
    return [
        (name, parameter.default is not inspect.Parameter.empty)
        for name, parameter in signature.parameters.items()
    ]


def test_every_seed_class_is_here() -> None:
    assert len(SEED_CLASSES) >= 9
    assert set(SEED_CLASSES) <= set(history.__all__)


@pytest.mark.parametrize("name", SEED_CLASSES)
def test_constructor_takes_sfini_0_1_0_arguments(name: str) -> None:
    ours = inspect.signature(getattr(history, name))
    seed = inspect.signature(getattr(seed_history, name))
    assert _shape(ours) == _shape(seed)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_constructor_follows_the_declared_fields(cls: type[history.Event]) -> None:
    names = list(inspect.signature(cls).parameters)
    required = [field.name for field in cls.fields if field.required]
    optional = [field.name for field in cls.fields if not field.required]
    base = ["timestamp", "event_type", "event_id"]
    assert names == [*base, *required, "previous_event_id", *optional]
    # every argument given by keyword lands on its attribute
    values = {name: f"value of {name}" for name in names}
    event = cls(**values)
    for name, value in values.items():
        assert getattr(event, name) == value
    assert (event.details, event.raw) == ({}, {})


def test_constructor_defaults_and_positional_order() -> None:
    scheduled = history.ActivityScheduled(T0, "ActivityScheduled", 3, "arn:act", 2)
    assert (scheduled.resource, scheduled.previous_event_id) == ("arn:act", 2)
    assert (scheduled.task_input, scheduled.timeout, scheduled.heartbeat) == (NOT_GIVEN, None, None)
    failed = history.TaskFailed(T0, "TaskFailed", 4, None, "E", "c", "lambda", "invoke")
    assert (failed.error, failed.cause, failed.resource_type, failed.resource) == (
        "E",
        "c",
        "lambda",
        "invoke",
    )
    assert failed.details_str == "error: E"


def test_constructor_errors_are_pythons_own() -> None:
    with pytest.raises(TypeError, match=r"ActivityStarted.__init__\(\) missing 1 required .*"):
        history.ActivityStarted(T0, "ActivityStarted", 1)
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        history.Failed(T0, "ExecutionFailed", 1, bogus=1)
    with pytest.raises(TypeError, match="multiple values for argument 'error'"):
        history.Failed(T0, "ExecutionFailed", 1, None, "E", error="F")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_declared_details_keys_are_the_parsers_and_the_tables(cls: type[history.Event]) -> None:
    assert cls.EVENT_TYPES, cls
    for event_type, key in cls.EVENT_TYPES.items():
        assert history.EVENT_CLASSES[event_type] is cls
        assert history.details_key(event_type) == key
        assert key == EVENT_TYPES[event_type].details_key
        assert key is None or key.endswith("EventDetails")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_declared_fields_are_fields_of_every_type_of_the_class(cls: type[history.Event]) -> None:
    """A class reads only what the table says its types' details hold, as the table's kind."""
    for field in cls.fields:
        assert field.json_text is (FIELD_KINDS[field.key] == JSON_TEXT), field
        for event_type in cls.EVENT_TYPES:
            declared = EVENT_TYPES[event_type]
            # a class may serve types without details too (Failed: ParallelStateFailed)
            assert declared.details_key is None or field.key in declared.fields, (
                event_type,
                field.key,
            )


FIELD_CASES = [
    (cls, event_type, field)
    for cls in CLASSES
    for event_type in list(cls.EVENT_TYPES)[:1]
    for field in cls.fields
]


@pytest.mark.parametrize(
    ("cls", "event_type", "field"),
    FIELD_CASES,
    ids=[f"{cls.__name__}.{field.name}" for cls, _, field in FIELD_CASES],
)
def test_parser_reads_every_declared_field(
    cls: type[history.Event], event_type: str, field: Field
) -> None:
    key = history.details_key(event_type)
    given = json.dumps({"field": field.name}) if field.json_text else f"<{field.name}>"
    expected = {"field": field.name} if field.json_text else given
    (present, absent) = parse_history(
        [
            {"timestamp": T0, "type": event_type, "id": 1, key: {field.key: given}},
            {"timestamp": T0, "type": event_type, "id": 2, key: {}},
        ]
    )
    assert type(present) is cls
    assert getattr(present, field.name) == expected
    assert getattr(absent, field.name) is (None if field.required else field.default)


class _Retried(history.Event):
    """A made-up event type, declared like the library's own."""

    EVENT_TYPES: ClassVar = {"TaskRetried": "taskRetriedEventDetails"}
    FIELDS = (
        Field("attempt", "attempt", int, REQUIRED),
        Field("state_input", "input", Any, NOT_GIVEN, json_text=True),
        Field("reason", "reason", str | None),
    )
    SUMMARY = "attempt {attempt}: {reason}"


def test_a_declared_class_gets_the_generic_constructor_parser_and_formatter() -> None:
    assert list(inspect.signature(_Retried).parameters)[3:] == [
        "attempt",
        "previous_event_id",
        "state_input",
        "reason",
    ]
    raw = {
        "timestamp": T0,
        "type": "TaskRetried",
        "id": 5,
        "previousEventId": 4,
        "taskRetriedEventDetails": {"attempt": 2, "input": '{"a": 1}', "reason": "throttled"},
    }
    event = _Retried.from_history_event(raw)
    assert (event.attempt, event.state_input, event.reason) == (2, {"a": 1}, "throttled")
    assert event.previous_event_id == 4
    assert event.details_str == "attempt 2: throttled"
    assert str(event) == f"TaskRetried [5] @ {T0}"
    assert event.to_dict() == {**raw, "timestamp": T0.isoformat()}
    assert read_event(_Retried, raw).details == raw["taskRetriedEventDetails"]


def test_a_subclass_keeps_a_constructor_it_writes() -> None:
    class Custom(history.Failed):
        def __init__(self, event_id: int) -> None:
            super().__init__(T0, "ExecutionFailed", event_id, None, "Custom")

    assert Custom(3).error == "Custom"
    assert Custom(3).details_str == "error: Custom"


def test_two_classes_declaring_one_type_are_refused() -> None:
    class Other(history.Event):
        EVENT_TYPES: ClassVar = {"ExecutionFailed": "executionFailedEventDetails"}

    with pytest.raises(DuplicateEventType, match="ExecutionFailed is declared by Failed and Other"):
        _table([history.Failed, Other])


@pytest.mark.parametrize("name", ["not a name", "class", "event_id"])
def test_a_field_name_must_be_a_free_identifier(name: str) -> None:
    with pytest.raises(InvalidFieldName):
        declared_init("X", __name__, [Field(name, "key")], history.Event.__init__)
