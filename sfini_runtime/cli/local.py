"""``sfini local``: the local Step Functions engine (``sfini local serve``)."""

from __future__ import annotations

import click

__all__ = ["local", "serve"]


@click.group()
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
