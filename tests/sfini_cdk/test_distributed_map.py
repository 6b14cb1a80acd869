"""DistributedMap in the definition model: its ASL, its readers, batcher and writer, and the
bounds they refuse (naming the field)."""

from __future__ import annotations

from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk.errors import InvalidDefinition


def processor(name: str = "proc") -> sfini.StateMachine:
    return sfini.construct_state_machine(name, sfini.Pass(f"{name}-each"))


def rendered(state: sfini.State, name: str = "dm") -> dict[str, Any]:
    return sfini.construct_state_machine(name, state).to_dict()["States"][state.name]


def test_a_distributed_map_over_a_csv_object_batched_with_results_in_s3() -> None:
    state = sfini.DistributedMap(
        "rows",
        processor(),
        execution_type="EXPRESS",
        item_reader=sfini.S3ItemReader(
            "data", "in/rows.csv", input_type="CSV", csv_headers=["id", "qty"], max_items=500
        ),
        item_batcher=sfini.ItemBatcher(10, 64 * 1024, batch_input={"run": 1}),
        result_writer=sfini.S3ResultWriter(
            "data", "out/", output_type="JSONL", transformation="COMPACT"
        ),
        label="rows",
        tolerated_failure_percentage=5,
        max_concurrency=100,
    )
    asl = rendered(state)
    assert asl["Type"] == "Map"
    assert asl["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    assert asl["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {
            "InputType": "CSV",
            "CSVHeaderLocation": "GIVEN",
            "CSVHeaders": ["id", "qty"],
            "MaxItems": 500,
        },
        "Parameters": {"Bucket": "data", "Key": "in/rows.csv"},
    }
    assert asl["ItemBatcher"] == {
        "MaxItemsPerBatch": 10,
        "MaxInputBytesPerBatch": 65536,
        "BatchInput": {"run": 1},
    }
    assert asl["ResultWriter"] == {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "data", "Prefix": "out/"},
        "WriterConfig": {"OutputType": "JSONL", "Transformation": "COMPACT"},
    }
    assert (asl["Label"], asl["ToleratedFailurePercentage"], asl["MaxConcurrency"]) == (
        "rows",
        5,
        100,
    )


def test_paths_and_jsonata_expressions_are_read_at_run_time() -> None:
    on_paths = sfini.DistributedMap(
        "objects",
        processor(),
        item_reader=sfini.S3ItemReader("$.bucket", prefix="in/"),
        result_writer=sfini.S3ResultWriter("$.bucket", "$.out"),
    )
    asl = rendered(on_paths)
    assert asl["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:listObjectsV2",
        "Parameters": {"Bucket.$": "$.bucket", "Prefix": "in/"},
    }
    assert asl["ResultWriter"]["Parameters"] == {"Bucket.$": "$.bucket", "Prefix.$": "$.out"}
    assert asl["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] == "STANDARD"

    jsonata = sfini.DistributedMap(
        "lines",
        processor("procj"),
        query_language="JSONata",
        item_reader=sfini.S3ItemReader(
            "{% $states.input.b %}", "{% $states.input.k %}", input_type="JSONL"
        ),
    )
    reader = rendered(jsonata, "dmj")["ItemReader"]
    assert reader["Arguments"] == {
        "Bucket": "{% $states.input.b %}",
        "Key": "{% $states.input.k %}",
    }
    assert "Parameters" not in reader


def test_a_reader_given_as_asl_is_used_as_it_is() -> None:
    raw = {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": "b", "Key": "k.json"},
    }
    assert rendered(sfini.DistributedMap("raw", processor(), item_reader=raw))["ItemReader"] == raw


def test_it_keeps_map_behaviour_retry_catch_and_next() -> None:
    state = sfini.DistributedMap("each", processor(), items_path="$.items")
    done = sfini.Succeed("done")
    failed = sfini.Fail("failed", error="Broken")
    state.retry_for(["States.ItemReaderFailed"], interval=2, max_attempts=3)
    state.catch(["States.ALL"], failed)
    state.goes_to(done)
    asl = rendered(state)
    assert asl["ItemsPath"] == "$.items"
    assert asl["Next"] == "done"
    assert asl["Retry"][0]["ErrorEquals"] == ["States.ItemReaderFailed"]
    assert asl["Catch"][0]["Next"] == "failed"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: sfini.S3ItemReader("b", "k"), "needs an input_type"),
        (lambda: sfini.S3ItemReader("b", "k", prefix="p", input_type="JSON"), "not both"),
        (lambda: sfini.S3ItemReader("b", "k", input_type="XML"), "input_type must be one of"),
        (lambda: sfini.S3ItemReader("b", prefix="p", input_type="CSV"), "give its key"),
        (lambda: sfini.S3ItemReader("", "k", input_type="JSON"), "bucket must be a non-empty"),
        (lambda: sfini.S3ItemReader("b", "k", input_type="JSON", csv_headers=["a"]), "apply to"),
        (lambda: sfini.S3ItemReader("b", "k", input_type="CSV", csv_headers=[]), "non-empty list"),
        (lambda: sfini.S3ItemReader("b", "k", input_type="CSV", csv_delimiter="DASH"), "COMMA"),
        (lambda: sfini.S3ItemReader("b", "k", input_type="JSON", max_items=0), "1 to 100,000,000"),
        (lambda: sfini.ItemBatcher(), "needs max_items_per_batch"),
        (lambda: sfini.ItemBatcher(max_input_bytes_per_batch=262145), "1 to 262,144"),
        (lambda: sfini.ItemBatcher(True), "whole number"),
        (lambda: sfini.ItemBatcher(5, batch_input=[1]), "must be a JSON object"),
        (lambda: sfini.S3ResultWriter("b", output_type="CSV"), "JSON, JSONL"),
        (lambda: sfini.S3ResultWriter("b", transformation="ALL"), "NONE, COMPACT, FLATTEN"),
        (
            lambda: sfini.DistributedMap("m", processor(), execution_type="SYNC"),
            "STANDARD or EXPRESS",
        ),
        (lambda: sfini.DistributedMap("m", processor(), item_reader="s3://b/k"), "S3ItemReader"),
    ],
)
def test_bad_distributed_map_options_are_refused_naming_the_field(make: Any, message: str) -> None:
    with pytest.raises(InvalidDefinition, match=message):
        make()


def test_the_model_checks_the_rest_when_the_machine_is_built() -> None:
    # a Label over 40 characters is the checker's rule, for inline and distributed Maps alike
    with pytest.raises(InvalidDefinition, match="Label"):
        sfini.construct_state_machine("dm", sfini.DistributedMap("m", processor(), label="x" * 41))
