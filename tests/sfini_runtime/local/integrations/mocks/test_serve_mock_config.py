"""``sfini local serve --mock-config FILE`` and ``SFN_MOCK_CONFIG``, run as processes."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from .._helpers import machine, run

SFINI = str(Path(sys.executable).parent / "sfini")
REPO_ROOT = Path(__file__).resolve().parents[5]
CONFIG = {
    "StateMachines": {"served": {"TestCases": {"Happy": {"Publish": "Published"}}}},
    "MockedResponses": {"Published": {"0": {"Return": {"MessageId": "from-the-mock"}}}},
}
PUBLISH = {
    "StartAt": "Publish",
    "States": {
        "Publish": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {"Message": "hi"},
            "End": True,
        }
    },
}


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SFN_MOCK_CONFIG"}
    return {**env, **extra}


@pytest.fixture
def serving() -> Iterator[Any]:
    """Starts ``sfini local serve ARGS`` (env given); yields a function returning a boto3
    client for it. Every process is stopped with SIGTERM (and must exit 0)."""
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str, env: dict[str, str]) -> Any:
        process = subprocess.Popen(
            [SFINI, "local", "serve", "--port", "0", "--time-scale", "0", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        processes.append(process)
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        match = re.search(r"http://127\.0\.0\.1:\d+", lines.get(timeout=60))
        assert match, "serve printed no endpoint"
        return boto3.client(
            "stepfunctions",
            endpoint_url=match.group(0),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard"}),
        )

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


@pytest.mark.parametrize("how", ["--mock-config", "SFN_MOCK_CONFIG"])
def test_serve_answers_a_test_case_from_the_mock_file(
    tmp_path: Path, serving: Any, how: str
) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(CONFIG))
    if how == "--mock-config":
        sfn = serving("--mock-config", str(path), env=_environment())
    else:
        sfn = serving(env=_environment(SFN_MOCK_CONFIG=str(path)))
    arn = machine(sfn, PUBLISH, name="served")
    described = run(sfn, f"{arn}#Happy")
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"MessageId": "from-the-mock"}


def test_a_bad_mock_file_stops_serve_with_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "mocks.json"
    path.write_text('{\n  "MockedResponses": {\n    "R": {"0": {"Return": 1, "Throw": {}}}\n  }\n}')
    done = subprocess.run(
        [SFINI, "local", "serve", "--port", "0", "--mock-config", str(path)],
        cwd=REPO_ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f'Error: {path} line 3: MockedResponses.R."0": needs exactly one of Return or Throw '
        "(found Return, Throw)"
    ]
    missing = subprocess.run(
        [SFINI, "local", "serve", "--port", "0"],
        cwd=REPO_ROOT,
        env=_environment(SFN_MOCK_CONFIG=str(tmp_path / "absent.json")),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        f"Error: {tmp_path / 'absent.json'}: cannot read the mock configuration: "
        "No such file or directory"
    ]
