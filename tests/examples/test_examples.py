"""The seed's examples, unchanged but for their imports, end to end on the local engine."""

from __future__ import annotations

import contextlib
import datetime
import importlib
import re
import time
import types
from pathlib import Path
from typing import Any

import pytest

from tests.examples.conftest import reset_sessions

pytestmark = pytest.mark.engine

#: The engine's time scale: activities' default 25 s heartbeat time-out becomes 2.5 s, ample
#: for a worker on a loaded machine to report a task (0.01 made it 0.25 s).
SCALE = 0.1


def load(name: str) -> types.ModuleType:
    module = importlib.import_module(f"examples.{name}")
    reset_sessions(module)
    return module


def printed_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_first_sfini(on_engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    on_engine(SCALE)
    module = load("first_sfini")
    module.main()
    name, output = printed_lines(capsys)
    assert re.fullmatch(r"testAdding_\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d_[0-9a-f]{8}", name)
    assert output == "45"
    assert not module.sm.is_registered()  # main() cleaned up
    assert not module.add_activity.is_registered()


def test_looping(on_engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    on_engine(SCALE)
    load("looping").main()
    _, output = printed_lines(capsys)
    assert output == "12"  # 0, 3, 6, 9, 12: the first count not below 10


def test_parallel(on_engine: Any, capsys: pytest.CaptureFixture[str]) -> None:
    on_engine(SCALE)
    load("parallel").main()
    lines = printed_lines(capsys)
    assert "{'level': 20, 'message': 'foo'}" in lines  # what printActivity printed
    output = eval(lines[-1]) if lines[-1].startswith("[") else None  # the printed list
    assert output is not None
    logged, printed = output
    assert logged == {"level": 20, "message": "foo"}
    assert printed["message"] == "foo"
    until = datetime.datetime.fromisoformat(printed["until"])
    assert until.tzinfo is not None


def test_error_handling(
    on_engine: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sfini_runtime.worker import Heartbeater, WorkerCancel

    on_engine(SCALE)  # the 10 s time-out becomes 1 s, the 3 s retry interval 0.3 s
    module = load("error_handling")

    def seed_sleep(seconds: float) -> None:
        """The activity's 15 s and 5 s sleeps, scaled like the engine's clock; like sfini
        0.1.0's worker, this one is not interrupted when Step Functions times the task out."""
        with contextlib.suppress(WorkerCancel):
            time.sleep(seconds * SCALE)

    monkeypatch.setattr(module, "time", types.SimpleNamespace(sleep=seed_sleep))
    monkeypatch.setattr(module, "sleep_time", 15)
    # Work-around: the model writes HeartbeatSeconds = heartbeat + 5 = 25 next to the Task's
    # TimeoutSeconds of 10, which Step Functions (and the engine) reject; a 4 s heartbeat makes
    # it 9 (0.9 s scaled), kept alive by heartbeats every 0.1 s (real seconds).
    monkeypatch.setattr(module.raise_activity, "heartbeat", 4)
    monkeypatch.setattr(Heartbeater, "interval", staticmethod(lambda task: 0.1))
    module.main()
    lines = printed_lines(capsys)
    history = "\n".join(lines[1:])
    kinds = re.findall(r"^(\w+) \[(\d+)\] @ ", history, flags=re.M)
    assert [kind for kind, _ in kinds] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivityTimedOut",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivityFailed",
        "TaskStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert [int(i) for _, i in kinds] == list(range(1, 12))
    assert "ActivityTimedOut [5] @ " in history
    assert "\n  error: States.Timeout\n" in history
    assert "\n  error: MyError\n" in history
    assert history.endswith("\n  error: WorkerError")
    assert (
        "\n  resource: arn:aws:states:us-east-1:123456789012:activity:sfiniActsraiseActivity\n"
        in history
    )


def test_file_processing(on_engine: Any, tmp_path: Path) -> None:
    from PIL import Image

    on_engine(SCALE)
    module = load("file_processing")
    images, small = tmp_path / "images", tmp_path / "small"
    images.mkdir()
    small.mkdir()
    for index, colour in enumerate([(255, 0, 0), (0, 0, 255)]):
        Image.new("RGB", (200, 100), colour).save(images / f"{index}.png")
    module.activities.register()
    module.sm.register()
    workers = [
        module.sfini.Worker(module.resize_activity),
        module.sfini.Worker(module.get_centres_activity),
    ]
    for worker in workers:
        worker.start()
    execution = module.sm.start_execution(
        {"image_dir": str(images), "resized_image_dir": str(small)}
    )
    execution.wait(timeout=60)
    for worker in workers:
        worker.end()
        worker.join()
    assert sorted(Image.open(p).size for p in small.iterdir()) == [(64, 64), (64, 64)]
    assert sorted(map(tuple, execution.output["res"])) == [(0, 0, 255), (255, 0, 0)]
    assert execution.output["image_dir"] == str(images)


def test_cli_example_as_processes(on_engine: Any, tmp_path: Path) -> None:
    """The CLI example's seed sub-commands as a user runs them: ``worker`` in one process,
    ``start --wait`` and ``executions`` in others, the worker stopped with SIGTERM."""
    import json
    import os
    import signal
    import subprocess
    import sys

    from sfini_runtime import registration
    from sfini_runtime.session import AWSSession

    engine = on_engine(SCALE)
    module = load("cli")
    session = AWSSession()
    registration.register_activities(module.activities, session=session)
    # the example's role_arn is a placeholder ("..."): register the machine with a real one
    registration.register_state_machine(
        module.sm, role_arn="arn:aws:iam::123456789012:role/r", session=session
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, **engine.env(), "PYTHONPATH": str(root)}
    command = [sys.executable, "-m", "examples.cli"]
    worker = subprocess.Popen(
        [*command, "worker", "sfiniActsprintActivity"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = subprocess.run(
            [*command, "start", "-", "--wait"],
            cwd=root,
            env=env,
            input='{"greeting": "hello"}',
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode == 0, started.stderr
        name, output = started.stdout.splitlines()
        assert name.startswith("sfiniSM_") and json.loads(output) is None
        listed = subprocess.run(
            [*command, "executions", "--status", "SUCCEEDED"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert f"Execution '{name} [SUCCEEDED]':" in listed.stdout
        assert "ActivityStarted" in listed.stdout
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert "{'greeting': 'hello'}" in out.splitlines()  # what the activity printed
        bad = subprocess.run(
            [*command, "worker", "noSuchActivity"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert bad.returncode == 2 and "invalid choice: 'noSuchActivity'" in bad.stderr
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
