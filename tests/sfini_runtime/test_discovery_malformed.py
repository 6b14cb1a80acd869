"""Malformed cloud assemblies: ``arns_from_assembly`` raises ``AssemblyError`` naming the file
(and the artifact or resource) instead of leaking AttributeError/KeyError/TypeError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime import discovery

ENV = "aws://111122223333/eu-west-1"


def _stack(properties: Any, **extra: Any) -> dict[str, Any]:
    return {"artifacts": {"S": {"type": "aws:cloudformation:stack", "environment": ENV,
                                "properties": properties, **extra}}}  # fmt: skip


GOOD_PROPERTIES = {"templateFile": "S.template.json"}

MANIFESTS: list[tuple[str, Any, str]] = [
    # (case, manifest.json content (a str is written as is), what the error says)
    ("array", [1], r"manifest\.json is not a cloud assembly manifest \(a JSON array"),
    ("string", "x", r"manifest\.json is not a cloud assembly manifest \(a JSON string"),
    ("artifacts array", {"artifacts": []}, r"manifest\.json: 'artifacts' is a JSON array"),
    ("artifact null", {"artifacts": {"S": None}}, r"manifest\.json: artifact 'S' is a JSON null"),
    ("properties list", _stack([]), r"manifest\.json: artifact 'S' 'properties' is a JSON array"),
    ("no templateFile", _stack({}), r"manifest\.json: artifact 'S' names no template .*None"),
    ("templateFile number", _stack({"templateFile": 3}), r"artifact 'S' names no template"),
    (
        "nested directoryName number",
        {"artifacts": {"N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": 7}}}},
        r"manifest\.json: artifact 'N' names no template or directory \(got 7\)",
    ),
    (
        "nested into itself",
        {"artifacts": {"N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}}}},
        r"manifest\.json: artifact 'N' nests the assembly .* inside itself",
    ),
]


@pytest.mark.parametrize(
    ("manifest", "message"), [case[1:] for case in MANIFESTS], ids=[case[0] for case in MANIFESTS]
)
def test_malformed_manifests_name_the_file(tmp_path: Path, manifest: Any, message: str) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(discovery.AssemblyError, match=message) as raised:
        discovery.arns_from_assembly(tmp_path)
    assert str(tmp_path / "manifest.json") in str(raised.value)


def test_a_manifest_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(discovery.AssemblyError, match=r"manifest\.json is not valid JSON"):
        discovery.arns_from_assembly(tmp_path)


def test_a_manifest_that_is_a_directory_names_it(tmp_path: Path) -> None:
    nested = tmp_path / "inner"
    (nested / "manifest.json").mkdir(parents=True)
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "N": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "inner"}}
                }
            }
        )
    )
    with pytest.raises(discovery.AssemblyError, match="inner is not a cloud assembly"):
        discovery.arns_from_assembly(tmp_path)


TEMPLATES: list[tuple[str, str, str]] = [
    # (case, template text, what the error says after the template's path)
    ("not json", "{oops", "is not valid JSON"),
    ("array", "[]", "is a JSON array, not an object"),
    ("resources array", '{"Resources": []}', "'Resources' is a JSON array, not an object"),
    ("outputs string", '{"Outputs": "x"}', "'Outputs' is a JSON string, not an object"),
    ("resource number", '{"Resources": {"R": 1}}', "resource 'R' is a JSON number"),
    (
        "properties array",
        '{"Resources": {"R": {"Type": "AWS::StepFunctions::Activity", "Properties": []}}}',
        "the Properties of 'R' are a JSON array",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [case[1:] for case in TEMPLATES], ids=[case[0] for case in TEMPLATES]
)
def test_malformed_templates_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps(_stack(GOOD_PROPERTIES)))
    (tmp_path / "S.template.json").write_text(text)
    with pytest.raises(discovery.AssemblyError) as raised:
        discovery.arns_from_assembly(tmp_path)
    assert str(tmp_path / "S.template.json") in str(raised.value)
    assert message in str(raised.value)


def test_odd_but_harmless_values_are_skipped_not_fatal(tmp_path: Path) -> None:
    """Values of unexpected types where a name could be are ignored; the rest is read."""
    template = {
        "Resources": {
            "Odd": {"Type": ["not", "a", "string"]},
            "Joined": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": {"Fn::Join": ["-", 5]}},
            },
            "Act": {"Type": "AWS::StepFunctions::Activity", "Properties": {"Name": "real"}},
        },
        "Outputs": {
            "O": {"Description": 42, "Value": {"Ref": "Act"}},
            "P": "not an output",
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(_stack(GOOD_PROPERTIES, displayName=["x"])))
    (tmp_path / "S.template.json").write_text(json.dumps(template))
    deployed = discovery.arns_from_assembly(tmp_path)
    assert deployed.activity_arn("real") == ("arn:aws:states:eu-west-1:111122223333:activity:real")
    assert deployed.names("activity") == ["real"]
