"""The web view's server without a browser: its JSON, its pages, its 404s, read-only."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from benchmarks.ui import chain
from sfini_runtime.local import LocalEngine
from sfini_runtime.session import AWSSession
from sfini_runtime.ui import UIHandle, start_ui
from tests.sfini_runtime.ui.conftest import create_machine, get, get_json, run, wait_until_done
from tests.sfini_runtime.ui.definitions import NESTED

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def finished(sfn: Any) -> dict[str, str]:
    """ARNs: the nested machine, one execution that succeeded and one that was caught."""
    machine = create_machine(sfn, "nested", NESTED)
    done = run(sfn, machine, {"big": True, "items": [1, 2]}, name="fan-out")
    plain = run(sfn, machine, {}, name="plain")
    assert wait_until_done(sfn, done) == "SUCCEEDED"
    assert wait_until_done(sfn, plain) == "SUCCEEDED"
    return {"machine": machine, "fan-out": done, "plain": plain}


def api(view: UIHandle, name: str, **query: str) -> tuple[int, Any]:
    return get_json(f"{view.url}api/{name}?{urllib.parse.urlencode(query)}")


def test_state_machines_are_listed(view: UIHandle, finished: dict[str, str]) -> None:
    status, body = api(view, "state-machines")
    assert status == 200
    assert {"arn": finished["machine"], "name": "nested"}.items() <= next(
        m for m in body["stateMachines"] if m["name"] == "nested"
    ).items()


def test_executions_are_listed_newest_first_with_status_and_duration(
    view: UIHandle, finished: dict[str, str]
) -> None:
    status, body = api(view, "executions", stateMachineArn=finished["machine"])
    assert status == 200
    names = [item["name"] for item in body["executions"]]
    assert names[:2] == ["plain", "fan-out"]
    first = body["executions"][0]
    assert first["status"] == "SUCCEEDED"
    assert first["stateMachineName"] == "nested"
    assert first["durationSeconds"] >= 0
    assert first["startDate"] <= first["stopDate"]


def test_executions_filtered_by_status(view: UIHandle, sfn: Any, finished: dict[str, str]) -> None:
    failing = create_machine(sfn, "failing", {"StartAt": "F", "States": {"F": {"Type": "Fail"}}})
    arn = run(sfn, failing)
    assert wait_until_done(sfn, arn) == "FAILED"
    _, failed = api(view, "executions", status="FAILED")
    assert arn in [item["arn"] for item in failed["executions"]]
    assert {item["status"] for item in failed["executions"]} == {"FAILED"}
    _, everything = api(view, "executions")
    assert {arn, finished["plain"]} <= {item["arn"] for item in everything["executions"]}
    status, refused = api(view, "executions", status="DONE")
    assert status == 400
    assert refused["error"] == "InvalidParameter"
    assert "unknown status 'DONE'" in refused["message"]


def test_one_execution_has_its_layout_events_and_states(
    view: UIHandle, finished: dict[str, str]
) -> None:
    status, body = api(view, "execution", arn=finished["fan-out"])
    assert status == 200
    assert body["execution"]["status"] == "SUCCEEDED"
    assert body["execution"]["stateMachineName"] == "nested"
    assert body["layoutError"] is None
    drawn = {node["name"] for node in body["layout"]["nodes"] if node["kind"] == "state"}
    assert {"Fan out", "Left", "Item"} <= drawn
    assert body["states"]["Item"]["status"] == "succeeded"
    assert body["states"]["Item"]["entered"] == 2
    assert body["states"]["Left"]["output"] is not None
    assert "Broken" not in body["states"]  # not reached
    types = [event["type"] for event in body["events"]]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    entered = next(e for e in body["events"] if e["type"] == "PassStateEntered")
    assert entered["state"] == "Prepare"
    assert json.loads(entered["details"]["input"]) == {"big": True, "items": [1, 2]}


def test_a_running_execution_is_running_until_its_activity_answers(
    view: UIHandle, sfn: Any
) -> None:
    activity = sfn.create_activity(name="ui-approve")["activityArn"]
    machine = create_machine(
        sfn,
        "approval",
        {
            "StartAt": "Approve",
            "States": {"Approve": {"Type": "Task", "Resource": activity, "End": True}},
        },
    )
    arn = run(sfn, machine, {"order": 7})
    task = sfn.get_activity_task(activityArn=activity)
    _, running = api(view, "execution", arn=arn)
    assert running["execution"]["status"] == "RUNNING"
    assert running["states"]["Approve"]["status"] == "running"
    sfn.send_task_success(taskToken=task["taskToken"], output='{"approved": true}')
    assert wait_until_done(sfn, arn) == "SUCCEEDED"
    _, done = api(view, "execution", arn=arn)
    assert done["states"]["Approve"]["status"] == "succeeded"
    assert json.loads(done["states"]["Approve"]["output"]) == {"approved": True}


def test_an_unknown_execution_is_a_404_page_saying_so(
    view: UIHandle, finished: dict[str, str]
) -> None:
    missing = finished["plain"].replace(":plain", ":no-such-execution")
    status, headers, body = get(view.url + "execution/" + urllib.parse.quote(missing, safe=""))
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "<h1>Execution not found</h1>" in page
    assert f"There is no execution {missing} on this endpoint." in page
    status, headers, body = get(view.url + "execution/not-an-arn")
    assert status == 404
    assert "There is no execution not-an-arn on this endpoint." in body.decode()
    status, _, body = get(view.url + "execution/")
    assert status == 404
    assert "The address names no execution: /execution/&lt;ARN&gt;." in body.decode()
    assert api(view, "execution", arn=missing)[0] == 404
    assert api(view, "execution", arn=missing)[1]["error"] == "ExecutionDoesNotExist"


def test_a_known_execution_page_is_the_app(view: UIHandle, finished: dict[str, str]) -> None:
    status, headers, body = get(view.url + "execution/" + urllib.parse.quote(finished["plain"]))
    assert status == 200
    assert '<script src="/static/app.js" defer></script>' in body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_three_thousand_states_are_too_large_to_draw_but_the_events_are_there(
    view: UIHandle, sfn: Any
) -> None:
    machine = create_machine(sfn, "huge", chain(3000))
    arn = run(sfn, machine, {"skip": True})
    assert wait_until_done(sfn, arn, timeout=60) == "SUCCEEDED"
    status, body = api(view, "execution", arn=arn)
    assert status == 200
    assert body["layout"] is None
    assert body["layoutError"] == (
        "This state machine is too large to draw "
        "(the graph has 3,002 nodes, more than the 400 that can be drawn)."
    )
    assert body["events"][-1]["type"] == "ExecutionSucceeded"
    assert body["states"]["s4"]["status"] == "succeeded"
    assert "s5" not in body["states"]  # skipped by the Choice


def test_the_view_is_read_only(view: UIHandle) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        request = urllib.request.Request(view.url + "api/executions", method=method, data=b"{}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 405
        assert refused.value.headers["Allow"] == "GET, HEAD"


def test_static_files_are_package_data_and_load_nothing_from_elsewhere(view: UIHandle) -> None:
    for name, kind in (("app.js", "text/javascript"), ("app.css", "text/css")):
        status, headers, body = get(view.url + "static/" + name)
        assert status == 200
        assert headers["Content-Type"].startswith(kind)
        assert not re.search(rb"https?://(?!www\.w3\.org/2000/svg)", body), name
    _, _, page = get(view.url)
    assert not re.search(rb"(src|href)=\"https?:", page)
    for path in ("static/../server.py", "static/missing.js", "static/app.py", "nowhere"):
        assert get(view.url + path)[0] == 404, path


def test_unknown_api_and_missing_arn(view: UIHandle) -> None:
    assert api(view, "nothing") == (404, {"error": "NotFound", "message": "no API /api/nothing"})
    assert api(view, "execution")[0] == 400


def test_it_binds_loopback_unless_told_otherwise(engine: LocalEngine) -> None:
    with start_ui(session=AWSSession(endpoint_url=engine.endpoint_url)) as handle:
        assert handle.server.server_address[0] == "127.0.0.1"
        assert handle.url == f"http://127.0.0.1:{handle.port}/"


def test_an_unreachable_endpoint_is_a_502_with_the_reason() -> None:
    session = AWSSession(endpoint_url="http://127.0.0.1:9", max_attempts=1)
    with start_ui(session=session) as handle:
        status, body = get_json(handle.url + "api/state-machines")
    assert status == 502
    assert body["error"] == "EndpointConnectionError"
    assert "127.0.0.1:9" in body["message"]


def test_a_port_in_use_is_a_one_line_os_error(view: UIHandle) -> None:
    with pytest.raises(OSError, match=rf"^cannot listen on 127\.0\.0\.1:{view.port}: "):
        start_ui(endpoint_url="http://127.0.0.1:9", port=view.port)
