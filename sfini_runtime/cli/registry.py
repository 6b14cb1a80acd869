"""``sfini register`` and ``deregister``: direct registration (no CloudFormation)."""

from __future__ import annotations

import click

from sfini_runtime.cli import common

__all__ = ["deregister", "register"]


@click.command()
@click.argument("target", metavar="MODULE[:OBJECT]")
@click.option("--role-arn", help="IAM role for new state machines (default: sfiniGenerated).")
@click.option("-u", "--allow-update", is_flag=True, help="Update state machines that exist.")
@click.pass_context
def register(ctx: click.Context, target: str, role_arn: str | None, allow_update: bool) -> None:
    """Create the activities and state machines MODULE[:OBJECT] defines (no CloudFormation)."""
    from sfini_runtime import registration
    from sfini_runtime.runner.loading import collect, load_object

    session = common.session(ctx)
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


@click.command()
@click.argument("target", metavar="MODULE[:OBJECT]")
@click.pass_context
def deregister(ctx: click.Context, target: str) -> None:
    """Delete the activities and state machines MODULE[:OBJECT] defines (and no others)."""
    from sfini_runtime import registration
    from sfini_runtime.runner.loading import collect, load_object

    session = common.session(ctx)
    found = collect(load_object(target))
    for machine in found.state_machines:
        registration.deregister_state_machine(machine, session=session)
        click.echo(f"deleted state machine {machine.name}")
    for activity in found.activities.values():
        registration.deregister_activity(activity, session=session)
        click.echo(f"deleted activity {activity.name}")
