"""``sfini worker``: run activity workers."""

from __future__ import annotations

import contextlib
from typing import Any

import click

from sfini_runtime.cli import common

__all__ = ["worker"]


@click.command()
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
    from sfini_runtime.runner.loading import collect, load_object
    from sfini_runtime.worker import Worker, run_workers

    session = common.session(ctx)
    found = collect(load_object(target))
    if not found.activities:
        raise click.ClickException(f"{target} defines no activities")
    deployed = common.deployed(ctx, stack, cdk_out)
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
