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
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Worker processes, each with --concurrency slots per activity (more than 1: "
    "supervised children named NAME-0, NAME-1, ..., one replaced when it dies).",
)
@click.option(
    "--max-tasks-per-child",
    type=click.IntRange(1),
    help="A worker process takes this many tasks, finishes them and is replaced (implies "
    "supervised processes, even with --processes 1).",
)
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
    processes: int,
    max_tasks_per_child: int | None,
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
    if processes > 1 or max_tasks_per_child is not None:
        _run_processes(
            ctx,
            target,
            found.activities,
            deployed,
            processes=processes,
            max_tasks_per_child=max_tasks_per_child,
            concurrency=concurrency,
            name=name,
            grace_period=grace_period,
            register=register,
        )
        return
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


def _run_processes(
    ctx: click.Context,
    target: str,
    activities: dict[str, Any],
    deployed: Any,
    *,
    processes: int,
    max_tasks_per_child: int | None,
    concurrency: int,
    name: str | None,
    grace_period: float,
    register: bool,
) -> None:
    """Supervised worker processes: everything a user can get wrong is checked here, in the
    parent, so that it is one line; each child loads TARGET again and makes its own workers."""
    from sfini_runtime import registration
    from sfini_runtime.worker import ActivityWorkers, WorkerProcesses

    session = common.session(ctx)
    if register:
        for _, activity in sorted(activities.items()):
            registration.register_activity(activity, session=session)
    arns = (
        {activity_name: deployed.activity_arn(activity_name) for activity_name in activities}
        if deployed is not None
        else None
    )
    options = ctx.find_root().obj
    factory = ActivityWorkers(
        target,
        concurrency=concurrency,
        grace_period=grace_period,
        arns=arns,
        endpoint_url=options.get("endpoint_url"),
        region=options.get("region"),
        profile=options.get("profile"),
    )
    supervisor = WorkerProcesses(
        factory,
        processes,
        name=name,
        max_tasks_per_child=max_tasks_per_child,
        grace_period=grace_period,
    )
    _check_reachable(session)
    names = ", ".join(supervisor.child_name(index) for index in range(processes))
    click.echo(
        f"Worker processes {names} polling activit{'ies' if len(activities) > 1 else 'y'} "
        f"{', '.join(sorted(activities))} ({concurrency} at once each)",
        err=True,
    )
    supervisor.run()
