"""``sfini ui``: the web view of any Step Functions endpoint (read-only, on loopback)."""

from __future__ import annotations

import click

from sfini_runtime.cli import common

__all__ = ["ui"]


@click.command()
@click.option(
    "--endpoint",
    "endpoint",
    metavar="URL",
    help="Step Functions endpoint to read (default: the root --endpoint-url, "
    "$AWS_ENDPOINT_URL_SFN, else AWS).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (loopback unless told otherwise).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8089, show_default=True)
@click.pass_context
def ui(ctx: click.Context, endpoint: str | None, host: str, port: int) -> None:
    """Serve a read-only web view of state machines and executions, live, until Ctrl-C."""
    from sfini_runtime.session import AWSSession
    from sfini_runtime.ui import serve_ui

    if endpoint:
        obj = ctx.find_root().obj
        session = AWSSession(
            endpoint_url=endpoint, region=obj.get("region"), profile=obj.get("profile")
        )
    else:
        session = common.session(ctx)
    where = session.endpoint_url or "AWS"

    def ready(url: str) -> None:
        click.echo(f"Web view of {where} on {url} (read-only; Ctrl-C to stop)")

    try:
        serve_ui(host=host, port=port, session=session, on_ready=ready)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    except OSError as error:
        raise click.ClickException(str(error)) from None
