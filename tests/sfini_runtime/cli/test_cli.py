"""The ``sfini`` command (click's CliRunner) against the local engine, and its one-line errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sfini_runtime.cli.app import cli
from sfini_runtime.execution import Execution
from sfini_runtime.session import AWSSession

pytestmark = pytest.mark.engine

WORKFLOW = """
import sfini_cdk as sfini

activities = sfini.ActivityRegistration(prefix="cli-")


@activities.activity("add")
def add(data):
    return data["a"] + data["b"]


add_task = sfini.Task("add", add, heartbeat=10_000)  # 100 s on the engine's 0.01 time scale
done = sfini.Succeed("done")
check = sfini.Choice("check")
add_task.goes_to(check)
check.add(sfini.NumericGreaterThan("$", 100, done))
check.set_default(sfini.Fail("small", error="TooSmall", cause="sum not over 100"))
sm = sfini.construct_state_machine("cliAdding", add_task)
"""


@pytest.fixture
def workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    module = tmp_path / f"cli_workflow_{os.getpid()}_{time.monotonic_ns()}.py"
    module.write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return module


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_register_start_history_describe_deregister(
    engine: Any, session: AWSSession, workflow: Path
) -> None:
    module = workflow.stem
    result = invoke("register", module)
    assert result.exit_code == 0, result.output
    assert "activity:cli-add" in result.output and "stateMachine:cliAdding" in result.output

    result = invoke("start", "cliAdding", '{"a": 100, "b": 5}')
    assert result.exit_code == 0, result.output
    arn = result.output.strip()
    assert ":execution:cliAdding:" in arn

    task = session.sfn.get_activity_task(activityArn=session.arn_for("activity", "cli-add"))
    session.sfn.send_task_success(taskToken=task["taskToken"], output="105")
    Execution.from_arn(arn, session=session).wait(timeout=30)

    result = invoke("history", arn)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("ExecutionStarted [1] @ ")
    assert "  name: add" in lines
    assert lines[-1] == "Output: 105"

    result = invoke("history", arn, "--json")
    events = json.loads(result.output)
    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"

    described = json.loads(invoke("describe", arn, "--json").output)
    assert described["status"] == "SUCCEEDED"
    assert described["output"] == 105
    machine = json.loads(invoke("describe", "cliAdding", "--json").output)
    assert machine["definition"]["StartAt"] == "add"

    listed = json.loads(invoke("executions", "cliAdding", "--json").output)
    assert [item["executionArn"] for item in listed] == [arn]
    assert json.loads(invoke("executions", "--status", "FAILED", "--json").output) == []
    table = invoke("executions").output
    assert "SUCCEEDED" in table and "cliAdding" in table
    # piped, the table keeps whole names (to copy) and times to the second
    assert arn.rsplit(":", 1)[1] in table
    assert re.search(r"\b\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \u2502", table), table
    assert arn in invoke("describe", arn).output
    activity = invoke("describe", "cli-add")  # an activity, by name
    assert activity.exit_code == 0 and "activity:cli-add" in activity.output
    assert json.loads(invoke("describe", "cli-add", "--json").output)["name"] == "cli-add"
    unknown = CliRunner().invoke(cli, ["describe", "noSuchThing"])
    assert unknown.exit_code == 1
    assert unknown.output == "Error: no state machine or activity named 'noSuchThing'\n"

    result = invoke("deregister", module)
    assert result.exit_code == 0
    assert session.sfn.list_state_machines()["stateMachines"] == []
    assert session.sfn.list_activities()["activities"] == []


def test_start_input_from_stdin_and_file_and_stop(
    engine: Any, session: AWSSession, workflow: Path
) -> None:
    invoke("register", workflow.stem)
    from_stdin = invoke("start", "cliAdding", "-", "--json", input='{"a": 1, "b": 2}')
    arn = json.loads(from_stdin.output)["executionArn"]
    assert Execution.from_arn(arn, session=session).execution_input == {"a": 1, "b": 2}

    (workflow.parent / "input.json").write_text('{"a": 3, "b": 4}')
    from_file = invoke("start", "cliAdding", "--input-file", "input.json")
    second = from_file.output.strip()
    assert Execution.from_arn(second, session=session).execution_input == {"a": 3, "b": 4}
    newest = json.loads(invoke("executions", "cliAdding", "--limit", "1", "--json").output)
    assert [item["executionArn"] for item in newest] == [second]
    both = json.loads(invoke("executions", "cliAdding", "--status", "running", "--json").output)
    assert {item["executionArn"] for item in both} == {arn, second}

    result = invoke("stop", second, "--error", "Halt", "--cause", "by the test")
    assert result.exit_code == 0
    stopped = Execution.from_arn(second, session=session)
    assert stopped.status == "ABORTED"
    assert stopped.error == "Halt"


def test_worker_subprocess_runs_tasks_and_stops_gracefully_on_sigterm(
    engine: Any, session: AWSSession, workflow: Path
) -> None:
    slow = workflow.parent / "slow_workflow.py"
    slow.write_text(
        textwrap.dedent(
            """
            import time
            import sfini_cdk as sfini

            activities = sfini.ActivityRegistration(prefix="sig-")

            @activities.activity("slow")
            def slow(data):
                time.sleep(data["sleep"])
                return "finished"

            task = sfini.Task("slow", slow, heartbeat=1000)
            sm = sfini.construct_state_machine("sigMachine", task)
            """
        )
    )
    assert invoke("register", "slow_workflow").exit_code == 0
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sfini_runtime.cli",
            "worker",
            "slow_workflow",
            "--grace-period",
            "5",
        ],
        cwd=slow.parent,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(slow.parent), os.getcwd(), *sys.path]),
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = Execution.from_arn(
            invoke("start", "sigMachine", '{"sleep": 0.5}').output.strip(), session=session
        )
        first.wait(timeout=60)
        assert first.output == "finished"
        second = Execution.from_arn(
            invoke("start", "sigMachine", '{"sleep": 1.0}').output.strip(), session=session
        )
        deadline = time.monotonic() + 30
        while "ActivityStarted" not in {e.event_type for e in second.get_history()}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, process.stderr.read()
        second.wait(timeout=30)  # the running task finished within its grace period
        assert second.output == "finished"
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize(
    ("grace_period", "signals"),
    [
        ("0.2", [signal.SIGINT]),  # the task outlives its grace period
        ("600", [signal.SIGTERM, signal.SIGTERM]),  # a second signal: no grace period
    ],
)
def test_worker_cancels_tasks_outliving_the_grace_period(
    engine: Any, session: AWSSession, workflow: Path, grace_period: str, signals: list[int]
) -> None:
    stuck = workflow.parent / "stuck_workflow.py"
    stuck.write_text(
        textwrap.dedent(
            """
            import time
            import sfini_cdk as sfini

            activities = sfini.ActivityRegistration(prefix="stuck-")

            @activities.activity("stuck", heartbeat=1)  # the engine allows 10 s
            def stuck(data):
                while True:
                    time.sleep(0.02)

            task = sfini.Task("stuck", stuck, heartbeat=1000)
            sm = sfini.construct_state_machine("stuckMachine", task)
            """
        )
    )
    assert invoke("register", "stuck_workflow").exit_code == 0
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sfini_runtime.cli",
            "worker",
            "stuck_workflow:activities",
            "--grace-period",
            grace_period,
        ],
        cwd=stuck.parent,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(stuck.parent), os.getcwd(), *sys.path]),
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        execution = Execution.from_arn(
            invoke("start", "stuckMachine").output.strip(), session=session
        )
        deadline = time.monotonic() + 30
        while "ActivityStarted" not in {e.event_type for e in execution.get_history()}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert process.stderr is not None
        lines: list[str] = []
        handled = threading.Semaphore(0)

        def read_stderr() -> None:
            for line in process.stderr:
                lines.append(line)
                if "Received signal" in line:
                    handled.release()

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        for signum in signals:
            process.send_signal(signum)
            # the same signal sent twice at once may arrive as one: wait until it was handled
            assert handled.acquire(timeout=60), "".join(lines)
        assert process.wait(timeout=60) == 0, "".join(lines)
        reader.join(10)
        execution.wait(raise_on_failure=False, timeout=30)
        assert execution.status == "FAILED"
        assert execution.error == "WorkerCancel"
        if len(signals) > 1:
            assert any("signal again to cancel them now" in line for line in lines), lines
    finally:
        if process.poll() is None:
            process.kill()


GRAPH_DEFINITION = {
    "StartAt": "add",
    "States": {
        "add": {
            "Type": "Task",
            "Resource": "arn:x",
            "Next": "check",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "small"}],
        },
        "check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$", "NumericGreaterThan": 100, "Next": "done"}],
            "Default": "small",
        },
        "par": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "b1", "States": {"b1": {"Type": "Pass", "End": True}}}],
            "End": True,
        },
        "done": {"Type": "Succeed"},
        "small": {"Type": "Fail"},
    },
}


def test_graph_mermaid_and_dot() -> None:
    from sfini_runtime.cli.graph import build_graph, to_dot, to_mermaid

    graph = build_graph(GRAPH_DEFINITION, "g")
    mermaid = to_mermaid(graph)
    assert mermaid.startswith("flowchart TD\n")
    assert 's0["add<br/>(Task)"]' in mermaid
    assert 's1{"check<br/>(Choice)"}' in mermaid
    assert 's1 -->|"$ NumericGreaterThan 100"| s3' in mermaid
    assert 's1 -->|"default"| s4' in mermaid
    assert 's0 -.->|"catch States.ALL"| s4' in mermaid
    assert 'subgraph s2_0["par branch 1"]' in mermaid
    dot = to_dot(graph)
    assert dot.startswith('digraph "g" {')
    assert 's1 -> s4 [label="default"];' in dot
    assert "subgraph cluster_s2_0 {" in dot
    assert "s2 -> s2_0_start_node [style=dotted];" in dot
    assert 'end_node(("end"))' in mermaid


def test_graph_command_from_a_definition_object(workflow: Path) -> None:
    result = invoke("graph", f"{workflow.stem}:sm", "--format", "dot")
    assert result.exit_code == 0, result.output
    assert 'label="add\\n(Task)"' in result.output
    assert 'label="check\\n(Choice)"' in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["worker", "no_such_module_xyz:activities"],
            "Error: cannot import module 'no_such_module_xyz'",
        ),
        (["start", "cliAdding", "{not json"], "Error: execution input is not valid JSON"),
        (
            ["history", "arn:aws:states:us-east-1:123456789012:execution:nope:nope"],
            "Error: ExecutionDoesNotExist",
        ),
        (["describe", "arn:aws:iam::123456789012:role/r"], "Error: not a Step Functions"),
        (["start", "missingMachine"], "Error: StateMachineDoesNotExist"),
    ],
)
def test_user_errors_are_one_line(engine: Any, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_worker_on_missing_activity_is_a_one_line_error(engine: Any, workflow: Path) -> None:
    result = CliRunner().invoke(cli, ["worker", workflow.stem])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("Error: ActivityDoesNotExist")


WAITING_WORKFLOW = """
import sfini_cdk as sfini

wait = sfini.Wait("nap", 100)  # 1 s on the engine's 0.01 time scale
wait.goes_to(sfini.Pass("wake", result={"awake": True}))
napper = sfini.construct_state_machine("cliNapper", wait)
failing = sfini.construct_state_machine("cliFailing", sfini.Fail("no", error="Nope", cause="c"))
sleeper = sfini.construct_state_machine("cliSleeper", sfini.Wait("sleep", 100_000))  # 1,000 s
"""


@pytest.fixture
def waiting_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"cli_waiting_{os.getpid()}_{time.monotonic_ns()}"
    (tmp_path / f"{name}.py").write_text(WAITING_WORKFLOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_start_wait_shows_the_current_state_live_on_a_terminal(
    engine: Any, waiting_workflow: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from sfini_runtime.cli import common

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=200, color_system=None)
    monkeypatch.setattr(common, "console", lambda: terminal)
    assert invoke("register", waiting_workflow).exit_code == 0
    result = invoke("start", "cliNapper", "--wait")
    assert result.exit_code == 0, result.output
    frames = screen.getvalue()
    assert re.search(r"cliNapper_\S+\s+RUNNING\s+\d+\.\ds\s+in: nap", frames), frames
    assert re.search(r"cliNapper_\S+\s+SUCCEEDED", frames), frames
    name, output = result.stdout.splitlines()[-2:]
    assert name.startswith("cliNapper_") and name.endswith(": SUCCEEDED")
    assert json.loads(output) == {"awake": True}


def test_start_wait_without_a_terminal_prints_the_outcome_and_its_exit_status(
    engine: Any, waiting_workflow: str
) -> None:
    assert invoke("register", waiting_workflow).exit_code == 0
    succeeded = invoke("start", "cliNapper", "{}", "--wait", "--json")
    assert succeeded.exit_code == 0
    described = json.loads(succeeded.stdout)
    assert (described["status"], described["output"]) == ("SUCCEEDED", {"awake": True})
    failed = invoke("start", "cliFailing", "--wait")
    assert failed.exit_code == 1
    assert failed.stdout.splitlines()[-2:] == ["error: Nope", "cause: c"]


def test_stop_json(engine: Any, waiting_workflow: str) -> None:
    assert invoke("register", waiting_workflow).exit_code == 0
    arn = invoke("start", "cliSleeper").stdout.strip()
    stopped = json.loads(invoke("stop", arn, "--error", "Halt", "--json").stdout)
    assert (stopped["executionArn"], stopped["status"], stopped["error"]) == (
        arn,
        "ABORTED",
        "Halt",
    )
    # Stopping a finished execution succeeds and changes nothing, as AWS's StopExecution does:
    # the execution as it ended, in either format
    again = CliRunner().invoke(cli, ["stop", arn, "--error", "Other"])
    assert again.exit_code == 0, again.output
    assert again.output == f"{stopped['name']}: ABORTED (it had already finished)\n"
    again_json = CliRunner().invoke(cli, ["stop", arn, "--json"])
    assert again_json.exit_code == 0, again_json.output
    assert json.loads(again_json.output) == stopped  # the first stop's error and date kept


def test_stop_json_on_an_execution_that_succeeded(engine: Any) -> None:
    sfn = AWSSession().sfn
    machine = sfn.create_state_machine(
        name="cliPassThree",
        definition=json.dumps(
            {"StartAt": "p", "States": {"p": {"Type": "Pass", "Result": 3, "End": True}}}
        ),
        roleArn="arn:aws:iam::123456789012:role/r",
    )["stateMachineArn"]
    execution = Execution.from_arn(
        sfn.start_execution(stateMachineArn=machine)["executionArn"], session=AWSSession()
    )
    execution.wait(timeout=30)
    result = CliRunner().invoke(cli, ["stop", execution.arn, "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["executionArn"], shown["status"], shown["output"]) == (
        execution.arn,
        "SUCCEEDED",
        3,
    )
    assert "error" not in shown
    text = CliRunner().invoke(cli, ["stop", execution.arn])
    assert (text.exit_code, text.output) == (
        0,
        f"{execution.name}: SUCCEEDED (it had already finished)\n",
    )


def test_graph_of_a_deployed_state_machine(engine: Any, workflow: Path) -> None:
    assert invoke("register", workflow.stem).exit_code == 0
    result = invoke("graph", "cliAdding")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("flowchart TD\n")
    assert '["add<br/>(Task)"]' in result.output
    assert invoke("graph", "noSuchMachine").output.startswith("Error: StateMachineDoesNotExist")


def test_graph_svg_needs_no_graphviz(
    workflow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xml.etree.ElementTree as ElementTree

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no dot anywhere
    out = tmp_path / "graph.svg"
    args = ["graph", f"{workflow.stem}:sm", "--format", "svg", "--output", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    root = ElementTree.fromstring(out.read_text())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    drawn = {g.get("data-state") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {"add", "check"} <= drawn
    assert CliRunner().invoke(cli, args[:-2]).output.startswith('<?xml version="1.0"')


def test_graph_svg_of_a_machine_too_large_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "huge_graph_workflow.py"
    module.write_text(
        "import sfini_cdk as sfini\n"
        "states = [sfini.Pass(f's{i}') for i in range(1001)]\n"
        "for state, following in zip(states, states[1:]):\n"
        "    state.goes_to(following)\n"
        "sm = sfini.construct_state_machine('huge', states[0])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = CliRunner().invoke(cli, ["graph", "huge_graph_workflow:sm", "--format", "svg"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: the graph has 1,003 nodes, more than the 1,000 that can be drawn; "
        "use --format dot or mermaid\n"
    )
