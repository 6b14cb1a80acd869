"""Every history AWS recorded in the conformance corpus parses into its event classes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfini_runtime.execution import history
from sfini_runtime.execution.formatting import active_states, format_events, history_to_json
from sfini_runtime.execution.history import parse_history
from tests.conformance import case_files


def _recorded_events(case_file: Path) -> list[dict]:
    return json.loads(case_file.read_text())["expect"].get("events") or []


#: The cases whose recording holds the execution's history (some record only the outcome).
CASES = [path for path in case_files() if _recorded_events(path)]


@pytest.mark.parametrize("case_file", CASES, ids=[path.stem[-40:] for path in CASES])
def test_recorded_history_parses_into_its_classes_and_formats(case_file: Path) -> None:
    raw_events = _recorded_events(case_file)
    events = parse_history(raw_events)
    assert len(events) == len(raw_events)
    for raw, parsed in zip(raw_events, events, strict=True):
        assert type(parsed) is history.EVENT_CLASSES[raw["type"]], raw["type"]
        assert type(parsed) is not history.Event, raw["type"]
        assert parsed.event_id == raw["id"]
        assert parsed.event_type in str(parsed)
    text = format_events(events, {"recorded": True})
    assert len(text.splitlines()) >= len(events) + 1
    as_json = json.loads(json.dumps(history_to_json(events), default=str))
    assert [entry["type"] for entry in as_json] == [raw["type"] for raw in raw_events]
    active_states(events)


def test_corpus_covers_the_event_families() -> None:
    """The corpus run above is worth something only if it holds many kinds of event."""
    assert len(CASES) > 100
    recorded = {event["type"] for case in CASES for event in _recorded_events(case)}
    assert {"ExecutionStarted", "MapIterationStarted", "EvaluationFailed"} <= recorded
    assert {"ActivityScheduled", "ParallelStateStarted", "MapStateSucceeded"} <= recorded


def test_failed_events_in_the_corpus_keep_error_and_cause() -> None:
    failures = [
        parsed
        for case in CASES
        for parsed in parse_history(_recorded_events(case))
        if parsed.event_type == "ExecutionFailed" and "error" in parsed.details
    ]
    assert failures
    for failed in failures:
        assert failed.error == failed.details["error"]
        assert f"error: {failed.error}" in failed.details_str
