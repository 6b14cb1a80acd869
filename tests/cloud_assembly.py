"""Hand-written CDK cloud assemblies (``cdk.out``) for tests that read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

UNKNOWN_ENVIRONMENT = "aws://unknown-account/unknown-region"


def write_stack_assembly(
    root: Path,
    templates: dict[str, dict[str, Any]],
    *,
    environment: str = UNKNOWN_ENVIRONMENT,
    version: str | None = "36.0.0",
) -> Path:
    """Write ``<id>.template.json`` per stack and a ``manifest.json`` naming each as a stack
    artifact (artifact id = stack name) in ``environment``; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    artifacts: dict[str, Any] = {}
    for stack, template in templates.items():
        (root / f"{stack}.template.json").write_text(json.dumps(template))
        artifacts[stack] = {
            "type": "aws:cloudformation:stack",
            "environment": environment,
            "properties": {"templateFile": f"{stack}.template.json"},
        }
    manifest: dict[str, Any] = {"artifacts": artifacts}
    if version is not None:
        manifest = {"version": version, **manifest}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root
