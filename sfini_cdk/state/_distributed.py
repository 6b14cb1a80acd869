"""Distributed Map: a Map whose iterations run as child workflow executions, over items read
from Amazon S3, batched, with results written back to S3.

``DistributedMap`` renders ``ItemProcessor.ProcessorConfig`` with ``Mode: DISTRIBUTED`` and its
``ExecutionType``; ``S3ItemReader``, ``ItemBatcher`` and ``S3ResultWriter`` render the
``ItemReader``, ``ItemBatcher`` and ``ResultWriter`` fields (bounds checked when they are made,
naming the field). A bucket or key given as a JSONPath (``"$.bucket"``) or JSONata
(``"{% ... %}"``) expression is read at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sfini_cdk._default import DEFAULT, JSONable
from sfini_cdk.errors import InvalidField
from sfini_cdk.state._base import ResourceResolver, put
from sfini_cdk.state._branching import Map

if TYPE_CHECKING:
    from sfini_cdk.state._base import State
    from sfini_cdk.state_machine import StateMachine

__all__ = ["DistributedMap", "ItemBatcher", "S3ItemReader", "S3ResultWriter"]

EXECUTION_TYPES = ("STANDARD", "EXPRESS")
INPUT_TYPES = ("JSON", "JSONL", "CSV", "MANIFEST", "PARQUET")
CSV_DELIMITERS = ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB")
OUTPUT_TYPES = ("JSON", "JSONL")
TRANSFORMATIONS = ("NONE", "COMPACT", "FLATTEN")
MAX_ITEMS = 100_000_000
MAX_BATCH_BYTES = 256 * 1024
_GET_OBJECT = "arn:aws:states:::s3:getObject"
_LIST_OBJECTS = "arn:aws:states:::s3:listObjectsV2"
_PUT_OBJECT = "arn:aws:states:::s3:putObject"


def _one_of(field: str, value: object, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise InvalidField(f"{field} must be one of {', '.join(allowed)}, got {value!r}")


def _whole(field: str, value: object, low: int, high: int) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidField(
            f"{field} must be a whole number from {low:,} to {high:,}, got {value!r}"
        )


def _arguments(values: dict[str, str | None], query_language: str) -> dict[str, Any]:
    """``Parameters`` (JSONPath: a path value gets a ``.$`` key) or ``Arguments`` (JSONata)."""
    rendered: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        path = query_language == "JSONPath" and value.startswith("$")
        rendered[f"{key}.$" if path else key] = value
    return rendered


def _s3_argument(field: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidField(f"{field} must be a non-empty string, got {value!r}")
    return value


class S3ItemReader:
    """Where a Distributed Map reads its items: one S3 object, or the objects under a prefix.

    Args:
        bucket: the bucket (or an expression giving it)
        key: the object holding the items (``s3:getObject``); without it the items are the
            objects under ``prefix`` (``s3:listObjectsV2``), one item per object
        prefix: with no ``key``: only the objects whose key starts with it
        input_type: how the object holds the items: ``JSON`` (an array), ``JSONL``, ``CSV``,
            ``MANIFEST`` (an S3 Inventory manifest) or ``PARQUET``; required with ``key``
        csv_headers: CSV column names; default: the object's first row
        csv_delimiter: ``COMMA`` (default), ``PIPE``, ``SEMICOLON``, ``SPACE`` or ``TAB``
        max_items: read at most this many items (1 to 100,000,000)
    """

    def __init__(
        self,
        bucket: str,
        key: str | None = None,
        *,
        prefix: str | None = None,
        input_type: str | None = None,
        csv_headers: Sequence[str] | None = None,
        csv_delimiter: str | None = None,
        max_items: int | None = None,
    ) -> None:
        self.bucket = _s3_argument("ItemReader bucket", bucket)
        self.key = None if key is None else _s3_argument("ItemReader key", key)
        if key is not None and prefix is not None:
            raise InvalidField("ItemReader takes a key (one object) or a prefix, not both")
        if key is not None and input_type is None:
            raise InvalidField(
                f"ItemReader of object {key!r} needs an input_type ({', '.join(INPUT_TYPES)})"
            )
        if key is None and input_type not in (None, "MANIFEST"):
            raise InvalidField("ItemReader input_type applies to one object: give its key")
        _one_of("ItemReader input_type", input_type, INPUT_TYPES)
        _one_of("ItemReader csv_delimiter", csv_delimiter, CSV_DELIMITERS)
        if (csv_headers is not None or csv_delimiter is not None) and input_type != "CSV":
            raise InvalidField("ItemReader csv_headers and csv_delimiter apply to input_type CSV")
        if csv_headers is not None and (
            isinstance(csv_headers, str)
            or not csv_headers
            or not all(isinstance(h, str) and h for h in csv_headers)
        ):
            raise InvalidField("ItemReader csv_headers must be a non-empty list of column names")
        _whole("ItemReader max_items", max_items, 1, MAX_ITEMS)
        self.prefix = prefix
        self.input_type = input_type
        self.csv_headers = None if csv_headers is None else list(csv_headers)
        self.csv_delimiter = csv_delimiter
        self.max_items = max_items

    @property
    def resource(self) -> str:
        """The ``Resource`` ARN: ``s3:getObject`` or ``s3:listObjectsV2``."""
        return _GET_OBJECT if self.key is not None else _LIST_OBJECTS

    def to_dict(self, query_language: str = "JSONPath") -> dict[str, JSONable]:
        """The ``ItemReader`` field."""
        arguments = {"Bucket": self.bucket}
        arguments.update({"Key": self.key} if self.key is not None else {"Prefix": self.prefix})
        config: dict[str, Any] = {}
        put(config, "InputType", self.input_type or DEFAULT)
        if self.input_type == "CSV":
            config["CSVHeaderLocation"] = "FIRST_ROW" if self.csv_headers is None else "GIVEN"
            put(config, "CSVHeaders", self.csv_headers if self.csv_headers else DEFAULT)
            put(config, "CSVDelimiter", self.csv_delimiter or DEFAULT)
        put(config, "MaxItems", self.max_items if self.max_items is not None else DEFAULT)
        field = "Parameters" if query_language == "JSONPath" else "Arguments"
        reader: dict[str, Any] = {"Resource": self.resource}
        if config:
            reader["ReaderConfig"] = config
        reader[field] = _arguments(arguments, query_language)
        return reader


class ItemBatcher:
    """Run each child execution on a batch of items (``{"Items": [...], ...batch_input}``).

    Args:
        max_items_per_batch: at most this many items per batch
        max_input_bytes_per_batch: at most this many bytes per batch (up to 256 KiB)
        batch_input: a JSON object added to every batch
    """

    def __init__(
        self,
        max_items_per_batch: int | None = None,
        max_input_bytes_per_batch: int | None = None,
        *,
        batch_input: dict[str, JSONable] | None = None,
    ) -> None:
        if max_items_per_batch is None and max_input_bytes_per_batch is None:
            raise InvalidField("ItemBatcher needs max_items_per_batch or max_input_bytes_per_batch")
        _whole("ItemBatcher max_items_per_batch", max_items_per_batch, 1, MAX_ITEMS)
        _whole(
            "ItemBatcher max_input_bytes_per_batch", max_input_bytes_per_batch, 1, MAX_BATCH_BYTES
        )
        if batch_input is not None and not isinstance(batch_input, dict):
            raise InvalidField(
                f"ItemBatcher batch_input must be a JSON object, got {batch_input!r}"
            )
        self.max_items_per_batch = max_items_per_batch
        self.max_input_bytes_per_batch = max_input_bytes_per_batch
        self.batch_input = batch_input

    def to_dict(self) -> dict[str, JSONable]:
        """The ``ItemBatcher`` field."""
        batcher: dict[str, Any] = {}
        for key, value in (
            ("MaxItemsPerBatch", self.max_items_per_batch),
            ("MaxInputBytesPerBatch", self.max_input_bytes_per_batch),
            ("BatchInput", self.batch_input),
        ):
            if value is not None:
                batcher[key] = value
        return batcher


class S3ResultWriter:
    """Write the child executions' results to S3 (a manifest and result files under a prefix).

    Args:
        bucket: the bucket (or an expression giving it)
        prefix: the key prefix of the files written
        output_type: ``JSON`` or ``JSONL`` (with ``transformation``)
        transformation: ``NONE`` (every execution's details), ``COMPACT`` (its output) or
            ``FLATTEN`` (outputs that are arrays, joined)
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        output_type: str | None = None,
        transformation: str | None = None,
    ) -> None:
        self.bucket = _s3_argument("ResultWriter bucket", bucket)
        if not isinstance(prefix, str):
            raise InvalidField(f"ResultWriter prefix must be a string, got {prefix!r}")
        _one_of("ResultWriter output_type", output_type, OUTPUT_TYPES)
        _one_of("ResultWriter transformation", transformation, TRANSFORMATIONS)
        self.prefix = prefix
        self.output_type = output_type
        self.transformation = transformation

    @property
    def resource(self) -> str:
        """The ``Resource`` ARN: ``s3:putObject``."""
        return _PUT_OBJECT

    def to_dict(self, query_language: str = "JSONPath") -> dict[str, JSONable]:
        """The ``ResultWriter`` field."""
        field = "Parameters" if query_language == "JSONPath" else "Arguments"
        writer: dict[str, Any] = {
            "Resource": self.resource,
            field: _arguments({"Bucket": self.bucket, "Prefix": self.prefix}, query_language),
        }
        config: dict[str, Any] = {}
        put(config, "OutputType", self.output_type or DEFAULT)
        put(config, "Transformation", self.transformation or DEFAULT)
        if config:
            writer["WriterConfig"] = config
        return writer


class DistributedMap(Map):
    """A Map in Distributed mode: each iteration (or batch) is a child workflow execution.

    Takes every ``Map`` argument, and:

    Args:
        execution_type: the child executions' type, ``"STANDARD"`` (default) or ``"EXPRESS"``
        item_reader: where the items come from (``S3ItemReader`` or an ``ItemReader`` dict);
            default: the state input (``items_path``/``items``)
        item_batcher: batch the items (``ItemBatcher`` or an ``ItemBatcher`` dict)
        result_writer: write the results to S3 (``S3ResultWriter`` or a ``ResultWriter`` dict)
    """

    MODE = "DISTRIBUTED"

    @property
    def asl_type(self) -> str:
        return "Map"

    def __init__(
        self,
        name: str,
        processor: StateMachine | State,
        *args: Any,
        execution_type: str = "STANDARD",
        item_reader: S3ItemReader | dict[str, JSONable] | None = None,
        item_batcher: ItemBatcher | dict[str, JSONable] | None = None,
        result_writer: S3ResultWriter | dict[str, JSONable] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, processor, *args, **kwargs)
        if execution_type not in EXECUTION_TYPES:
            raise InvalidField(
                f"Distributed Map execution_type must be STANDARD or EXPRESS, got "
                f"{execution_type!r}",
                state_name=name,
            )
        for field, value, kind in (
            ("item_reader", item_reader, S3ItemReader),
            ("item_batcher", item_batcher, ItemBatcher),
            ("result_writer", result_writer, S3ResultWriter),
        ):
            if value is not None and not isinstance(value, (kind, dict)):
                raise InvalidField(
                    f"{field} must be a {kind.__name__} or a dict, got {type(value).__name__}",
                    state_name=name,
                )
        self.execution_type = execution_type
        self.item_reader = item_reader
        self.item_batcher = item_batcher
        self.result_writer = result_writer

    def to_dict(self, *, resources: ResourceResolver | None = None) -> dict[str, JSONable]:
        defn: dict[str, Any] = super().to_dict(resources=resources)
        defn["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] = self.execution_type
        language = self.effective_query_language()
        for key, value in (
            ("ItemReader", self.item_reader),
            ("ItemBatcher", self.item_batcher),
            ("ResultWriter", self.result_writer),
        ):
            if isinstance(value, ItemBatcher):
                defn[key] = value.to_dict()
            elif isinstance(value, (S3ItemReader, S3ResultWriter)):
                defn[key] = value.to_dict(language)
            elif value is not None:
                defn[key] = value
        return defn
