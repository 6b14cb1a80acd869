"""``sfini local``: the local Step Functions engine (``sfini local serve``) and running a
workflow on it end to end (``sfini local run``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["local", "run", "serve"]


#: the options ``serve`` and ``run`` share, declared once
_time_scale = click.option(
    "--time-scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help=(
        "Multiplies waits, retry intervals and timeouts "
        "(0: waits and retries take no time, time-outs are not armed)."
    ),
)
_mock_config = click.option(
    "--mock-config",
    type=click.Path(dir_okay=False),
    help=(
        "A mock configuration in AWS Step Functions Local's format (default: $SFN_MOCK_CONFIG); "
        "executions started on STATE_MACHINE_ARN#TestCase (run: --test-case) get its mocked "
        "responses."
    ),
)
_lambdas = click.option(
    "--lambda",
    "lambdas",
    multiple=True,
    metavar="NAME=MODULE:FUNCTION",
    help=(
        "Serve the Lambda function NAME with the Python callable MODULE:FUNCTION "
        "(handler(event, context); the current directory is importable; repeatable)."
    ),
)


@click.group()
def local() -> None:
    """The local Step Functions engine."""


@local.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8083, show_default=True, type=click.IntRange(0, 65535))
@_time_scale
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
@_mock_config
@_lambdas
@click.option(
    "--lambda-endpoint",
    metavar="URL",
    help=(
        "Invoke the Lambda functions not served here through the Lambda API at URL, such as "
        "sam local start-lambda (default: $AWS_ENDPOINT_URL_LAMBDA)."
    ),
)
@click.option(
    "--state-dir",
    type=click.Path(),
    metavar="DIR",
    help=(
        "Keep activities, state machines, executions and histories in SQLite in DIR: a restart "
        "(even kill -9) takes them back, running executions going on where they stopped."
    ),
)
@click.option(
    "--ui",
    is_flag=True,
    help="Serve the web view of the engine's executions too (read-only, on --host).",
)
@click.option(
    "--ui-port",
    default=8089,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port of the web view (0: a free one).",
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
    state_dir: str | None,
    ui: bool,
    ui_port: int,
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
        state_dir=state_dir,
        on_start=_web_view(host, ui_port) if ui else None,
    )


def _web_view(host: str, port: int) -> Callable[[Any], Callable[[], None]]:
    """Start the web view beside an engine once it serves; returns how to stop it."""

    def start(engine: Any) -> Callable[[], None]:
        import boto3

        from sfini_runtime.session import AWSSession
        from sfini_runtime.ui import start_ui

        env = engine.env()  # the engine's dummy credentials: the view needs none of the user's
        credentials = boto3.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_DEFAULT_REGION"],
        )
        session = AWSSession(credentials, endpoint_url=engine.endpoint_url)
        try:
            view = start_ui(host=host, port=port, session=session)
        except OSError as error:  # the port is taken: one line, and the engine stops
            raise click.ClickException(f"web view: {error}") from None
        click.echo(f"  web view: {view.url}")
        return view.stop

    return start


@local.command()
@click.argument("target", metavar="MODULE_OR_CDK_OUT")
@click.option(
    "--stack", help="With a cloud assembly: the stack to run (needed when it has several)."
)
@click.option(
    "--state-machine",
    metavar="NAME",
    help="The state machine to start (default: the only one no other starts; a module's sm).",
)
@click.option(
    "--input",
    "input_json",
    metavar="JSON",
    help="The execution input (default: a module's example_input(), else {}).",
)
@_mock_config
@click.option("--test-case", help="Start the execution under this test case of --mock-config.")
@_lambdas
@_time_scale
@click.option(
    "--timeout",
    default=300.0,
    show_default=True,
    type=click.FloatRange(0.1),
    help="Stop the execution if it runs longer than this many seconds.",
)
def run(
    target: str,
    stack: str | None,
    state_machine: str | None,
    input_json: str | None,
    mock_config: str | None,
    test_case: str | None,
    lambdas: tuple[str, ...],
    time_scale: float,
    timeout: float,
) -> None:
    """Run one workflow on an embedded local engine, with workers for its activities, and print
    its history and output (exit 1 unless it succeeds).

    MODULE_OR_CDK_OUT is a workflow module (``examples.looping``, ``flows/orders.py``: its
    activities and state machines are created on the engine, its ``lambdas`` served in-process)
    or a cloud assembly directory (``cdk.out``: the stack is loaded as ``cdk deploy`` would
    create it, Python Lambda functions from their assets, workers found through the
    ``sfini:activity`` metadata of its activities).
    """
    import json
    from pathlib import Path

    from sfini_runtime.cli import common
    from sfini_runtime.cli.lambda_specs import lambda_handlers
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.runner import (
        RunError,
        engine_session,
        import_workflow_module,
        module_lambdas,
        report,
        run_workflows,
        workflow_from_module,
        workflow_from_stack,
    )

    execution_input = None
    if input_json is not None:
        try:
            execution_input = json.loads(input_json)
        except ValueError as error:
            raise click.ClickException(f"--input is not JSON: {error}") from None
    if test_case and not mock_config:
        raise click.UsageError("--test-case names a test case of --mock-config; give it too")
    assembly = Path(target).is_dir()
    if stack and not assembly:
        raise click.UsageError("--stack selects a stack of a cloud assembly directory")
    handlers = lambda_handlers(lambdas)
    module = None
    if assembly:
        if stack is None:
            stack = _only_stack(target)
    else:
        module = import_workflow_module(target)
        handlers = {**module_lambdas(module), **handlers}
    engine = LocalEngine(
        time_scale=time_scale,
        activity_poll_seconds=2.0,
        lambdas=handlers,
        mock_config=mock_config,
        cdk_out=target if assembly else None,
        stacks=[stack] if stack else None,
    )
    with engine, engine_session(engine) as session:
        try:
            if module is not None:
                workflow = workflow_from_module(
                    module, session, state_machine=state_machine, execution_input=execution_input
                )
            else:
                assert stack is not None
                workflow = workflow_from_stack(
                    target,
                    stack,
                    session,
                    state_machine=state_machine,
                    execution_input=execution_input,
                )
        except RunError as error:
            raise click.ClickException(str(error)) from None
        workflow.test_case = test_case
        console = common.console()
        (result,) = run_workflows([workflow], session, console=console, timeout=timeout)
        report(result, click.echo)
    if not result.ok:
        raise SystemExit(1)


def _only_stack(cdk_out: str) -> str:
    """The name of the one stack of a cloud assembly (a usage error when it has several)."""
    from sfini_runtime.cloud_assembly import CloudAssemblyError, read_stacks

    try:
        stacks = read_stacks(cdk_out)
    except CloudAssemblyError as error:
        raise click.ClickException(str(error)) from None
    if len(stacks) != 1:
        names = ", ".join(sorted(s.name for s in stacks)) or "none"
        raise click.ClickException(
            f"{cdk_out} has {len(stacks)} stacks ({names}): choose one with --stack"
        )
    return stacks[0].name
