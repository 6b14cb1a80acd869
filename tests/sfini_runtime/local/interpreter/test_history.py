"""History events: ids, links, details, limits."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sfini_runtime.event_types import EVENT_TYPES
from sfini_runtime.local.interpreter.history import (
    History,
    HistoryLimitExceeded,
    UndeclaredEvent,
    exceeds_payload_limit,
    format_timestamp,
    to_json,
)


def test_ids_and_details() -> None:
    history = History()
    first = history.add("ExecutionStarted", 0, {"input": "{}"})
    second = history.add("ParallelStateStarted", first)
    third = history.add("PassStateEntered", second, {"name": "P"})
    assert (first, second, third) == (1, 2, 3)
    assert history.events[0]["executionStartedEventDetails"] == {"input": "{}"}
    assert history.events[1] == {
        "timestamp": history.events[1]["timestamp"],
        "type": "ParallelStateStarted",
        "id": 2,
        "previousEventId": 1,
    }
    # every state's Entered events share one details key, as the event-type table declares
    assert history.events[2]["stateEnteredEventDetails"] == {"name": "P"}
    assert history.events[0]["timestamp"].tzinfo is not None


def test_limit_keeps_the_last_slot_for_the_final_event() -> None:
    history = History(limit=3)
    history.add("ExecutionStarted", 0, {})
    history.add("PassStateEntered", 1, {"name": "P"})
    with pytest.raises(HistoryLimitExceeded):
        history.add("PassStateExited", 2, {"name": "P"})
    assert history.add("ExecutionFailed", 2, final=True) == 3


def test_an_event_the_api_does_not_have_is_refused() -> None:
    history = History()
    with pytest.raises(UndeclaredEvent, match="PassStateAborted is no history event type"):
        history.add("PassStateAborted", 0)
    with pytest.raises(UndeclaredEvent, match="LambdaFunctionStarted events carry no details"):
        history.add("LambdaFunctionStarted", 0, {})
    assert history.events == []


def test_every_event_type_of_the_table_can_be_written_under_its_details_key() -> None:
    history = History()
    for name, event_type in EVENT_TYPES.items():
        details = None if event_type.details_key is None else {}
        history.add(name, history.last_id, details)
        written = history.events[-1]
        assert (written["type"], event_type.details_key in written) == (
            name,
            event_type.details_key is not None,
        )
    assert len(history) == len(EVENT_TYPES)


@pytest.mark.parametrize(
    ("size", "multibyte", "over"),
    [(256 * 1024, False, False), (256 * 1024 + 1, False, True), (90_000, True, True)],
)
def test_payload_limit_counts_utf8_bytes(size: int, multibyte: bool, over: bool) -> None:
    text = ("€" if multibyte else "x") * size  # € is 3 bytes in UTF-8
    assert exceeds_payload_limit(text) is over


def test_json_is_compact_and_keeps_unicode() -> None:
    assert to_json({"a": [1, "é"]}) == '{"a":[1,"é"]}'


def test_context_timestamp_format() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
    assert format_timestamp(moment) == "2024-01-02T03:04:05.678Z"
