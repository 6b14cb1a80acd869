"""The 18 intrinsic functions of the JSONPath query language (``States.Format(...)`` etc.).

:func:`compile_intrinsic` parses an expression once (nested calls, ``'...'`` strings with
backslash escapes, numbers, ``true``/``false``/``null``, ``$.``/``$$.`` paths) and returns
``evaluate(input, context)``. Bad syntax raises :class:`IntrinsicSyntaxError` at compile time;
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

from .failures import STATES_INTRINSIC_FAILURE, STATES_RUNTIME, StatesError
from .history import parse_json
from .paths import CompiledPath, PathNotFound, PathSyntaxError, compile_path

__all__ = [
    "FUNCTION_NAMES",
    "MAX_NESTING",
    "IntrinsicSyntaxError",
    "compact_json",
    "compile_intrinsic",
    "format_value",
    "is_intrinsic",
]

MAX_NESTING = 10
_MAX_STRING = 10_000
_MAX_ARRAY_RANGE = 1000

Evaluator = Callable[[Any, Any], Any]


class IntrinsicSyntaxError(ValueError):
    """An intrinsic function call that cannot be parsed (or names an unknown function)."""


def compact_json(value: Any) -> str:
    """JSON text without spaces, as AWS serialises payloads."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def is_intrinsic(expression: Any) -> bool:
    """Whether ``expression`` looks like an intrinsic function call (``States.Name(``)."""
    return isinstance(expression, str) and re.match(r"\s*States\.\w+\s*\(", expression) is not None


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


_FUNCTIONS: dict[str, tuple[Callable[[list[Any]], Any], int, int]] = {
    # name: (body, minimum arguments, maximum arguments)
    "States.Format": (lambda args: None, 1, 10_000),
    "States.StringToJson": (_string_to_json, 1, 1),
    "States.JsonToString": (_json_to_string, 1, 1),
    "States.Array": (_array_fn, 0, 10_000),
    "States.ArrayPartition": (_array_partition, 2, 2),
    "States.ArrayContains": (_array_contains, 2, 2),
    "States.ArrayRange": (_array_range, 3, 3),
    "States.ArrayGetItem": (_array_get_item, 2, 2),
    "States.ArrayLength": (_array_length, 1, 1),
    "States.ArrayUnique": (_array_unique, 1, 1),
    "States.Base64Encode": (_base64_encode, 1, 1),
    "States.Base64Decode": (_base64_decode, 1, 1),
    "States.Hash": (_hash, 2, 2),
    "States.JsonMerge": (_json_merge, 3, 3),
    "States.MathRandom": (_math_random, 2, 3),
    "States.MathAdd": (_math_add, 2, 2),
    "States.StringSplit": (_string_split, 2, 2),
    "States.UUID": (_uuid, 0, 0),
}

FUNCTION_NAMES: frozenset[str] = frozenset(_FUNCTIONS)


# ---------------------------------------------------------------------------------------------
# Parsing


_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


class _Literal:
    """A string literal: its value and, for States.Format, its unescaped ``{}`` positions."""

    def __init__(self, value: str, placeholders: list[int]) -> None:
        self.value = value
        self.placeholders = placeholders


class _Parser:
    def __init__(self, text: str, field: str | None) -> None:
        self.text = text
        self.pos = 0
        self.field = field

    def fail(self, message: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(f"Invalid intrinsic function '{self.text}': {message}")

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def parse_call(self, depth: int) -> Evaluator:
        if depth > MAX_NESTING:
            raise self.fail(f"at most {MAX_NESTING} intrinsic functions can be nested")
        self.skip_spaces()
        match = re.compile(r"States\.[A-Za-z0-9]+").match(self.text, self.pos)
        if match is None:
            raise self.fail(f"expected a function name at position {self.pos}")
        name = match.group()
        if name not in _FUNCTIONS:
            raise self.fail(f"unknown function {name}")
        self.pos = match.end()
        self.skip_spaces()
        if not self.text.startswith("(", self.pos):
            raise self.fail(f"expected '(' after {name}")
        self.pos += 1
        arguments: list[Evaluator | _Literal] = []
        self.skip_spaces()
        if self.text.startswith(")", self.pos):
            self.pos += 1
        else:
            while True:
                arguments.append(self.parse_argument(depth))
                self.skip_spaces()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                    continue
                if self.text.startswith(")", self.pos):
                    self.pos += 1
                    break
                raise self.fail(f"expected ',' or ')' at position {self.pos}")
        body, minimum, maximum = _FUNCTIONS[name]
        if not minimum <= len(arguments) <= maximum:
            expected = str(minimum) if minimum == maximum else f"{minimum} to {maximum}"
            if maximum >= 10_000:
                expected = f"at least {minimum}"
            raise self.fail(f"{name} takes {expected} argument(s), got {len(arguments)}")
        if name == "States.Format":
            return _format_call(arguments)
        evaluators = [_evaluator(argument) for argument in arguments]
        return _call(name, body, evaluators)

    def parse_argument(self, depth: int) -> Evaluator | _Literal:
        self.skip_spaces()
        rest = self.text[self.pos :]
        if rest.startswith("'"):
            return self.parse_string()
        if rest.startswith("States."):
            return self.parse_call(depth + 1)
        if rest.startswith("$"):
            return self.parse_path()
        match = re.compile(r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)(?=\s*[,)])").match(
            self.text, self.pos
        )
        if match is None:
            raise self.fail(f"invalid argument at position {self.pos}")
        self.pos = match.end()
        literal = match.group()
        value: Any
        if literal in _KEYWORDS:
            value = _KEYWORDS[literal]
        elif re.fullmatch(r"-?\d+", literal):
            value = int(literal)
        else:
            value = float(literal)
        return lambda data, context: value

    def parse_string(self) -> _Literal:
        self.pos += 1
        chars: list[str] = []
        placeholders: list[int] = []
        while True:
            if self.pos >= len(self.text):
                raise self.fail("unterminated string literal")
            char = self.text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(self.text):
                    raise self.fail("a backslash ends the expression")
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            self.pos += 1
            if char == "'":
                return _Literal("".join(chars), placeholders)
            if char == "{" and self.text.startswith("}", self.pos):
                placeholders.append(len(chars))
            chars.append(char)

    def parse_path(self) -> Evaluator:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        source = self.text[start : self.pos].strip()
        try:
            path = compile_path(source)
        except PathSyntaxError as exc:
            raise self.fail(str(exc)) from None
        return _path_argument(path, self.field)


def _evaluator(argument: Evaluator | _Literal) -> Evaluator:
    if isinstance(argument, _Literal):
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


def _format_call(arguments: list[Evaluator | _Literal]) -> Evaluator:
    template, values = arguments[0], [_evaluator(argument) for argument in arguments[1:]]
    if isinstance(template, _Literal):
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
            out = [pieces[0]]
            for index, evaluate in enumerate(values):
                out.append(format_value(evaluate(data, context)))
                out.append(pieces[index + 1])
            return "".join(out)

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
        out = [pieces[0]]
        for index, evaluate in enumerate(values):
            out.append(format_value(evaluate(data, context)))
            out.append(pieces[index + 1])
        return "".join(out)

    return format_dynamic


def compile_intrinsic(expression: str, field: str | None = None) -> Evaluator:
    """Compile an intrinsic function call into ``evaluate(input, context)``.

    ``field`` (e.g. ``"x.$"``) is named in the error when a path argument is not found.
    Raises IntrinsicSyntaxError for invalid syntax, unknown functions or wrong arity.
    """
    if not isinstance(expression, str):
        raise IntrinsicSyntaxError(f"An intrinsic function must be a string, not {expression!r}")
    parser = _Parser(expression, field)
    evaluate = parser.parse_call(1)
    parser.skip_spaces()
    if parser.pos != len(expression):
        raise parser.fail(f"unexpected text after the call at position {parser.pos}")
    return evaluate
