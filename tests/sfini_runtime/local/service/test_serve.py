"""``serve``: a foreground engine that shuts down cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from sfini_runtime.local import LocalEngine
from tests.sfini_runtime.local.service.test_cdk_out import (
    TEMPLATE,
    stack_template,
    write_assembly,
    write_stacks,
)
from tests.sfini_runtime.local.service.test_connections import (
    DEADLINE,
    closed_by_server,
    read_response,
    request_bytes,
)

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


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_sfini_local_serve_answers_waiting_polls_when_signalled(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    """``sfini local serve`` exits 0 on SIGTERM and SIGINT; a GetActivityTask poll waiting at
    that moment is answered with no task (or, if its request line had not been read yet, its
    connection is closed), an idle keep-alive connection is closed, nothing is printed."""
    sfini = Path(sys.executable).parent / "sfini"
    errors_path = tmp_path / "stderr.txt"
    with errors_path.open("w") as errors:
        process = subprocess.Popen(
            [str(sfini), "local", "serve", "--port", "0", "--time-scale", "0"],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)", _first_line(process, 60))
        assert match, errors_path.read_text()
        port = int(match.group(1))
        idle = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        idle.sendall(request_bytes("CreateActivity", {"name": "waiting"}))
        created = read_response(idle)
        assert created is not None and created[0] == 200
        poller = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        poller.sendall(request_bytes("ListActivities", {}))
        assert read_response(poller) is not None  # a handler thread now reads this connection
        poller.sendall(request_bytes("GetActivityTask", {"activityArn": created[1]["activityArn"]}))
        time.sleep(0.5)  # let the poll start waiting (both outcomes below are clean)
        process.send_signal(stop_signal)
        assert read_response(poller) in ((200, {}), None)
        assert closed_by_server(idle)
        assert process.wait(timeout=DEADLINE) == 0, errors_path.read_text()
        assert "Traceback" not in errors_path.read_text()
        idle.close()
        poller.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_port_in_use_is_one_clear_error_and_leaves_no_engine_running() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        engine = LocalEngine(port=port)
        with pytest.raises(OSError, match=rf"cannot listen on 127\.0\.0\.1:{port}: "):
            engine.start()
        assert not engine.engine.scheduler.running
        sfini = Path(sys.executable).parent / "sfini"
        result = subprocess.run(
            [str(sfini), "local", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_sfini_local_serve_loads_only_the_stacks_named(tmp_path: Path) -> None:
    """``--stack`` picks stacks of an assembly whose other stacks would clash."""
    assembly = write_stacks(
        tmp_path / "cdk.out",
        {
            "Dev": stack_template("sfini", "dev"),
            "Prod": stack_template("sfini", "prod"),
            "Test": stack_template("sfini", "test"),
        },
    )
    sfini = Path(sys.executable).parent / "sfini"
    command = [str(sfini), "local", "serve", "--port", "0", "--cdk-out", str(assembly)]
    errors_path = tmp_path / "stderr.txt"
    with errors_path.open("w") as errors:
        process = subprocess.Popen(
            [*command, "--stack", "ProdId"],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        match = re.search(r"http://127\.0\.0\.1:\d+", _first_line(process, 60))
        assert match, errors_path.read_text()
        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=match.group(0),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        (machine,) = sfn.list_state_machines()["stateMachines"]
        described = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])
        assert machine["name"] == "sfiniSM"
        assert json.loads(described["definition"])["States"]["Done"]["Result"] == "prod"
        assert [a["name"] for a in sfn.list_activities()["activities"]] == ["sfini"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, errors_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_sfini_local_serve_long_poll_seconds_shortens_an_empty_poll(tmp_path: Path) -> None:
    """``--long-poll-seconds 0.5``: a GetActivityTask with no task is answered empty well
    before the client's 20 s read timeout (the default, 60 s as on AWS, would exceed it)."""
    sfini = Path(sys.executable).parent / "sfini"
    command = [str(sfini), "local", "serve", "--port", "0", "--long-poll-seconds", "0.5"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)", _first_line(process, 60))
        assert match
        client = boto3.client(
            "stepfunctions",
            endpoint_url=f"http://127.0.0.1:{match.group(1)}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=Config(read_timeout=20, retries={"max_attempts": 1}),
        )
        arn = client.create_activity(name="quiet")["activityArn"]
        answer = client.get_activity_task(activityArn=arn)
        assert answer.get("taskToken") in (None, "")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
