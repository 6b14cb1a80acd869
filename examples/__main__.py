"""The main job: the examples deployed from ``cdk.out`` onto the local engine and run end to end.

``python -m examples [NAME ...]`` (what ``./dev demo`` runs) takes the product's real path,
the one a deployment to AWS takes:

1. synthesises the CDK app (``app.py``: one stack per example) into ``cdk.out``, every stack's
   names made distinct (``sfini:distinct-names``) so that they live side by side in one engine,
   as they would in one AWS account;
2. loads that cloud assembly into one embedded local engine the way ``cdk deploy`` creates it
   in AWS: activities, state machines (nested ones too) and Python Lambda functions from their
   asset folders;
3. finds each example's ARNs in ``cdk.out`` (discovery, as ``sfini worker --cdk-out`` does),
   starts workers for its activities, and starts one execution per example, all at once;
4. shows them live (each execution's current states; a plain log when not on a terminal),
   then prints each history in sfini 0.1.0's format with its output, and exits 1 if an
   example did not end as it should (the error-handling example is meant to fail).

The examples keep the seed's real timings (a 10 s task time-out, a 15 s Wait), so the engine
runs at ``time_scale=1``: the whole job takes about half a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from examples import RUN, stack_id

ROOT = Path(__file__).resolve().parent.parent
#: how long GetActivityTask waits: short, so that the workers end soon after the last task
EXAMPLE_LONG_POLL_S = 2.0
#: an example still running after this long is stopped and reported as failed
EXAMPLE_TIMEOUT_S = 120.0


def synthesise(out_dir: Path) -> dict[str, dict[str, int]]:
    """Synthesise ``app.py`` into ``out_dir`` with distinct names; return each stack's resource
    counts by type."""
    context = json.dumps({"sfini:distinct-names": "true"})
    env = {**os.environ, "CDK_OUTDIR": str(out_dir), "CDK_CONTEXT_JSON": context}
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


def run(names: Sequence[str], out_dir: Path, *, live: bool | None = None) -> int:
    """Deploy ``out_dir`` onto a local engine, run the examples ``names``, print their
    histories; return the exit status (1 if one did not end as expected)."""
    import importlib

    from rich.console import Console

    from sfini_runtime.local import LocalEngine
    from sfini_runtime.runner import (
        RunError,
        engine_session,
        report,
        run_workflows,
        summary,
        workflow_from_stack,
    )
    from sfini_runtime.runner.workflow import (
        module_expected_error,
        module_expected_status,
        module_input,
    )

    console = Console()
    _log_warnings_on_one_line()
    print(f"== Deploying {out_dir}/ onto a local Step Functions engine")
    engine = LocalEngine(time_scale=1.0, activity_poll_seconds=EXAMPLE_LONG_POLL_S, cdk_out=out_dir)
    with engine, engine_session(engine) as session:
        print(f"   {engine.endpoint_url} (AWS_ENDPOINT_URL_SFN for boto3 and the AWS CLI)")
        workflows = []
        for name in names:
            module = importlib.import_module(f"examples.{name}")
            try:
                workflow = workflow_from_stack(
                    out_dir, stack_id(name), session, execution_input=module_input(module)
                )
            except RunError as error:
                print(f"Error: examples/{name}: {error}", file=sys.stderr)
                return 1
            workflow.label = name
            alias = getattr(module, "ALIAS", None)
            if alias is not None:  # start it through its alias, as a deployed caller would
                workflow.state_machine_arn = f"{workflow.state_machine_arn}:{alias}"
            workflow.expected_status = module_expected_status(module)
            workflow.expected_error = module_expected_error(module)
            workflows.append(workflow)
            activities = ", ".join(sorted(a.name for a in workflow.activities.values()))
            print(f"   {name}: {workflow.state_machine_arn} (workers: {activities or 'none'})")
        print(f"== Running {len(workflows)} executions (workers found through cdk.out)")
        results = run_workflows(
            workflows, session, console=console, live=live, timeout=EXAMPLE_TIMEOUT_S
        )
        for result in results:
            print()
            report(result)
    print()
    print(summary(results))
    return 0 if all(result.ok for result in results) else 1


def _log_warnings_on_one_line() -> None:
    """Workers' warnings (a task that failed or timed out) as one ``!`` line each, no
    traceback: the histories printed afterwards say what happened."""
    import logging

    from sfini_runtime.cli.errors import OneLineFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("   ! %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the main job; return the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m examples", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"examples to run: {RUN}")
    parser.add_argument(
        "--no-synth", action="store_true", help="use the cdk.out there is (no CDK synthesis)"
    )
    parser.add_argument("--plain", action="store_true", help="a plain log instead of the live view")
    parser.add_argument(
        "--cdk-out", type=Path, default=ROOT / "cdk.out", help="the cloud assembly directory"
    )
    args = parser.parse_args(argv)
    names = args.names or list(RUN)
    unknown = sorted(set(names) - set(RUN))
    if unknown:
        parser.error(f"no such example: {', '.join(unknown)} (choose from {', '.join(RUN)})")
    out_dir = args.cdk_out.resolve()
    if not args.no_synth:
        print(f"== Synthesising the CDK app into {out_dir}/")
        for stack, counts in synthesise(out_dir).items():
            summary_line = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
            print(f"   {stack}: {summary_line}")
    elif not (out_dir / "manifest.json").is_file():
        parser.error(f"--no-synth: no cloud assembly in {out_dir} (run without it first)")
    return run(names, out_dir, live=False if args.plain else None)


if __name__ == "__main__":
    sys.exit(main())
