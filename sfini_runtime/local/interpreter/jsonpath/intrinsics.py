"""The 18 intrinsic functions of the JSONPath query language (``States.Format(...)`` etc.).

:func:`compile_intrinsic` compiles the syntax tree ``sfini_asl.intrinsics`` parses (nested
calls, ``'...'`` strings with backslash escapes, numbers, ``true``/``false``/``null``, paths)
into ``evaluate(input, context)``. Bad syntax raises :class:`IntrinsicSyntaxError` at compile time;
bad arguments raise ``StatesError("States.IntrinsicFailure", ...)`` at run time, and a path
argument that selects nothing raises ``StatesError("States.Runtime", ...)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable
from typing import Any

from sfini_asl.intrinsics import (
    MAX_NESTING,
    Argument,
    IntrinsicSyntaxError,
    Literal,
    PathArgument,
    StringLiteral,
    is_intrinsic,
    parse_intrinsic,
)
from sfini_asl.jsonpath import CompiledPath, PathNotFound, PathSyntaxError, compile_path

from ..failures import STATES_INTRINSIC_FAILURE, STATES_RUNTIME, StatesError
from ..history import parse_json

__all__ = [
    "MAX_NESTING",
    "IntrinsicSyntaxError",
    "compact_json",
    "compile_intrinsic",
    "format_value",
    "is_intrinsic",
]

_MAX_STRING = 10_000
_MAX_ARRAY_RANGE = 1000

Evaluator = Callable[[Any, Any], Any]


def compact_json(value: Any) -> str:
    """JSON text without spaces, as AWS serialises payloads."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _is_number(value: Any) -> bool:
    return (type(value) is int or type(value) is float) and value is not True


def _java_round(value: float | int) -> int:
    """Java's Math.round: halves round up (towards positive infinity)."""
    if type(value) is int:
        return value
    return math.floor(value + 0.5)


def format_value(value: Any) -> str:
    """How States.Format prints an argument: strings raw, objects as ``{k=v, ...}``."""
    if type(value) is str:
        return value
    if type(value) is list:
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if type(value) is dict:
        return "{" + ", ".join(f"{key}={format_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def _json_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class _Failure(Exception):
    """Raised by a function body; becomes States.IntrinsicFailure naming the function."""


def _integer(value: Any, what: str) -> int:
    if not _is_number(value):
        raise _Failure(f"{what} must be a number, got {compact_json(value)}")
    if type(value) is float and not value.is_integer():
        raise _Failure(f"{what} must be an integer, got {compact_json(value)}")
    return int(value)


def _string(value: Any, what: str) -> str:
    if type(value) is not str:
        raise _Failure(f"{what} must be a string, got {compact_json(value)}")
    return value


def _array(value: Any, what: str) -> list[Any]:
    if type(value) is not list:
        raise _Failure(f"{what} must be an array, got {compact_json(value)}")
    return value


# ---------------------------------------------------------------------------------------------
# Function bodies: (args) -> value. The template of States.Format is handled by the compiler.


def _array_fn(args: list[Any]) -> Any:
    return list(args)


def _array_partition(args: list[Any]) -> Any:
    array = _array(args[0], "The first argument")
    size = _integer(args[1], "The chunk size")
    if size <= 0:
        raise _Failure(f"The chunk size must be greater than 0, got {size}")
    return [array[i : i + size] for i in range(0, len(array), size)]


def _array_contains(args: list[Any]) -> Any:
    array = _array(args[0], "The first argument")
    wanted = _json_key(args[1])
    return any(_json_key(item) == wanted for item in array)


def _array_range(args: list[Any]) -> Any:
    start = _integer(args[0], "The start of the range")
    end = _integer(args[1], "The end of the range")
    step = _integer(args[2], "The step")
    if step == 0:
        raise _Failure("The step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > _MAX_ARRAY_RANGE:
        raise _Failure(
            f"The range would have {count} items; at most {_MAX_ARRAY_RANGE} are allowed"
        )
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(args: list[Any]) -> Any:
    array = _array(args[0], "The first argument")
    index = _integer(args[1], "The index")
    if not 0 <= index < len(array):
        raise _Failure(f"The index {index} is out of bounds for an array of length {len(array)}")
    return array[index]


def _array_length(args: list[Any]) -> Any:
    return len(_array(args[0], "The argument"))


def _array_unique(args: list[Any]) -> Any:
    seen: set[str] = set()
    unique = []
    for item in _array(args[0], "The argument"):
        key = _json_key(item)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def _base64_encode(args: list[Any]) -> Any:
    text = _string(args[0], "The argument")
    if len(text) > _MAX_STRING:
        raise _Failure(f"The input is longer than {_MAX_STRING} characters")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(args: list[Any]) -> Any:
    text = _string(args[0], "The argument")
    if len(text) > _MAX_STRING:
        raise _Failure(f"The input is longer than {_MAX_STRING} characters")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise _Failure(f"The input is not valid base64-encoded UTF-8: {text}") from None


_HASHES = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(args: list[Any]) -> Any:
    data = args[0] if type(args[0]) is str else compact_json(args[0])
    algorithm = _string(args[1], "The algorithm")
    if algorithm not in _HASHES:
        raise _Failure(
            f"The algorithm '{algorithm}' is not supported; use one of {', '.join(_HASHES)}"
        )
    if len(data) > _MAX_STRING:
        raise _Failure(f"The input is longer than {_MAX_STRING} characters")
    return hashlib.new(_HASHES[algorithm], data.encode("utf-8")).hexdigest()


def _json_merge(args: list[Any]) -> Any:
    left, right, deep = args
    if type(left) is not dict:
        raise _Failure(f"The first argument must be an object, got {compact_json(left)}")
    if type(right) is not dict:
        raise _Failure(f"The second argument must be an object, got {compact_json(right)}")
    if type(deep) is not bool:
        raise _Failure("The third argument must be a boolean")
    if deep:
        raise _Failure("Only shallow merging is supported: the third argument must be false")
    return {**left, **right}


def _json_to_string(args: list[Any]) -> Any:
    return compact_json(args[0])


def _string_to_json(args: list[Any]) -> Any:
    text = _string(args[0], "The argument")
    if not text.strip():
        return None
    try:
        return parse_json(text)
    except ValueError:
        raise _Failure(f"The argument is not valid JSON: {text}") from None


def _math_random(args: list[Any]) -> Any:
    if not _is_number(args[0]):
        raise _Failure("The start must be a number")
    if not _is_number(args[1]):
        raise _Failure("The end must be a number")
    start, end = _java_round(args[0]), _java_round(args[1])
    if start >= end:
        raise _Failure(f"The start ({start}) must be less than the end ({end})")
    if len(args) == 3:
        if not _is_number(args[2]):
            raise _Failure("The seed must be a number")
        return random.Random(_java_round(args[2])).randrange(start, end)
    return random.randrange(start, end)


def _math_add(args: list[Any]) -> Any:
    if not _is_number(args[0]):
        raise _Failure(f"The first argument must be a number, got {compact_json(args[0])}")
    if not _is_number(args[1]):
        raise _Failure(f"The second argument must be a number, got {compact_json(args[1])}")
    return _java_round(args[0]) + _java_round(args[1])


def _string_split(args: list[Any]) -> Any:
    text = _string(args[0], "The first argument")
    delimiters = _string(args[1], "The delimiter")
    if not delimiters:
        return [text] if text else []
    pattern = "[" + re.escape(delimiters) + "]"
    return [token for token in re.split(pattern, text) if token]


def _uuid(args: list[Any]) -> Any:
    return str(uuid.uuid4())


_BODIES: dict[str, Callable[[list[Any]], Any]] = {
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array_fn,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}

# ---------------------------------------------------------------------------------------------
# Compiling the syntax tree sfini_asl parses


def _compile(node: Argument, field: str | None, text: str) -> Evaluator | StringLiteral:
    if isinstance(node, StringLiteral):
        return node
    if isinstance(node, Literal):
        value = node.value
        return lambda data, context: value
    if isinstance(node, PathArgument):
        try:
            path = compile_path(node.source)
        except PathSyntaxError as exc:
            raise IntrinsicSyntaxError(text, str(exc)) from None
        return _path_argument(path, field)
    arguments = [_compile(argument, field, text) for argument in node.arguments]
    if node.name == "States.Format":
        return _format_call(arguments)
    return _call(node.name, _BODIES[node.name], [_evaluator(a) for a in arguments])


def _evaluator(argument: Evaluator | StringLiteral) -> Evaluator:
    if isinstance(argument, StringLiteral):
        value = argument.value
        return lambda data, context: value
    return argument


def _path_argument(path: CompiledPath, field: str | None) -> Evaluator:
    def read(data: Any, context: Any) -> Any:
        try:
            return path.get(data, context)
        except PathNotFound:
            where = f" specified for the field '{field}'" if field else ""
            raise StatesError(
                STATES_RUNTIME,
                f"The JSONPath '{path.source}'{where} could not be found in the input "
                f"'{compact_json(data)}'",
                in_state=True,
            ) from None

    return read


def _failure(name: str, message: str) -> StatesError:
    return StatesError(
        STATES_INTRINSIC_FAILURE, f"Invalid arguments in {name}: {message}", in_state=True
    )


def _call(name: str, body: Callable[[list[Any]], Any], evaluators: list[Evaluator]) -> Evaluator:
    def call(data: Any, context: Any) -> Any:
        args = [evaluate(data, context) for evaluate in evaluators]
        try:
            return body(args)
        except _Failure as exc:
            raise _failure(name, str(exc)) from None

    return call


def _fill(pieces: list[str], values: list[Evaluator], data: Any, context: Any) -> str:
    """States.Format's template ``pieces`` with each value formatted between them."""
    out = [pieces[0]]
    for index, evaluate in enumerate(values):
        out.append(format_value(evaluate(data, context)))
        out.append(pieces[index + 1])
    return "".join(out)


def _format_call(arguments: list[Evaluator | StringLiteral]) -> Evaluator:
    template, values = arguments[0], [_evaluator(argument) for argument in arguments[1:]]
    if isinstance(template, StringLiteral):
        text, positions = template.value, template.placeholders
        pieces = []
        previous = 0
        for position in positions:
            pieces.append(text[previous:position])
            previous = position + 2
        pieces.append(text[previous:])
        mismatch = len(positions) != len(values)

        def format_literal(data: Any, context: Any) -> Any:
            if mismatch:
                raise _failure(
                    "States.Format",
                    f"The template has {len(positions)} placeholder(s) but {len(values)} "
                    "value(s) were given",
                )
            return _fill(pieces, values, data, context)

        return format_literal

    def format_dynamic(data: Any, context: Any) -> Any:
        text = template(data, context)
        if type(text) is not str:
            raise _failure("States.Format", "The template must be a string")
        pieces = text.split("{}")
        if len(pieces) - 1 != len(values):
            raise _failure(
                "States.Format",
                f"The template has {len(pieces) - 1} placeholder(s) but {len(values)} "
                "value(s) were given",
            )
        return _fill(pieces, values, data, context)

    return format_dynamic


def compile_intrinsic(expression: str, field: str | None = None) -> Evaluator:
    """Compile an intrinsic function call into ``evaluate(input, context)``.

    ``field`` (e.g. ``"x.$"``) is named in the error when a path argument is not found.
    Raises IntrinsicSyntaxError for invalid syntax, unknown functions, wrong arity or a path
    argument that is not a JSONPath.
    """
    compiled = _compile(parse_intrinsic(expression), field, expression)
    return _evaluator(compiled)
