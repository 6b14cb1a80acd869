"""JSONata expressions (``{% ... %}``) as Step Functions checks them when a state machine is
created: they must parse, and may not read the top-level context or ``$$`` (AWS's
UNSUPPORTED_JSONATA_EXPRESSION). Parsing is jsonata-python's; the engine evaluates what
:func:`parse_jsonata` returns, the definition model checks with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jsonata import jexception, jsonata, parser

__all__ = [
    "INVALID_JSONATA_EXPRESSION",
    "UNSUPPORTED_JSONATA_EXPRESSION",
    "JsonataSyntaxError",
    "ParsedJsonata",
    "is_jsonata_expression",
    "parse_jsonata",
]

INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"
_OPEN, _CLOSE = "{%", "%}"


class JsonataSyntaxError(ValueError):
    """An expression AWS refuses: ``code`` is INVALID_JSONATA_EXPRESSION (it does not parse)
    or UNSUPPORTED_JSONATA_EXPRESSION (it reads the top-level context or ``$$``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedJsonata:
    """A parsed expression: jsonata-python's object and the variables it reads."""

    jsonata: Any
    variables: frozenset[str]


def is_jsonata_expression(value: Any) -> bool:
    """Whether ``value`` is a string written as ``{% expression %}`` (no surrounding spaces)."""
    return (
        type(value) is str
        and len(value) >= 4
        and value.startswith(_OPEN)
        and value.endswith(_CLOSE)
    )


def parse_jsonata(source: str) -> ParsedJsonata:
    """Parse the expression ``source`` (without its delimiters); raises
    :class:`JsonataSyntaxError`."""
    try:
        compiled = jsonata.Jsonata(source)
    except jexception.JException as exc:
        raise JsonataSyntaxError(INVALID_JSONATA_EXPRESSION, str(exc)) from None
    except Exception as exc:  # the library raises plain errors on some malformed input
        raise JsonataSyntaxError(
            INVALID_JSONATA_EXPRESSION, str(exc) or type(exc).__name__
        ) from None
    if compiled.errors:
        raise JsonataSyntaxError(INVALID_JSONATA_EXPRESSION, str(compiled.errors[0]))
    inspector = _Inspector()
    inspector.visit(compiled.ast, True)
    if inspector.problem is not None:
        raise JsonataSyntaxError(UNSUPPORTED_JSONATA_EXPRESSION, inspector.problem)
    return ParsedJsonata(compiled, frozenset(inspector.variables - {"states"}))


_CHILD_ATTRIBUTES = (
    "expression",
    "procedure",
    "arguments",
    "body",
    "lhs",
    "rhs",
    "lhs_object",
    "rhs_object",
    "rhs_terms",
    "condition",
    "then",
    "_else",
    "expressions",
    "pattern",
    "update",
    "delete",
)
_RELATIVE_ATTRIBUTES = ("stages", "predicate", "group", "terms", "focus", "tuple", "index")


class _Inspector:
    """Walks an AST: collects variable names, finds what AWS refuses."""

    def __init__(self) -> None:
        self.variables: set[str] = set()
        self.problem: str | None = None

    def visit(self, node: Any, top: bool) -> None:
        if self.problem is not None or node is None:
            return
        if isinstance(node, (list, tuple)):
            for item in node:
                self.visit(item, top)
            return
        if not isinstance(node, parser.Parser.Symbol):
            return
        kind = getattr(node, "type", None)
        if kind == "variable":
            name = node.value
            if name == "$":
                self.problem = "Reference to '$$' is not supported."
                return
            if name:
                self.variables.add(str(name))
        elif kind == "name" and top:
            self.problem = f"Reference to '{node.value}' at the top level is not supported."
            return
        if kind == "path":
            steps = getattr(node, "steps", None) or []
            for index, step in enumerate(steps):
                self._visit_step(step, top and index == 0)
            for attribute in _RELATIVE_ATTRIBUTES:
                self.visit(getattr(node, attribute, None), False)
            return
        for attribute in _CHILD_ATTRIBUTES:
            self.visit(getattr(node, attribute, None), top)
        for attribute in _RELATIVE_ATTRIBUTES:
            self.visit(getattr(node, attribute, None), False)
        self.visit(getattr(node, "steps", None), False)

    def _visit_step(self, step: Any, top: bool) -> None:
        self.visit(step, top)
