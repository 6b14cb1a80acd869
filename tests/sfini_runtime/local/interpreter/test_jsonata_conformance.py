"""Every JSONata/Assign case of the conformance corpus, run on the data-plane modules alone.

The corpus (recorded against AWS) is read at test time from ``../shared/conformance`` or
``$SFINI_CONFORMANCE_DIR``; a missing corpus fails the test. The driver in
``_jsonata_machine`` runs Pass/Choice/Succeed/Fail/Wait/inline-Map machines; the output (or
error and cause) and the variables each state assigned must equal the recorded ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfini_runtime.local.interpreter.failures import StatesError

from ._jsonata_machine import (
    Run,
    expected_assignments,
    is_query_evaluation_error,
    jsonata_or_variable_cases,
    normalise,
    recorded,
)

CASES = jsonata_or_variable_cases()


def _case_id(case: dict[str, Any]) -> str:
    return case["id"].split("::", 1)[-1]


def _input(case: dict[str, Any]) -> Any:
    if "input_text" in case:
        return json.loads(case["input_text"])
    return case.get("input", {}) if not case.get("input_omitted") else {}


def _ignored(case: dict[str, Any], fragment: str) -> bool:
    return any(fragment in path for path in case.get("compare", {}).get("ignore_paths", []))


def test_the_corpus_has_the_jsonata_and_variable_cases() -> None:
    categories = {case["category"] for case in CASES}
    assert {"assign", "evaluate_jsonata", "query_language", "outputdecl", "scenarios"} <= categories
    assert len(CASES) >= 50


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_recorded_execution(case: dict[str, Any]) -> None:
    expect = case["expect"]
    run = Run(case["definition"], _input(case))
    if expect["status"] == "SUCCEEDED":
        output = run.execute()
        assert normalise(output) == recorded(expect["output"])
    else:
        assert expect["status"] == "FAILED"
        with pytest.raises(StatesError) as raised:
            run.execute()
        assert raised.value.error == expect["error"]
        if expect["error"] == "States.QueryEvaluationError":
            assert is_query_evaluation_error(raised.value)
        if not _ignored(case, "executionFailedEventDetails.cause"):
            assert raised.value.cause == expect.get("cause")
    # the corpus writes a generated UUID as <uuid:1>
    mine = [(name, normalise(variables, uuids=True)) for name, variables in run.assignments]
    key = lambda entry: json.dumps(entry, sort_keys=True)  # noqa: E731
    assert sorted(map(key, mine)) == sorted(map(key, expected_assignments(case)))
