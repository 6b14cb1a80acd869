"""Distributed Maps deployed: the role may start the machine's own child executions and read
and write exactly the S3 objects the definition names; cfn-lint and cdk-nag accept it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from cfnlint.api import ManualArgs, lint

import sfini_cdk as sfini
from sfini_cdk.constructs import LogOptions, StateMachine, UnsupportedByWorkflowType
from tests.sfini_cdk.constructs.conftest import resources_of, role_statements


def machine(**options: Any) -> sfini.StateMachine:
    processor = sfini.construct_state_machine("rowsProcessor", sfini.Pass("row"))
    return sfini.construct_state_machine(
        "rows", sfini.DistributedMap("each", processor, label="each", **options)
    )


def statements_by_action(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    return {json.dumps(s["Action"], separators=(",", ":")): s for s in role_statements(stack)}


def _joined(value: Any) -> str:
    """A Fn::Join of literals and pseudo parameters as one string (``<AWS::Region>``)."""
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_joined(p) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    return str(value)


def test_child_executions_and_s3_reads_and_writes_are_granted_exactly(stack: cdk.Stack) -> None:
    StateMachine(
        stack,
        "Rows",
        machine(
            item_reader=sfini.S3ItemReader("data", "in/rows.csv", input_type="CSV"),
            result_writer=sfini.S3ResultWriter("results", "out/"),
        ),
        name_prefix="prod-",
    )
    by_action = statements_by_action(stack)
    start = by_action['"states:StartExecution"']
    assert _joined(start["Resource"]) == (
        "arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:prod-rows"
    )
    children = by_action['["states:DescribeExecution","states:StopExecution"]']
    assert _joined(children["Resource"]).endswith(":execution:prod-rows/*")
    read = by_action['"s3:GetObject"']
    assert _joined(read["Resource"]) == "arn:<AWS::Partition>:s3:::data/in/rows.csv"
    write = by_action[
        '["s3:PutObject","s3:GetObject","s3:ListMultipartUploadParts","s3:AbortMultipartUpload"]'
    ]
    assert _joined(write["Resource"]) == "arn:<AWS::Partition>:s3:::results/out/*"


def test_listing_a_prefix_is_limited_to_that_prefix(stack: cdk.Stack) -> None:
    StateMachine(stack, "Rows", machine(item_reader=sfini.S3ItemReader("data", prefix="in/")))
    listing = statements_by_action(stack)['"s3:ListBucket"']
    assert _joined(listing["Resource"]) == "arn:<AWS::Partition>:s3:::data"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "in/*"}}


def test_buckets_known_only_at_run_time_get_no_statement(stack: cdk.Stack) -> None:
    StateMachine(
        stack,
        "Rows",
        machine(
            item_reader=sfini.S3ItemReader("$.bucket", "$.key", input_type="JSON"),
            result_writer=sfini.S3ResultWriter("$.bucket", "out/"),
        ),
    )
    actions = [s["Action"] for s in role_statements(stack)]
    assert not [a for a in actions if "s3:" in json.dumps(a)]
    assert "states:StartExecution" in actions  # the child executions are still granted


def test_a_machine_without_distributed_maps_gets_none_of_it(stack: cdk.Stack) -> None:
    processor = sfini.construct_state_machine("inlineProcessor", sfini.Pass("row"))
    StateMachine(
        stack, "Inline", sfini.construct_state_machine("inline", sfini.Map("m", processor))
    )
    assert resources_of(stack, "AWS::IAM::Policy") == {}  # not one statement


def test_express_workflows_refuse_a_distributed_map(stack: cdk.Stack) -> None:
    with pytest.raises(UnsupportedByWorkflowType, match="Map 'each' runs in Distributed mode"):
        StateMachine(stack, "Rows", machine(), type="EXPRESS")


def test_cfn_lint_and_cdk_nag_accept_a_distributed_map(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(cdk_nag.AwsSolutionsChecks(app))
    stack = cdk.Stack(app, "Rows")
    StateMachine(
        stack,
        "Rows",
        machine(
            item_reader=sfini.S3ItemReader(
                "data", "inventory/manifest.json", input_type="MANIFEST"
            ),
            item_batcher=sfini.ItemBatcher(100),
            result_writer=sfini.S3ResultWriter(
                "data", "out/", output_type="JSON", transformation="FLATTEN"
            ),
        ),
        logs=LogOptions(),
        tracing=True,
    )
    assembly = app.synth()
    template = assembly.get_stack_by_name("Rows").template
    findings = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    assert [str(f) for f in findings] == []
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["violations"] == []
    reasons = " ".join(v["reason"] for v in nag["suppressedViolations"])
    assert "child executions are named at run time" in reasons
    assert "S3 inventory manifests" in reasons
