"""The stack output naming scheme (pure Python, no aws_cdk)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sfini_cdk.constructs.outputs import (
    activity_output_key,
    deployed_arns,
    state_machine_output_key,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("sfiniActsprintActivity", "SfiniActivitysfiniActsprintActivity"),
        ("testAdding", "SfiniActivitytestAdding"),
    ],
)
def test_alphanumeric_names_are_used_as_they_are(name: str, key: str) -> None:
    assert activity_output_key(name) == key
    assert state_machine_output_key(name) == key.replace("SfiniActivity", "SfiniStateMachine")


def test_names_that_lose_characters_get_a_hash_so_they_cannot_collide() -> None:
    assert activity_output_key("my-act") != activity_output_key("myact")
    assert activity_output_key("my-act").startswith("SfiniActivitymyact")
    assert len(activity_output_key("my-act")) == len("SfiniActivitymyact") + 8
    assert state_machine_output_key("a_b") != state_machine_output_key("a-b")


def test_deployed_arns_reads_describe_stacks_outputs() -> None:
    arn_a = "arn:aws:states:eu-west-1:123456789012:activity:my-act"
    arn_m = "arn:aws:states:eu-west-1:123456789012:stateMachine:flow"
    outputs = [
        {"OutputKey": activity_output_key("my-act"), "OutputValue": arn_a},
        {"OutputKey": state_machine_output_key("flow"), "OutputValue": arn_m},
        {"OutputKey": "Unrelated", "OutputValue": "x"},
    ]
    assert deployed_arns(outputs) == ({"my-act": arn_a}, {"flow": arn_m})


def test_importable_without_aws_cdk() -> None:
    code = (
        "import sys; from sfini_cdk.constructs.outputs import deployed_arns; "
        "assert 'aws_cdk' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_deployed_arns_names_by_the_sfini_names_in_the_descriptions() -> None:
    """Under a name prefix the AWS name differs from the sfini name the description keeps."""
    arn_a = "arn:aws:states:eu-west-1:123456789012:activity:dev-my-act"
    arn_m = "arn:aws:states:eu-west-1:123456789012:stateMachine:dev-flow"
    outputs = [
        {
            "OutputKey": activity_output_key("my-act"),
            "OutputValue": arn_a,
            "Description": "sfini activity my-act",
        },
        {
            "OutputKey": state_machine_output_key("flow"),
            "OutputValue": arn_m,
            "Description": "sfini state machine flow",
        },
    ]
    assert deployed_arns(outputs) == ({"my-act": arn_a}, {"flow": arn_m})
    # A mapping has no descriptions: the names are the AWS names in the ARNs.
    mapping = {o["OutputKey"]: o["OutputValue"] for o in outputs}
    assert deployed_arns(mapping) == ({"dev-my-act": arn_a}, {"dev-flow": arn_m})


def test_the_runtime_finds_prefixed_resources_by_sfini_name() -> None:
    from sfini_runtime.discovery import arns_from_outputs

    arn = "arn:aws:states:eu-west-1:123456789012:activity:dev-my-act"
    outputs = [
        {
            "OutputKey": activity_output_key("my-act"),
            "OutputValue": arn,
            "Description": "sfini activity my-act",
        }
    ]
    assert arns_from_outputs(outputs).activity_arn("my-act") == arn
