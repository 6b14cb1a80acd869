"""What the ``sfini`` commands share: the AWS session, JSON and table output, and finding a
state machine by name or ARN (in a cloud assembly or deployed stack, else by name)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import click

__all__ = [
    "PIPE_WIDTH",
    "console",
    "deployed",
    "echo_json",
    "json_default",
    "lookup_options",
    "session",
    "state_machine_arn",
    "when",
]

#: Columns of a table written to a pipe or file (rich's default, 80, folds ARNs and names).
PIPE_WIDTH = 240


def session(ctx: click.Context) -> Any:
    """The command's ``AWSSession`` (made once, from the root command's options)."""
    from sfini_runtime.session import AWSSession

    obj = ctx.find_root().obj
    if obj.get("session") is None:
        obj["session"] = AWSSession(
            endpoint_url=obj.get("endpoint_url"),
            region=obj.get("region"),
            profile=obj.get("profile"),
        )
    return obj["session"]


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (time-stamps in ISO 8601)."""
    click.echo(json.dumps(data, indent=2, default=json_default))


def json_default(value: Any) -> Any:
    """A value ``json`` cannot write, as text: ISO 8601 for a time-stamp."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def when(moment: Any) -> str:
    """A time-stamp to the second, in the local time zone ("" for none), for tables."""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return str(moment or "")


def console() -> Any:
    """A rich console: the terminal's width, or ``PIPE_WIDTH`` columns for a pipe or file."""
    from rich.console import Console

    terminal = Console(soft_wrap=True)
    if not terminal.is_terminal:
        return Console(soft_wrap=True, width=PIPE_WIDTH)
    return terminal


def deployed(ctx: click.Context, stack: str | None, cdk_out: str | None) -> Any:
    """The ARNs of a cloud assembly (one stack of it with ``stack``), of a deployed stack's
    outputs, or None (names then stand for ARNs in the session's region and account)."""
    from sfini_runtime import discovery

    if cdk_out:
        return discovery.arns_from_assembly(cdk_out, stack, session=session(ctx))
    if stack:
        return discovery.arns_from_stack(stack, session=session(ctx))
    return None


def lookup_options(function: Any) -> Any:
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


def state_machine_arn(
    ctx: click.Context, name: str, stack: str | None = None, cdk_out: str | None = None
) -> str:
    """The ARN of the state machine ``name`` (an ARN is returned as it is)."""
    if name.startswith("arn:"):
        return name
    arns = deployed(ctx, stack, cdk_out)
    if arns is not None:
        return arns.state_machine_arn(name)
    _check_machine_name(name)
    return session(ctx).arn_for("stateMachine", name)
