"""History events: ids, links, details, limits."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sfini_runtime.local.interpreter.history import (
    History,
    HistoryLimitExceeded,
    exceeds_payload_limit,
    format_timestamp,
    to_json,
)


def test_ids_and_details() -> None:
    history = History()
    first = history.add("ExecutionStarted", 0, "executionStartedEventDetails", {"input": "{}"})
    second = history.add("ParallelStateStarted", first)
    assert (first, second) == (1, 2)
    assert history.events[1] == {
        "timestamp": history.events[1]["timestamp"],
        "type": "ParallelStateStarted",
        "id": 2,
        "previousEventId": 1,
    }
    assert history.events[0]["timestamp"].tzinfo is not None


def test_limit_keeps_the_last_slot_for_the_final_event() -> None:
    history = History(limit=3)
    history.add("A", 0)
    history.add("B", 1)
    with pytest.raises(HistoryLimitExceeded):
        history.add("C", 2)
    assert history.add("ExecutionFailed", 2, final=True) == 3


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
