"""The README's "Command line" block, run line by line as a new user would: ``sfini local
serve`` in one process, the worker in another, every other command in a process of its own.
Each exits 0 without a traceback, and each ``--json`` prints valid JSON."""

from __future__ import annotations

import json
import re
import shlex
import signal
from pathlib import Path

import pytest

from tests.sfini_runtime.cli.test_processes import (
    REPO_ROOT,
    Process,
    clean_env,
    processes,
    run_sfini,
)

__all__ = ["processes"]  # the fixture

pytestmark = pytest.mark.engine


def readme_commands() -> list[list[str]]:
    """The ``sfini`` lines of the README's "Command line" block, as argument lists."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Command line", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def by_command(commands: list[list[str]]) -> dict[str, list[str]]:
    """The README's lines keyed by their first words (``local serve``, ``start``, ``export``)."""
    keyed = {}
    for words in commands:
        key = (
            words[0]
            if words[0] == "export"
            else " ".join(words[1:3] if words[1] == "local" else words[1:2])
        )
        keyed[key] = words
    return keyed


def test_the_command_line_section_runs_as_written(tmp_path: Path, processes: list[Process]) -> None:
    lines = by_command(readme_commands())
    assert set(lines) >= {
        "local serve",
        "export",
        "register",
        "worker",
        "start",
        "executions",
        "history",
        "describe",
        "stop",
        "graph",
        "deregister",
    }
    serve = [word for word in lines["local serve"][1:] if word != "8083"]
    serve.insert(serve.index("--port") + 1, "0")
    server = Process(*serve, env=clean_env(), cwd=tmp_path)
    processes.append(server)
    assert server.popen.stdout is not None
    endpoint = re.search(r"http://127\.0\.0\.1:\d+", server.popen.stdout.readline())
    assert endpoint, "no endpoint in the banner"
    name, _, value = lines["export"][1].partition("=")
    env = clean_env(**{name: value.replace("8083", endpoint.group(0).rsplit(":", 1)[1])})

    def sfini(words: list[str], *, substitute: dict[str, str] | None = None) -> str:
        args = [(substitute or {}).get(word, word) for word in words[1:]]
        result = run_sfini(*args, env=env)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr, args
        if "--json" in args:
            json.loads(result.stdout)
        return result.stdout + result.stderr

    assert "deleted" not in sfini(lines["register"])
    worker = Process(*lines["worker"][1:], env=env, cwd=REPO_ROOT)
    processes.append(worker)
    started = sfini(lines["start"])
    assert ": SUCCEEDED" in started and "45" in started.splitlines()
    arn = next(word for word in started.split() if word.startswith("arn:aws:states:"))
    assert sfini(lines["executions"]).strip() == "[]"  # no FAILED execution
    history = sfini(lines["history"], substitute={"EXECUTION_ARN": arn})
    assert "ExecutionSucceeded" in history and history.rstrip().endswith("Output: 45")
    json.loads(sfini([*lines["history"], "--json"], substitute={"EXECUTION_ARN": arn}))
    placeholder = lines["describe"][2]
    assert placeholder == "EXECUTION_ARN|STATE_MACHINE|ACTIVITY"
    for target, shown in (
        (arn, arn),
        ("testAdding", "STANDARD"),
        ("testaddActivity", "activityArn"),
    ):
        assert shown in sfini(lines["describe"], substitute={placeholder: target})
        json.loads(sfini([*lines["describe"], "--json"], substitute={placeholder: target}))

    # with the worker stopped, an execution stays RUNNING until stopped
    worker.popen.send_signal(signal.SIGTERM)
    worker.read_stderr_until("long poll(s) in flight")
    assert worker.stop(signal.SIGTERM)[0] == 0
    for extra in ([], ["--json"]):
        running = sfini(["sfini", "start", "testAdding", "{}"]).strip()
        stopped = sfini([*lines["stop"], *extra], substitute={"EXECUTION_ARN": running})
        assert "ABORTED" in stopped

    assert sfini(lines["graph"]).startswith("flowchart")
    deregistered = sfini(lines["deregister"])
    assert "deleted state machine testAdding" in deregistered
    assert "deleted activity testaddActivity" in deregistered
    code, err = server.stop(signal.SIGTERM)
    assert code == 0 and "Traceback" not in err
