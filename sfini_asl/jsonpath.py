"""JSONPath as Step Functions evaluates it (Jayway JsonPath semantics).

A *definite* path (only property names and single indices) yields one value, or raises
:class:`PathNotFound`; an *indefinite* path (wildcards, slices, unions, filters, deep scan)
yields the list of everything it matched, possibly empty. ``$.`` paths read the data,
``$$.`` paths read the context object.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "CompiledPath",
    "PathNotFound",
    "PathSyntaxError",
    "ResultPathMatchFailure",
    "compile_path",
    "compile_reference_path",
    "is_path",
    "is_reference_path",
    "jayway_path",
    "set_at_path",
]


class PathSyntaxError(ValueError):
    """A string that is not a valid JSONPath (or not the kind of path a field requires)."""


class PathNotFound(LookupError):
    """A definite path that selects nothing; ``detail`` is Jayway's message for it."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"Invalid path '{path}' : {detail}")
        self.path = path
        self.detail = detail


class ResultPathMatchFailure(LookupError):
    """A ResultPath that cannot be applied to the state's input."""


# ---------------------------------------------------------------------------------------------
# Steps. Each step maps one node to the nodes it selects.

_NAME = 0  # arg: str
_INDEX = 1  # arg: int
_WILDCARD = 2  # arg: None
_NAMES = 3  # arg: tuple[str, ...]
_INDICES = 4  # arg: tuple[int, ...]
_SLICE = 5  # arg: (start, stop, step)
_FILTER = 6  # arg: predicate(node, root) -> bool
_SCAN = 7  # arg: the step applied at every depth
_FUNCTION = 8  # arg: function name

_DEFINITE_KINDS = (_NAME, _INDEX)

Step = tuple[int, Any, str]  # (kind, argument, canonical text)


def _json_type_is_container(value: Any) -> bool:
    return type(value) is dict or type(value) is list


def _apply_step(kind: int, arg: Any, node: Any, root: Any) -> Iterator[Any]:
    if kind == _NAME:
        if type(node) is dict and arg in node:
            yield node[arg]
    elif kind == _INDEX:
        if type(node) is list and -len(node) <= arg < len(node):
            yield node[arg]
    elif kind == _WILDCARD:
        if type(node) is dict:
            yield from node.values()
        elif type(node) is list:
            yield from node
    elif kind == _NAMES:
        if type(node) is dict:
            for name in arg:
                if name in node:
                    yield node[name]
    elif kind == _INDICES:
        if type(node) is list:
            size = len(node)
            for index in arg:
                if -size <= index < size:
                    yield node[index]
    elif kind == _SLICE:
        if type(node) is list:
            yield from node[slice(*arg)]
    elif kind == _FILTER:
        if type(node) is list:
            for item in node:
                if arg(item, root):
                    yield item
        elif type(node) is dict and arg(node, root):
            yield node
    elif kind == _SCAN:
        yield from _scan(arg, node, root)
    else:  # pragma: no cover - functions are handled by CompiledPath
        raise AssertionError(kind)


def _scan(step: Step, node: Any, root: Any) -> Iterator[Any]:
    kind, arg, _ = step
    if kind == _WILDCARD:
        # `..*` selects every descendant
        if type(node) is dict:
            for value in node.values():
                yield value
                yield from _scan(step, value, root)
        elif type(node) is list:
            for value in node:
                yield value
                yield from _scan(step, value, root)
        return
    yield from _apply_step(kind, arg, node, root)
    if type(node) is dict:
        for value in node.values():
            if _json_type_is_container(value):
                yield from _scan(step, value, root)
    elif type(node) is list:
        for value in node:
            if _json_type_is_container(value):
                yield from _scan(step, value, root)


def _is_number(value: Any) -> bool:
    return (type(value) is int or type(value) is float) and value is not True


def _numbers(value: Any) -> list[float | int]:
    items = value if type(value) is list else [value]
    numbers = [item for item in items if _is_number(item)]
    if not numbers:
        raise LookupError("Aggregation function attempted to calculate value using empty array")
    return numbers


def _length(value: Any) -> Any:
    if type(value) in (list, dict, str):
        return len(value)
    raise LookupError("length() applies to arrays, objects and strings")


def _min(value: Any) -> Any:
    return float(min(_numbers(value)))


def _max(value: Any) -> Any:
    return float(max(_numbers(value)))


def _sum(value: Any) -> Any:
    return float(sum(_numbers(value)))


def _avg(value: Any) -> Any:
    numbers = _numbers(value)
    return sum(numbers) / len(numbers)


def _stddev(value: Any) -> Any:
    numbers = _numbers(value)
    mean = sum(numbers) / len(numbers)
    return (sum((n - mean) ** 2 for n in numbers) / len(numbers)) ** 0.5


def _first(value: Any) -> Any:
    if type(value) is list and value:
        return value[0]
    raise LookupError("first() applies to non-empty arrays")


def _last(value: Any) -> Any:
    if type(value) is list and value:
        return value[-1]
    raise LookupError("last() applies to non-empty arrays")


def _keys(value: Any) -> Any:
    if type(value) is dict:
        return list(value)
    raise LookupError("keys() applies to objects")


#: the functions a path may end with (``$.items.length()``), by name
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "length": _length,
    "min": _min,
    "max": _max,
    "sum": _sum,
    "avg": _avg,
    "stddev": _stddev,
    "first": _first,
    "last": _last,
    "keys": _keys,
}


# ---------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    """A recursive-descent parser for Jayway-style JSONPath."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0

    def fail(self, message: str) -> PathSyntaxError:
        return PathSyntaxError(f"Invalid JSONPath '{self.source}': {message}")

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_spaces(self) -> None:
        while not self.at_end() and self.text[self.pos] in " \t":
            self.pos += 1

    def expect(self, token: str) -> None:
        self.skip_spaces()
        if not self.text.startswith(token, self.pos):
            raise self.fail(f"expected '{token}' at position {self.pos}")
        self.pos += len(token)

    # path := '$' step*
    def parse_steps(self, stop: str = "") -> list[Step]:
        steps: list[Step] = []
        while not self.at_end() and self.text[self.pos] not in stop:
            char = self.text[self.pos]
            if char == ".":
                if self.peek(2) == "..":
                    self.pos += 2
                    if self.peek() == "[":
                        inner = self.parse_bracket()
                    else:
                        inner = self.parse_dot_member(allow_function=False)
                    steps.append((_SCAN, inner, ".." + inner[2]))
                else:
                    self.pos += 1
                    steps.append(self.parse_dot_member(allow_function=True))
            elif char == "[":
                steps.append(self.parse_bracket())
            elif stop and char in " \t":
                break
            else:
                raise self.fail(f"unexpected character '{char}' at position {self.pos}")
        for index, step in enumerate(steps):
            if step[0] == _FUNCTION and index != len(steps) - 1:
                raise self.fail("a function must be the last step of a path")
        return steps

    def parse_dot_member(self, *, allow_function: bool) -> Step:
        if self.peek() == "*":
            self.pos += 1
            return (_WILDCARD, None, "[*]")
        start = self.pos
        while not self.at_end() and self.text[self.pos] not in ".[ \t()=!<>&|,":
            self.pos += 1
        name = self.text[start : self.pos]
        if not name:
            raise self.fail(f"empty property name at position {start}")
        if self.peek(2) == "()":
            if not allow_function or name not in _FUNCTIONS:
                raise self.fail(f"unknown function '{name}()'")
            self.pos += 2
            return (_FUNCTION, name, f".{name}()")
        return (_NAME, name, f"['{name}']")

    def parse_bracket(self) -> Step:
        self.expect("[")
        self.skip_spaces()
        char = self.peek()
        if char == "*":
            self.pos += 1
            step: Step = (_WILDCARD, None, "[*]")
        elif char == "?":
            self.pos += 1
            self.expect("(")
            predicate = _FilterParser(self).parse_or()
            self.expect(")")
            step = (_FILTER, predicate, "[?]")
        elif char and char in "'\"":
            names = [self.parse_string()]
            self.skip_spaces()
            while self.peek() == ",":
                self.pos += 1
                self.skip_spaces()
                names.append(self.parse_string())
                self.skip_spaces()
            quoted = ",".join(f"'{name}'" for name in names)
            if len(names) == 1:
                step = (_NAME, names[0], f"[{quoted}]")
            else:
                step = (_NAMES, tuple(names), f"[{quoted}]")
        else:
            step = self.parse_indices()
        self.expect("]")
        return step

    def parse_string(self) -> str:
        quote = self.peek()
        if not quote or quote not in "'\"":
            raise self.fail(f"expected a quoted name at position {self.pos}")
        self.pos += 1
        chars: list[str] = []
        while True:
            if self.at_end():
                raise self.fail("unterminated string")
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return "".join(chars)
            chars.append(char)

    def parse_int(self) -> int | None:
        self.skip_spaces()
        match = re.compile(r"-?\d+").match(self.text, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        self.skip_spaces()
        return int(match.group())

    def parse_indices(self) -> Step:
        first = self.parse_int()
        if self.peek() == ":":
            bounds: list[int | None] = [first]
            while self.peek() == ":" and len(bounds) < 3:
                self.pos += 1
                bounds.append(self.parse_int())
            start, stop = bounds[0], bounds[1]
            step_size = bounds[2] if len(bounds) > 2 else None
            if step_size == 0:
                raise self.fail("slice step cannot be 0")
            text = f"[{'' if start is None else start}:{'' if stop is None else stop}]"
            return (_SLICE, (start, stop, step_size), text)
        if first is None:
            raise self.fail(f"invalid bracket expression at position {self.pos}")
        indices = [first]
        while self.peek() == ",":
            self.pos += 1
            value = self.parse_int()
            if value is None:
                raise self.fail(f"invalid index at position {self.pos}")
            indices.append(value)
        if len(indices) == 1:
            return (_INDEX, first, f"[{first}]")
        return (_INDICES, tuple(indices), "[" + ",".join(map(str, indices)) + "]")


_MISSING = object()


class _FilterParser:
    """Filter expressions: ``@.x > 1 && (@.y == 'a' || !@.z)``, ``@.s =~ /re/i``, ``in``."""

    _OPERATORS = ("==", "!=", "<=", ">=", "=~", "<", ">", " nin ", " in ")

    def __init__(self, parser: _Parser) -> None:
        self.p = parser

    def parse_or(self) -> Callable[[Any, Any], bool]:
        left = self.parse_and()
        while True:
            self.p.skip_spaces()
            if self.p.peek(2) != "||":
                return left
            self.p.pos += 2
            right = self.parse_and()
            left = (lambda a, b: lambda node, root: a(node, root) or b(node, root))(left, right)

    def parse_and(self) -> Callable[[Any, Any], bool]:
        left = self.parse_unary()
        while True:
            self.p.skip_spaces()
            if self.p.peek(2) != "&&":
                return left
            self.p.pos += 2
            right = self.parse_unary()
            left = (lambda a, b: lambda node, root: a(node, root) and b(node, root))(left, right)

    def parse_unary(self) -> Callable[[Any, Any], bool]:
        self.p.skip_spaces()
        if self.p.peek() == "!" and self.p.peek(2) != "!=":
            self.p.pos += 1
            inner = self.parse_unary()
            return lambda node, root: not inner(node, root)
        if self.p.peek() == "(":
            self.p.pos += 1
            inner = self.parse_or()
            self.p.expect(")")
            return inner
        return self.parse_comparison()

    def parse_comparison(self) -> Callable[[Any, Any], bool]:
        left, left_is_path = self.parse_operand()
        self.p.skip_spaces()
        for operator in self._OPERATORS:
            token = operator.strip()
            if operator.startswith(" "):
                if not self.p.text.startswith(token, self.p.pos):
                    continue
                after = self.p.text[self.p.pos + len(token) : self.p.pos + len(token) + 1]
                if after not in (" ", "[", "\t"):
                    continue
            elif not self.p.text.startswith(token, self.p.pos):
                continue
            self.p.pos += len(token)
            if token == "=~":
                self.p.skip_spaces()
                pattern = self.parse_regex()
                return lambda node, root: _regex_match(left(node, root), pattern)
            right, _ = self.parse_operand()
            compare = _COMPARATORS[token]
            return lambda node, root: compare(left(node, root), right(node, root))
        if not left_is_path:
            raise self.p.fail("a filter needs a comparison or an @ path")
        return lambda node, root: left(node, root) is not _MISSING

    def parse_regex(self) -> re.Pattern[str]:
        if self.p.peek() != "/":
            raise self.p.fail("expected a /regex/ after =~")
        end = self.p.pos + 1
        while end < len(self.p.text) and self.p.text[end] != "/":
            end += 2 if self.p.text[end] == "\\" else 1
        if end >= len(self.p.text):
            raise self.p.fail("unterminated regex")
        body = self.p.text[self.p.pos + 1 : end]
        self.p.pos = end + 1
        flags = 0
        while self.p.peek() and self.p.peek() in "imsx":
            flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[self.p.peek()]
            self.p.pos += 1
        try:
            return re.compile(body, flags)
        except re.error as exc:
            raise self.p.fail(f"invalid regex /{body}/: {exc}") from None

    def parse_operand(self) -> tuple[Callable[[Any, Any], Any], bool]:
        self.p.skip_spaces()
        char = self.p.peek()
        if char in ("@", "$"):
            self.p.pos += 1
            steps = self.p.parse_steps(stop=")=!<>&|, \t]")
            from_root = char == "$"

            def read(node: Any, root: Any) -> Any:
                return _read_relative(steps, root if from_root else node, root)

            return read, True
        if char and char in "'\"":
            value: Any = self.p.parse_string()
        elif char == "[":
            self.p.pos += 1
            items: list[Any] = []
            while True:
                self.p.skip_spaces()
                if self.p.peek() == "]":
                    self.p.pos += 1
                    break
                operand, is_path = self.parse_operand()
                if is_path:
                    raise self.p.fail("paths are not allowed inside a list literal")
                items.append(operand(None, None))
                self.p.skip_spaces()
                if self.p.peek() == ",":
                    self.p.pos += 1
            value = items
        else:
            match = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null").match(
                self.p.text, self.p.pos
            )
            if match is None:
                raise self.p.fail(f"invalid filter operand at position {self.p.pos}")
            self.p.pos = match.end()
            literal = match.group()
            if literal in ("true", "false", "null"):
                value = {"true": True, "false": False, "null": None}[literal]
            elif match.group(1) or match.group(2):
                value = float(literal)
            else:
                value = int(literal)
        return (lambda node, root: value), False


def _read_relative(steps: list[Step], node: Any, root: Any) -> Any:
    if all(kind in _DEFINITE_KINDS for kind, _, _ in steps):
        current = node
        for kind, arg, _ in steps:
            found = next(_apply_step(kind, arg, current, root), _MISSING)
            if found is _MISSING:
                return _MISSING
            current = found
        return current
    if steps and steps[-1][0] == _FUNCTION:
        matches = list(_evaluate(steps[:-1], node, root))
        try:
            return _FUNCTIONS[steps[-1][1]](matches)
        except LookupError:
            return _MISSING
    return list(_evaluate(steps, node, root))


def _same_type(left: Any, right: Any) -> bool:
    if _is_number(left) and _is_number(right):
        return True
    return type(left) is type(right)


def _equals(left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return False
    return _same_type(left, right) and left == right


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(left: Any, right: Any) -> bool:
        if left is _MISSING or right is _MISSING:
            return False
        if _is_number(left) and _is_number(right):
            return test(left, right)
        if type(left) is str and type(right) is str:
            return test(left, right)
        return False

    return compare


def _in(left: Any, right: Any) -> bool:
    if left is _MISSING or type(right) is not list:
        return False
    return any(_equals(left, item) for item in right)


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equals,
    "!=": lambda left, right: left is not _MISSING and not _equals(left, right),
    "<": _ordered(lambda a, b: a < b),
    "<=": _ordered(lambda a, b: a <= b),
    ">": _ordered(lambda a, b: a > b),
    ">=": _ordered(lambda a, b: a >= b),
    "in": _in,
    "nin": lambda left, right: (
        left is not _MISSING and type(right) is list and not _in(left, right)
    ),
}


def _regex_match(value: Any, pattern: re.Pattern[str]) -> bool:
    return type(value) is str and pattern.fullmatch(value) is not None


def _evaluate(steps: list[Step] | tuple[Step, ...], node: Any, root: Any) -> Iterator[Any]:
    if not steps:
        yield node
        return
    kind, arg, _ = steps[0]
    rest = steps[1:]
    for selected in _apply_step(kind, arg, node, root):
        yield from _evaluate(rest, selected, root)


# ---------------------------------------------------------------------------------------------


class CompiledPath:
    """A parsed JSONPath, ready to evaluate many times."""

    __slots__ = ("_keys", "_steps", "context", "definite", "function", "jayway", "source")

    def __init__(self, source: str, context: bool, steps: list[Step]) -> None:
        self.source = source
        self.context = context
        self.function: str | None = None
        if steps and steps[-1][0] == _FUNCTION:
            self.function = steps[-1][1]
            steps = steps[:-1]
        self._steps: tuple[Step, ...] = tuple(steps)
        definite_steps = all(kind in _DEFINITE_KINDS for kind, _, _ in steps)
        self.definite = definite_steps or self.function is not None
        self._keys: tuple[str | int, ...] | None = (
            tuple(arg for _, arg, _ in steps) if definite_steps else None
        )
        self.jayway = "$" + "".join(text for _, _, text in steps)
        if self.function is not None:
            self.jayway += f".{self.function}()"

    @property
    def is_root(self) -> bool:
        """Whether the path is just ``$`` (or ``$$``)."""
        return not self._steps and self.function is None

    @property
    def is_reference(self) -> bool:
        """Whether this is a Reference Path: ``$.``-rooted, names and single indices only."""
        return not self.context and self.function is None and self._keys is not None

    @property
    def keys(self) -> tuple[str | int, ...]:
        """The property names (str) and indices (int) of a definite path."""
        if self._keys is None:
            raise ValueError(f"'{self.source}' is not a definite path")
        return self._keys

    def get(self, data: Any, context: Any = None) -> Any:
        """The value (definite path) or list of values (indefinite path) the path selects."""
        root = context if self.context else data
        keys = self._keys
        if keys is not None:
            current = root
            for key in keys:
                if type(key) is str:
                    if type(current) is dict and key in current:
                        current = current[key]
                        continue
                elif type(current) is list and -len(current) <= key < len(current):
                    current = current[key]
                    continue
                raise self._not_found(root)
            if self.function is not None:
                return self._call(current)
            return current
        matches = list(_evaluate(self._steps, root, root))
        if self.function is not None:
            return self._call(matches)
        return matches

    def find(self, data: Any, context: Any = None, default: Any = None) -> Any:
        """Like :meth:`get`, returning ``default`` where :meth:`get` raises PathNotFound."""
        try:
            return self.get(data, context)
        except PathNotFound:
            return default

    def exists(self, data: Any, context: Any = None) -> bool:
        """Whether a definite path selects a value (an indefinite path always does)."""
        try:
            self.get(data, context)
        except PathNotFound:
            return False
        return True

    def _call(self, value: Any) -> Any:
        assert self.function is not None
        try:
            return _FUNCTIONS[self.function](value)
        except LookupError as exc:
            raise PathNotFound(self.source, str(exc)) from None

    def _not_found(self, root: Any) -> PathNotFound:
        current = root
        position = 0
        for position, key in enumerate(self.keys):  # noqa: B007 - position is used below
            if type(key) is str:
                if type(current) is not dict or key not in current:
                    break
            elif type(current) is not list or not -len(current) <= key < len(current):
                break
            current = current[key]
        if position < len(self._steps) - 1 and self._steps[position][0] == _NAME:
            prefix = "$" + "".join(text for _, _, text in self._steps[: position + 1])
            return PathNotFound(self.source, f"Missing property in path {prefix}")
        return PathNotFound(self.source, f"No results for path: {self.jayway}")

    def __repr__(self) -> str:
        return f"CompiledPath({self.source!r})"


def compile_path(path: str) -> CompiledPath:
    """Parse a JSONPath (``$...`` or ``$$...``); raises PathSyntaxError when invalid."""
    if not isinstance(path, str):
        raise PathSyntaxError(f"A JSONPath must be a string, not {type(path).__name__}")
    return _compile_path(path)


@functools.lru_cache(maxsize=4096)
def _compile_path(path: str) -> CompiledPath:
    text = path.strip()
    if not text.startswith("$"):
        raise PathSyntaxError(f"Invalid JSONPath '{path}': a path must start with '$'")
    context = text.startswith("$$")
    parser = _Parser(text, path)
    parser.pos = 2 if context else 1
    steps = parser.parse_steps()
    return CompiledPath(path, context, steps)


def compile_reference_path(path: str) -> CompiledPath:
    """Parse a Reference Path (ResultPath); raises PathSyntaxError for any other path."""
    compiled = compile_path(path)
    if not compiled.is_reference:
        raise PathSyntaxError(
            f"Invalid ReferencePath '{path}': only property names and single array indices "
            "are allowed"
        )
    return compiled


def is_path(value: Any) -> bool:
    """Whether ``value`` is a syntactically valid JSONPath."""
    try:
        compile_path(value)
    except PathSyntaxError:
        return False
    return True


def is_reference_path(value: Any) -> bool:
    """Whether ``value`` is a valid Reference Path (names and single indices from ``$``)."""
    try:
        compile_reference_path(value)
    except PathSyntaxError:
        return False
    return True


def jayway_path(path: str) -> str:
    """The canonical (Jayway) spelling of a path, as AWS prints it: ``$['a'][0]``."""
    return compile_path(path).jayway


def _compact(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def set_at_path(data: Any, result_path: str | CompiledPath | None, value: Any) -> Any:
    """Apply a ResultPath: place ``value`` into ``data`` at ``result_path``.

    ``None`` discards ``value`` and returns ``data``; ``$`` returns ``value``. Otherwise the
    containers along the path are copied (``data`` itself is never modified) and missing
    objects on the way are created. Raises ResultPathMatchFailure when the path cannot be
    applied (a step into a non-object, or an index outside an array).
    """
    if result_path is None:
        return data
    compiled = (
        result_path
        if isinstance(result_path, CompiledPath)
        else compile_reference_path(result_path)
    )
    keys = compiled.keys
    if not keys:
        return value
    if type(data) is not dict and not (type(data) is list and type(keys[0]) is int):
        raise _result_path_failure(compiled, data)
    root = _copy_container(data)
    current = root
    last = len(keys) - 1
    for position, key in enumerate(keys):
        if position == last:
            if type(key) is int and not -len(current) <= key < len(current):
                raise _result_path_failure(compiled, data)
            current[key] = value
            break
        next_key = keys[position + 1]
        if type(key) is str:
            child = current.get(key, _MISSING)
            if child is _MISSING or child is None:
                if type(next_key) is int:
                    raise _result_path_failure(compiled, data)
                child = {}
            elif type(child) is dict or (type(child) is list and type(next_key) is int):
                child = _copy_container(child)
            else:
                raise _result_path_failure(compiled, data)
        else:
            if not -len(current) <= key < len(current):
                raise _result_path_failure(compiled, data)
            child = current[key]
            if type(child) is dict or (type(child) is list and type(next_key) is int):
                child = _copy_container(child)
            else:
                raise _result_path_failure(compiled, data)
        current[key] = child
        current = child
    return root


def _result_path_failure(path: CompiledPath, data: Any) -> ResultPathMatchFailure:
    return ResultPathMatchFailure(
        f"Unable to apply ReferencePath {path.source} to input {_compact(data)}"
    )


def _copy_container(value: Any) -> Any:
    return dict(value) if type(value) is dict else list(value)
