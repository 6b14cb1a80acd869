"""Functions the engine does not serve go to a Lambda endpoint (``AWS_ENDPOINT_URL_LAMBDA``,
``lambda_endpoint=``) through the Lambda Invoke API; here a small Lambda endpoint written for the
test answers, and moto's server answers what moto can without Docker (a missing function)."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sfini_runtime.local import LocalEngine

from .._helpers import run, task_machine, types

pytestmark = pytest.mark.engine

INVOKE = "arn:aws:states:::lambda:invoke"
received: list[dict[str, Any]] = []


class FakeLambda(BaseHTTPRequestHandler):
    """POST /2015-03-31/functions/NAME/invocations as Lambda answers it."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        parts = self.path.split("/")
        name = urllib.parse.unquote(parts[3])
        received.append(
            {
                "name": name,
                "path": self.path,
                "payload": json.loads(body or b"null"),
                "type": self.headers.get("X-Amz-Invocation-Type"),
            }
        )
        if "missing" in name:
            self._send(
                404,
                {"Type": "User", "Message": f"Function not found: {name}"},
                {"x-amzn-ErrorType": "ResourceNotFoundException"},
            )
        elif "throttled" in name:
            self._send(
                429,
                {"Type": "User", "message": "Rate Exceeded."},
                {"x-amzn-ErrorType": "TooManyRequestsException"},
            )
        elif "broken" in name:
            document = {"errorMessage": "no", "errorType": "KeyError", "stackTrace": []}
            self._send(200, document, {"X-Amz-Function-Error": "Unhandled"})
        else:
            self._send(
                200, {"remote": json.loads(body or b"null")}, {"X-Amz-Executed-Version": "4"}
            )

    def _send(self, status: int, document: Any, headers: dict[str, str]) -> None:
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def fake_lambda() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLambda)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def local(fake_lambda: str) -> Iterator[LocalEngine]:
    local_handler = {"here": lambda event, context: "served in-process"}
    with LocalEngine(time_scale=0, lambda_endpoint=fake_lambda, lambdas=local_handler) as engine:
        yield engine


@pytest.fixture(scope="module")
def sfn(local: LocalEngine) -> Any:
    return local.client()


def _invoke(name: str, **parameters: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": name, **parameters}}


def test_functions_not_served_here_go_to_the_endpoint(sfn: Any) -> None:
    described = run(sfn, task_machine(sfn, _invoke("remote-fn", Payload={"x": 1}, Qualifier="4")))
    output = json.loads(described["output"])
    assert output["Payload"] == {"remote": {"x": 1}}
    assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "4")
    call = next(r for r in received if r["payload"] == {"x": 1})
    assert call["name"].endswith("function:remote-fn")
    assert "Qualifier=4" in call["path"]


def test_served_functions_do_not_reach_the_endpoint(sfn: Any) -> None:
    before = len(received)
    described = run(sfn, task_machine(sfn, {**_invoke("here"), "OutputPath": "$.Payload"}))
    assert json.loads(described["output"]) == "served in-process"
    assert len(received) == before


def test_legacy_resource_through_the_endpoint(sfn: Any) -> None:
    state = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:remote"}
    described = run(sfn, task_machine(sfn, state), {"y": 2})
    assert json.loads(described["output"]) == {"remote": {"y": 2}}
    assert "LambdaFunctionSucceeded" in types(sfn, described["executionArn"])


@pytest.mark.parametrize(
    ("name", "error", "cause"),
    [
        ("missing", "Lambda.ResourceNotFoundException", "Status Code: 404"),
        ("throttled", "Lambda.TooManyRequestsException", "Rate Exceeded."),
        ("broken", "KeyError", '"errorType": "KeyError"'),
    ],
)
def test_endpoint_errors_have_aws_names(sfn: Any, name: str, error: str, cause: str) -> None:
    described = run(sfn, task_machine(sfn, _invoke(name)))
    assert (described["status"], described["error"]) == ("FAILED", error)
    assert cause in described["cause"]


def test_an_unreachable_endpoint_is_an_sdk_client_error_that_retry_sees() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with LocalEngine(time_scale=0, lambda_endpoint=f"http://127.0.0.1:{closed_port}") as engine:
        sfn = engine.client()
        task = {
            **_invoke("anything"),
            "Retry": [{"ErrorEquals": ["Lambda.SdkClientException"], "MaxAttempts": 2}],
        }
        described = run(sfn, task_machine(sfn, task))
        assert described["error"] == "Lambda.SdkClientException"
        assert "Unable to execute HTTP request" in described["cause"]
        assert types(sfn, described["executionArn"]).count("TaskFailed") == 3


def test_aws_endpoint_url_lambda_is_read(monkeypatch: pytest.MonkeyPatch, fake_lambda: str) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", fake_lambda)
    with LocalEngine(time_scale=0) as engine:
        sfn = engine.client()
        described = run(sfn, task_machine(sfn, _invoke("via-env", Payload=[1])))
        assert json.loads(described["output"])["Payload"] == {"remote": [1]}


def test_moto_server_answers_a_missing_function(moto_lambda: str) -> None:
    with LocalEngine(time_scale=0, lambda_endpoint=moto_lambda) as engine:
        sfn = engine.client()
        described = run(sfn, task_machine(sfn, _invoke("not-deployed")))
        assert described["error"] == "Lambda.ResourceNotFoundException"
        assert "not-deployed" in described["cause"]


@pytest.fixture(scope="module")
def moto_lambda() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
