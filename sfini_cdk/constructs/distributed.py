"""IAM for Distributed Map states: child executions of the machine itself, S3 reads and writes.

A Distributed Map starts child executions of its own state machine, so the role may start
that machine and describe and stop its child executions (``execution:<name>/<label>:<id>``);
its ``ItemReader`` reads S3 (``s3:GetObject`` on the object, or ``s3:ListBucket`` on the bucket
limited to the prefix) and its ``ResultWriter`` writes the results under its prefix. ARNs are
formatted from the machine's physical name, not taken from the resource (which would make the
role and the machine depend on each other). Buckets, keys and prefixes given as expressions
are known only at run time: they get no statement (add one with ``add_to_role_policy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from sfini_cdk.constructs.asl import iter_states

__all__ = ["distributed_map_statements", "distributed_maps"]

_CHILDREN_REASON = (
    "a Distributed Map's child executions are named at run time: AWS requires "
    "'execution:<state machine name>/*'"
)
_OBJECTS_REASON = (
    "the objects a Distributed Map reads (S3 inventory manifests) or writes (results) are "
    "named at run time, under the bucket and prefix the definition gives"
)
_WRITE_ACTIONS = [
    "s3:PutObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
]


def distributed_maps(definition: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every (name, state) of a Map in Distributed mode, nested ones included."""
    found = []
    for name, state in iter_states(dict(definition)):
        processor = state.get("ItemProcessor") if state.get("Type") == "Map" else None
        config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
        if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
            found.append((name, state))
    return found


def _literal(arguments: Mapping[str, Any], key: str) -> str | None:
    """A literal ``Bucket``/``Key``/``Prefix`` (``None`` for a path or JSONata expression)."""
    value = arguments.get(key)
    if not isinstance(value, str) or f"{key}.$" in arguments:
        return None
    if value.startswith("{%") and value.endswith("%}"):
        return None
    return value


def _arguments(field: Mapping[str, Any]) -> Mapping[str, Any]:
    arguments = field.get("Parameters", field.get("Arguments"))
    return arguments if isinstance(arguments, Mapping) else {}


def _object_arn(bucket: str, key: str = "") -> str:
    return f"arn:{cdk.Aws.PARTITION}:s3:::{bucket}" + (f"/{key}" if key else "")


def _reader_statements(reader: Mapping[str, Any]) -> tuple[list[iam.PolicyStatement], list[str]]:
    arguments = _arguments(reader)
    bucket = _literal(arguments, "Bucket")
    if bucket is None:
        return [], []
    resource = str(reader.get("Resource", ""))
    config = reader.get("ReaderConfig") if isinstance(reader.get("ReaderConfig"), dict) else {}
    if resource.endswith("s3:listObjectsV2"):
        prefix = _literal(arguments, "Prefix")
        conditions = {"StringLike": {"s3:prefix": f"{prefix}*"}} if prefix else None
        statement = iam.PolicyStatement(
            actions=["s3:ListBucket"], resources=[_object_arn(bucket)], conditions=conditions
        )
        return [statement], []
    key = _literal(arguments, "Key")
    if key is None:
        return [], []
    resources = [_object_arn(bucket, key)]
    wildcards: list[str] = []
    if config.get("InputType") == "MANIFEST":  # the inventory files the manifest lists
        resources.append(_object_arn(bucket, "*"))
        wildcards.append(resources[-1])
    return [iam.PolicyStatement(actions=["s3:GetObject"], resources=resources)], wildcards


def _writer_statements(writer: Mapping[str, Any]) -> tuple[list[iam.PolicyStatement], list[str]]:
    arguments = _arguments(writer)
    bucket = _literal(arguments, "Bucket")
    prefix = _literal(arguments, "Prefix") if "Prefix" in arguments else ""
    if bucket is None or prefix is None:
        return [], []
    objects = _object_arn(bucket, f"{prefix}*")
    return [iam.PolicyStatement(actions=_WRITE_ACTIONS, resources=[objects])], [objects]


def distributed_map_statements(
    scope: Construct, definition: Mapping[str, Any], state_machine_name: str
) -> tuple[list[iam.PolicyStatement], list[tuple[str, str]]]:
    """The statements the Distributed Maps of ``definition`` need, and the wildcard resources
    among them (each with the reason AWS forces it), for cdk-nag."""
    maps = distributed_maps(definition)
    if not maps:
        return [], []
    stack = cdk.Stack.of(scope)
    machine = stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=state_machine_name,
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    children = stack.format_arn(
        service="states",
        resource="execution",
        resource_name=f"{state_machine_name}/*",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    statements = [
        iam.PolicyStatement(actions=["states:StartExecution"], resources=[machine]),
        iam.PolicyStatement(
            actions=["states:DescribeExecution", "states:StopExecution"], resources=[children]
        ),
    ]
    wildcards = [(children, _CHILDREN_REASON)]
    for _, state in maps:
        for field, build in (
            ("ItemReader", _reader_statements),
            ("ResultWriter", _writer_statements),
        ):
            if isinstance(state.get(field), dict):
                more, objects = build(state[field])
                statements += more
                wildcards += [(o, _OBJECTS_REASON) for o in objects]
    return statements, list(dict.fromkeys(wildcards))
