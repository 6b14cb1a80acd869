"""The cloud-assembly reader: manifests (nested assemblies, stages), templates, intrinsics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.arns import ArnFactory
from sfini_runtime.cloud_assembly import (
    CloudAssemblyError,
    MalformedManifest,
    MalformedTemplate,
    NotACloudAssembly,
    Resolver,
    Template,
    UnresolvableValue,
    UnsupportedIntrinsic,
    load_template,
    read_stacks,
)

ARNS = ArnFactory("eu-west-1", "111122223333")
PREFIX = "arn:aws:states:eu-west-1:111122223333"


def _write(path: Path, content: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))
    return path


def _stack_artifact(template: str, **extra: Any) -> dict[str, Any]:
    return {"type": "aws:cloudformation:stack", "properties": {"templateFile": template}, **extra}


def test_stacks_of_nested_assemblies_and_stages(tmp_path: Path) -> None:
    top = _stack_artifact("Top.template.json", environment="aws://111122223333/eu-west-1")
    top["properties"]["stackName"] = "TopStack"
    _write(
        tmp_path / "manifest.json",
        {
            "artifacts": {
                "Top": top,
                "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
                "assembly-Prod": {
                    "type": "cdk:cloud-assembly",
                    "properties": {"directoryName": "assembly-Prod"},
                },
            }
        },
    )
    staged = _stack_artifact(
        "ProdApp.template.json",
        displayName="Prod/App",
        environment="aws://unknown-account/unknown-region",
    )
    _write(tmp_path / "assembly-Prod" / "manifest.json", {"artifacts": {"ProdApp": staged}})
    _write(tmp_path / "assembly-Prod" / "ProdApp.template.json", {"Resources": {}})

    top_stack, staged_stack = read_stacks(tmp_path)

    assert (top_stack.name, top_stack.artifact_id) == ("TopStack", "Top")
    assert top_stack.template_path == tmp_path / "Top.template.json"
    assert (top_stack.account, top_stack.region) == ("111122223333", "eu-west-1")
    # no stackName: CloudFormation names the stack after the artifact
    assert (staged_stack.name, staged_stack.display_name) == ("ProdApp", "Prod/App")
    assert staged_stack.template_path == tmp_path / "assembly-Prod" / "ProdApp.template.json"
    assert (staged_stack.account, staged_stack.region) == (None, None)
    assert staged_stack.names == ("ProdApp", "Prod/App")
    assert staged_stack.matches("Prod/App") and not staged_stack.matches("Prod")
    assert staged_stack.template().resources == {}


def test_bare_templates_count_only_when_asked_for(tmp_path: Path) -> None:
    _write(tmp_path / "App.template.json", {"Resources": {}})
    (stack,) = read_stacks(tmp_path, bare_templates=True)
    assert (stack.name, stack.artifact_id, stack.template_path) == (
        "App",
        "App",
        tmp_path / "App.template.json",
    )
    with pytest.raises(NotACloudAssembly, match=r"is not a cloud assembly \(no manifest\.json\)$"):
        read_stacks(tmp_path)
    with pytest.raises(NotACloudAssembly, match=r"no cloud assembly at .*nowhere"):
        read_stacks(tmp_path / "nowhere")


TEMPLATE: dict[str, Any] = {
    "Parameters": {"Env": {"Type": "String", "Default": "dev"}, "Free": {"Type": "String"}},
    "Resources": {
        "Act": {
            "Type": "AWS::StepFunctions::Activity",
            "Properties": {"Name": {"Fn::Sub": "work-${Env}"}},
        },
        "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f" * 70}},
        "Unnamed": {"Type": "AWS::Lambda::Function", "Properties": {}},
    },
}


@pytest.fixture
def resolver(tmp_path: Path) -> Resolver:
    path = _write(tmp_path / "App.template.json", TEMPLATE)
    return Resolver(load_template(path), "App", ARNS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::AccountId"}, "111122223333"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::URLSuffix"}, "amazonaws.com"),
        ({"Ref": "AWS::StackName"}, "App"),
        ({"Ref": "AWS::NoValue"}, None),
        ({"Ref": "Env"}, "dev"),
        ({"Ref": "Free"}, "Free"),  # no default: the parameter's own name, locally
        ({"Ref": "Act"}, f"{PREFIX}:activity:work-dev"),
        ({"Ref": "Machine"}, f"{PREFIX}:stateMachine:App-Machine"),
        ({"Ref": "Role"}, "App-Role"),
        ({"Fn::GetAtt": ["Act", "Arn"]}, f"{PREFIX}:activity:work-dev"),
        ({"Fn::GetAtt": "Machine.Name"}, "App-Machine"),
        ({"Fn::GetAtt": ["Role", "Arn"]}, "arn:aws:iam::111122223333:role/App-Role"),
        (
            {"Fn::GetAtt": ["Fn", "Arn"]},
            f"arn:aws:lambda:eu-west-1:111122223333:function:{'f' * 70}",
        ),
        ({"Fn::Sub": "${AWS::Region}/${Act.Name}/${!Literal}"}, "eu-west-1/work-dev/${Literal}"),
        ({"Fn::Sub": ["${Greeting}, ${Env}", {"Greeting": {"Ref": "AWS::StackName"}}]}, "App, dev"),
        ({"Fn::Join": ["-", ["a", {"Ref": "Env"}, 3]]}, "a-dev-3"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}, "y"),
        ({"Fn::Split": ["/", {"Fn::Sub": "${Env}/b"}]}, ["dev", "b"]),
        ({"Key": [{"Ref": "Env"}], "Other": 1}, {"Key": ["dev"], "Other": 1}),
    ],
)
def test_intrinsics(resolver: Resolver, value: Any, expected: Any) -> None:
    assert resolver.resolve(value) == expected


def test_physical_names(resolver: Resolver) -> None:
    assert resolver.physical_name("Act") == "work-dev"  # the Name property, resolved
    assert resolver.physical_name("Fn") == "f" * 70  # a fixed name is kept whole
    assert resolver.physical_name("Unnamed") == "App-Unnamed"
    long_stack = Resolver(resolver.template, "S" * 70, ARNS)
    assert long_stack.physical_name("Unnamed") == ("S" * 70 + "-Unnamed")[:64]
    assert long_stack.physical_name("Machine") == ("S" * 70 + "-Machine")[:80]


def test_deployed_values_only_cloudformation_knows_are_unresolvable(resolver: Resolver) -> None:
    deployed = Resolver(resolver.template, "App", ARNS, deployed=True)
    assert deployed.physical_name("Act") == "work-dev"
    with pytest.raises(UnresolvableValue, match="the name of 'Machine' is only known once"):
        deployed.resolve({"Ref": "Machine"})
    with pytest.raises(UnresolvableValue, match="parameter 'Free' has no default"):
        deployed.resolve({"Fn::Sub": "${Free}"})


def test_an_unsupported_intrinsic_is_named(resolver: Resolver) -> None:
    with pytest.raises(UnsupportedIntrinsic, match=r"^App: Fn::ImportValue is not supported"):
        resolver.resolve({"Fn::Join": ["", [{"Fn::ImportValue": "shared"}]]})


def test_malformed_manifests_and_templates_name_the_file(tmp_path: Path) -> None:
    manifest = _write(tmp_path / "manifest.json", {"artifacts": {"S": _stack_artifact("")}})
    with pytest.raises(MalformedManifest) as raised:
        read_stacks(tmp_path)
    assert str(raised.value) == (
        f"{manifest}: artifact 'S' names no template or directory (got '') in "
        "properties.templateFile"
    )

    path = _write(tmp_path / "S.template.json", {"Resources": {"R": {"Properties": {}}}})
    template = load_template(path)
    with pytest.raises(MalformedTemplate) as raised, template.guard("R"):
        Resolver(template, "S", ARNS).resolve({"Fn::Join": ["-", 5]})
    assert str(raised.value).startswith(f"{path}: resource 'R' is malformed (TypeError: ")

    outputs = Template(path, {"Outputs": []})
    with pytest.raises(MalformedTemplate, match="'Outputs' is a JSON array, not an object"):
        outputs.outputs  # noqa: B018 - checked when read


def test_the_callers_errors_are_the_readers() -> None:
    from sfini_runtime import discovery
    from sfini_runtime.local.service import cdk_out

    assert cdk_out.CloudAssemblyError is CloudAssemblyError
    assert issubclass(cdk_out.NotLoadable, CloudAssemblyError)
    assert issubclass(discovery.AssemblyError, CloudAssemblyError)
    assert issubclass(discovery.AssemblyError, discovery.DiscoveryError)
