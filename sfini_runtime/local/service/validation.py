"""Request validation driven by the Step Functions service model that ships with botocore.

Each request is checked against its operation's input shape (required members, JSON types,
lengths, ranges, enums) and every problem is reported in one ``ValidationException`` worded the
way AWS words it: ``1 validation error detected: Value 'x' at 'name' failed to satisfy
constraint: Member must have length less than or equal to 80``. Names get AWS's extra rules
(``InvalidName``).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from botocore.loaders import Loader
from botocore.model import OperationNotFoundError, ServiceModel, Shape

from sfini_asl.spec import resource_name_problem
from sfini_runtime.local.errors import InvalidName, UnknownOperationException, ValidationException


@functools.lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """botocore's model of the Step Functions API (loaded once)."""
    return ServiceModel(Loader().load_service_model("stepfunctions", "service-2"), "stepfunctions")


def input_shape(operation: str) -> Shape | None:
    """The input shape of ``operation``; ``UnknownOperationException`` when there is none."""
    try:
        return service_model().operation_model(operation).input_shape
    except OperationNotFoundError:
        raise UnknownOperationException(f"Unknown operation: '{operation}'") from None


def _shown(value: Any, shape: Shape) -> str:
    if shape.metadata.get("sensitive"):
        return "Value"
    if value is None:
        return "Value null"
    if isinstance(value, bool):
        return f"Value '{str(value).lower()}'"
    return f"Value '{value}'"


def _length(value: Any, shape: Shape) -> int:
    # Payload limits count UTF-8 bytes; other strings count characters.
    if shape.type_name == "string" and shape.metadata.get("max", 0) >= 262144:
        return len(value.encode("utf-8", "surrogatepass"))
    return len(value)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}


def _type_ok(value: Any, shape: Shape) -> bool:
    if shape.type_name in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if shape.type_name in ("float", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if shape.type_name == "timestamp":
        return isinstance(value, (int, float, str)) and not isinstance(value, bool)
    return isinstance(value, _JSON_TYPES.get(shape.type_name, (object,)))


def _tag_text_ok(text: str) -> bool:
    # AWS's tag pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$ (Python's re has no \p classes)
    return all(char in _TAG_SYMBOLS or unicodedata.category(char)[0] in "LZN" for char in text)


_TAG_SYMBOLS = frozenset("_.:/=+-@")
_TAG_PATTERN = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$"
#: patterns botocore's model leaves out: shape name -> (check, pattern AWS names)
_PATTERNS = {"TagKey": (_tag_text_ok, _TAG_PATTERN), "TagValue": (_tag_text_ok, _TAG_PATTERN)}


def _check(value: Any, shape: Shape, path: str, problems: list[str]) -> None:
    if value is None:
        return
    prefix = f"{_shown(value, shape)} at '{path}' failed to satisfy constraint: Member must"
    if not _type_ok(value, shape):
        problems.append(f"{prefix} be of type {shape.type_name}")
        return
    meta = shape.metadata
    if shape.type_name in ("string", "list", "map"):
        size = _length(value, shape)
        if "min" in meta and size < meta["min"]:
            problems.append(f"{prefix} have length greater than or equal to {meta['min']}")
        if "max" in meta and size > meta["max"]:
            problems.append(f"{prefix} have length less than or equal to {meta['max']}")
    if shape.type_name in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            problems.append(f"{prefix} have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            problems.append(f"{prefix} have value less than or equal to {meta['max']}")
    pattern = _PATTERNS.get(shape.name)
    if pattern is not None and not pattern[0](value):
        problems.append(f"{prefix} satisfy regular expression pattern: {pattern[1]}")
    if shape.type_name == "string" and shape.enum and value not in shape.enum:
        problems.append(f"{prefix} satisfy enum value set: [{', '.join(shape.enum)}]")
    if shape.type_name == "structure":
        _check_structure(value, shape, f"{path}.", problems)
    elif shape.type_name == "list":
        for index, item in enumerate(value, start=1):
            if item is None:
                problems.append(
                    f"Value null at '{path}.{index}.member' failed to satisfy constraint: "
                    "Member must not be null"
                )
            _check(item, shape.member, f"{path}.{index}.member", problems)
    elif shape.type_name == "map":
        for key, item in value.items():
            _check(item, shape.value, f"{path}.{key}", problems)


def _check_structure(value: dict[str, Any], shape: Shape, prefix: str, problems: list[str]) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(
                f"Value null at '{prefix}{name}' failed to satisfy constraint: "
                "Member must not be null"
            )
    for name, member in shape.members.items():
        _check(value.get(name), member, f"{prefix}{name}", problems)


def validate_request(operation: str, request: dict[str, Any]) -> None:
    """Check ``request`` against ``operation``'s input shape; raise ``ValidationException``."""
    shape = input_shape(operation)
    if shape is None:
        return
    problems: list[str] = []
    _check_structure(request, shape, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise ValidationException(f"{count} validation {noun} detected: {'; '.join(problems)}")


def check_name(name: str) -> None:
    """Raise ``InvalidName`` unless ``name`` follows AWS's rules for resource names."""
    if resource_name_problem(name) is not None:
        raise InvalidName(f"Invalid Name: '{name}'")
