"""Slow, silent and idle clients: time-outs close them cleanly, a cap bounds them, long polls
(server-side waiting, not reading) and slow-but-steady clients are never cut off."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sfini_runtime.local import ConnectionLimits, LocalEngine

DEADLINE = 30.0  # generous: a loaded machine is slow, a broken server never answers

LIST_ACTIVITIES = (
    b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}"
)


def request_bytes(target: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.{target}\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


def read_response(sock: socket.socket) -> tuple[int, dict[str, Any]] | None:
    """One response from ``sock`` (status, JSON body), or None if the server closed first."""
    sock.settimeout(DEADLINE)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            assert data == b"", f"connection closed mid-response: {data!r}"
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed mid-body"
        body += chunk
    return int(head.split(b" ")[1]), json.loads(body)


def closed_by_server(sock: socket.socket) -> bool:
    """Wait (up to DEADLINE) for the server to end the connection without answering."""
    sock.settimeout(DEADLINE)
    try:
        return sock.recv(65536) == b""
    except ConnectionResetError:
        return True


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


@pytest.fixture(scope="module")
def quick() -> Iterator[LocalEngine]:
    """Short time-outs: idle connections close after 0.5 s, a silent request after 1 s."""
    limits = ConnectionLimits(idle_seconds=0.5, read_seconds=1.0)
    with LocalEngine(time_scale=0, activity_poll_seconds=3.0, connection_limits=limits) as local:
        yield local


def connect(local: LocalEngine) -> socket.socket:
    return socket.create_connection(("127.0.0.1", local.port), timeout=DEADLINE)


@pytest.mark.parametrize(
    "partial",
    [
        b"",  # connects, sends nothing
        b"POST / HTTP/1.1\r\nHost: x\r\n",  # headers never end
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n"
        b'Content-Length: 100\r\n\r\n{"maxRes',  # body stops after 8 of 100 bytes
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.ListActivities\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n10\r\n{}",  # a chunk stops short
    ],
    ids=["nothing", "headers", "body", "chunk"],
)
def test_a_silent_client_is_disconnected_and_the_server_keeps_serving(
    quick: LocalEngine, partial: bytes
) -> None:
    with connect(quick) as sock:
        sock.sendall(partial)
        assert closed_by_server(sock)
    wait_until(lambda: len(quick._server.connections) == 0, "the connection is forgotten")  # type: ignore[union-attr]
    assert quick.client().list_activities()["activities"] == []


def test_a_slow_client_that_keeps_sending_is_served(quick: LocalEngine) -> None:
    # Eight pieces 0.2 s apart: 1.6 s in all, longer than the 1 s read time-out, which bounds
    # the silence between two reads, not the whole request.
    body = json.dumps({"name": "slow-but-steady"}).encode()
    pieces = [body[i : i + 4] for i in range(0, len(body), 4)][:7]
    pieces.append(body[len(b"".join(pieces)) :])
    head = (
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSStepFunctions.CreateActivity\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with connect(quick) as sock:
        sock.sendall(head)
        for piece in pieces:
            time.sleep(0.2)
            sock.sendall(piece)
        answer = read_response(sock)
    assert answer is not None
    status, document = answer
    assert status == 200
    assert document["activityArn"].endswith(":activity:slow-but-steady")


def test_a_long_poll_outlasts_the_read_and_idle_time_outs(quick: LocalEngine) -> None:
    sfn = quick.client()
    arn = sfn.create_activity(name="patient")["activityArn"]
    with connect(quick) as sock:
        sock.sendall(request_bytes("GetActivityTask", {"activityArn": arn}))
        answer = read_response(sock)  # 3 s of waiting on the server: no read in between
    assert answer == (200, {})


def test_an_idle_keep_alive_connection_is_closed_after_idle_seconds(quick: LocalEngine) -> None:
    with connect(quick) as sock:
        sock.sendall(LIST_ACTIVITIES)
        answer = read_response(sock)
        assert answer is not None and answer[0] == 200
        assert closed_by_server(sock)
    # a pooled boto3 connection the server closed is simply reopened
    sfn = quick.client()
    sfn.list_activities()
    wait_until(lambda: quick._server.connections.counts() == (0, 0), "idle pool closed")  # type: ignore[union-attr]
    assert sfn.list_activities()["activities"] is not None


def test_idle_connections_beyond_the_cap_make_room_longest_idle_first() -> None:
    limits = ConnectionLimits(max_connections=8)
    with LocalEngine(time_scale=0, connection_limits=limits) as local:
        registry = local._server.connections  # type: ignore[union-attr]
        sockets = [connect(local) for _ in range(20)]  # one accept loop: taken in order
        # Each admission beyond 8 hangs up the longest-idle one: the 12 oldest end, in turn
        # (each wait is generous, so a loaded machine only makes it slower).
        hung_up = [closed_by_server(sock) for sock in sockets[:12]]
        assert all(hung_up)
        wait_until(lambda: registry.counts() == (8, 0), "the 8 newest are idle")
        assert local.client().list_activities()["activities"] == []  # takes one more slot
        assert closed_by_server(sockets[12])
        # Open slots never exceed the cap (hung-up ones are not counted: they close as their
        # threads notice), and every hung-up connection does close.
        assert sum(registry.counts()) <= 8
        wait_until(lambda: len(registry) <= 8, "hung-up connections are closed")
        for sock in sockets[13:]:  # the 7 newest were kept, and are served
            sock.sendall(LIST_ACTIVITIES)
            assert read_response(sock) == (200, {"activities": []})
        assert sum(registry.counts()) <= 8
        for sock in sockets:
            sock.close()


def test_at_the_cap_with_every_connection_busy_a_new_one_is_refused() -> None:
    limits = ConnectionLimits(max_connections=2)
    with LocalEngine(time_scale=0, activity_poll_seconds=60, connection_limits=limits) as local:
        registry = local._server.connections  # type: ignore[union-attr]
        local.service.call("CreateActivity", {"name": "busy"})
        arn = local.service.arns.activity("busy")
        pollers = [connect(local) for _ in range(2)]
        for sock in pollers:
            sock.sendall(request_bytes("GetActivityTask", {"activityArn": arn}))
        wait_until(lambda: registry.counts() == (0, 2), "both polls are active")
        with connect(local) as refused:
            refused.sendall(LIST_ACTIVITIES)
            assert closed_by_server(refused)
        local.stop()  # the waiting polls are answered with no task
        assert [read_response(sock) for sock in pollers] == [(200, {}), (200, {})]
        for sock in pollers:
            sock.close()


def test_stop_answers_waiting_polls_and_closes_idle_connections() -> None:
    with LocalEngine(time_scale=0, activity_poll_seconds=60) as local:
        sfn = local.client()
        arn = sfn.create_activity(name="stopping")["activityArn"]
        answers: list[dict[str, Any]] = []
        poller = threading.Thread(
            target=lambda: answers.append(sfn.get_activity_task(activityArn=arn))
        )
        poller.start()
        wait_until(lambda: bool(local.engine.activities.waiters.get(arn)), "the poll waits")
        idle = connect(local)
        idle.sendall(LIST_ACTIVITIES)
        assert read_response(idle) is not None
        local.stop()
        poller.join(DEADLINE)
        assert not poller.is_alive()
    assert "taskToken" not in answers[0]
    assert answers[0]["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert closed_by_server(idle)
    idle.close()


@pytest.mark.parametrize(
    "limits",
    [{"idle_seconds": 0}, {"read_seconds": -1}, {"max_connections": 0}],
)
def test_limits_are_checked(limits: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ConnectionLimits(**limits)
