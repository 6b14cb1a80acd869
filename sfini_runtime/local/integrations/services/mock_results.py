"""A TestState mock's result checked against the API's output shape (``fieldValidationMode``).

``STRICT`` (AWS's default): the fields present conform to botocore's model of the operation's
output, and its required fields are there; ``PRESENT``: only the fields present are checked;
``NONE``: nothing is. A field the model does not have is no problem (``SdkHttpMetadata``).
The problem is worded as AWS words it: ``Field 'MemorySize' is less than the minimum value``.
Only request-response calls whose result is the API's response are checked: AWS SDK
integrations and the optimised ones with a botocore model (not Lambda's invoke, whose result
is the function's payload, nor ``.sync`` and ``.waitForTaskToken``).
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from sfini_runtime.local.interpreter.task_resources import (
    REQUEST_RESPONSE,
    SERVICE,
    TaskResource,
)

from .aws_sdk import sdk_operation
from .endpoints import service_model

__all__ = ["check_mock_result", "output_shape"]

#: optimised integrations whose botocore service is not their Resource's name
_OPTIMISED_BOTOCORE = {"states": "stepfunctions"}
_NUMBERS = ("integer", "long", "float", "double", "bigdecimal", "biginteger")
#: bounds where the model Step Functions validates with differs from botocore's newer one
#: (Lambda's MemorySize: 10,240 MB, recorded against AWS; botocore now says 32,768)
_STEP_FUNCTIONS_BOUNDS: dict[str, dict[str, int]] = {"MemorySize": {"max": 10240}}


def output_shape(resource: TaskResource) -> StructureShape | None:
    """The output shape of the API a Task resource calls (None when not checked)."""
    if resource.kind != SERVICE or resource.pattern != REQUEST_RESPONSE or resource.is_lambda:
        return None
    if resource.is_sdk:
        operation = sdk_operation(resource.sdk_service, resource.action)
        return None if operation is None else operation.output_shape
    model = service_model(_OPTIMISED_BOTOCORE.get(resource.service, resource.service))
    if model is None:
        return None
    wanted = resource.action.lower()
    for name in model.operation_names:
        if name.lower() == wanted:
            return model.operation_model(name).output_shape
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _type_problem(value: Any, shape: Shape) -> str | None:
    kind = shape.type_name
    if isinstance(shape, (StructureShape, MapShape)):
        return None if isinstance(value, dict) else "must be an object"
    if isinstance(shape, ListShape):
        return None if isinstance(value, list) else "must be an array"
    if kind in ("string", "blob", "timestamp"):
        return None if isinstance(value, str) else "must be a string"
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be a boolean"
    if kind in ("integer", "long"):
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool)
            else ("must be an integer")
        )
    if kind in _NUMBERS:
        return None if _is_number(value) else "must be a number"
    return None


def _bound_problem(value: Any, shape: Shape) -> str | None:
    metadata = {**shape.metadata, **_STEP_FUNCTIONS_BOUNDS.get(shape.name, {})}
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        return "is not an expected value"
    if isinstance(value, (str, list, dict)):
        if "min" in metadata and len(value) < metadata["min"]:
            return "is smaller than the minimum length"
        if "max" in metadata and len(value) > metadata["max"]:
            return "exceeds the maximum length"
    elif _is_number(value):
        if "min" in metadata and value < metadata["min"]:
            return "is less than the minimum value"
        if "max" in metadata and value > metadata["max"]:
            return "exceeds the maximum value"
    return None


def _check(value: Any, shape: Shape, name: str, strict: bool) -> str | None:
    if value is None:
        return None
    problem = _type_problem(value, shape) or _bound_problem(value, shape)
    if problem is not None:
        return f"Field '{name}' {problem}"
    if isinstance(shape, StructureShape):
        return _check_members(value, shape, strict)
    if isinstance(shape, ListShape):
        for item in value:
            found = _check(item, shape.member, name, strict)
            if found is not None:
                return found
    if isinstance(shape, MapShape):
        for key, item in value.items():
            found = _check(item, shape.value, key, strict)
            if found is not None:
                return found
    return None


def _check_members(value: dict[str, Any], shape: StructureShape, strict: bool) -> str | None:
    # Step Functions spells members in PascalCase (``ExecutionArn``) where botocore's model
    # may not (``executionArn``): members are matched without regard to case
    members = {name.lower(): member for name, member in shape.members.items()}
    for key, item in value.items():
        member = members.get(key.lower())
        if member is not None:
            found = _check(item, member, key, strict)
            if found is not None:
                return found
    if strict:
        given = {key.lower() for key in value}
        for required in shape.required_members:
            if required.lower() not in given:
                return f"Field '{required[:1].upper()}{required[1:]}' is required"
    return None


def check_mock_result(resource: TaskResource, result: Any, mode: str) -> str | None:
    """The first problem of a mocked ``result`` for ``resource`` (None when it conforms)."""
    if mode == "NONE":
        return None
    shape = output_shape(resource)
    if shape is None:
        return None
    if not isinstance(result, dict):
        return "The mocked result must be a JSON object"
    return _check_members(result, shape, mode == "STRICT")
