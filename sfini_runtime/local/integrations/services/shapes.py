"""A Task's parameters as an API request, and the API's response as the Task's result, both
shaped by botocore's model of the operation.

Requests: Step Functions takes the API's members in PascalCase; a member the operation does
not have, or a null one, is left out (as AWS leaves it out); a JSON object or array given for
a string member is sent as its JSON text (``MessageBody``, ``Message``, ``Detail``, ``Input``);
a blob member given base64 text is sent decoded, other text as its UTF-8 bytes. Members
missing or of the wrong type are a :class:`ParameterError` worded as AWS services word a
ValidationException.

Results: the members the model names; dates, blobs and streams as the Java SDK that Step
Functions uses serialises them: optimised integrations (SDK 1.x) write dates as epoch
milliseconds and keep the model's member names; AWS SDK integrations (SDK 2.x) write dates as
ISO-8601 instants and spell members the 2.x way (``Md5OfMessageBody``). Blobs are base64,
a streamed body (S3 GetObject) is its text.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape
from botocore.response import StreamingBody
from botocore.validate import ParamValidator

from sfini_runtime.local.interpreter.history import to_json

from .errors import ParameterError, java_v2_name

#: Step Functions' name for members called ``Equals`` (a reserved word in some SDKs)
_RENAMED_MEMBERS = {"EqualsValue": "Equals"}


def _member_for(key: str, members: dict[str, Shape]) -> str | None:
    if key in members:
        return key
    key = _RENAMED_MEMBERS.get(key, key)
    if key in members:
        return key
    wanted = java_v2_name(key).lower()
    for name in members:
        if name.lower() == key.lower() or java_v2_name(name).lower() == wanted:
            return name
    return None


def _request_value(value: Any, shape: Shape) -> Any:
    if isinstance(shape, StructureShape):
        return request_members(value, shape) if isinstance(value, dict) else value
    if isinstance(shape, ListShape):
        if isinstance(value, list):
            return [_request_value(item, shape.member) for item in value]
        return value
    if isinstance(shape, MapShape):
        if isinstance(value, dict):
            return {key: _request_value(item, shape.value) for key, item in value.items()}
        return value
    kind = shape.type_name
    if kind == "string" and isinstance(value, (dict, list)):
        return to_json(value)
    if kind == "blob":
        if isinstance(value, str):
            return _blob(value)
        if isinstance(value, (dict, list)):
            return to_json(value).encode()
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _blob(text: str) -> bytes:
    # Step Functions reads a blob the way the Java SDK reads JSON: base64 text is decoded
    # (DynamoDB ``B`` values); anything else is sent as the text's UTF-8 bytes.
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


def request_members(
    parameters: dict[str, Any], shape: StructureShape, allowed: frozenset[str] | None = None
) -> dict[str, Any]:
    """``parameters`` as members of ``shape`` (only those in ``allowed``, when given)."""
    members = shape.members
    request: dict[str, Any] = {}
    for key, value in parameters.items():
        name = _member_for(key, members)
        if name is None or value is None or (allowed is not None and name not in allowed):
            continue
        request[name] = _request_value(value, members[name])
    return request


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def build_request(
    parameters: Any, shape: StructureShape | None, allowed: frozenset[str] | None = None
) -> dict[str, Any]:
    """The request for an operation whose input is ``shape``; raises :class:`ParameterError`."""
    if shape is None:
        return {}
    if not isinstance(parameters, dict):
        raise ParameterError(
            f"1 validation error detected: Value {to_json(parameters)} at 'request' failed to "
            "satisfy constraint: Member must be an object"
        )
    request = request_members(parameters, shape, allowed)
    missing = [name for name in shape.required_members if name not in request]
    if missing:
        problems = [
            f"Value null at '{_lower_camel(name)}' failed to satisfy constraint: "
            "Member must not be null"
            for name in missing
        ]
        count = len(problems)
        raise ParameterError(
            f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems)
        )
    report = ParamValidator().validate(request, shape)
    if report.has_errors():
        raise ParameterError(report.generate_report())
    return request


def _iso_instant(moment: datetime) -> str:
    """A date as Java's ``Instant.toString()`` writes it (fraction only when not zero)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    micros = moment.microsecond
    if micros:
        text += f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return text + "Z"


def _epoch_millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def _body_text(body: StreamingBody) -> str:
    data = body.read()
    try:
        return data.decode()
    except UnicodeDecodeError:
        return base64.b64encode(data).decode()


def _result_value(value: Any, shape: Shape | None, sdk: bool) -> Any:
    if isinstance(value, StreamingBody):
        return _body_text(value)
    if isinstance(value, datetime):
        return _iso_instant(value) if sdk else _epoch_millis(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        if isinstance(shape, StructureShape):
            return shape_result(value, shape, sdk)
        inner = shape.value if isinstance(shape, MapShape) else None
        return {key: _result_value(item, inner, sdk) for key, item in value.items()}
    if isinstance(value, list):
        inner = shape.member if isinstance(shape, ListShape) else None
        return [_result_value(item, inner, sdk) for item in value]
    return value


def shape_result(response: dict[str, Any], shape: StructureShape | None, sdk: bool) -> dict:
    """A parsed botocore response as the Task's result (``sdk``: AWS SDK integration form)."""
    members = shape.members if shape is not None else {}
    result: dict[str, Any] = {}
    for key, value in response.items():
        if key == "ResponseMetadata":
            continue
        name = java_v2_name(key) if sdk and key in members else key
        result[name] = _result_value(value, members.get(key), sdk)
    return result


__all__ = ["build_request", "request_members", "shape_result"]
