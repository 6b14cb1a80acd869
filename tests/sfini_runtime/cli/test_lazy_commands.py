"""The ``sfini`` command groups are imported lazily: running a command imports its own module
and no other group's; ``--help`` lists (and so imports) them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sfini_runtime.cli.app import COMMANDS, cli
from sfini_runtime.cli.lazy import LazyCommandError, LazyGroup

REPO_ROOT = Path(__file__).resolve().parents[3]

#: Every command group's module.
GROUP_MODULES = sorted({target.partition(":")[0] for target in COMMANDS.values()})

#: Runs ``sfini ARGS...`` in a fresh interpreter, then writes the cli modules it imported.
PROBE = textwrap.dedent(
    """
    import json, sys
    from sfini_runtime.cli.app import main
    report, args = sys.argv[1], sys.argv[2:]
    try:
        main(args)
        status = 0
    except SystemExit as stop:
        status = stop.code
    loaded = sorted(name for name in sys.modules if name.startswith("sfini_runtime.cli."))
    with open(report, "w") as file:
        json.dump({"status": status, "loaded": loaded}, file)
    """
)

WORKFLOW = """
import sfini_cdk as sfini

sm = sfini.construct_state_machine("lazyGraph", sfini.Succeed("done"))
"""


def run_probe(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    """(exit status, the group modules imported, stderr) of ``sfini ARGS...``."""
    report = tmp_path / "report.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(tmp_path), str(REPO_ROOT), os.environ.get("PYTHONPATH")])
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(report.read_text())
    return result["status"], set(result["loaded"]) & set(GROUP_MODULES), done.stderr


def test_the_table_covers_several_groups() -> None:
    assert len(GROUP_MODULES) >= 5
    assert "sfini_runtime.cli.local" in GROUP_MODULES
    assert "sfini_runtime.cli.workers" in GROUP_MODULES


def test_a_graph_run_imports_only_its_group(tmp_path: Path) -> None:
    (tmp_path / "lazy_workflow.py").write_text(WORKFLOW)
    status, loaded, stderr = run_probe(tmp_path, "graph", "lazy_workflow:sm")
    assert status == 0, stderr
    assert loaded == {"sfini_runtime.cli.drawing"}


def test_a_worker_run_does_not_import_local_serve(tmp_path: Path) -> None:
    status, loaded, stderr = run_probe(tmp_path, "worker", "no_such_module_xyz:activities")
    assert status == 1
    assert "Error: cannot import module 'no_such_module_xyz'" in stderr
    assert loaded == {"sfini_runtime.cli.workers"}


def test_a_local_serve_run_does_not_import_the_other_groups(tmp_path: Path) -> None:
    status, loaded, stderr = run_probe(tmp_path, "local", "serve", "--stack", "Only")
    assert status == 2
    assert "--stack selects stacks of --cdk-out DIR; give --cdk-out too" in stderr
    assert loaded == {"sfini_runtime.cli.local"}


def test_help_lists_every_command(tmp_path: Path) -> None:
    status, loaded, _ = run_probe(tmp_path, "--help")
    assert status == 0
    assert loaded == set(GROUP_MODULES)
    listing = CliRunner().invoke(cli, ["--help"]).output
    commands = listing.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in commands.splitlines() if line.strip()] == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_table_entry_is_the_command_of_its_name(name: str) -> None:
    with click.Context(cli) as ctx:
        command = cli.get_command(ctx, name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.callback is not None
    assert command.callback.__module__ == COMMANDS[name].partition(":")[0]


@pytest.mark.skipif(
    not hasattr(click.exceptions, "NoSuchCommand"), reason="click < 8.4 suggests no names"
)
def test_an_unknown_command_is_matched_against_commands_not_yet_imported() -> None:
    group = LazyGroup(name="g", lazy_commands={"start": "sfini_runtime.cli.executions:start"})
    result = CliRunner().invoke(group, ["stat"])
    assert result.exit_code == 2
    assert "Error: No such command 'stat'. Did you mean 'start'?" in result.output
    assert group.commands == {}  # the suggestion imported nothing


def test_a_table_entry_that_is_no_command_is_refused() -> None:
    group = LazyGroup(name="g", lazy_commands={"dumps": "json:dumps"})
    with click.Context(group) as ctx, pytest.raises(LazyCommandError, match="json:dumps"):
        group.get_command(ctx, "dumps")
