"""Printing how runs ended: each execution's history in sfini 0.1.0's format, its output (or
error and cause), and a summary line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sfini_runtime.runner.run import RunResult

__all__ = ["report", "summary"]


def report(result: RunResult, echo: Callable[[str], None] = print, *, history: bool = True) -> None:
    """Print one run: a heading with its verdict, the history (sfini 0.1.0's format, which ends
    with the output) and, when it failed, the error and cause."""
    execution = result.execution
    verdict = "ok" if result.ok else "FAILED"
    workflow = result.workflow
    note = result.status
    if result.status != workflow.expected_status:
        note += f", expected {workflow.expected_status}"
    elif workflow.expected_error is not None and execution.error != workflow.expected_error:
        note += f" with error {execution.error}, expected {workflow.expected_error}"
    if result.timed_out:
        note += ", stopped: it ran too long"
    echo(f"-- {result.workflow.label}: {verdict} ({note}) in {result.seconds:.1f} s")
    echo(f"   execution {execution.arn}")
    if history:
        for line in execution.format_history().splitlines():
            echo(f"   {line}")
    elif execution.status == "SUCCEEDED":
        echo(f"   Output: {execution.output!r}")
    if execution.status != "SUCCEEDED" and (execution.error or execution.cause):
        echo(f"   error: {execution.error}")
        if execution.cause:
            echo(f"   cause: {execution.cause}")


def summary(results: Sequence[RunResult]) -> str:
    """``N of M workflows ended as expected`` (naming those that did not)."""
    failed = [r.workflow.label for r in results if not r.ok]
    line = f"{len(results) - len(failed)} of {len(results)} workflows ended as expected"
    return line + (f"; not: {', '.join(failed)}" if failed else "")
