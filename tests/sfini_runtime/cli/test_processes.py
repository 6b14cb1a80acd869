"""The ``sfini`` command as a real process: its console entry point, one-line errors, ``local
serve`` answering boto3, and workers that find their activities in a cdk.out or a stack."""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import boto3
import pytest
from botocore.config import Config

from sfini_runtime.execution import Execution
from sfini_runtime.session import AWSSession
from tests.cloud_assembly import write_stack_assembly

pytestmark = pytest.mark.engine

REPO_ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 60.0
AWS_ENV_KEYS = (
    "AWS_ENDPOINT_URL_SFN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_CLOUDFORMATION",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ACCOUNT_ID",
    "AWS_PROFILE",
)

WORKFLOW = """
import sfini_cdk as sfini

activities = sfini.ActivityRegistration(prefix="e2e-")


@activities.activity("work")
def work(data):
    return {"doubled": data["n"] * 2}
"""


def pyproject_value(table: str, key: str) -> str:
    """The string ``key`` of ``table`` in ``pyproject.toml`` (tomllib where Python has it, 3.11+;
    on 3.10 the ``key = "value"`` line of the ``[table]`` section)."""
    text = (REPO_ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
    except ModuleNotFoundError:
        section = re.search(rf"^\[{re.escape(table)}\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
        assert section, f"no [{table}] in pyproject.toml"
        line = re.search(rf'^{re.escape(key)}\s*=\s*"([^"]*)"', section.group(1), re.M)
        assert line, f"no {key} in [{table}] of pyproject.toml"
        return line.group(1)
    value: object = tomllib.loads(text)
    for part in (*table.split("."), key):
        assert isinstance(value, dict), value
        value = value[part]
    assert isinstance(value, str), value
    return value


def console_command() -> list[str]:
    """The command ``pyproject.toml``'s ``sfini`` console script runs (what pip generates:
    import the entry point, exit with what it returns), independent of an installed script."""
    module, _, function = pyproject_value("project.scripts", "sfini").partition(":")
    code = f"import sys; from {module} import {function}; sys.exit({function}())"
    return [sys.executable, "-c", code]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without AWS settings (and no instance-metadata lookups), plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if key not in AWS_ENV_KEYS}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/nonexistent",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.update(extra)
    return env


def run_sfini(
    *args: str, env: dict[str, str], cwd: Path = REPO_ROOT
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*console_command(), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )


@pytest.mark.parametrize(
    ("args", "extra_env", "message"),
    [
        (
            ["start", "machine", "{not json"],
            {"AWS_DEFAULT_REGION": "us-east-1"},
            "Error: execution input is not valid JSON: Expecting property name",
        ),
        (
            ["worker", "no_such_module_xyz:activities"],
            {"AWS_DEFAULT_REGION": "us-east-1"},
            "Error: cannot import module 'no_such_module_xyz'",
        ),
        (
            ["describe", "arn:aws:states:us-east-1:123456789012:execution:m:e"],
            {"AWS_DEFAULT_REGION": "us-east-1"},
            "Error: Unable to locate credentials",
        ),
        (
            ["history", "arn:aws:states:us-east-1:123456789012:execution:m:e"],
            {},
            "Error: You must specify a region.",
        ),
    ],
)
def test_user_errors_print_one_line_and_exit_non_zero(
    args: list[str], extra_env: dict[str, str], message: str
) -> None:
    result = run_sfini(*args, env=clean_env(**extra_env))
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_help_and_version_through_the_entry_point() -> None:
    result = run_sfini("--help", env=clean_env())
    assert result.returncode == 0
    for command in (
        "worker",
        "start",
        "executions",
        "history",
        "stop",
        "describe",
        "register",
        "deregister",
        "graph",
        "local",
    ):
        assert re.search(rf"^  {command}\b", result.stdout, re.M), command
    version = run_sfini("--version", env=clean_env())
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith(f"sfini, version {pyproject_value('project', 'version')}")


# --- long-running processes ---------------------------------------------------------------------


class Process:
    """A ``sfini`` subprocess, killed if a test leaves it running."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [*console_command(), *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``signum``; the exit status and what the process wrote to stderr."""
        self.popen.send_signal(signum)
        _, err = self.popen.communicate(timeout=DEADLINE)
        return self.popen.returncode, err

    def read_stderr_until(self, text: str) -> list[str]:
        """The lines written to stderr up to the first holding ``text`` (all, at exit)."""
        assert self.popen.stderr is not None
        lines: list[str] = []
        found = threading.Event()

        def read() -> None:
            for line in self.popen.stderr:
                lines.append(line)
                if text in line:
                    found.set()
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(DEADLINE)
        assert not reader.is_alive(), f"no {text!r} on stderr: {''.join(lines)}"
        return lines

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.communicate()


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.kill()


def write_workflow(directory: Path) -> str:
    name = f"e2e_workflow_{os.getpid()}_{time.monotonic_ns()}"
    (directory / f"{name}.py").write_text(textwrap.dedent(WORKFLOW))
    return name


def write_assembly(directory: Path, activity_name: str) -> Path:
    """A minimal cloud assembly, written by hand: one activity and a state machine using it."""
    directory.mkdir()
    definition = {
        "StartAt": "work",
        "States": {
            "work": {
                "Type": "Task",
                "Resource": "${ActivityArn}",
                "HeartbeatSeconds": 1000,  # 10 s on the engine
                "End": True,
            }
        },
    }
    template = {
        "Resources": {
            "WorkActivity": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": activity_name},
            },
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": "e2eMachine",
                    "RoleArn": {
                        "Fn::Join": [
                            "",
                            ["arn:", {"Ref": "AWS::Partition"}, ":iam::123456789012:role/r"],
                        ]
                    },
                    "DefinitionString": json.dumps(definition),
                    "DefinitionSubstitutions": {"ActivityArn": {"Ref": "WorkActivity"}},
                },
            },
        }
    }
    return write_stack_assembly(directory, {"E2EStack": template})


def engine_client(endpoint: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(read_timeout=70, inject_host_prefix=False),
    )


def test_local_serve_with_a_cdk_out_and_a_worker_finding_its_activity_there(
    tmp_path: Path, processes: list[Process]
) -> None:
    assembly = write_assembly(tmp_path / "cdk.out", "e2e-work")
    server = Process(
        "local",
        "serve",
        "--port",
        "0",
        "--time-scale",
        "0.01",
        "--cdk-out",
        str(assembly),
        env=clean_env(),
        cwd=tmp_path,
    )
    processes.append(server)
    assert server.popen.stdout is not None
    banner = server.popen.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", banner)
    assert match, banner
    endpoint = match.group(0)
    sfn = engine_client(endpoint)
    machines = sfn.list_state_machines()["stateMachines"]
    assert [m["name"] for m in machines] == ["e2eMachine"]
    assert [a["name"] for a in sfn.list_activities()["activities"]] == ["e2e-work"]

    module = write_workflow(tmp_path)
    worker_env = clean_env(
        AWS_ENDPOINT_URL_SFN=endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO_ROOT)]),
    )
    worker = Process("worker", module, "--cdk-out", str(assembly), env=worker_env, cwd=tmp_path)
    processes.append(worker)
    started = sfn.start_execution(stateMachineArn=machines[0]["stateMachineArn"], input='{"n": 21}')
    session = AWSSession(endpoint_url=endpoint, region="us-east-1")
    execution = Execution.from_arn(started["executionArn"], session=session)
    execution.wait(timeout=DEADLINE)
    assert execution.output == {"doubled": 42}
    # SIGTERM: the worker stops polling but waits for the long poll it has in flight; a task
    # Step Functions hands that poll is failed with WorkerCancel at once, not left to time out
    worker.popen.send_signal(signal.SIGTERM)
    before = worker.read_stderr_until("long poll(s) in flight")
    assert "failed with WorkerCancel at once" in before[-1]
    late = Execution.from_arn(
        sfn.start_execution(stateMachineArn=machines[0]["stateMachineArn"], input='{"n": 1}')[
            "executionArn"
        ],
        session=session,
    )
    late.wait(raise_on_failure=False, timeout=DEADLINE)
    assert (late.status, late.error) == ("FAILED", "WorkerCancel")
    code, err = worker.popen.wait(DEADLINE), worker.popen.communicate()[1]
    assert code == 0, err
    assert "Traceback" not in "".join(before) + err
    code, err = server.stop(signal.SIGTERM)
    assert code == 0, err
    assert "Traceback" not in err


def _describe_stacks_xml(stack: str, outputs: list[dict[str, str]]) -> str:
    members = "".join(
        "<member>"
        + "".join(f"<{key}>{escape(value)}</{key}>" for key, value in output.items())
        + "</member>"
        for output in outputs
    )
    return (
        '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
        "<DescribeStacksResult><Stacks><member>"
        f"<StackName>{stack}</StackName>"
        f"<StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/{stack}/1</StackId>"
        "<CreationTime>2024-01-01T00:00:00Z</CreationTime>"
        "<StackStatus>CREATE_COMPLETE</StackStatus>"
        f"<Outputs>{members}</Outputs>"
        "</member></Stacks></DescribeStacksResult>"
        "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>"
        "</DescribeStacksResponse>"
    )


_NO_STACK_XML = (
    '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">'
    "<Error><Type>Sender</Type><Code>ValidationError</Code>"
    "<Message>Stack with id {stack} does not exist</Message></Error>"
    "<RequestId>fake</RequestId></ErrorResponse>"
)


@pytest.fixture
def cloudformation() -> Iterator[tuple[str, dict[str, list[dict[str, str]]]]]:
    """A fake CloudFormation endpoint answering DescribeStacks for the stacks in the dict."""
    stacks: dict[str, list[dict[str, str]]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            stack = form.get("StackName", [""])[0]
            if form.get("Action") == ["DescribeStacks"] and stack in stacks:
                status, body = 200, _describe_stacks_xml(stack, stacks[stack])
            else:
                status, body = 400, _NO_STACK_XML.format(stack=escape(stack))
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", stacks
    finally:
        server.shutdown()
        server.server_close()


def test_worker_finds_its_activity_in_a_stack_outputs(
    engine: Any,
    session: AWSSession,
    tmp_path: Path,
    processes: list[Process],
    cloudformation: tuple[str, dict[str, list[dict[str, str]]]],
) -> None:
    import sfini_cdk as sfini

    cfn_url, stacks = cloudformation
    # CloudFormation's own name for the activity: only the stack's outputs tie it to e2e-work
    physical = session.sfn.create_activity(name="WfStack-work-X1Y2Z3")["activityArn"]
    stacks["WfStack"] = [
        {
            "OutputKey": "SfiniActivitye2ework",
            "OutputValue": physical,
            "Description": "sfini activity e2e-work",
        }
    ]
    task = sfini.Task("work", sfini.Activity("e2e-work", session=session), heartbeat=1000)
    machine = sfini.construct_state_machine("stackMachine", task, session=session)
    definition = json.loads(
        json.dumps(machine.to_dict()).replace(session.arn_for("activity", "e2e-work"), physical)
    )
    arn = session.sfn.create_state_machine(
        name="stackMachine",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/r",
    )["stateMachineArn"]

    module = write_workflow(tmp_path)
    env = clean_env(
        **engine.env(),
        AWS_ENDPOINT_URL_CLOUDFORMATION=cfn_url,
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO_ROOT)]),
    )
    missing = run_sfini("worker", module, "--stack", "NoSuchStack", env=env, cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == ["Error: stack 'NoSuchStack' does not exist"]

    worker = Process("worker", module, "--stack", "WfStack", env=env, cwd=tmp_path)
    processes.append(worker)
    execution = Execution.from_arn(
        session.sfn.start_execution(stateMachineArn=arn, input='{"n": 4}')["executionArn"],
        session=session,
    )
    execution.wait(timeout=DEADLINE)
    assert execution.output == {"doubled": 8}
    # Ctrl-C stops polling and waits for the poll in flight; Ctrl-C again abandons it
    worker.popen.send_signal(signal.SIGINT)
    worker.read_stderr_until("long poll(s) in flight")
    code, err = worker.stop(signal.SIGINT)
    assert code == 0, err
    assert "Abandoning the long polls in flight" in err


def _serve(assembly: Path, cwd: Path, processes: list[Process]) -> str:
    """Start ``sfini local serve --cdk-out assembly``; its endpoint."""
    server = Process(
        "local", "serve", "--port", "0", "--time-scale", "0.01", "--cdk-out", str(assembly),
        env=clean_env(), cwd=cwd,
    )  # fmt: skip
    processes.append(server)
    assert server.popen.stdout is not None
    banner = server.popen.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", banner)
    assert match, banner + server.popen.communicate(timeout=DEADLINE)[1]
    return match.group(0)


@pytest.mark.cdk
def test_examples_synthesised_with_distinct_names_run_from_their_cdk_out(
    tmp_path: Path, processes: list[Process]
) -> None:
    """The README's path: ``python app.py`` with ``sfini:distinct-names``, ``local serve
    --cdk-out``, then workers and executions finding the prefixed ARNs by sfini name."""
    assembly = tmp_path / "cdk.out"
    synth = subprocess.run(
        [sys.executable, "app.py"],
        cwd=REPO_ROOT,
        env=clean_env(
            CDK_OUTDIR=str(assembly),
            CDK_CONTEXT_JSON=json.dumps({"sfini:distinct-names": "true"}),
        ),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert synth.returncode == 0, synth.stderr
    endpoint = _serve(assembly, tmp_path, processes)
    sfn = engine_client(endpoint)
    assert "SfiniLooping-sfiniActsincrement" in {
        activity["name"] for activity in sfn.list_activities()["activities"]
    }
    env = clean_env(AWS_ENDPOINT_URL_SFN=endpoint, AWS_DEFAULT_REGION="us-east-1")

    # sfiniActsprintActivity is deployed by two stacks: the worker needs --stack to choose one
    shared = run_sfini(
        "worker", "examples.parallel:activities", "--cdk-out", str(assembly), env=env
    )
    assert shared.returncode == 1
    (line,) = shared.stderr.splitlines()
    assert line.startswith("Error: activity 'sfiniActsprintActivity' stands for several ARNs")
    assert "(stack SfiniCli)" in line and "(stack SfiniParallel)" in line and "--stack" in line
    unknown = run_sfini(
        "start", "noSuchMachine", "--cdk-out", str(assembly), "--stack", "SfiniLooping", env=env
    )
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines() == [
        f"Error: state machine 'noSuchMachine' is not in cloud assembly {assembly} "
        "(found: SfiniLooping-sfiniSM, sfiniSM)"  # names, not logical ids
    ]
    no_stack = run_sfini(
        "start", "sfiniSM", "--cdk-out", str(assembly), "--stack", "NoSuchStack", env=env
    )
    assert no_stack.returncode == 1
    assert no_stack.stderr.splitlines() == [
        f"Error: no stack 'NoSuchStack' in the cloud assembly {assembly}"
    ]

    # increment is only in SfiniLooping: --cdk-out alone finds its prefixed ARN
    worker = Process("worker", "examples.looping:activities", "--cdk-out", str(assembly), env=env,
                     cwd=REPO_ROOT)  # fmt: skip
    processes.append(worker)
    ambiguous = run_sfini("start", "sfiniSM", "{}", "--cdk-out", str(assembly), env=env)
    assert ambiguous.returncode == 1
    assert "state machine 'sfiniSM' stands for several ARNs" in ambiguous.stderr
    started = run_sfini(
        "start", "sfiniSM", '{"increment": 3}', "--cdk-out", str(assembly),
        "--stack", "SfiniLooping", "--wait", "--json", env=env,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    described = json.loads(started.stdout)
    assert described["stateMachineArn"].endswith(":stateMachine:SfiniLooping-sfiniSM")
    assert (described["status"], described["output"]) == ("SUCCEEDED", 12)
    worker.popen.send_signal(signal.SIGINT)  # then again: no wait for the poll in flight
    before = "".join(worker.read_stderr_until("long poll(s) in flight"))
    assert "polling activity sfiniActsincrement" in before
    code, err = worker.stop(signal.SIGINT)
    assert code == 0, err
    assert "Traceback" not in before + err


def test_local_serve_with_the_web_view_beside_it(tmp_path: Path, processes: list[Process]) -> None:
    server = Process(
        "local", "serve", "--port", "0", "--ui", "--ui-port", "0", env=clean_env(), cwd=tmp_path
    )
    processes.append(server)
    assert server.popen.stdout is not None
    lines = [server.popen.stdout.readline() for _ in range(2)]
    engine = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
    view = re.search(r"web view: (http://127\.0\.0\.1:\d+/)", "".join(lines))
    assert engine and view, lines
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=engine.group(0),
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
    )
    sfn.create_state_machine(
        name="seen-in-the-view",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/r",
    )
    import urllib.request

    with urllib.request.urlopen(view.group(1), timeout=DEADLINE) as page:
        assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    # the view reads the engine with the engine's own credentials (none in this environment)
    with urllib.request.urlopen(view.group(1) + "api/state-machines", timeout=DEADLINE) as api:
        assert "seen-in-the-view" in api.read().decode()
    code, err = server.stop(signal.SIGTERM)
    assert code == 0, err


def test_local_serve_with_the_web_view_on_a_taken_port_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = run_sfini(
            "local",
            "serve",
            "--port",
            "0",
            "--ui",
            "--ui-port",
            port,
            env=clean_env(),
            cwd=tmp_path,
        )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: web view: cannot listen on 127.0.0.1:" + port), line
