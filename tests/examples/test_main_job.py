"""The main job (``python -m examples``, ``./dev demo``) end to end: ``app.py`` synthesised,
the assembly deployed onto one local engine, workers found through ``cdk.out``, every example
run and reported; an example whose worker breaks is reported and fails the job, the others
still run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from examples import RUN

pytestmark = [pytest.mark.cdk, pytest.mark.engine]

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CDK_"))}
    env["PATH"] = os.pathsep.join([str(ROOT / ".venv" / "bin"), env.get("PATH", "")])
    return env


def test_the_main_job_runs_every_example_from_the_cloud_assembly(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    done = subprocess.run(
        [sys.executable, "-m", "examples", "--plain", "--cdk-out", str(out)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = done.stdout
    assert (out / "manifest.json").is_file()
    assert "SfiniLooping: 1 AWS::IAM::Policy" in text  # what each stack deploys
    for name in RUN:
        assert f"-- {name}: ok (" in text
        assert f"[{name}] " in text  # the plain progress log
    assert "-- error_handling: ok (FAILED)" in text  # it is meant to fail, in its Fail state
    assert "FailStateEntered" in text and "name: fail" in text
    # the distinct names of one engine, as one AWS account holds the stacks
    assert ":stateMachine:SfiniLooping-sfiniSM" in text
    assert ":activity:SfiniLooping-sfiniActsincrement" in text
    # the flagship's order goes through its alias, as a deployed caller's would
    assert ":stateMachine:SfiniOrderProcessing-orderProcessing:live (workers: " in text
    assert text.count("ExecutionSucceeded") == len(RUN) - 1
    assert text.rstrip().endswith(f"{len(RUN)} of {len(RUN)} workflows ended as expected")


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from examples.__main__ import synthesise

    out = tmp_path_factory.mktemp("main-job") / "cdk.out"
    synthesise(out)
    return out


def test_a_crashing_worker_fails_its_example_and_the_others_still_run(
    assembly: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import examples.looping
    from examples.__main__ import run

    def crash(data: object) -> None:
        raise RuntimeError("the worker broke")

    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setattr(examples.looping.increment_activity, "fn", crash)
    assert run(["first_sfini", "looping"], assembly, live=False) == 1
    text = capsys.readouterr().out
    assert "-- first_sfini: ok (SUCCEEDED)" in text
    assert "-- looping: FAILED (FAILED, expected SUCCEEDED)" in text
    assert "ActivityFailed" in text and "error: RuntimeError" in text
    assert text.rstrip().endswith("1 of 2 workflows ended as expected; not: looping")


def test_a_crashing_lambda_fails_its_example_and_the_others_still_run(
    assembly: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shutil

    from examples.__main__ import run

    broken = tmp_path / "cdk.out"
    shutil.copytree(assembly, broken)
    (pricing,) = broken.glob("asset.*/pricing.py")  # the Lambda's code, as cdk deploy uploads it
    pricing.write_text("import os\n\n\ndef handler(event, context):\n    os._exit(3)\n")
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    assert run(["first_sfini", "order_processing"], broken, live=False) == 1
    text = capsys.readouterr().out
    assert "-- first_sfini: ok (SUCCEEDED)" in text
    assert "-- order_processing: FAILED (FAILED, expected SUCCEEDED)" in text
    assert "Runtime.ExitError" in text
