"""``benchmarks/lambdas.py`` measures what it says: run small, every workload checks its
results (a wrong output raises) and prints each row beside its baseline."""

from __future__ import annotations

import re

import pytest

from benchmarks import lambdas

pytestmark = pytest.mark.engine


def test_the_lambda_benchmark_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    lambdas.main(["--rounds", "1", "--executions", "6", "--invocations", "4"])
    printed = capsys.readouterr().out
    for row in ("in-process Lambda Tasks", "activity Tasks + Worker", "worker process"):
        assert re.search(rf"{re.escape(row)}\s+[\d,.]+", printed), printed
    assert re.search(r"ratio\s+\d+\.\d+x", printed)
    assert printed.count("in-process ") >= 3  # the baseline row of parts 2 and 3
