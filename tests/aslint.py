"""Lint ASL definitions with cfn-lint's Step Functions schema, many at once.

``lint_definitions`` wraps definitions into one CloudFormation template (one
``AWS::StepFunctions::StateMachine`` each) and runs ``cfnlint.api.lint`` once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

#: cfn-lint schema gaps: fields AWS accepts (ASL spec, AWS docs) that cfn-lint 1.x's
#: statemachine.json leaves out, as (state Type, field).
KNOWN_SCHEMA_GAPS = frozenset(
    {
        ("Succeed", "InputPath"),  # Succeed takes InputPath/OutputPath (JSONPath)
        ("Succeed", "OutputPath"),
        ("Succeed", "QueryLanguage"),  # any state may set QueryLanguage
        ("Parallel", "Parameters"),  # the branches' input (JSONPath), in AWS's Parallel docs
    }
)
#: Numeric fields AWS lets JSONata states write as ``{% %}`` expressions, which cfn-lint's
#: JSONata schema still types as numbers or integers (it only relaxes Wait ``Seconds``).
JSONATA_NUMERIC_FIELDS = frozenset(
    {
        "TimeoutSeconds",
        "HeartbeatSeconds",
        "MaxConcurrency",
        "ToleratedFailureCount",
        "ToleratedFailurePercentage",
    }
)
_UNEXPECTED = re.compile(r"Additional properties are not allowed \('([^']+)' was unexpected\)")


def _template(definitions: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    resources = {}
    for index, definition in enumerate(definitions.values()):
        resources[f"StateMachine{index}"] = {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {
                "RoleArn": "arn:aws:iam::123456789012:role/sfini",
                "Definition": definition,
            },
        }
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def _is_known_gap(template: dict[str, Any], path: list[Any], message: str) -> bool:
    if len(path) < 2:
        return False
    node: Any = template
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(node, dict):
        return False
    unexpected = _UNEXPECTED.search(message)
    if unexpected:
        return (node.get("Type"), unexpected.group(1)) in KNOWN_SCHEMA_GAPS
    value = node.get(path[-1])
    definition = template["Resources"].get(str(path[1]), {}).get("Properties", {})
    language = node.get("QueryLanguage") or definition.get("Definition", {}).get("QueryLanguage")
    return (
        language == "JSONata"
        and path[-1] in JSONATA_NUMERIC_FIELDS
        and isinstance(value, str)
        and value.startswith("{%")
        and re.search(r"is not of type '(number|integer)'", message) is not None
    )


def lint_definitions(definitions: Mapping[str, dict[str, Any]]) -> list[str]:
    """Problems cfn-lint finds (errors and warnings), as ``"<label>: <rule> <message>"``.

    Args:
        definitions: ASL definitions by label (e.g. the test that built them)
    """
    from cfnlint.api import ManualArgs, lint

    if not definitions:
        return []
    labels = list(definitions)
    template = _template(definitions)
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    problems = []
    for match in matches:
        path = list(getattr(match, "path", None) or [])
        if _is_known_gap(template, path, match.message):
            continue
        label = "?"
        if len(path) > 1 and str(path[1]).startswith("StateMachine"):
            label = labels[int(str(path[1])[len("StateMachine") :])]
        problems.append(f"{label}: {match.rule.id} {'/'.join(map(str, path))}: {match.message}")
    return problems
