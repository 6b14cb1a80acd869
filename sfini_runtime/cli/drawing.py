"""``sfini graph``: draw a state machine (Mermaid, DOT, or SVG laid out by grandalf)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sfini_runtime.cli import common

__all__ = ["SVG_MAX_NODES", "graph"]

#: nodes ``--format svg`` lays out at most (more than the web view's: a file may take seconds)
SVG_MAX_NODES = 1000


def _definition_offline(machine: Any) -> dict[str, Any]:
    """A definition object's ASL with placeholder ARNs (drawing needs no AWS account)."""

    def placeholder(resource: Any) -> str:
        kind = getattr(resource, "service", None) or "resource"
        return f"arn:aws:states:local:000000000000:{kind}:{resource.name}"

    try:
        return machine.to_dict(resources=placeholder)
    except TypeError:  # a to_dict() without resources=
        return machine.to_dict()


def _svg(drawn: Any) -> str:
    """SVG through the web view's layout (grandalf): no Graphviz needed."""
    from sfini_runtime.ui.layout import LayoutTooLarge, layout_graph
    from sfini_runtime.ui.svg import render_svg

    try:
        return render_svg(layout_graph(drawn, max_nodes=SVG_MAX_NODES))
    except LayoutTooLarge as error:
        raise click.ClickException(f"{error}; use --format dot or mermaid") from None


@click.command()
@click.argument("target", metavar="MODULE:OBJECT|STATE_MACHINE")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot", "svg"]),
    default="mermaid",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@common.lookup_options
@click.pass_context
def graph(
    ctx: click.Context,
    target: str,
    fmt: str,
    output: str | None,
    stack: str | None,
    cdk_out: str | None,
) -> None:
    """Draw a state machine: a definition object, or a deployed one (name or ARN)."""
    from sfini_runtime.cli import graph as graphs

    if ":" in target and not target.startswith("arn:"):
        from sfini_runtime.runner.loading import collect, load_object

        if stack or cdk_out:
            raise click.UsageError(
                "--stack and --cdk-out find a deployed state machine by name; "
                f"{target} is a definition object"
            )
        machines = collect(load_object(target)).state_machines
        if len(machines) != 1:
            raise click.ClickException(f"{target} defines {len(machines)} state machines, not one")
        definition, title = _definition_offline(machines[0]), machines[0].name
    else:
        arn = common.state_machine_arn(ctx, target, stack, cdk_out)
        response = common.session(ctx).sfn.describe_state_machine(stateMachineArn=arn)
        definition, title = json.loads(response["definition"]), response["name"]
    drawn = graphs.build_graph(definition, title)
    if fmt == "svg":
        text = _svg(drawn)
    else:
        text = {"mermaid": graphs.to_mermaid, "dot": graphs.to_dot}[fmt](drawn)
    if output:
        Path(output).write_text(text)
    else:
        click.echo(text, nl=False)
