"""The ``sfini`` command: workers, executions, history, registration, graphs, the local engine.

This module holds the root group, its options and ``main``; each command group lives in its
own module, imported only when one of its commands runs or ``--help`` lists them (``COMMANDS``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Any

import click

from sfini_runtime.cli.errors import OneLineFormatter, describe_error
from sfini_runtime.cli.lazy import LazyGroup

__all__ = ["COMMANDS", "cli", "main"]

#: Command name -> ``module:attribute`` of its click command (imported on first use).
COMMANDS = {
    "aliases": "sfini_runtime.cli.versions:aliases",
    "deregister": "sfini_runtime.cli.registry:deregister",
    "describe": "sfini_runtime.cli.describe:describe",
    "executions": "sfini_runtime.cli.executions:executions",
    "graph": "sfini_runtime.cli.drawing:graph",
    "history": "sfini_runtime.cli.executions:history",
    "local": "sfini_runtime.cli.local:local",
    "register": "sfini_runtime.cli.registry:register",
    "start": "sfini_runtime.cli.executions:start",
    "stop": "sfini_runtime.cli.executions:stop",
    "test-state": "sfini_runtime.cli.test_state:test_state",
    "ui": "sfini_runtime.cli.ui:ui",
    "validate": "sfini_runtime.cli.validate:validate",
    "versions": "sfini_runtime.cli.versions:versions",
    "worker": "sfini_runtime.cli.workers:worker",
}


class _Group(LazyGroup):
    """A lazily loaded click group whose commands report errors as one ``Error: ...`` line,
    exit status 1."""

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


@click.group(
    cls=_Group,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
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


def main(args: list[str] | None = None) -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):
        # data from an execution may hold lone surrogates ("\ud800" is valid JSON): print them
        # escaped rather than fail the command after its work is done
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    cli.main(args=args, prog_name="sfini")
