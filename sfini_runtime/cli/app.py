"""The ``sfini`` command: workers, executions, history, registration, graphs, the local engine."""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from sfini_runtime.cli.errors import OneLineFormatter, describe_error

__all__ = ["cli", "main"]

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


class _Group(click.Group):
    """A click group whose commands report errors as one ``Error: ...`` line, exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            sys.exit(130)
        except Exception as error:
            if ctx.obj is not None and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {describe_error(error)}", err=True)
            sys.exit(1)


def _session(ctx: click.Context) -> Any:
    from sfini_runtime.session import AWSSession

    obj = ctx.find_root().obj
    if obj.get("session") is None:
        obj["session"] = AWSSession(
            endpoint_url=obj.get("endpoint_url"),
            region=obj.get("region"),
            profile=obj.get("profile"),
        )
    return obj["session"]


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=_json_default))


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


#: Columns of a table written to a pipe or file (rich's default, 80, folds ARNs and names).
PIPE_WIDTH = 240


def _console() -> Any:
    from rich.console import Console

    console = Console(soft_wrap=True)
    if not console.is_terminal:
        console = Console(soft_wrap=True, width=PIPE_WIDTH)
    return console


def _deployed(ctx: click.Context, stack: str | None, cdk_out: str | None) -> Any:
    """The ARNs of a cloud assembly (one stack of it with ``stack``), of a deployed stack's
    outputs, or None (names then stand for ARNs in the session's region and account)."""
    from sfini_runtime import discovery

    if cdk_out:
        return discovery.arns_from_assembly(cdk_out, stack, session=_session(ctx))
    if stack:
        return discovery.arns_from_stack(stack, session=_session(ctx))
    return None


def _lookup_options(function: Any) -> Any:
    """``--stack`` and ``--cdk-out``: where a command finds a state machine named by its sfini
    name (as ``sfini start`` does)."""
    function = click.option(
        "--cdk-out",
        type=click.Path(file_okay=False),
        help="Find the state machine by its sfini name in this cloud assembly.",
    )(function)
    return click.option(
        "--stack",
        help="Find it in this deployed stack's outputs (with --cdk-out: in this stack of the "
        "assembly).",
    )(function)


def _check_machine_name(name: str) -> None:
    """A STATE_MACHINE argument that can be no state machine's name is a one-line error."""
    from sfini_runtime.local.errors import InvalidName
    from sfini_runtime.local.service.validation import check_name

    try:
        check_name(name)
    except InvalidName:
        raise click.ClickException(
            f"{name!r} is not a state machine name or ARN (a name has 1 to 80 characters, "
            'no white space, brackets, wildcards, control characters or <>{}[]?*"#%\\^|~`$&,;:/)'
        ) from None


def _state_machine_arn(
    ctx: click.Context, name: str, stack: str | None = None, cdk_out: str | None = None
) -> str:
    if name.startswith("arn:"):
        return name
    deployed = _deployed(ctx, stack, cdk_out)
    if deployed is not None:
        return deployed.state_machine_arn(name)
    _check_machine_name(name)
    return _session(ctx).arn_for("stateMachine", name)


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


def _version() -> str:
    """sfini-cdk's version: the installed distribution's, else the source tree's."""
    from importlib import metadata

    try:
        return metadata.version("sfini-cdk")
    except metadata.PackageNotFoundError:
        pass
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    with contextlib.suppress(OSError, ValueError, KeyError, ImportError):  # tomllib: 3.11+
        import tomllib

        return tomllib.loads(pyproject.read_text())["project"]["version"] + " (not installed)"
    return "unknown (not installed)"


def _print_version(ctx: click.Context) -> None:
    click.echo(f"sfini, version {_version()}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--region", envvar="AWS_REGION", help="AWS region (default: the AWS configuration's)."
)
@click.option("--profile", help="AWS named profile.")
@click.option("--endpoint-url", help="Step Functions endpoint (default: $AWS_ENDPOINT_URL_SFN).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv: debug, with tracebacks).")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    verbose: int,
) -> None:
    """Run activity workers and manage Step Functions executions (on AWS or the local engine)."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    debug = verbose >= 2 or bool(os.environ.get("SFINI_DEBUG"))
    handler = logging.StreamHandler()
    handler.setFormatter(
        OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", tracebacks=debug)
    )
    logging.basicConfig(handlers=[handler], level=level)
    logging.getLogger("botocore").setLevel(max(level, logging.WARNING))
    ctx.obj = {
        "region": region,
        "profile": profile,
        "endpoint_url": endpoint_url,
        "debug": debug,
        "session": None,
    }


# --- worker -------------------------------------------------------------------------------------


@cli.command()
@click.argument("target", metavar="MODULE:OBJECT")
@click.option(
    "--stack",
    help="Find the activities' ARNs in this deployed stack's outputs (with --cdk-out: in this "
    "stack of the assembly).",
)
@click.option(
    "--cdk-out", type=click.Path(file_okay=False), help="Find them in this cloud assembly."
)
@click.option(
    "-c",
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Tasks run at once per activity.",
)
@click.option("--name", help="Worker name (default: host name and a random suffix).")
@click.option(
    "--grace-period",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds running tasks get after SIGTERM/SIGINT.",
)
@click.option("--register", is_flag=True, help="Create the activities first (direct registration).")
@click.pass_context
def worker(
    ctx: click.Context,
    target: str,
    stack: str | None,
    cdk_out: str | None,
    concurrency: int,
    name: str | None,
    grace_period: float,
    register: bool,
) -> None:
    """Run workers for the activities of MODULE:OBJECT (a registration, an activity or a list)."""
    from sfini_runtime import registration
    from sfini_runtime.cli.loading import collect, load_object
    from sfini_runtime.worker import Worker, run_workers

    session = _session(ctx)
    found = collect(load_object(target))
    if not found.activities:
        raise click.ClickException(f"{target} defines no activities")
    deployed = _deployed(ctx, stack, cdk_out)
    workers = []
    for activity_name, activity in sorted(found.activities.items()):
        if register:
            registration.register_activity(activity, session=session)
        arn = deployed.activity_arn(activity_name) if deployed is not None else None
        worker_name = f"{name}-{activity_name}"[:80] if name and len(found.activities) > 1 else name
        workers.append(
            Worker(
                activity,
                worker_name,
                session=session,
                arn=arn,
                concurrency=concurrency,
                grace_period=grace_period,
            )
        )
    _check_reachable(session)
    for each in workers:
        click.echo(f"Worker {each.name} polling activity {each.activity.name}", err=True)
    run_workers(workers)


def _check_reachable(session: Any) -> None:
    """Raise the error of a Step Functions endpoint that cannot be reached (or of missing
    credentials or region) before a worker says it is polling: a user error is one line.

    Any answer from the service counts as reachable, a refusal too (a worker's role may be
    allowed to poll and nothing else)."""
    from botocore.exceptions import ClientError

    with contextlib.suppress(ClientError):
        session.sfn.list_activities(maxResults=1)


# --- executions ---------------------------------------------------------------------------------


def _show_execution(execution: Any, as_json: bool) -> None:
    description = execution.describe()
    if as_json:
        data = dict(description)
        for key in ("input", "output"):
            if isinstance(data.get(key), str):
                with contextlib.suppress(ValueError):
                    data[key] = json.loads(data[key])
        data.pop("ResponseMetadata", None)
        _echo_json(data)
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

    console = console or _console()
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


@cli.command()
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
    arn = _state_machine_arn(ctx, state_machine, stack, cdk_out)
    execution = Execution(
        name or execution_name(parse_arn(arn).name), arn, execution_input, session=_session(ctx)
    )
    execution.start()
    if not wait:
        if as_json:
            _echo_json(
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


@cli.command()
@click.argument("state_machine", metavar="[STATE_MACHINE]", required=False)
@click.option(
    "-s",
    "--status",
    type=click.Choice(STATUSES, case_sensitive=False),
    help="Only executions in this status.",
)
@click.option("-n", "--limit", type=click.IntRange(1), help="At most this many (newest first).")
@_lookup_options
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

    session = _session(ctx)
    skip_missing = False
    if state_machine:
        machines = [_state_machine_arn(ctx, state_machine, stack, cdk_out)]
    elif stack or cdk_out:
        deployed = _deployed(ctx, stack, cdk_out)
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
        _echo_json(items)
        return
    from rich.table import Table

    table = Table("name", "status", "started", "stopped", "state machine")
    table.columns[0].overflow = "fold"  # names are copied from here: never cut them short
    for item in items:
        table.add_row(
            item["name"],
            item["status"],
            _when(item["startDate"]),
            _when(item.get("stopDate")),
            item["stateMachineArn"].rsplit(":", 1)[-1],
        )
    _console().print(table)


def _when(moment: Any) -> str:
    """A time-stamp to the second, in the local time zone ("" for none)."""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return str(moment or "")


@cli.command()
@click.argument("execution_arn")
@click.option("--json", "as_json", is_flag=True, help="The events as JSON (the API's fields).")
@click.pass_context
def history(ctx: click.Context, execution_arn: str, as_json: bool) -> None:
    """Print the history of EXECUTION_ARN (sfini's format, or JSON)."""
    from sfini_runtime.execution import Execution, history_to_json

    execution = Execution.from_arn(execution_arn, session=_session(ctx))
    if as_json:
        _echo_json(history_to_json(execution.get_history()))
    else:
        click.echo(execution.format_history())


@cli.command()
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

    execution = Execution.from_arn(execution_arn, session=_session(ctx))
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


def _describe_arn(session: Any, arn: str) -> dict[str, Any]:
    from sfini_runtime.arns import parse_arn

    kind = parse_arn(arn).resource_type
    if kind in ("execution", "express"):
        return session.sfn.describe_execution(executionArn=arn)
    if kind == "stateMachine":
        return session.sfn.describe_state_machine(stateMachineArn=arn)
    if kind == "activity":
        return session.sfn.describe_activity(activityArn=arn)
    raise click.ClickException(f"not a Step Functions execution, state machine or activity: {arn}")


def _describe_deployed(session: Any, deployed: Any, name: str) -> dict[str, Any]:
    """The state machine named ``name`` in ``deployed``, else its activity of that name."""
    from sfini_runtime.discovery import NotDeployed

    try:
        arn = deployed.state_machine_arn(name)
    except NotDeployed:
        try:
            arn = deployed.activity_arn(name)
        except NotDeployed:
            machines = ", ".join(deployed.names("stateMachine")) or "none"
            activities = ", ".join(deployed.names("activity")) or "none"
            raise click.ClickException(
                f"no state machine or activity named {name!r} in {deployed.source} "
                f"(state machines: {machines}; activities: {activities})"
            ) from None
        return session.sfn.describe_activity(activityArn=arn)
    return session.sfn.describe_state_machine(stateMachineArn=arn)


def _describe_name(
    ctx: click.Context,
    session: Any,
    name: str,
    stack: str | None = None,
    cdk_out: str | None = None,
) -> dict[str, Any]:
    """A state machine named ``name``, else an activity of that name (found in the cloud
    assembly or stack given, else by name in the session's region and account)."""
    from sfini_runtime.worker.task import error_code

    deployed = _deployed(ctx, stack, cdk_out)
    if deployed is not None:
        return _describe_deployed(session, deployed, name)
    try:
        return session.sfn.describe_state_machine(stateMachineArn=_state_machine_arn(ctx, name))
    except Exception as error:
        if error_code(error) != "StateMachineDoesNotExist":
            raise
    try:
        return session.sfn.describe_activity(activityArn=session.arn_for("activity", name))
    except Exception as error:
        if error_code(error) != "ActivityDoesNotExist":
            raise
    raise click.ClickException(f"no state machine or activity named '{name}'")


@cli.command()
@click.argument("target", metavar="ARN_OR_NAME")
@_lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def describe(
    ctx: click.Context, target: str, stack: str | None, cdk_out: str | None, as_json: bool
) -> None:
    """Describe an execution, state machine or activity (ARN, or a state machine's or an
    activity's name)."""
    session = _session(ctx)
    if target.startswith("arn:"):
        response = _describe_arn(session, target)
    else:
        response = _describe_name(ctx, session, target, stack, cdk_out)
    response.pop("ResponseMetadata", None)
    if as_json:
        for key in ("input", "output", "definition"):
            if isinstance(response.get(key), str):
                with contextlib.suppress(ValueError):
                    response[key] = json.loads(response[key])
        _echo_json(response)
        return
    from rich.table import Table

    table = Table("field", "value", show_header=False)
    table.columns[1].overflow = "fold"  # ARNs are copied from here: never cut them short
    for key, value in response.items():
        table.add_row(
            key, value if isinstance(value, str) else json.dumps(value, default=_json_default)
        )
    _console().print(table)


# --- registration -------------------------------------------------------------------------------


@cli.command()
@click.argument("target", metavar="MODULE[:OBJECT]")
@click.option("--role-arn", help="IAM role for new state machines (default: sfiniGenerated).")
@click.option("-u", "--allow-update", is_flag=True, help="Update state machines that exist.")
@click.pass_context
def register(ctx: click.Context, target: str, role_arn: str | None, allow_update: bool) -> None:
    """Create the activities and state machines MODULE[:OBJECT] defines (no CloudFormation)."""
    from sfini_runtime import registration
    from sfini_runtime.cli.loading import collect, load_object

    session = _session(ctx)
    found = collect(load_object(target))
    if not found.activities and not found.state_machines:
        raise click.ClickException(f"{target} defines no activities or state machines")
    for activity in found.activities.values():
        click.echo(registration.register_activity(activity, session=session))
    for machine in found.state_machines:
        click.echo(
            registration.register_state_machine(
                machine, role_arn=role_arn, allow_update=allow_update, session=session
            )
        )


@cli.command()
@click.argument("target", metavar="MODULE[:OBJECT]")
@click.pass_context
def deregister(ctx: click.Context, target: str) -> None:
    """Delete the activities and state machines MODULE[:OBJECT] defines (and no others)."""
    from sfini_runtime import registration
    from sfini_runtime.cli.loading import collect, load_object

    session = _session(ctx)
    found = collect(load_object(target))
    for machine in found.state_machines:
        registration.deregister_state_machine(machine, session=session)
        click.echo(f"deleted state machine {machine.name}")
    for activity in found.activities.values():
        registration.deregister_activity(activity, session=session)
        click.echo(f"deleted activity {activity.name}")


def _definition_offline(machine: Any) -> dict[str, Any]:
    """A definition object's ASL with placeholder ARNs (drawing needs no AWS account)."""

    def placeholder(resource: Any) -> str:
        kind = getattr(resource, "service", None) or "resource"
        return f"arn:aws:states:local:000000000000:{kind}:{resource.name}"

    try:
        return machine.to_dict(resources=placeholder)
    except TypeError:  # a to_dict() without resources=
        return machine.to_dict()


@cli.command()
@click.argument("target", metavar="MODULE:OBJECT|STATE_MACHINE")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg"]),
    default="mermaid",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@_lookup_options
@click.pass_context
def graph(
    ctx: click.Context,
    target: str,
    fmt: str,
    output: str | None,
    stack: str | None,
    cdk_out: str | None,
) -> None:
    """Draw a state machine: a definition object, or a deployed one (name or ARN)."""
    from sfini_runtime.cli import graph as graphs

    if ":" in target and not target.startswith("arn:"):
        from sfini_runtime.cli.loading import collect, load_object

        if stack or cdk_out:
            raise click.UsageError(
                "--stack and --cdk-out find a deployed state machine by name; "
                f"{target} is a definition object"
            )
        machines = collect(load_object(target)).state_machines
        if len(machines) != 1:
            raise click.ClickException(f"{target} defines {len(machines)} state machines, not one")
        definition, title = _definition_offline(machines[0]), machines[0].name
    else:
        arn = _state_machine_arn(ctx, target, stack, cdk_out)
        response = _session(ctx).sfn.describe_state_machine(stateMachineArn=arn)
        definition, title = json.loads(response["definition"]), response["name"]
    drawn = graphs.build_graph(definition, title)
    text = {"mermaid": graphs.to_mermaid, "dot": graphs.to_dot, "svg": graphs.to_svg}[fmt](drawn)
    if output:
        Path(output).write_text(text)
    else:
        click.echo(text, nl=False)


# --- local engine -------------------------------------------------------------------------------


@cli.group()
def local() -> None:
    """The local Step Functions engine."""


@local.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8083, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--time-scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help=(
        "Multiplies waits, retry intervals and timeouts "
        "(0: waits and retries take no time, time-outs are not armed)."
    ),
)
@click.option(
    "--cdk-out",
    type=click.Path(exists=True, file_okay=False),
    help="Create the activities and state machines of this cloud assembly first.",
)
@click.option(
    "--stack",
    "stacks",
    multiple=True,
    metavar="NAME",
    help="With --cdk-out: load only this stack (repeatable; default: every stack).",
)
@click.option(
    "--long-poll-seconds",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0.1, 60),
    help=(
        "How long GetActivityTask waits for a task (AWS: 60). Shorter lets a worker that "
        "ends mid-poll exit sooner: it waits for its poll rather than lose a task."
    ),
)
@click.option(
    "--mock-config",
    type=click.Path(dir_okay=False),
    help=(
        "A mock configuration in AWS Step Functions Local's format (default: $SFN_MOCK_CONFIG); "
        "executions started on STATE_MACHINE_ARN#TestCase get its mocked responses."
    ),
)
@click.option(
    "--lambda",
    "lambdas",
    multiple=True,
    metavar="NAME=MODULE:FUNCTION",
    help=(
        "Serve the Lambda function NAME with the Python callable MODULE:FUNCTION "
        "(handler(event, context); the current directory is importable; repeatable)."
    ),
)
@click.option(
    "--lambda-endpoint",
    metavar="URL",
    help=(
        "Invoke the Lambda functions not served here through the Lambda API at URL, such as "
        "sam local start-lambda (default: $AWS_ENDPOINT_URL_LAMBDA)."
    ),
)
def serve(
    host: str,
    port: int,
    time_scale: float,
    cdk_out: str | None,
    stacks: tuple[str, ...],
    long_poll_seconds: float,
    mock_config: str | None,
    lambdas: tuple[str, ...],
    lambda_endpoint: str | None,
) -> None:
    """Serve the local engine until interrupted (point AWS_ENDPOINT_URL_SFN at it)."""
    from sfini_runtime.cli.lambda_specs import lambda_endpoint as endpoint_of
    from sfini_runtime.cli.lambda_specs import lambda_handlers
    from sfini_runtime.local import serve as serve_engine

    if stacks and not cdk_out:
        raise click.UsageError("--stack selects stacks of --cdk-out DIR; give --cdk-out too")
    serve_engine(
        lambdas=lambda_handlers(lambdas),
        lambda_endpoint=endpoint_of(lambda_endpoint),
        host=host,
        port=port,
        time_scale=time_scale,
        cdk_out=cdk_out,
        stacks=stacks or None,
        activity_poll_seconds=long_poll_seconds,
        mock_config=mock_config,
    )


def main(args: list[str] | None = None) -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):
        # data from an execution may hold lone surrogates ("\ud800" is valid JSON): print them
        # escaped rather than fail the command after its work is done
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    cli.main(args=args, prog_name="sfini")
