"""The recorded AWS conformance corpus (``../shared/conformance``) against the local engine.

Every case must pass (JSONata and ``Assign`` variables included) except those that call a
service integration other than activities, which the local engine does not run: a case is
deferred when its definition has a Task whose resource is not an activity ARN.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine
from tests.conformance import CONFORMANCE_DIR, case_files

pytestmark = pytest.mark.engine


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def deferred_reason(case: dict[str, Any]) -> str | None:
    """Why a case belongs to part 2 of the engine, or None when it must pass now."""
    for node in _walk(case["definition"]):
        if not isinstance(node, dict):
            continue
        resource = node.get("Resource")
        is_task = node.get("Type") == "Task" and isinstance(resource, str)
        if is_task and not (resource.startswith("${Activity") or ":activity:" in resource):
            return "service integration"
    return None


def load_cases() -> dict[str, dict[str, Any]]:
    cases = {}
    for path in case_files():
        case = json.loads(path.read_text(encoding="utf-8"))
        cases[case["id"]] = case
    return cases


def test_conformance_corpus(tmp_path: Path) -> None:
    cases = load_cases()
    report_path = tmp_path / "report.json"
    with LocalEngine(time_scale=1.0) as engine:
        done = subprocess.run(
            [
                sys.executable,
                str(CONFORMANCE_DIR / "run"),
                "--endpoint",
                engine.endpoint_url,
                "--cases",
                str(CONFORMANCE_DIR / "cases"),
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
    report = json.loads(report_path.read_text(encoding="utf-8"))
    not_passed = {entry["id"]: entry for entry in report["cases"]}
    required = {cid for cid, case in cases.items() if deferred_reason(case) is None}
    deferred = set(cases) - required
    failing_required = sorted(required & set(not_passed))
    deferred_passed = len(deferred - set(not_passed))
    print(
        f"\nconformance: {report['summary']['passed']} passed, {report['summary']['failed']} "
        f"failed of {len(cases)}; required {len(required) - len(failing_required)}/"
        f"{len(required)} pass; deferred (service integrations) "
        f"{deferred_passed}/{len(deferred)} pass"
    )
    print(done.stdout[-3000:])
    details = "\n".join(
        f"{cid}: {(not_passed[cid]['details'] or ['?'])[0][:300]}" for cid in failing_required
    )
    assert not failing_required, f"{len(failing_required)} required cases fail:\n{details}"
