"""``serve``: a foreground engine that shuts down cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.sfini_runtime.local.service.test_cdk_out import TEMPLATE, write_assembly

REPO_ROOT = Path(__file__).resolve().parents[4]


def _first_line(process: subprocess.Popen[str], seconds: float) -> str:
    """The first line the process prints, waiting at most ``seconds`` (a slow start on a
    loaded machine is fine; a hung or crashed one fails the test instead of hanging it)."""
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=seconds)
    except queue.Empty:
        raise AssertionError(f"serve printed nothing in {seconds} s") from None


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_until_signalled(tmp_path: Path, stop_signal: signal.Signals) -> None:
    assembly = write_assembly(tmp_path / "cdk.out", TEMPLATE)
    script = (
        "from sfini_runtime.local import serve; "
        f"serve(port=0, time_scale=0, cdk_out={str(assembly)!r})"
    )
    errors_path = tmp_path / "stderr.txt"
    with errors_path.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,  # a file, so a chatty process can never block on a full pipe
            text=True,
        )
    try:
        line = _first_line(process, 60)
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, (line, errors_path.read_text())
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=match.group(0),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard"}, inject_host_prefix=False),
        )
        machines = {m["name"]: m for m in sfn.list_state_machines()["stateMachines"]}
        assert sorted(machines) == ["App-Express", "flow"]
        answer = sfn.start_sync_execution(
            stateMachineArn=machines["App-Express"]["stateMachineArn"],
            input=json.dumps({"ok": True}),
        )
        assert json.loads(answer["output"]) == {"ok": True}
        process.send_signal(stop_signal)
        assert process.wait(timeout=60) == 0, errors_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
