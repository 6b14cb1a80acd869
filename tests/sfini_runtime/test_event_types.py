"""The one table of history event types, against the Step Functions API (botocore's model)."""

from __future__ import annotations

import subprocess
import sys

import botocore.loaders
import pytest

from sfini_runtime.event_types import (
    DETAILS_KEYS,
    EVENT_TYPES,
    FIELD_KINDS,
    JSON_TEXT,
    NUMBER,
    OBJECT,
    TEXT,
    details_key,
)

_SHAPES = botocore.loaders.Loader().load_service_model("stepfunctions", "service-2")["shapes"]
API_EVENT_TYPES = _SHAPES["HistoryEventType"]["enum"]
#: HistoryEvent's ...EventDetails members -> their shape's name
API_DETAILS = {
    key: member["shape"]
    for key, member in _SHAPES["HistoryEvent"]["members"].items()
    if key.endswith("EventDetails")
}
#: the API's string shapes that hold JSON text
JSON_TEXT_SHAPES = {"SensitiveData", "ConnectorParameters"}


def _kind(shape_name: str) -> str:
    shape_type = _SHAPES[shape_name]["type"]
    if shape_type == "string":
        return JSON_TEXT if shape_name in JSON_TEXT_SHAPES else TEXT
    return {"long": NUMBER, "integer": NUMBER, "structure": OBJECT, "map": OBJECT}[shape_type]


def test_the_table_has_every_api_event_type_and_no_other() -> None:
    assert sorted(EVENT_TYPES) == sorted(API_EVENT_TYPES)
    assert all(name == declared.name for name, declared in EVENT_TYPES.items())
    assert {name: declared.details_key for name, declared in EVENT_TYPES.items()} == DETAILS_KEYS


@pytest.mark.parametrize("event_type", API_EVENT_TYPES)
def test_details_key_and_fields_are_the_apis(event_type: str) -> None:
    declared = EVENT_TYPES[event_type]
    if declared.details_key is None:
        # the API has no details member for the type (ParallelStateStarted, ...)
        own = event_type[:1].lower() + event_type[1:] + "EventDetails"
        assert own not in API_DETAILS
        assert declared.fields == ()
        return
    members = _SHAPES[API_DETAILS[declared.details_key]]["members"]
    assert declared.fields == tuple(members)
    for field, member in members.items():
        assert FIELD_KINDS[field] == _kind(member["shape"]), field


def test_every_api_details_member_is_some_types_key() -> None:
    assert set(API_DETAILS) == {key for key in DETAILS_KEYS.values() if key is not None}


def test_every_kind_is_used_and_every_field_belongs_to_a_type() -> None:
    used = {field for declared in EVENT_TYPES.values() for field in declared.fields}
    assert used == set(FIELD_KINDS)
    assert set(FIELD_KINDS.values()) == {TEXT, JSON_TEXT, NUMBER, OBJECT}


@pytest.mark.parametrize(
    ("event_type", "key"),
    [
        ("TaskStateEntered", "stateEnteredEventDetails"),
        ("MapStateExited", "stateExitedEventDetails"),
        ("ActivityStarted", "activityStartedEventDetails"),
        ("ParallelStateStarted", None),
        # types newer than the table: the API's naming
        ("TaskRetried", "taskRetriedEventDetails"),
        ("LoopStateEntered", "stateEnteredEventDetails"),
    ],
)
def test_details_key(event_type: str, key: str | None) -> None:
    assert details_key(event_type) == key


def test_importing_the_table_loads_no_aws_sdk() -> None:
    """The engine writes its events with it: it must not bring boto3 in."""
    script = (
        "import sys, sfini_runtime.event_types\n"
        "loaded = [m for m in ('boto3', 'botocore', 'sfini_cdk', 'sfini_runtime.execution') "
        "if m in sys.modules]\n"
        "print(loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
