"""``sfini start``, ``executions``, ``history`` and ``stop``: executions, their
histories, and ``start --wait``'s live view."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from sfini_runtime.cli import common

__all__ = ["executions", "history", "start", "stop"]


STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def _read_text(input_file: str) -> str:
    """The text of ``input_file`` ('-': stdin); unreadable or non-UTF-8 input is one line."""
    where = "standard input" if input_file == "-" else input_file
    try:
        if input_file == "-":
            return sys.stdin.read()
        return Path(input_file).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise click.ClickException(
            f"execution input in {where} is not UTF-8 text (byte {error.start})"
        ) from None
    except FileNotFoundError:
        raise click.ClickException(f"no such file: {input_file}") from None
    except OSError as error:
        raise click.ClickException(f"cannot read {where}: {error.strerror or error}") from None


def _read_input(value: str | None, input_file: str | None) -> Any:
    if value is not None and input_file is not None:
        raise click.UsageError("give the input as an argument or with --input-file, not both")
    if input_file is not None:
        text = _read_text(input_file)
    elif value == "-":
        text = _read_text("-")
    elif value is None:
        return {}
    else:
        text = value
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"execution input is not valid JSON: {error}") from None


def _show_execution(execution: Any, as_json: bool) -> None:
    description = execution.describe()
    if as_json:
        data = dict(description)
        for key in ("input", "output"):
            if isinstance(data.get(key), str):
                with contextlib.suppress(ValueError):
                    data[key] = json.loads(data[key])
        data.pop("ResponseMetadata", None)
        common.echo_json(data)
        return
    click.echo(f"{execution.name}: {description['status']}")
    if "output" in description:
        click.echo(description["output"])
    if description.get("error") or description.get("cause"):
        click.echo(f"error: {description.get('error')}")
        if description.get("cause"):
            click.echo(f"cause: {description.get('cause')}")


def _watch(execution: Any, console: Any = None, max_interval: float = 2.0) -> None:
    """Wait for ``execution``, showing its status and current states live on a terminal
    (refreshed every 0.1 s at first, then less often, down to every ``max_interval`` s)."""
    from sfini_runtime.execution import FINISHED_STATUSES

    console = console or common.console()
    if not console.is_terminal:
        execution.wait(raise_on_failure=False)
        return
    from rich.live import Live
    from rich.text import Text

    started = time.monotonic()
    interval = 0.1
    history = execution.follow_history()  # each refresh reads only the new events
    with Live(console=console, refresh_per_second=8, transient=False) as live:
        while True:
            status = execution.status
            if status == "RUNNING":
                history.poll()
            states = history.active.names if status == "RUNNING" else []
            text = Text.assemble(
                (execution.name, "bold"),
                f"  {status}  {time.monotonic() - started:5.1f}s",
                ("  in: " + ", ".join(states)) if states else "",
            )
            live.update(text, refresh=True)
            if status in FINISHED_STATUSES:
                return
            time.sleep(interval)
            interval = min(interval * 1.5, max_interval)


@click.command()
@click.argument("state_machine", metavar="STATE_MACHINE")
@click.argument("input_json", metavar="[INPUT]", required=False)
@click.option("-f", "--input-file", help="Read the input from this file ('-': stdin).")
@click.option("--name", help="Execution name (default: machine name, time and a random suffix).")
@click.option(
    "-w", "--wait", is_flag=True, help="Wait for the execution to finish (live view on a terminal)."
)
@click.option(
    "--stack",
    help="Find the state machine's ARN in this deployed stack's outputs (with --cdk-out: in this "
    "stack of the assembly).",
)
@click.option("--cdk-out", type=click.Path(file_okay=False), help="Find it in this cloud assembly.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def start(
    ctx: click.Context,
    state_machine: str,
    input_json: str | None,
    input_file: str | None,
    name: str | None,
    wait: bool,
    stack: str | None,
    cdk_out: str | None,
    as_json: bool,
) -> None:
    """Start an execution of STATE_MACHINE (name or ARN) with INPUT (JSON, '-' for stdin)."""
    from sfini_runtime.arns import parse_arn
    from sfini_runtime.execution import Execution
    from sfini_runtime.registration import execution_name

    execution_input = _read_input(input_json, input_file)
    arn = common.state_machine_arn(ctx, state_machine, stack, cdk_out)
    execution = Execution(
        name or execution_name(parse_arn(arn).name),
        arn,
        execution_input,
        session=common.session(ctx),
    )
    execution.start()
    if not wait:
        if as_json:
            common.echo_json(
                {
                    "executionArn": execution.arn,
                    "name": execution.name,
                    "startDate": execution._start_date,
                }
            )
        else:
            click.echo(execution.arn)
        return
    if as_json:
        execution.wait(raise_on_failure=False)
    else:
        click.echo(execution.arn, err=True)
        _watch(execution)
    _show_execution(execution, as_json)
    if execution.status != "SUCCEEDED":
        sys.exit(1)


@click.command()
@click.argument("state_machine", metavar="[STATE_MACHINE]", required=False)
@click.option(
    "-s",
    "--status",
    type=click.Choice(STATUSES, case_sensitive=False),
    help="Only executions in this status.",
)
@click.option("-n", "--limit", type=click.IntRange(1), help="At most this many (newest first).")
@common.lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def executions(
    ctx: click.Context,
    state_machine: str | None,
    status: str | None,
    limit: int | None,
    stack: str | None,
    cdk_out: str | None,
    as_json: bool,
) -> None:
    """List executions of STATE_MACHINE (name or ARN), or of every state machine (with
    --cdk-out/--stack: of every one deployed there)."""
    from sfini_runtime.worker.task import error_code

    session = common.session(ctx)
    skip_missing = False
    if state_machine:
        machines = [common.state_machine_arn(ctx, state_machine, stack, cdk_out)]
    elif stack or cdk_out:
        deployed = common.deployed(ctx, stack, cdk_out)
        machines = sorted(set(deployed.state_machines.values()))
        skip_missing = True  # an assembly's machine that is not deployed has no executions
    else:
        machines = [
            item["stateMachineArn"]
            for page in session.sfn.get_paginator("list_state_machines").paginate()
            for item in page["stateMachines"]
        ]
    items: list[dict[str, Any]] = []
    for arn in machines:
        kwargs: dict[str, Any] = {"stateMachineArn": arn}
        if status:
            kwargs["statusFilter"] = status.upper()
        try:
            for page in session.sfn.get_paginator("list_executions").paginate(**kwargs):
                items.extend(page["executions"])
        except Exception as error:
            if not (skip_missing and error_code(error) == "StateMachineDoesNotExist"):
                raise
    items.sort(key=lambda item: item["startDate"], reverse=True)
    if limit:
        items = items[:limit]
    if as_json:
        common.echo_json(items)
        return
    from rich.table import Table

    table = Table("name", "status", "started", "stopped", "state machine")
    table.columns[0].overflow = "fold"  # names are copied from here: never cut them short
    for item in items:
        table.add_row(
            item["name"],
            item["status"],
            common.when(item["startDate"]),
            common.when(item.get("stopDate")),
            item["stateMachineArn"].rsplit(":", 1)[-1],
        )
    common.console().print(table)


@click.command()
@click.argument("execution_arn")
@click.option("--json", "as_json", is_flag=True, help="The events as JSON (the API's fields).")
@click.pass_context
def history(ctx: click.Context, execution_arn: str, as_json: bool) -> None:
    """Print the history of EXECUTION_ARN (sfini's format, or JSON)."""
    from sfini_runtime.execution import Execution, history_to_json

    execution = Execution.from_arn(execution_arn, session=common.session(ctx))
    if as_json:
        common.echo_json(history_to_json(execution.get_history()))
    else:
        click.echo(execution.format_history())


@click.command()
@click.argument("execution_arn")
@click.option("--error", "error_code", help="Error code to stop with.")
@click.option("--cause", help="Cause to stop with.")
@click.option("--json", "as_json", is_flag=True, help="Print the stopped execution as JSON.")
@click.pass_context
def stop(
    ctx: click.Context,
    execution_arn: str,
    error_code: str | None,
    cause: str | None,
    as_json: bool,
) -> None:
    """Stop the running execution EXECUTION_ARN (one that has finished is left as it is)."""
    from sfini_runtime.execution import Execution, ExecutionFinished

    execution = Execution.from_arn(execution_arn, session=common.session(ctx))
    # Like AWS's StopExecution, stopping a finished execution succeeds and changes nothing:
    # the command shows the execution as it ended (a script reads its status) and exits 0.
    try:
        execution.stop(error_code, cause)
        note = ""
    except ExecutionFinished:
        note = " (it had already finished)"
    if as_json:
        _show_execution(execution, as_json=True)
    else:
        click.echo(f"{execution.name}: {execution.status}{note}")
