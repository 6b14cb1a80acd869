"""A directory that is not a readable cloud assembly is a CloudAssemblyError, never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.local.service.cdk_out import CloudAssemblyError, load_cloud_assembly

MACHINE = "AWS::StepFunctions::StateMachine"
ROLE = "arn:aws:iam::123456789012:role/r"


def _write(directory: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))


def _stack(manifest_properties: Any) -> dict[str, Any]:
    return {"artifacts": {"S": {"type": "aws:cloudformation:stack", **manifest_properties}}}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "is not a cloud assembly (no manifest.json, no *.template.json)"),
        ({"readme.txt": "x"}, "is not a cloud assembly (no manifest.json, no *.template.json)"),
        ({"manifest.json": "{bad"}, "cannot read"),
        ({"manifest.json": [1]}, "manifest.json is not a cloud assembly manifest"),
        ({"manifest.json": {"artifacts": [1]}}, "is not a cloud assembly manifest"),
        (
            {"manifest.json": {"artifacts": {"S": 5}}},
            "artifact 'S' is a JSON number, not an object",
        ),
        (
            {"manifest.json": _stack({})},
            "artifact 'S' names no template or directory (got None) in properties.templateFile",
        ),
        (
            {"manifest.json": _stack({"properties": {"templateFile": 5}})},
            "artifact 'S' names no template or directory (got 5) in properties.templateFile",
        ),
        (
            {
                "manifest.json": {
                    "artifacts": {
                        "N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "x"}}
                    }
                }
            },
            "x is not a cloud assembly",
        ),
        ({"S.template.json": [1]}, "S.template.json is not a CloudFormation template"),
        ({"S.template.json": {"Resources": [1]}}, "is not a CloudFormation template"),
        (
            {"S.template.json": {"Resources": {"A": "x"}}},
            "S.template.json: resource 'A' is a JSON string, not an object",
        ),
        (
            {"S.template.json": {"Resources": {"A": {"Type": MACHINE, "Properties": 5}}}},
            "S.template.json: the Properties of 'A' are a JSON number, not an object",
        ),
        (
            {
                "S.template.json": {
                    "Resources": {
                        "M": {
                            "Type": MACHINE,
                            "Properties": {
                                "RoleArn": ROLE,
                                "DefinitionString": {"Fn::Sub": ["${X}", 5]},
                            },
                        }
                    }
                }
            },
            "resource 'M' is malformed (TypeError:",
        ),
        (
            {
                "S.template.json": {
                    "Resources": {
                        "A": {
                            "Type": "AWS::StepFunctions::Activity",
                            "Properties": {"Name": "a", "Tags": 5},
                        }
                    }
                }
            },
            "resource 'A' is malformed (TypeError:",
        ),
    ],
)
def test_malformed_assembly(
    local: Any, tmp_path: Path, files: dict[str, Any], message: str
) -> None:
    _write(tmp_path, files)
    with pytest.raises(CloudAssemblyError) as caught:
        load_cloud_assembly(local.service, tmp_path)
    assert message in str(caught.value)
    assert local.service.call("ListActivities", {})["activities"] == []  # nothing half-loaded
