"""The wire: JSON 1.0 targets and bodies, keep-alive, errors for what boto3 would never send."""

from __future__ import annotations

import http.client
import json
import random
import socket
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sfini_runtime.local.service.operations import OPERATIONS
from tests.sfini_runtime.local.service.helpers import PASS_DEFINITION, ROLE_ARN

JSON_1_0 = "application/x-amz-json-1.0"


def post(
    local: Any, body: bytes, target: str | None, *, connection: Any = None
) -> tuple[int, dict[str, Any], Any]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    headers = {"Content-Type": JSON_1_0}
    if target is not None:
        headers["X-Amz-Target"] = target
    conn.request("POST", "/", body=body, headers=headers)
    response = conn.getresponse()
    document = json.loads(response.read())
    return response.status, document, response


@pytest.mark.parametrize(
    ("body", "target", "code"),
    [
        (b"{not json", "AWSStepFunctions.ListActivities", "SerializationException"),
        (b"[1, 2]", "AWSStepFunctions.ListActivities", "SerializationException"),
        (b"\xff\xfe", "AWSStepFunctions.ListActivities", "SerializationException"),
        (b"{}", None, "UnknownOperationException"),
        (b"{}", "AWSStepFunctions.", "UnknownOperationException"),
        (b"{}", "AWSStepFunctions.NoSuchThing", "UnknownOperationException"),
        (b"{}", "DynamoDB_20120810.ListTables", "UnknownOperationException"),
        (b'{"name": {"nested": 1}}', "AWSStepFunctions.CreateActivity", "ValidationException"),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "AWSStepFunctions.ListActivities",
            "SerializationException",
        ),
        (
            b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
            "AWSStepFunctions.ListActivities",
            "SerializationException",
        ),
        (
            '{"name": "x"}'.encode("utf-16"),
            "AWSStepFunctions.CreateActivity",
            "SerializationException",
        ),
        (b'{"name": "caf\xe9"}', "AWSStepFunctions.CreateActivity", "SerializationException"),
        (
            b'{"maxResults": ' + b"9" * 5000 + b"}",
            "AWSStepFunctions.ListActivities",
            "SerializationException",
        ),
    ],
)
def test_protocol_errors(local: Any, body: bytes, target: str | None, code: str) -> None:
    status, document, response = post(local, body, target)
    assert status == 400
    assert document["__type"] == code
    assert isinstance(document["message"], str)
    assert response.getheader("Content-Type") == JSON_1_0


def test_empty_body_is_an_empty_request(local: Any) -> None:
    status, document, _ = post(local, b"", "AWSStepFunctions.ListStateMachines")
    assert status == 200
    assert isinstance(document["stateMachines"], list)


def test_timestamps_are_epoch_seconds(local: Any) -> None:
    body = json.dumps({"name": "epoch-activity"}).encode()
    status, document, _ = post(local, body, "AWSStepFunctions.CreateActivity")
    assert status == 200
    assert isinstance(document["creationDate"], (int, float))
    assert document["creationDate"] > 1.6e9


def test_keep_alive_serves_many_requests_on_one_connection(local: Any) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    conn.connect()
    first_socket = conn.sock
    for _ in range(20):
        status, _, response = post(local, b"{}", "AWSStepFunctions.ListActivities", connection=conn)
        assert status == 200
        assert response.getheader("Connection") != "close"
    assert conn.sock is first_socket
    conn.close()


def test_each_response_arrives_in_one_segment(local: Any) -> None:
    # Headers and body in one write: the whole response is readable from the first recv.
    with socket.create_connection(("127.0.0.1", local.port), timeout=10) as sock:
        request = (
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n"
            b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}"
        )
        sock.sendall(request)
        data = sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    assert len(body) == length


def test_a_bad_content_length_is_answered_and_the_server_keeps_serving(local: Any) -> None:
    with socket.create_connection(("127.0.0.1", local.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n"
            b"Content-Length: nope\r\n\r\n"
        )
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 400")
    assert b"SerializationException" in data
    status, _, _ = post(local, b"{}", "AWSStepFunctions.ListActivities")
    assert status == 200


def _fuzz_value(rng: random.Random, depth: int = 0) -> Any:
    choices: list[Any] = [
        None,
        True,
        -1,
        0,
        10**12,
        1.5,
        "",
        "x" * rng.choice([1, 81, 300]),
        "arn:aws:states:us-east-1:123456789012:stateMachine:fuzz",
        "arn:aws:states:us-east-1:123456789012:execution:fuzz:run",
        "arn:aws:states:us-east-1:123456789012:activity:fuzz",
        "arn:aws:states:us-east-1:123456789012:express:fuzz:run:1",
        "arn:aws:states:::",
        "not an arn",
        "{}",
        "\u0000\ud800",
        PASS_DEFINITION,
        ROLE_ARN,
    ]
    if depth < 2:
        choices += [[_fuzz_value(rng, depth + 1)], {"key": _fuzz_value(rng, depth + 1)}]
    return rng.choice(choices)


def test_fuzzed_requests_never_get_a_500(local: Any) -> None:
    rng = random.Random(20240821)
    members = [
        "name", "definition", "roleArn", "type", "stateMachineArn", "activityArn",
        "executionArn", "input", "output", "taskToken", "error", "cause", "maxResults",
        "nextToken", "statusFilter", "reverseOrder", "includeExecutionData", "tags",
        "tagKeys", "resourceArn", "loggingConfiguration", "tracingConfiguration", "workerName",
    ]  # fmt: skip
    operations = sorted(set(OPERATIONS) - {"GetActivityTask", "StartSyncExecution"})
    conn = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    for _ in range(600):
        operation = rng.choice(operations)
        request = {m: _fuzz_value(rng) for m in rng.sample(members, rng.randint(0, 6))}
        body = json.dumps(request).encode()
        status, document, response = post(
            local, body, f"AWSStepFunctions.{operation}", connection=conn
        )
        assert status in (200, 400), (operation, request, document)
        if status == 400:
            assert document["__type"] != "InternalFailure"
        if response.getheader("Connection") == "close":
            conn = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)


def _exchange(local: Any, request: bytes) -> tuple[bytes, dict[str, Any], bool]:
    """Send raw bytes; (status line, JSON body, whether the server then closed)."""
    with socket.create_connection(("127.0.0.1", local.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lengths = [
                line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
            ]
            if lengths and len(body) >= int(lengths[0].split(b":")[1]):
                closed = sock.recv(1) == b""
                break
    return head.split(b"\r\n")[0], json.loads(body), closed


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (b"\x00\x01garbage\r\n\r\n", b"HTTP/1.1 400 Bad Request"),
        (b"POST / HTTP/9.9\r\n\r\n", b"HTTP/1.1 400 Bad Request"),
        (b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", b"HTTP/1.1 400 Bad Request"),
        (
            b"POST / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
            b"HTTP/1.1 431 Request Header Fields Too Large",
        ),
        (
            b"POST / HTTP/1.1\r\n" + b"X: a\r\n" * 200 + b"\r\n",
            b"HTTP/1.1 431 Request Header Fields Too Large",
        ),
        (
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            b"X-Amz-Target: AWSStepFunctions.ListActivities\r\n\r\nzz\r\n",
            b"HTTP/1.1 400 Bad Request",
        ),
    ],
)
def test_malformed_http_gets_a_json_error_and_a_closed_connection(
    local: Any, request_: bytes, status: bytes
) -> None:
    line, document, closed = _exchange(local, request_)
    assert line == status
    assert document["__type"] in ("SerializationException", "ValidationException")
    assert document["message"]
    assert closed
    assert post(local, b"{}", "AWSStepFunctions.ListActivities")[0] == 200


def _post_with_content_type(local: Any, content_type: str | None) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", local.port, timeout=10)
    headers = {"X-Amz-Target": "AWSStepFunctions.ListActivities"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    conn.request("POST", "/", body=b"{}", headers=headers)
    response = conn.getresponse()
    document = json.loads(response.read())
    assert response.getheader("Content-Type") == JSON_1_0
    conn.close()
    return response.status, document


@pytest.mark.parametrize(
    "content_type",
    [
        JSON_1_0,
        "application/x-amz-json-1.0; charset=utf-8",  # parameters are ignored
        "Application/X-Amz-Json-1.0",
        "application/x-amz-json-1.1",  # the same protocol family
        None,  # HTTP does not require the header; the target says it all
    ],
)
def test_aws_json_content_types_are_served(local: Any, content_type: str | None) -> None:
    status, document = _post_with_content_type(local, content_type)
    assert status == 200
    assert isinstance(document["activities"], list)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/octet-stream",
        "application/x-www-form-urlencoded",  # what ``curl -d`` sends
        "text/plain",
        "application/xml",
        "application/json",
    ],
)
def test_other_content_types_are_an_unknown_operation(local: Any, content_type: str) -> None:
    # AWS's JSON services answer UnknownOperationException (disneystreaming/smithy4s#167:
    # Kinesis, application/octet-stream); we answer it in JSON, naming the type AWS takes.
    status, document = _post_with_content_type(local, content_type)
    assert status == 400
    assert document["__type"] == "UnknownOperationException"
    assert content_type in document["message"]
    assert JSON_1_0 in document["message"]


TOO_LARGE = b"HTTP content length exceeded 1049600 bytes."


@pytest.mark.parametrize(
    "head",
    [
        b"Content-Length: 999999999999\r\n\r\n",
        b"Content-Length: 1049601\r\n\r\n" + b" " * 70_000,  # the client keeps sending
        b"Transfer-Encoding: chunked\r\n\r\n100401\r\n",  # 1,049,601 bytes
    ],
)
def test_a_body_over_aws_request_limit_is_answered_413_as_aws_does(local: Any, head: bytes) -> None:
    # AWS: HTTP 413, plain text "HTTP content length exceeded 1049600 bytes." (a SendTaskSuccess
    # over 1 MiB, aws/aws-sdk-js-v3 issue 4184); the "1 MB per request" quota.
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n" + head
    )
    with socket.create_connection(("127.0.0.1", local.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    assert head_part.startswith(b"HTTP/1.1 413 Request Entity Too Large")
    assert b"Connection: close" in head_part
    assert body == TOO_LARGE
    assert post(local, b"{}", "AWSStepFunctions.ListActivities")[0] == 200


def test_boto3_sees_a_413_for_a_request_over_1_mib(raw_sfn: Any) -> None:
    with pytest.raises(ClientError) as caught:
        raw_sfn.send_task_success(taskToken="t" * 10, output='"' + "x" * 1_100_000 + '"')
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert response["Error"]["Code"] == "413"
