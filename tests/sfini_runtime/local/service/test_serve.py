"""``serve``: a foreground engine that shuts down cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from tests.sfini_runtime.local.service.test_cdk_out import TEMPLATE, write_assembly

REPO_ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_until_signalled(tmp_path: Path, stop_signal: signal.Signals) -> None:
    assembly = write_assembly(tmp_path / "cdk.out", TEMPLATE)
    script = (
        "from sfini_runtime.local import serve; "
        f"serve(port=0, time_scale=0, cdk_out={str(assembly)!r})"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, line
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=match.group(0),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}, inject_host_prefix=False),
        )
        names = [m["name"] for m in sfn.list_state_machines()["stateMachines"]]
        assert names == ["flow", "App-Express"]
        answer = sfn.start_sync_execution(
            stateMachineArn=sfn.list_state_machines()["stateMachines"][1]["stateMachineArn"],
            input=json.dumps({"ok": True}),
        )
        assert json.loads(answer["output"]) == {"ok": True}
        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
