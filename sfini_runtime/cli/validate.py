"""``sfini validate``: check state machine definitions with ``sfini_asl.checker``, the rules the
local engine and the definition model apply: ASL JSON or YAML files, or every state machine of
a cloud assembly (``cdk.out``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

__all__ = ["validate"]

#: the account and region ARNs of a cloud assembly are resolved in (only their shape matters)
_REGION, _ACCOUNT = "us-east-1", "123456789012"


def _read_file(path: Path) -> str:
    """The definition in ``path`` as JSON text (YAML is converted)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise click.ClickException(f"cannot read {path}: {error.strerror or error}") from None
    if path.suffix.lower() not in (".yaml", ".yml"):
        return text
    import yaml

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise click.ClickException(f"{path} is not YAML: {' '.join(str(error).split())}") from None
    return json.dumps(document, default=str)


def _assembly_definitions(path: Path, stacks: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(label, definition) of every state machine of the cloud assembly at ``path``."""
    from sfini_runtime.arns import ArnFactory
    from sfini_runtime.cloud_assembly import CloudAssemblyError, Resolver, read_stacks
    from sfini_runtime.cloud_assembly.resolver import STATE_MACHINE_TYPE
    from sfini_runtime.local.service.cdk_out import definition_text

    try:
        found = read_stacks(path)
        unknown = [name for name in stacks if not any(s.matches(name) for s in found)]
        if unknown:
            names = ", ".join(sorted(s.name for s in found)) or "none"
            raise click.ClickException(
                f"no stack {', '.join(map(repr, unknown))} in {path} (stacks: {names})"
            )
        for stack in found:
            if stacks and not any(stack.matches(name) for name in stacks):
                continue
            template = stack.template()
            resolver = Resolver(template, stack.name, ArnFactory(_REGION, _ACCOUNT))
            for logical_id in template.resources:
                if template.resource_type(logical_id) != STATE_MACHINE_TYPE:
                    continue
                with template.guard(logical_id):
                    text = definition_text(resolver, logical_id, template.properties(logical_id))
                yield f"{stack.name}/{logical_id}", text
    except CloudAssemblyError as error:
        raise click.ClickException(str(error)) from None


def _sources(paths: tuple[str, ...], stacks: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from _assembly_definitions(path, stacks)
        elif path.exists():
            yield name, _read_file(path)
        else:
            raise click.ClickException(f"no such file or directory: {name}")


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="FILE_OR_CDK_OUT...")
@click.option(
    "--stack",
    "stacks",
    multiple=True,
    metavar="NAME",
    help="In a cloud assembly, check only this stack's state machines (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the diagnostics as JSON.")
def validate(paths: tuple[str, ...], stacks: tuple[str, ...], as_json: bool) -> None:
    """Check state machine definitions as Step Functions does: ASL JSON or YAML files, or every
    state machine of a cloud assembly. Exit status 1 when any has an error."""
    from sfini_asl.checker import check_definition

    results: list[dict[str, Any]] = []
    for label, text in _sources(paths, stacks):
        diagnostics = [d.as_dict() for d in check_definition(text)]
        results.append(
            {"source": label, "result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics}
        )
    if not results:
        raise click.ClickException("no state machine found in " + ", ".join(paths))
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        for result in results:
            if not result["diagnostics"]:
                click.echo(f"OK    {result['source']}")
            for d in result["diagnostics"]:
                click.echo(
                    f"FAIL  {result['source']}: {d['code']}: {d['message']} at {d['location']}"
                )
    if any(result["diagnostics"] for result in results):
        raise SystemExit(1)
