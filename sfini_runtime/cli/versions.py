"""``sfini versions`` and ``sfini aliases``: a state machine's published versions and the
aliases routing executions to them (the Step Functions API, on AWS or a local engine)."""

from __future__ import annotations

from typing import Any

import click

from sfini_runtime.cli import common

__all__ = ["aliases", "versions"]


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> None:
    from rich.table import Table

    table = Table(*headers, box=None, pad_edge=False)
    for row in rows:
        table.add_row(*row)
    common.console().print(table)


def _pages(call: Any, key: str, **request: Any) -> list[dict[str, Any]]:
    """Every item of a listing botocore has no paginator for, following ``nextToken``."""
    items: list[dict[str, Any]] = []
    while True:
        page = call(**request)
        items += page[key]
        if not page.get("nextToken"):
            return items
        request["nextToken"] = page["nextToken"]


@click.group()
def versions() -> None:
    """A state machine's published versions."""


@versions.command("list")
@click.argument("state_machine", metavar="STATE_MACHINE")
@common.lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_versions(
    ctx: click.Context, state_machine: str, stack: str | None, cdk_out: str | None, as_json: bool
) -> None:
    """The versions of STATE_MACHINE (name or ARN), newest first."""
    arn = common.state_machine_arn(ctx, state_machine, stack, cdk_out)
    sfn = common.session(ctx).sfn
    found = _pages(sfn.list_state_machine_versions, "stateMachineVersions", stateMachineArn=arn)
    if as_json:
        common.echo_json(found)
        return
    _table(
        [(v["stateMachineVersionArn"], common.when(v["creationDate"])) for v in found],
        ("version", "created"),
    )


@versions.command("publish")
@click.argument("state_machine", metavar="STATE_MACHINE")
@common.lookup_options
@click.option("--description", help="The version's description.")
@click.option(
    "--revision-id",
    help="Publish only if this is still the machine's current revision (else: an error).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def publish(
    ctx: click.Context,
    state_machine: str,
    stack: str | None,
    cdk_out: str | None,
    description: str | None,
    revision_id: str | None,
    as_json: bool,
) -> None:
    """Publish the current revision of STATE_MACHINE as a version (the same revision again:
    the version it already is)."""
    arn = common.state_machine_arn(ctx, state_machine, stack, cdk_out)
    request: dict[str, Any] = {"stateMachineArn": arn}
    if description is not None:
        request["description"] = description
    if revision_id is not None:
        request["revisionId"] = revision_id
    published = common.session(ctx).sfn.publish_state_machine_version(**request)
    published.pop("ResponseMetadata", None)
    if as_json:
        common.echo_json(published)
    else:
        click.echo(published["stateMachineVersionArn"])


@versions.command("delete")
@click.argument("version_arn", metavar="VERSION_ARN")
@click.pass_context
def delete_version(ctx: click.Context, version_arn: str) -> None:
    """Delete the version VERSION_ARN (refused while an alias routes to it)."""
    common.session(ctx).sfn.delete_state_machine_version(stateMachineVersionArn=version_arn)
    click.echo(f"deleted {version_arn}")


@click.group()
def aliases() -> None:
    """Aliases: names that route executions to one or two versions."""


def _routing(routes: tuple[str, ...], version_of: Any) -> list[dict[str, Any]]:
    """``--route VERSION=WEIGHT`` options as a routing configuration (VERSION: an ARN or a
    version number of the machine)."""
    routing = []
    for route in routes:
        version, sep, weight = route.rpartition("=")
        if not sep or not version or not weight.isdigit():
            raise click.BadParameter(
                f"expected VERSION=WEIGHT (a version number or ARN, a weight 0-100), got {route!r}",
                param_hint="--route",
            )
        routing.append({"stateMachineVersionArn": version_of(version), "weight": int(weight)})
    return routing


def _version_arn(machine_arn: str) -> Any:
    def version_of(version: str) -> str:
        return version if version.startswith("arn:") else f"{machine_arn}:{version}"

    return version_of


_route_option = click.option(
    "--route",
    "routes",
    multiple=True,
    metavar="VERSION=WEIGHT",
    help="Send WEIGHT percent of the executions to VERSION (a number or ARN; once or twice, "
    "weights adding up to 100).",
)


@aliases.command("list")
@click.argument("state_machine", metavar="STATE_MACHINE")
@common.lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_aliases(
    ctx: click.Context, state_machine: str, stack: str | None, cdk_out: str | None, as_json: bool
) -> None:
    """The aliases of STATE_MACHINE (name or ARN), with their routing."""
    arn = common.state_machine_arn(ctx, state_machine, stack, cdk_out)
    sfn = common.session(ctx).sfn
    found = []
    for alias in _pages(sfn.list_state_machine_aliases, "stateMachineAliases", stateMachineArn=arn):
        described = sfn.describe_state_machine_alias(
            stateMachineAliasArn=alias["stateMachineAliasArn"]
        )
        described.pop("ResponseMetadata", None)
        found.append(described)
    if as_json:
        common.echo_json(found)
        return
    _table(
        [
            (
                a["stateMachineAliasArn"],
                ", ".join(
                    f"{r['stateMachineVersionArn'].rsplit(':', 1)[-1]}={r['weight']}%"
                    for r in a["routingConfiguration"]
                ),
                common.when(a["creationDate"]),
            )
            for a in found
        ],
        ("alias", "routes to", "created"),
    )


@aliases.command("create")
@click.argument("state_machine", metavar="STATE_MACHINE")
@click.argument("name")
@_route_option
@click.option("--description", help="The alias' description.")
@common.lookup_options
@click.pass_context
def create_alias(
    ctx: click.Context,
    state_machine: str,
    name: str,
    routes: tuple[str, ...],
    description: str | None,
    stack: str | None,
    cdk_out: str | None,
) -> None:
    """Create the alias NAME of STATE_MACHINE routing to --route VERSION=WEIGHT."""
    if not routes:
        raise click.UsageError("give at least one --route VERSION=WEIGHT")
    arn = common.state_machine_arn(ctx, state_machine, stack, cdk_out)
    request: dict[str, Any] = {
        "name": name,
        "routingConfiguration": _routing(routes, _version_arn(arn)),
    }
    if description is not None:
        request["description"] = description
    created = common.session(ctx).sfn.create_state_machine_alias(**request)
    click.echo(created["stateMachineAliasArn"])


@aliases.command("update")
@click.argument("alias_arn", metavar="ALIAS_ARN")
@_route_option
@click.option("--description", help="The alias' new description.")
@click.pass_context
def update_alias(
    ctx: click.Context, alias_arn: str, routes: tuple[str, ...], description: str | None
) -> None:
    """Route the alias ALIAS_ARN anew (and/or describe it anew)."""
    if not routes and description is None:
        raise click.UsageError("give --route VERSION=WEIGHT or --description")
    machine_arn = alias_arn.rsplit(":", 1)[0]
    request: dict[str, Any] = {"stateMachineAliasArn": alias_arn}
    if routes:
        request["routingConfiguration"] = _routing(routes, _version_arn(machine_arn))
    if description is not None:
        request["description"] = description
    common.session(ctx).sfn.update_state_machine_alias(**request)
    click.echo(f"updated {alias_arn}")


@aliases.command("delete")
@click.argument("alias_arn", metavar="ALIAS_ARN")
@click.pass_context
def delete_alias(ctx: click.Context, alias_arn: str) -> None:
    """Delete the alias ALIAS_ARN (its versions stay)."""
    common.session(ctx).sfn.delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    click.echo(f"deleted {alias_arn}")
