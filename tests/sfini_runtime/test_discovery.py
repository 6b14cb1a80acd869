"""Finding deployed ARNs: stack outputs (moto's CloudFormation), cdk.out, names."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from sfini_runtime import discovery
from sfini_runtime.session import AWSSession
from tests.cloud_assembly import write_stack_assembly

ACT = "arn:aws:states:eu-west-1:123456789012:activity:"
SM = "arn:aws:states:eu-west-1:123456789012:stateMachine:"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for key in ("AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        yield AWSSession(boto3.Session(region_name="eu-west-1"))


def _template(outputs: dict) -> str:
    return json.dumps(
        {
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
            "Outputs": outputs,
        }
    )


def test_arns_from_stack_outputs(aws: AWSSession) -> None:
    outputs = {
        # WorkflowStack's scheme: prefix + name key, the ARN as value, the name in the description
        "SfiniActivitysfiniActsadd": {
            "Value": ACT + "sfiniActsadd",
            "Description": "sfini activity sfiniActsadd",
        },
        "SfiniStateMachinemySM1a2b3c4d": {
            "Value": SM + "MySMGeneratedName-ABC123",
            "Description": "sfini state machine my-SM",
        },
        "SomethingElse": {"Value": "not an arn"},
        "ALambda": {"Value": "arn:aws:lambda:eu-west-1:123456789012:function:f"},
    }
    aws.client("cloudformation").create_stack(StackName="wf", TemplateBody=_template(outputs))
    deployed = discovery.arns_from_stack("wf", session=aws)
    assert deployed.activity_arn("sfiniActsadd") == ACT + "sfiniActsadd"
    assert deployed.state_machine_arn("my-SM") == SM + "MySMGeneratedName-ABC123"
    assert deployed.state_machine_arn("MySMGeneratedName-ABC123") == SM + "MySMGeneratedName-ABC123"
    assert set(deployed.activities) == {"sfiniActsadd"}
    with pytest.raises(discovery.NotDeployed, match="activity 'other' is not in stack 'wf'"):
        deployed.activity_arn("other")


def test_missing_stack(aws: AWSSession) -> None:
    with pytest.raises(discovery.DiscoveryError, match="stack 'nope' does not exist"):
        discovery.arns_from_stack("nope", session=aws)


def _assembly(tmp_path: Path, environment: str) -> Path:
    template = {
        "Resources": {
            "AddActivity1234": {
                "Type": "AWS::StepFunctions::Activity",
                "Properties": {"Name": "sfiniActsadd"},
            },
            "Machine5678": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "StateMachineName": {"Fn::Join": ["", ["wf-", {"Ref": "AWS::Region"}]]},
                    "DefinitionString": "{}",
                },
            },
            "Unnamed": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"DefinitionString": "{}"},
            },
            "Queue": {"Type": "AWS::SQS::Queue"},
        }
    }
    (tmp_path / "Wf.template.json").write_text(json.dumps(template))
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "Wf": {
                "type": "aws:cloudformation:stack",
                "environment": environment,
                "properties": {"templateFile": "Wf.template.json", "stackName": "WorkflowStack"},
            },
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_arns_from_assembly_with_an_environment(tmp_path: Path) -> None:
    directory = _assembly(tmp_path, "aws://111122223333/cn-north-1")
    deployed = discovery.arns_from_assembly(directory, "WorkflowStack")
    assert (
        deployed.activity_arn("sfiniActsadd")
        == "arn:aws-cn:states:cn-north-1:111122223333:activity:sfiniActsadd"
    )
    assert deployed.state_machine_arn("wf-cn-north-1").endswith(":stateMachine:wf-cn-north-1")
    assert deployed.state_machine_arn("Machine5678") == deployed.state_machine_arn("wf-cn-north-1")
    assert "Unnamed" not in deployed.state_machines  # its name is CloudFormation's to choose


def test_arns_from_environment_agnostic_assembly_use_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCOUNT_ID", "444455556666")
    session = AWSSession(region="eu-west-1", endpoint_url="http://127.0.0.1:9")
    directory = _assembly(tmp_path, "aws://unknown-account/unknown-region")
    deployed = discovery.arns_from_assembly(directory, session=session)
    assert (
        deployed.activity_arn("sfiniActsadd")
        == "arn:aws:states:eu-west-1:444455556666:activity:sfiniActsadd"
    )


def test_assembly_errors(tmp_path: Path) -> None:
    with pytest.raises(discovery.AssemblyError, match="not a cloud assembly"):
        discovery.arns_from_assembly(tmp_path)
    directory = _assembly(tmp_path, "aws://111122223333/eu-west-1")
    with pytest.raises(discovery.AssemblyError, match="no stack 'Other'"):
        discovery.arns_from_assembly(directory, "Other")


def test_unreadable_assemblies(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(discovery.AssemblyError, match=r"manifest\.json is not valid JSON"):
        discovery.arns_from_assembly(tmp_path)
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "S": {
                        "type": "aws:cloudformation:stack",
                        "environment": "aws://111122223333/eu-west-1",
                        "properties": {"templateFile": "missing.template.json"},
                    }
                }
            }
        )
    )
    with pytest.raises(discovery.AssemblyError, match="cannot read the template"):
        discovery.arns_from_assembly(tmp_path)


def test_outputs_with_get_att_name_their_resources(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"StateMachineName": "p-flow", "DefinitionString": "{}"},
            }
        },
        "Outputs": {
            "Out": {
                "Value": {"Fn::GetAtt": ["Machine", "Arn"]},
                "Description": "sfini state machine flow",
            },
            "Elsewhere": {"Value": ACT + "p-remote", "Description": "sfini activity remote"},
        },
    }
    write_stack_assembly(
        tmp_path, {"S": template}, environment="aws://123456789012/eu-west-1", version=None
    )
    deployed = discovery.arns_from_assembly(tmp_path)
    assert deployed.state_machine_arn("flow") == SM + "p-flow"
    assert deployed.activity_arn("remote") == ACT + "p-remote"


def test_arns_by_name() -> None:
    deployed = discovery.arns_by_name(["a"], ["m"], region="us-gov-west-1", account="1")
    assert deployed.activity_arn("a") == "arn:aws-us-gov:states:us-gov-west-1:1:activity:a"
    assert deployed.state_machine_arn("m") == "arn:aws-us-gov:states:us-gov-west-1:1:stateMachine:m"


def test_stack_outputs_agree_with_the_cdk_naming_scheme() -> None:
    """The runtime reads what ``sfini_cdk.constructs.outputs`` documents (pure Python)."""
    outputs_module = importlib.import_module("sfini_cdk.constructs.outputs")
    name = "my-act.1"
    outputs = [
        {
            "OutputKey": outputs_module.activity_output_key(name),
            "OutputValue": ACT + "GeneratedPhysicalName",
            "Description": f"sfini activity {name}",
        }
    ]
    assert discovery.arns_from_outputs(outputs).activity_arn(name) == ACT + "GeneratedPhysicalName"


def test_messages_list_names_not_logical_ids(tmp_path: Path) -> None:
    deployed = discovery.arns_from_assembly(_assembly(tmp_path, "aws://111122223333/eu-west-1"))
    assert deployed.activity_arn("AddActivity1234") == deployed.activity_arn("sfiniActsadd")
    assert deployed.names("activity") == ["sfiniActsadd"]
    assert deployed.names("stateMachine") == ["wf-eu-west-1"]
    with pytest.raises(discovery.NotDeployed, match=r"\(found: sfiniActsadd\)$"):
        deployed.activity_arn("other")


def test_a_logical_id_that_is_also_a_name_stays_listed() -> None:
    deployed = discovery.DeployedArns()
    deployed.add(ACT + "shared", aliases=["Shared"])
    deployed.add(ACT + "Shared")  # another activity whose AWS name is that logical id
    assert deployed.names("activity") == ["Shared", "shared"]
    with pytest.raises(discovery.AmbiguousName, match="activity 'Shared'"):
        deployed.activity_arn("Shared")


def test_ambiguous_names_say_which_stacks_deploy_them(tmp_path: Path) -> None:
    artifacts = {}
    for stack in ("One", "Two"):
        template = {
            "Resources": {
                "Machine": {
                    "Type": "AWS::StepFunctions::StateMachine",
                    "Properties": {"StateMachineName": f"{stack}-flow", "DefinitionString": "{}"},
                }
            },
            "Outputs": {
                "Out": {"Value": {"Ref": "Machine"}, "Description": "sfini state machine flow"}
            },
        }
        (tmp_path / f"{stack}.template.json").write_text(json.dumps(template))
        artifacts[stack] = {
            "type": "aws:cloudformation:stack",
            "environment": "aws://123456789012/eu-west-1",
            "properties": {"templateFile": f"{stack}.template.json"},
        }
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    deployed = discovery.arns_from_assembly(tmp_path)
    with pytest.raises(discovery.AmbiguousName) as raised:
        deployed.state_machine_arn("flow")
    message = str(raised.value)
    assert f"{SM}One-flow (stack One), {SM}Two-flow (stack Two)" in message
    assert "--stack" in message
    assert (
        discovery.arns_from_assembly(tmp_path, "Two").state_machine_arn("flow") == SM + "Two-flow"
    )


def test_sfini_runtime_re_exports_the_discovery_api() -> None:
    import sfini_runtime

    for name in discovery.__all__:
        assert getattr(sfini_runtime, name) is getattr(discovery, name), name
        assert name in sfini_runtime.__all__
