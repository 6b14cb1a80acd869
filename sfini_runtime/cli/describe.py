"""``sfini describe``: an execution, state machine or activity, by ARN or name."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import click

from sfini_runtime.cli import common

__all__ = ["describe"]


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

    deployed = common.deployed(ctx, stack, cdk_out)
    if deployed is not None:
        return _describe_deployed(session, deployed, name)
    try:
        return session.sfn.describe_state_machine(
            stateMachineArn=common.state_machine_arn(ctx, name)
        )
    except Exception as error:
        if error_code(error) != "StateMachineDoesNotExist":
            raise
    try:
        return session.sfn.describe_activity(activityArn=session.arn_for("activity", name))
    except Exception as error:
        if error_code(error) != "ActivityDoesNotExist":
            raise
    raise click.ClickException(f"no state machine or activity named '{name}'")


@click.command()
@click.argument("target", metavar="ARN_OR_NAME")
@common.lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def describe(
    ctx: click.Context, target: str, stack: str | None, cdk_out: str | None, as_json: bool
) -> None:
    """Describe an execution, state machine or activity (ARN, or a state machine's or an
    activity's name)."""
    session = common.session(ctx)
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
        common.echo_json(response)
        return
    from rich.table import Table

    table = Table("field", "value", show_header=False)
    table.columns[1].overflow = "fold"  # ARNs are copied from here: never cut them short
    for key, value in response.items():
        table.add_row(
            key, value if isinstance(value, str) else json.dumps(value, default=common.json_default)
        )
    common.console().print(table)
