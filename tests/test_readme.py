"""The README is documentation a newcomer runs: its snippets run, its claims match the code.

Every ``python`` block runs on its own fresh local engine (the environment points at it, as
``AWS_ENDPOINT_URL_SFN`` would), after the block that defines the workflow it uses; every
``sfini`` command line names real commands and options; the architecture tree, the dependency
table and the conformance count match the repository.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.conformance import case_files

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: The workflow the snippets share: the first block that defines ``sm``.
DEFINITION_NAMES = ("sm", "add_activity", "activities")


def fenced_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, re.S | re.M)


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.S | re.M)
    assert match is not None, f"README has no section {title!r}"
    return match.group(1)


PYTHON_BLOCKS = fenced_blocks("python")
DEFINITION_BLOCK = next(block for block in PYTHON_BLOCKS if re.search(r"^sm = ", block, re.M))


def needs_definition(block: str) -> bool:
    defines = re.search(r"^sm = ", block, re.M) is not None
    uses = any(re.search(rf"\b{name}\b", block) for name in DEFINITION_NAMES)
    return uses and not defines


@contextlib.contextmanager
def restored_environment() -> Iterator[None]:
    """A snippet may point ``os.environ`` at its own engine: undo that afterwards."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_snippet(block: str) -> tuple[dict[str, object], str]:
    from sfini_runtime.local import LocalEngine

    namespace: dict[str, object] = {"__name__": "readme_snippet"}
    out = io.StringIO()
    with restored_environment(), LocalEngine(time_scale=0) as engine:
        for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_ACCOUNT_ID"):
            os.environ.pop(key, None)
        os.environ.update(engine.env())
        with contextlib.redirect_stdout(out):
            if needs_definition(block):
                exec(compile(DEFINITION_BLOCK, "README definition", "exec"), namespace)
            exec(compile(block, "README snippet", "exec"), namespace)
    return namespace, out.getvalue()


def test_readme_has_python_snippets() -> None:
    assert len(PYTHON_BLOCKS) >= 3


@pytest.mark.engine
@pytest.mark.parametrize(
    "index",
    [
        pytest.param(index, marks=[pytest.mark.cdk] if "aws_cdk" in block else [])
        for index, block in enumerate(PYTHON_BLOCKS)
    ],
)
def test_python_snippet_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = PYTHON_BLOCKS[index]
    monkeypatch.chdir(tmp_path)  # a snippet may write files
    namespace, printed = run_snippet(block)
    if "app.synth()" in block and "assembly" in namespace:
        template = namespace["assembly"].get_stack_by_name("Adding").template  # type: ignore[attr-defined]
        types = {resource["Type"] for resource in template["Resources"].values()}
        assert {"AWS::StepFunctions::Activity", "AWS::StepFunctions::StateMachine"} <= types
    elif "app.synth()" in block:  # the constructs in an existing app, with its own resources
        template = namespace["template"]
        assert printed.strip() == "['ActivityApproval', 'FunctionQuote']"
        policies = json.dumps(
            [r for r in template.values() if isinstance(r, dict)]  # type: ignore[attr-defined]
        )
        assert "lambda:InvokeFunction" in policies
    if "to_json()" in block:
        definition, _ = json.JSONDecoder().raw_decode(printed[printed.index("{\n") :])
        assert definition["StartAt"] == "add"
        assert definition["States"]["add"]["Resource"].endswith(":activity:testaddActivity")
    execution = namespace.get("execution")
    if execution is not None:
        # Every snippet that runs an execution runs the adding workflow on {"a": 3, "b": 42}.
        assert execution.status == "SUCCEEDED"  # type: ignore[attr-defined]
        assert execution.output == 45  # type: ignore[attr-defined]
        assert "45" in printed.splitlines()
    worker = namespace.get("worker")
    if worker is not None:
        assert worker.ended and worker.settled  # type: ignore[attr-defined]
        assert worker.running_tasks == []  # type: ignore[attr-defined]


def sfini_command_lines() -> list[tuple[list[str], list[str]]]:
    """(the command's words, the options its comment mentions) for each ``sfini`` line."""
    lines = []
    for block in fenced_blocks("sh"):
        for line in block.splitlines():
            command, _, comment = line.partition("  #")
            command = command.strip().rstrip("&").strip()
            if command.startswith("sfini "):
                words = shlex.split(command.replace("|", " "))
                lines.append((words, re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", comment)))
    return lines


def subcommand(group: click.Group, name: str) -> click.Command | None:
    """``group``'s command ``name`` (the lazy groups import it when asked), or None."""
    with click.Context(group) as ctx:
        return group.get_command(ctx, name)


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    from sfini_runtime.cli.app import cli

    command: click.Command = cli
    rest = words[1:]
    while isinstance(command, click.Group) and rest:
        found = subcommand(command, rest[0])
        if found is None:
            break
        command, rest = found, rest[1:]
    return command, rest


def test_readme_shows_sfini_commands() -> None:
    assert len(sfini_command_lines()) >= 8


@pytest.mark.parametrize(
    ("words", "mentioned"), sfini_command_lines(), ids=lambda value: " ".join(value[:3])
)
def test_sfini_command_line_is_real(words: list[str], mentioned: list[str]) -> None:
    command, rest = resolve(words)
    assert not isinstance(command, click.Group), f"{words}: no such sub-command"
    options = {opt for param in command.params for opt in param.opts}
    for word in [*rest, *mentioned]:
        if word.startswith("-") and word != "-":
            assert word in options, f"{' '.join(words)}: {word} is not an option of the command"


def test_global_options_are_real() -> None:
    from sfini_runtime.cli.app import cli

    listed = re.search(r"^Global options: (.*)$", README, re.M)
    assert listed is not None
    # `-vv` is `-v` given twice
    shown = re.findall(r"`(-[-\w]+)`", listed.group(1))
    names = [re.sub(r"^-(\w)\1+$", r"-\1", name) for name in shown]
    options = {opt for param in cli.params for opt in param.opts}
    assert names
    assert set(names) <= options


def test_local_serve_usage_matches_its_options() -> None:
    from sfini_runtime.cli.app import cli

    usage = re.search(r"`sfini local serve ([^`]*)`", README)
    assert usage is not None
    local = subcommand(cli, "local")
    assert isinstance(local, click.Group)
    serve = subcommand(local, "serve")
    assert serve is not None
    shown = re.findall(r"\[(--[\w-]+) ([^\]]+)\]", usage.group(1))
    assert len(shown) >= 3
    for option, value in shown:
        param = next(p for p in serve.params if option in p.opts)
        assert same_value(param.default, value), f"{option}: default {param.default!r}"


def same_value(default: object, shown: str) -> bool:
    try:
        return float(default) == float(shown)  # type: ignore[arg-type]
    except ValueError:
        return str(default) == shown


@pytest.mark.parametrize("job", ["demo", "test"])
def test_quick_start_jobs_exist(job: str) -> None:
    quick_start = section("Quick start")
    assert f"./dev {job}" in quick_start
    assert re.search(rf"^\s+{job}\) ", (ROOT / "dev").read_text(), re.M)


def architecture_paths() -> list[str]:
    tree = re.search(r"```\n(sfini_\w+/.*?)```", section("Architecture"), re.S)
    assert tree is not None
    paths: list[str] = []
    stack: list[tuple[int, str]] = []
    for line in tree.group(1).splitlines():
        match = re.match(r"( *)(\S+/|\S+\.py)(?:\s|$)", line)
        if match is None:
            continue
        depth, name = len(match.group(1)), match.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        path = "".join(part for _, part in stack) + name
        paths.append(path)
        if name.endswith("/"):
            stack.append((depth, name))
    return paths


def test_architecture_tree_lists_real_paths() -> None:
    paths = architecture_paths()
    assert len(paths) >= 15
    missing = [path for path in paths if not (ROOT / path).exists()]
    assert missing == []


def test_architecture_tree_lists_every_package_and_subpackage() -> None:
    listed = set(architecture_paths())
    for top in ("sfini_asl", "sfini_cdk", "sfini_runtime"):
        packages = [ROOT / top, *(p.parent for p in (ROOT / top).glob("*/__init__.py"))]
        for package in packages:
            path = f"{package.relative_to(ROOT).as_posix()}/"
            assert path in listed, f"{path} is not in the README's architecture tree"


def declared_dependencies() -> set[str]:
    """Every requirement of pyproject.toml (extras included) and package.json, by name.

    Read with a pattern, not tomllib (which Python 3.10 lacks): the arrays hold one quoted
    requirement per line."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    project = pyproject.split("[project]", 1)[1].split("\n[tool.", 1)[0]
    arrays = re.findall(r"(?ms)^[\w-]+ = \[\n(.*?)^\]", project)
    names = {
        name.lower()
        for array in arrays
        for name in re.findall(r'^\s+"([A-Za-z0-9_.-]+)', array, re.M)
    }
    names.discard(re.search(r'^name = "(.+)"', project, re.M).group(1))  # type: ignore[union-attr]
    package = json.loads((ROOT / "package.json").read_text())
    names |= {f"npm {name}" for name in package.get("devDependencies", {})}
    return names


def table_dependencies() -> set[str]:
    table = section("Dependencies, and why each is there")
    names: set[str] = set()
    for row in re.findall(r"^\| (.+?) \|", table, re.M)[1:]:  # after the header row
        for name in re.findall(r"((?:npm )?[a-z][a-z0-9_.-]+)(?: [\d.]+)?(?:,|$| \()", row):
            names.add(name.lower())
    return names


def test_dependency_table_explains_every_dependency() -> None:
    assert declared_dependencies() - table_dependencies() == set()


def test_dependency_table_lists_nothing_undeclared() -> None:
    assert table_dependencies() - declared_dependencies() == set()


def test_conformance_count_is_the_corpus_size() -> None:
    counts = re.findall(r"([\d,]+) executions compared", README)
    assert counts
    assert {int(count.replace(",", "")) for count in counts} == {len(case_files())}
