"""The main job: every example end to end, on the local Step Functions engine.

``python -m examples [NAME ...]`` (what ``./dev demo`` runs):

1. synthesises the CDK app (``app.py``: one stack per example) into ``cdk.out`` and lists what
   each stack would deploy, the way ``cdk synth`` does;
2. runs each example as the sfini 0.1.0 script it is (``python -m examples.NAME``), each against
   its own local engine started in this process and reached through ``AWS_ENDPOINT_URL_SFN``,
   the examples side by side (they reuse the seed's names, such as ``sfiniSM``, so each gets its
   own engine);
3. prints what each printed and exits non-zero if any failed.

The examples keep the seed's real timings (a 10 s task time-out, a 15 s Wait), so the engines run
at ``time_scale=1``: the whole job takes about 20 seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sfini_runtime.local import LocalEngine

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("first_sfini", "looping", "parallel", "error_handling", "file_processing")
EXAMPLE_LONG_POLL_S = 2.0
EXAMPLE_TIMEOUT_S = 120.0


@dataclass
class ExampleRun:
    """What one example printed, and how it ended."""

    name: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def synthesise(out_dir: Path) -> dict[str, dict[str, int]]:
    """Synthesise ``app.py`` into ``out_dir``; return each stack's resource counts by type."""
    env = {**os.environ, "CDK_OUTDIR": str(out_dir)}
    subprocess.run([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, check=True)
    manifest = json.loads((out_dir / "manifest.json").read_text())
    stacks: dict[str, dict[str, int]] = {}
    for artifact in manifest["artifacts"].values():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template = json.loads((out_dir / artifact["properties"]["templateFile"]).read_text())
        counts: dict[str, int] = {}
        for resource in template.get("Resources", {}).values():
            counts[resource["Type"]] = counts.get(resource["Type"], 0) + 1
        stacks[artifact["properties"]["templateFile"].removesuffix(".template.json")] = counts
    return stacks


def run_example(name: str) -> ExampleRun:
    """Run ``python -m examples.NAME`` against a local engine of its own."""
    started = time.monotonic()
    # A worker that ends waits for its long poll to come back (rather than lose a task handed
    # to it), so a short poll lets each example's process exit soon after its work is done.
    with LocalEngine(time_scale=1.0, activity_poll_seconds=EXAMPLE_LONG_POLL_S) as engine:
        env = {**os.environ, **engine.env(), "PYTHONUNBUFFERED": "1"}
        try:
            proc = subprocess.run(
                [sys.executable, "-m", f"examples.{name}"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=EXAMPLE_TIMEOUT_S,
            )
            returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            returncode = -1
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            stderr = f"timed out after {EXAMPLE_TIMEOUT_S:.0f} s"
    return ExampleRun(name, returncode, stdout, stderr, time.monotonic() - started)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the main job; return the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m examples", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"examples to run: {EXAMPLES}")
    parser.add_argument("--no-synth", action="store_true", help="skip the CDK synthesis step")
    args = parser.parse_args(argv)
    names = args.names or list(EXAMPLES)
    unknown = sorted(set(names) - set(EXAMPLES))
    if unknown:
        parser.error(f"no such example: {', '.join(unknown)} (choose from {', '.join(EXAMPLES)})")

    if not args.no_synth:
        out_dir = ROOT / "cdk.out"
        print(f"== Synthesising the CDK app into {out_dir.relative_to(ROOT)}/")
        for stack, counts in synthesise(out_dir).items():
            summary = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
            print(f"  {stack}: {summary}")

    print(f"== Running {len(names)} examples on the local Step Functions engine")
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        runs = list(pool.map(run_example, names))
    failed = 0
    for run in runs:
        verdict = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
        print(f"\n-- examples/{run.name}.py: {verdict} in {run.seconds:.1f} s")
        for line in run.stdout.rstrip().splitlines():
            print(f"   {line}")
        if run.returncode != 0:
            failed += 1
            for line in run.stderr.rstrip().splitlines()[-15:]:
                print(f"   ! {line}")
    print(f"\n{len(runs) - failed} of {len(runs)} examples succeeded")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
