"""Syntax of intrinsic function calls (``States.Format('{}', $.name)``) in JSONPath states.

``parse_intrinsic`` checks a call the way Step Functions reads it: a known function, the number
of arguments it takes, and arguments that are string literals (single-quoted, ``\\`` escapes),
numbers, ``true``/``false``/``null``, paths or nested calls. It returns the paths, for the caller
to check as JSONPath.
"""

from __future__ import annotations

import functools
import re

#: Every intrinsic function: {name: (fewest arguments, most arguments or None for no limit)}.
INTRINSIC_FUNCTIONS: dict[str, tuple[int, int | None]] = {
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

_FUNCTION_NAME = re.compile(r"States\.[A-Za-z][A-Za-z0-9]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEYWORD = re.compile(r"(?:true|false|null)(?![A-Za-z0-9_])")


class IntrinsicSyntaxError(ValueError):
    """An intrinsic function call Step Functions cannot parse."""


@functools.lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> tuple[str, ...]:
    """Check the syntax of the intrinsic function call ``text``.

    Returns:
        the paths among its arguments (nested calls' included), in order

    Raises:
        IntrinsicSyntaxError: what is wrong, and where
    """
    parser = _Parser(text)
    parser.call()
    parser.skip_space()
    if parser.pos != len(text):
        raise IntrinsicSyntaxError(f"unexpected {text[parser.pos :]!r} after the call")
    return tuple(parser.paths)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.paths: list[str] = []

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def call(self) -> None:
        match = _FUNCTION_NAME.match(self.text, self.pos)
        if match is None:
            raise IntrinsicSyntaxError(f"expected a 'States.' function at {self.rest()!r}")
        name = match.group()
        if name not in INTRINSIC_FUNCTIONS:
            raise IntrinsicSyntaxError(f"{name} is not an intrinsic function")
        self.pos = match.end()
        if self.peek() != "(":
            raise IntrinsicSyntaxError(f"expected '(' after {name}")
        self.pos += 1
        count = self.arguments(name)
        fewest, most = INTRINSIC_FUNCTIONS[name]
        if count < fewest or (most is not None and count > most):
            takes = str(fewest) if fewest == most else f"{fewest} to {most or 'any number of'}"
            if most is None:
                takes = f"at least {fewest}"
            raise IntrinsicSyntaxError(f"{name} takes {takes} arguments, got {count}")

    def arguments(self, name: str) -> int:
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            return 0
        count = 0
        while True:
            self.argument()
            count += 1
            self.skip_space()
            character = self.peek()
            if character == ")":
                self.pos += 1
                return count
            if character != ",":
                found = repr(character) if character else "the end"
                raise IntrinsicSyntaxError(f"expected ',' or ')' in {name}(...), found {found}")
            self.pos += 1
            self.skip_space()

    def argument(self) -> None:
        character = self.peek()
        if character == "'":
            self.string()
        elif character == "$":
            self.path()
        elif self.text.startswith("States.", self.pos):
            self.call()
        else:
            match = _NUMBER.match(self.text, self.pos) or _KEYWORD.match(self.text, self.pos)
            if match is None:
                raise IntrinsicSyntaxError(
                    f"expected an argument (a 'string', number, true, false, null, path or "
                    f"intrinsic function) at {self.rest()!r}"
                )
            self.pos = match.end()

    def string(self) -> None:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text):
            character = self.text[self.pos]
            if character == "\\":
                self.pos += 2
                continue
            self.pos += 1
            if character == "'":
                return
        raise IntrinsicSyntaxError(f"unterminated string {self.text[start:]!r}")

    def path(self) -> None:
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
        self.paths.append(self.text[start : self.pos].rstrip())

    def rest(self) -> str:
        return self.text[self.pos :] or "the end"
