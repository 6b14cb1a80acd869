"""Careless and hostile input to every ``sfini`` command, run as processes against a local
engine: one ``Error:`` line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sfini_runtime.local import LocalEngine

ACCOUNT = "123456789012"
MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:nope"
EXECUTION = f"arn:aws:states:us-east-1:{ACCOUNT}:execution:nope:run"
ACTIVITY = f"arn:aws:states:us-east-1:{ACCOUNT}:activity:nope"

MODULES = {
    "raises_at_import.py": "raise RuntimeError('boom at import')\n",
    "syntax_error.py": "def f(:\n",
    "plain.py": "x = 5\n\ndef fn():\n    pass\n",
    "exits.py": "import sys\n\nsys.exit(3)\n",
    "valid_worker.py": (
        "import sfini_cdk as sfini\n"
        "activities = sfini.ActivityRegistration(prefix='p-')\n"
        "@activities.activity(name='add')\n"
        "def add(data):\n    return 1\n"
    ),
    "bad_prefix.py": (
        "import sfini_cdk as sfini\n"
        "activities = sfini.ActivityRegistration(prefix='has space')\n"
        "@activities.activity(name='add')\n"
        "def add(data):\n    return 1\n"
    ),
}
FILES = {
    "bad.json": b"{bad",
    "binary.json": b"\xff\xfe{}",
    "not_assembly/readme.txt": b"x",
    "list_manifest/manifest.json": b"[1]",
    "no_template/manifest.json": b'{"artifacts": {"S": {"type": "aws:cloudformation:stack"}}}',
    "empty_stack/manifest.json": (
        b'{"artifacts": {"Empty": {"type": "aws:cloudformation:stack", '
        b'"environment": "aws://unknown-account/unknown-region", '
        b'"properties": {"templateFile": "Empty.template.json"}}}}'
    ),
    "empty_stack/Empty.template.json": b'{"Resources": {}}',
}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bad-input")
    for name, text in MODULES.items():
        (directory / name).write_text(text)
    for name, data in FILES.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(data)
    return directory


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with LocalEngine(activity_poll_seconds=1.0) as engine:
        yield engine.endpoint_url


def _env(endpoint: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL_SFN=endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(workdir / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(workdir / "no-credentials"),
        PYTHONPATH=os.pathsep.join([str(workdir), str(Path(__file__).resolve().parents[3])]),
    )
    return env


SERVE = ["local", "serve", "--port", "0"]
CASES: list[tuple[list[str], dict[str, str | None], str]] = [
    # (arguments, environment changes (None: unset), what the one error line says)
    (["start", MACHINE], {}, "StateMachineDoesNotExist"),
    (["start", ACTIVITY], {}, "InvalidArn: Invalid Arn: 'Resource type not valid in this context"),
    (["start", "nope", "{bad"], {}, "execution input is not valid JSON"),
    (["start", "nope", "-f", "bad.json"], {}, "execution input is not valid JSON"),
    (["start", "nope", "-f", "missing.json"], {}, "no such file: missing.json"),
    (["start", "nope", "-f", "binary.json"], {}, "binary.json is not UTF-8 text (byte 0)"),
    (["start", "nope", "-f", "."], {}, "cannot read .: Is a directory"),
    (["start", "nope", "--cdk-out", "not_assembly"], {}, "is not a cloud assembly"),
    (
        ["start", "nope", "--cdk-out", "list_manifest"],
        {},
        "list_manifest/manifest.json is not a cloud assembly manifest (a JSON array",
    ),
    (
        ["start", "nope", "--cdk-out", "no_template"],
        {},
        "no_template/manifest.json: artifact 'S' names no template or directory (got None)",
    ),
    (["start", "has space"], {}, "'has space' is not a state machine name or ARN"),
    (["executions", "a/b"], {}, "'a/b' is not a state machine name or ARN"),
    (["start", "x" * 81], {}, "is not a state machine name or ARN (a name has 1 to 80"),
    (["stop", "garbage"], {}, "InvalidArn: Invalid Arn: 'Invalid ARN prefix: garbage'"),
    (["stop", MACHINE], {}, "InvalidArn"),
    (["describe", "garbage"], {}, "no state machine or activity named 'garbage'"),
    (["describe", EXECUTION], {}, "ExecutionDoesNotExist"),
    (["describe", ACTIVITY], {}, "ActivityDoesNotExist"),
    (["executions", ACTIVITY], {}, "InvalidArn"),
    (["history", MACHINE], {}, "InvalidArn"),
    (["graph", "raises_at_import:x"], {}, "boom at import"),
    (["graph", "syntax_error:x"], {}, "SyntaxError: invalid syntax"),
    (["graph", "exits:x"], {}, "importing 'exits' called sys.exit(3)"),
    (["worker", "exits.py"], {}, "importing 'exits.py' called sys.exit(3)"),
    (["graph", "plain:x"], {}, "5 is not an activity, an activity registration"),
    (["graph", "plain:missing"], {}, "'plain' has no attribute 'missing'"),
    (["worker", "no_such_module:x"], {}, "cannot import module 'no_such_module'"),
    (["worker", "plain"], {}, "plain defines no activities"),
    (["worker", "bad_prefix:activities"], {}, "activity name prefix 'has space'"),
    (["register", ":"], {}, "expected MODULE[:OBJECT], got ':'"),
    (["deregister", "raises_at_import"], {}, "boom at import"),
    (
        ["describe", MACHINE],
        {"AWS_ENDPOINT_URL_SFN": "http://127.0.0.1:1"},
        'Could not connect to the endpoint URL: "http://127.0.0.1:1/"',
    ),
    (  # the "Worker ... polling" line is not printed before the error
        ["worker", "valid_worker:activities"],
        {"AWS_ENDPOINT_URL_SFN": "http://127.0.0.1:1"},
        'Could not connect to the endpoint URL: "http://127.0.0.1:1/"',
    ),
    (
        ["worker", "valid_worker:activities"],
        {"AWS_ENDPOINT_URL_SFN": None, "AWS_DEFAULT_REGION": None},
        "You must specify a region.",
    ),
    (
        ["describe", "nope"],
        {"AWS_ENDPOINT_URL_SFN": None, "AWS_DEFAULT_REGION": None},
        "You must specify a region.",
    ),
    (["--profile", "nosuch", "describe", "nope"], {}, "could not be found"),
    (["local", "serve", "--port", "0", "--cdk-out", "not_assembly"], {}, "not a cloud assembly"),
    ([*SERVE, "--lambda", "greet"], {}, "--lambda 'greet': expected NAME=MODULE:FUNCTION"),
    ([*SERVE, "--lambda", "greet=plain"], {}, "expected NAME=MODULE:FUNCTION"),
    ([*SERVE, "--lambda", "g=no_such_module:f"], {}, "cannot import module 'no_such_module'"),
    ([*SERVE, "--lambda", "g=plain:missing"], {}, "'plain' has no attribute 'missing'"),
    ([*SERVE, "--lambda", "g=plain:x"], {}, "--lambda 'g=plain:x': plain:x is not callable"),
    ([*SERVE, "--lambda", "g=raises_at_import:f"], {}, "boom at import"),
    ([*SERVE, "--lambda", "a b=plain:fn"], {}, "'a b' is not a Lambda function name or ARN"),
    (
        [*SERVE, "--lambda", "g=plain:fn", "--lambda", "g=plain:fn"],
        {},
        "--lambda 'g=plain:fn': function 'g' given twice",
    ),
    (
        [*SERVE, "--lambda-endpoint", "localhost:3001"],
        {},
        "--lambda-endpoint 'localhost:3001' is not an http:// or https:// URL",
    ),
    (["local", "run", "plain"], {}, "plain defines no state machine"),
    (["local", "run", "no_such_module"], {}, "cannot import module 'no_such_module'"),
    (["local", "run", "valid_worker", "--input", "{bad"], {}, "--input is not JSON: Expecting"),
    (["local", "run", "empty_stack", "--stack", "Nope"], {}, "no stack 'Nope' in empty_stack"),
    (["local", "run", "empty_stack"], {}, "stack 'Empty' of empty_stack has no state machine"),
    (["local", "run", "not_assembly"], {}, "not_assembly is not a cloud assembly"),
    (
        SERVE,
        {"AWS_ENDPOINT_URL_LAMBDA": "nope"},
        "AWS_ENDPOINT_URL_LAMBDA 'nope' is not an http:// or https:// URL",
    ),
]


@pytest.mark.parametrize(("arguments", "changes", "message"), CASES)
def test_one_error_line(
    endpoint: str,
    workdir: Path,
    arguments: list[str],
    changes: dict[str, str | None],
    message: str,
) -> None:
    env = _env(endpoint, workdir)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    done = subprocess.run(
        [sys.executable, "-m", "sfini_runtime.cli", *arguments],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ") and message in lines[0], lines[0]
    assert "Traceback" not in done.stderr


WORKFLOW = (
    "import sfini_cdk as sfini\n"
    "activities = sfini.ActivityRegistration(prefix='never-registered-')\n"
    "@activities.activity(name='add')\n"
    "def add(data):\n    return 1\n"
)


@pytest.mark.parametrize(("verbosity", "tracebacks"), [([], 0), (["-vv"], 1)])
def test_a_worker_whose_activity_does_not_exist_logs_no_traceback(
    endpoint: str, workdir: Path, verbosity: list[str], tracebacks: int
) -> None:
    (workdir / "unregistered.py").write_text(WORKFLOW)
    done = subprocess.run(
        [sys.executable, "-m", "sfini_runtime.cli", *verbosity, "worker", "unregistered:add"],
        cwd=workdir,
        env=_env(endpoint, workdir),
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done
    lines = done.stderr.splitlines()
    if tracebacks:  # -vv: the log record's traceback, then the CLI's own
        assert "Traceback" in done.stderr and "polling failed\n" in done.stderr
    else:
        assert "Traceback" not in done.stderr
        assert lines[-1].startswith("Error: ActivityDoesNotExist: Activity Does Not Exist")
        failure = [line for line in lines if "polling failed" in line]
        assert len(failure) == 1 and failure[0].endswith(
            "polling failed (ActivityDoesNotExist: Activity Does Not Exist: "
            "'arn:aws:states:us-east-1:123456789012:activity:never-registered-add')"
        ), lines


def test_output_with_a_lone_surrogate_is_printed_escaped(endpoint: str, workdir: Path) -> None:
    client = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    definition = '{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}'
    machine = client.create_state_machine(
        name="surrogates", definition=definition, roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    env = _env(endpoint, workdir)
    run = [sys.executable, "-m", "sfini_runtime.cli"]
    started = subprocess.run(
        [*run, "start", machine, '{"a": "\\ud800"}', "--wait"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert started.returncode == 0, started.stderr
    assert ": SUCCEEDED" in started.stdout and "\\ud800" in started.stdout
    arn = client.list_executions(stateMachineArn=machine)["executions"][0]["executionArn"]
    described = subprocess.run(
        [*run, "describe", arn], env=env, capture_output=True, text=True, timeout=30
    )
    assert described.returncode == 0, described.stderr
    assert "\\ud800" in described.stdout
