"""``sfini local serve`` with Lambda functions, run as a process: ``--lambda NAME=MODULE:FUNCTION``
(imported from the current directory), a cloud assembly's Python functions in worker processes,
``--lambda-endpoint`` for the rest; the start-up listing; no worker left after SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.sfini_runtime.local.integrations.lambdas.test_assembly_functions import write_assembly
from tests.sfini_runtime.local.integrations.lambdas.test_endpoint import FakeLambda, received

SFINI = str(Path(sys.executable).parent / "sfini")
HANDLERS = (
    "def greet(event, context):\n"
    "    return {'hello': event.get('who'), 'function': context.function_name}\n"
)


@pytest.fixture
def fake_lambda() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLambda)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _machine(sfn: Any, name: str, function: str) -> str:
    definition = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function, "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "End": True,
            }
        },
    }
    return str(
        sfn.create_state_machine(
            name=name, roleArn="arn:aws:iam::123456789012:role/r", definition=json.dumps(definition)
        )["stateMachineArn"]
    )


def _run(sfn: Any, machine_arn: str, payload: Any) -> Any:
    from tests.sfini_runtime.local.integrations._helpers import run

    described = run(sfn, machine_arn, payload)
    assert described["status"] == "SUCCEEDED", described
    return json.loads(described["output"])


def test_serve_runs_in_process_assembly_and_endpoint_functions(
    tmp_path: Path, fake_lambda: str
) -> None:
    (tmp_path / "handlers.py").write_text(HANDLERS)
    assembly = write_assembly(tmp_path / "cdk.out")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    process = subprocess.Popen(
        [
            *(SFINI, "local", "serve", "--port", "0", "--time-scale", "0"),
            *("--cdk-out", str(assembly), "--lambda", "greeter=handlers:greet"),
            *("--lambda-endpoint", fake_lambda),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    try:
        first = lines.get(timeout=60)
        assert first.startswith("sfini local engine: http://127.0.0.1:"), first
        listing = []
        while not (listing and listing[-1].startswith("  other Lambda functions")):
            listing.append(lines.get(timeout=10).rstrip("\n"))
        assert "  Lambda greeter: served (in-process)" in listing
        assert "  Lambda greet: served (python3.12 app.handler)" in listing
        assert any(
            line.startswith("  Lambda node: not served: runtime nodejs20.x") for line in listing
        )
        assert listing[-1] == f"  other Lambda functions: invoked at {fake_lambda}"

        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=first.split()[3],
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard"}),
        )
        greeter = _machine(sfn, "greeter", "greeter")
        assert _run(sfn, greeter, {"who": "ada"}) == {"hello": "ada", "function": "greeter"}
        from_asset = _run(sfn, _machine(sfn, "asset", "greet"), {"n": 1})
        assert from_asset["greeting"] == "hello" and from_asset["event"] == {"n": 1}
        received.clear()
        remote = _run(sfn, _machine(sfn, "remote", "somewhere-else"), {"r": 2})
        assert remote == {"remote": {"r": 2}}
        assert [call["name"] for call in received] == [
            "arn:aws:lambda:us-east-1:123456789012:function:somewhere-else"
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(from_asset["pid"], 0)
