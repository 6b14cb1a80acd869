"""``sfini ui``: serves the web view of an endpoint until interrupted; errors as one line."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sfini_runtime.cli.app import cli
from sfini_runtime.local import LocalEngine
from sfini_runtime.ui import UIHandle
from tests.sfini_runtime.ui.conftest import create_machine, get_json

REPO_ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.engine


def test_sfini_ui_serves_the_endpoint_until_interrupted(engine: LocalEngine) -> None:
    create_machine(
        engine.client(), "cli-ui", {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "sfini_runtime.cli", "ui", "--endpoint", engine.endpoint_url]
    process = subprocess.Popen(
        [*command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.fullmatch(
            rf"Web view of {re.escape(engine.endpoint_url)} on (http://127\.0\.0\.1:\d+/) "
            r"\(read-only; Ctrl-C to stop\)\n",
            first,
        )
        assert found, first
        status, body = get_json(found.group(1) + "api/state-machines")
        assert status == 200
        assert "cli-ui" in [machine["name"] for machine in body["stateMachines"]]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out == "Stopped.\n"


def test_a_port_in_use_is_a_one_line_error(engine: LocalEngine, view: UIHandle) -> None:
    args = ["ui", "--endpoint", engine.endpoint_url, "--port", str(view.port)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert re.fullmatch(
        rf"Error: cannot listen on 127\.0\.0\.1:{view.port}: [^\n]+\n", result.output
    ), result.output


def test_help_says_read_only_and_loopback() -> None:
    result = CliRunner().invoke(cli, ["ui", "--help"])
    assert result.exit_code == 0
    assert "read-only web view" in result.output
    assert "[default: 127.0.0.1]" in result.output
