"""Intrinsic function calls (``States.Format('{}', $.name)``) parsed into one syntax tree.

The tree is what both sides read: the definition model checks it (and the paths in it), the
local engine compiles it into an evaluator with the functions' bodies. Arguments are string
literals (single-quoted, ``\\`` escapes the next character), JSON numbers, ``true``/``false``/
``null``, paths (``$.x``, ``$$.Execution.Id``, ``$var.x``; their syntax is the consumer's to
check) and nested calls, at most :data:`MAX_NESTING` deep.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FUNCTIONS",
    "MAX_NESTING",
    "Call",
    "IntrinsicSyntaxError",
    "Literal",
    "PathArgument",
    "StringLiteral",
    "is_intrinsic",
    "parse_intrinsic",
    "paths_of",
]

#: every intrinsic function: {name: (fewest arguments, most arguments or None for no limit)}
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}
#: how deeply Step Functions lets calls nest
MAX_NESTING = 10

_FUNCTION_NAME = re.compile(r"States\.[A-Za-z][A-Za-z0-9]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEYWORD = re.compile(r"(?:true|false|null)(?![A-Za-z0-9_])")
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}
_SPACE = " \t\r\n"
_CALL_START = re.compile(r"\s*States\.\w+\s*\(")


class IntrinsicSyntaxError(ValueError):
    """A call Step Functions cannot parse; ``reason`` says what is wrong, and where."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"Invalid intrinsic function '{text}': {reason}")
        self.text = text
        self.reason = reason


@dataclass(frozen=True)
class Literal:
    """A number, ``true``, ``false`` or ``null``."""

    value: Any


@dataclass(frozen=True)
class StringLiteral:
    """A quoted string: its value and where its unescaped ``{}`` placeholders start."""

    value: str
    placeholders: tuple[int, ...]


@dataclass(frozen=True)
class PathArgument:
    """A path argument, as written (``$.a``, ``$$.Execution.Id``, ``$var.field``)."""

    source: str


@dataclass(frozen=True)
class Call:
    """``name(arguments...)``."""

    name: str
    arguments: tuple[Argument, ...]


Argument = Literal | StringLiteral | PathArgument | Call


def is_intrinsic(expression: Any) -> bool:
    """Whether ``expression`` is written as an intrinsic call (``States.Name(``)."""
    return isinstance(expression, str) and _CALL_START.match(expression) is not None


@functools.lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> Call:
    """The syntax tree of the call ``text``; raises :class:`IntrinsicSyntaxError`."""
    if not isinstance(text, str):
        raise IntrinsicSyntaxError(repr(text), "an intrinsic function must be a string")
    parser = _Parser(text)
    parser.skip_space()
    call = parser.call(1)
    parser.skip_space()
    if parser.pos != len(text):
        raise parser.fail(f"unexpected {text[parser.pos :]!r} after the call")
    return call


def paths_of(call: Call) -> tuple[str, ...]:
    """The path arguments of ``call`` and of the calls nested in it, in order."""
    found: list[str] = []
    for argument in call.arguments:
        if isinstance(argument, PathArgument):
            found.append(argument.source)
        elif isinstance(argument, Call):
            found.extend(paths_of(argument))
    return tuple(found)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, reason: str) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(self.text, reason)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def rest(self) -> str:
        return self.text[self.pos :] or "the end"

    def call(self, depth: int) -> Call:
        if depth > MAX_NESTING:
            raise self.fail(f"at most {MAX_NESTING} intrinsic functions can be nested")
        match = _FUNCTION_NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail(f"expected a 'States.' function at {self.rest()!r}")
        name = match.group()
        if name not in FUNCTIONS:
            raise self.fail(f"{name} is not an intrinsic function")
        self.pos = match.end()
        if self.peek() != "(":
            raise self.fail(f"expected '(' after {name}")
        self.pos += 1
        arguments = self.arguments(name, depth)
        fewest, most = FUNCTIONS[name]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            takes = str(fewest) if fewest == most else f"{fewest} to {most}"
            if most is None:
                takes = f"at least {fewest}"
            raise self.fail(f"{name} takes {takes} arguments, got {len(arguments)}")
        return Call(name, tuple(arguments))

    def arguments(self, name: str, depth: int) -> list[Argument]:
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            return []
        arguments: list[Argument] = []
        while True:
            arguments.append(self.argument(depth))
            self.skip_space()
            character = self.peek()
            if character == ")":
                self.pos += 1
                return arguments
            if character != ",":
                found = repr(character) if character else "the end"
                raise self.fail(f"expected ',' or ')' in {name}(...), found {found}")
            self.pos += 1
            self.skip_space()

    def argument(self, depth: int) -> Argument:
        character = self.peek()
        if character == "'":
            return self.string()
        if character == "$":
            return self.path()
        if self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        match = _NUMBER.match(self.text, self.pos) or _KEYWORD.match(self.text, self.pos)
        if match is None:
            raise self.fail(
                "expected an argument (a 'string', number, true, false, null, path or "
                f"intrinsic function) at {self.rest()!r}"
            )
        self.pos = match.end()
        literal = match.group()
        if literal in _KEYWORDS:
            return Literal(_KEYWORDS[literal])
        if re.fullmatch(r"-?[0-9]+", literal):
            return Literal(int(literal))
        return Literal(float(literal))

    def string(self) -> StringLiteral:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        placeholders: list[int] = []
        while self.pos < len(self.text):
            character = self.text[self.pos]
            if character == "\\":
                if self.pos + 1 >= len(self.text):
                    break
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            self.pos += 1
            if character == "'":
                return StringLiteral("".join(chars), tuple(placeholders))
            if character == "{" and self.text.startswith("}", self.pos):
                placeholders.append(len(chars))
            chars.append(character)
        raise self.fail(f"unterminated string {self.text[start:]!r}")

    def path(self) -> PathArgument:
        start, depth, quote = self.pos, 0, ""
        while self.pos < len(self.text):
            character = self.text[self.pos]
            if quote:
                if character == "\\":
                    self.pos += 1
                elif character == quote:
                    quote = ""
            elif character in "'\"":
                quote = character
            elif character in "[(":
                depth += 1
            elif character in "])":
                if depth == 0:
                    break
                depth -= 1
            elif character == "," and depth == 0:
                break
            self.pos += 1
        return PathArgument(self.text[start : self.pos].rstrip(_SPACE))
