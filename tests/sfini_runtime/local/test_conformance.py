"""The recorded AWS conformance corpus (``../shared/conformance``) against the local engine.

``cases/`` (pure ASL, activities, JSONata, ``Assign``): every category at 100 %.
``cases-integrations/``: ``mocked_integrations`` (service integrations answered by the merged
mock configuration the runner writes, in AWS Step Functions Local's format), ``express_sync``
(StartSyncExecution) and ``test_state`` (TestState calls, their inspection data and AWS's
refusals) at 100 %.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.event_types import EVENT_TYPES
from sfini_runtime.local import LocalEngine
from tests.conformance import CONFORMANCE_DIR, case_files, integration_case_files

pytestmark = pytest.mark.engine

#: the cases-integrations/ categories that must pass; the others are counted only
REQUIRED_INTEGRATION_CATEGORIES = frozenset({"mocked_integrations", "express_sync", "test_state"})


def load_cases(paths: list[Path]) -> dict[str, dict[str, Any]]:
    cases = {}
    for path in paths:
        case = json.loads(path.read_text(encoding="utf-8"))
        cases[case["id"]] = case
    return cases


def run_corpus(endpoint: str, folder: str, report_path: Path) -> tuple[str, dict[str, Any]]:
    """Run the corpus ``run`` script on ``folder`` against ``endpoint``: (stdout, report)."""
    done = subprocess.run(
        [
            sys.executable,
            str(CONFORMANCE_DIR / "run"),
            "--endpoint",
            endpoint,
            "--cases",
            str(CONFORMANCE_DIR / folder),
            "--report",
            str(report_path),
            "--jobs",
            "4",
            "--global-timeout",
            "150",
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert report_path.exists(), done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout, json.loads(report_path.read_text(encoding="utf-8"))


def per_category(cases: dict[str, dict[str, Any]], failing: set[str]) -> dict[str, tuple[int, int]]:
    """category -> (passed, total)."""
    totals = Counter(case["category"] for case in cases.values())
    failed = Counter(cases[cid]["category"] for cid in failing if cid in cases)
    return {name: (totals[name] - failed[name], totals[name]) for name in sorted(totals)}


def _details(report: dict[str, Any], ids: list[str]) -> str:
    entries = {entry["id"]: entry for entry in report["cases"]}
    return "\n".join(f"{cid}: {(entries[cid]['details'] or ['?'])[0][:300]}" for cid in ids)


def undeclared_details(engine: LocalEngine) -> tuple[int, list[str]]:
    """(events seen, what they hold that the event-type table does not declare) over every
    execution the engine still has."""
    seen, problems = 0, []
    for execution in list(engine.service.store.executions.values()):
        for event in execution.record.history:
            seen += 1
            declared = EVENT_TYPES[event["type"]]
            extra = set(event) - {"timestamp", "type", "id", "previousEventId"}
            if extra - {declared.details_key}:
                problems.append(f"{event['type']}: {sorted(extra)}")
            elif declared.details_key in event:
                unknown = set(event[declared.details_key]) - set(declared.fields)
                if unknown:
                    problems.append(f"{event['type']}: {sorted(unknown)}")
    return seen, sorted(set(problems))


def test_conformance_corpus(tmp_path: Path) -> None:
    cases = load_cases(case_files())
    with LocalEngine(time_scale=1.0) as engine:
        stdout, report = run_corpus(engine.endpoint_url, "cases", tmp_path / "report.json")
        # what the engine wrote is what the runtime's parser reads: the one table's fields
        seen, undeclared = undeclared_details(engine)
    assert seen > 1000
    assert undeclared == []
    failing = {entry["id"] for entry in report["cases"]}
    assert failing <= set(cases), sorted(failing - set(cases))  # counted below by category
    counts = per_category(cases, failing)
    print("\nconformance cases/: " + ", ".join(f"{n} {p}/{t}" for n, (p, t) in counts.items()))
    print(stdout[-3000:])
    failing_cases = sorted(failing & set(cases))
    assert not failing_cases, f"{len(failing_cases)} cases fail:\n{_details(report, failing_cases)}"


def test_conformance_integrations_corpus(tmp_path: Path) -> None:
    """The runner writes the merged mock configuration; the engine starts with it."""
    cases = load_cases(integration_case_files())
    mock_file = tmp_path / "MockConfigFile.json"
    written = subprocess.run(
        [
            sys.executable,
            str(CONFORMANCE_DIR / "run"),
            "--cases",
            str(CONFORMANCE_DIR / "cases-integrations"),
            "--write-mock-config",
            str(mock_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert written.returncode == 0, written.stderr
    mocked = [case for case in cases.values() if "mock" in case]
    assert len(json.loads(mock_file.read_text())["StateMachines"]) == len(mocked)
    with LocalEngine(time_scale=1.0, mock_config=mock_file) as engine:
        stdout, report = run_corpus(engine.endpoint_url, "cases-integrations", tmp_path / "r.json")
        seen, undeclared = undeclared_details(engine)
    assert seen > 0
    assert undeclared == []
    failing = {entry["id"] for entry in report["cases"]}
    assert failing <= set(cases), sorted(failing - set(cases))  # counted below by category
    counts = per_category(cases, failing)
    print(
        "\nconformance cases-integrations/: "
        + ", ".join(f"{n} {p}/{t}" for n, (p, t) in counts.items())
    )
    print(stdout[-3000:])
    assert set(counts) >= REQUIRED_INTEGRATION_CATEGORIES, counts
    required_failing = sorted(
        cid for cid in failing & set(cases)
        if cases[cid]["category"] in REQUIRED_INTEGRATION_CATEGORIES
    )  # fmt: skip
    assert not required_failing, (
        f"{len(required_failing)} required cases fail:\n{_details(report, required_failing)}"
    )
