"""JSONata expressions as Step Functions evaluates them: ``"{% ... %}"`` strings and templates.

An expression is compiled once, when the definition is read (syntax errors and unsupported
references raise :class:`JsonataDefinitionError` naming the field), and evaluated many times
with ``$states`` (``input``, ``result``, ``errorOutput``, ``context``) and the workflow
variables bound. Step Functions' dialect adds ``$partition``, ``$range``, ``$hash``,
``$random``, ``$uuid`` and ``$parse`` and removes ``$eval``.

A failing evaluation raises :class:`QueryEvaluationError` (``States.QueryEvaluationError``)
whose cause is AWS's sentence naming the expression and the field (``Output/a/b[0]``) and whose
``location`` is that field, for the ``EvaluationFailed`` history event. An expression that
returns nothing (undefined) fails the same way.

A template is any JSON value whose strings may be expressions (``Arguments``, ``Output``,
``Assign``, ``Items``, ``ItemSelector``): constant subtrees are kept as they are and copied
on render.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from jsonata import jexception, jsonata, timebox, utils

from sfini_asl.jsonata import (
    INVALID_JSONATA_EXPRESSION,
    UNSUPPORTED_JSONATA_EXPRESSION,
    JsonataSyntaxError,
    is_jsonata_expression,
    parse_jsonata,
)

from ..failures import STATES_QUERY_EVALUATION_ERROR, StatesError, state_error_cause
from ..jsonpath.payload import copy_json

__all__ = [
    "EVALUATION_MAX_DEPTH",
    "EVALUATION_TIMEOUT_MS",
    "INVALID_JSONATA_EXPRESSION",
    "UNSUPPORTED_JSONATA_EXPRESSION",
    "CompiledExpression",
    "CompiledJsonataTemplate",
    "JsonataDefinitionError",
    "QueryEvaluationError",
    "compile_expression",
    "compile_jsonata_template",
    "is_jsonata_expression",
    "jsonata_type_name",
    "states_binding",
]


# AWS bounds an evaluation in time and in nesting depth; past either the state fails.
EVALUATION_TIMEOUT_MS = 5_000
EVALUATION_MAX_DEPTH = 100

_MISSING: Any = object()


class JsonataDefinitionError(ValueError):
    """A JSONata expression that AWS refuses when the state machine is created.

    ``code`` is ``INVALID_JSONATA_EXPRESSION`` (it does not parse) or
    ``UNSUPPORTED_JSONATA_EXPRESSION`` (it parses but reads the top-level context or ``$$``);
    ``field`` is the field's path inside the state (``Output/v``, ``Choices[0]/Condition``).
    """

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field


class QueryEvaluationError(StatesError):
    """``States.QueryEvaluationError`` raised while evaluating a field of a JSONata state.

    ``location`` is the field (``Items``, ``Output/v``), as the ``EvaluationFailed`` event
    reports it; the cause is the detail part, completed by :meth:`at_state`.
    """

    def __init__(self, cause: str, location: str | None, *, in_state: bool = True) -> None:
        super().__init__(STATES_QUERY_EVALUATION_ERROR, cause, in_state=in_state)
        self.location = location

    def at_state(self, state_name: str, entered_event_id: int) -> QueryEvaluationError:
        """This error with AWS's full cause for the state ``state_name``."""
        if not self.in_state:
            return self
        return QueryEvaluationError(
            state_error_cause(state_name, entered_event_id, self.cause or ""),
            self.location,
            in_state=False,
        )

    def evaluation_failed_details(self, state_name: str) -> dict[str, Any]:
        """``evaluationFailedEventDetails`` for the ``EvaluationFailed`` history event."""
        details: dict[str, Any] = {"error": self.error}
        if self.cause is not None:
            details["cause"] = self.cause
        if self.location is not None:
            details["location"] = self.location
        details["state"] = state_name
        return details


def states_binding(
    state_input: Any,
    context: Any,
    result: Any = _MISSING,
    error_output: Any = _MISSING,
) -> dict[str, Any]:
    """``$states``: ``input`` and ``context``, plus ``result``/``errorOutput`` when given."""
    states: dict[str, Any] = {"input": state_input, "context": context}
    if result is not _MISSING:
        states["result"] = result
    if error_output is not _MISSING:
        states["errorOutput"] = error_output
    return states


# ---------------------------------------------------------------------------------------------
# Values in and out of the library


def _to_jsonata(value: Any) -> Any:
    """A top-level binding: JSON null must stay a value (a bare None reads as undefined)."""
    return utils.Utils.NULL_VALUE if value is None else value


def _from_jsonata(value: Any) -> Any:
    """A plain JSON value from a library result (nulls, sequences, non-finite numbers)."""
    if value is utils.Utils.NULL_VALUE or value is None:
        return None
    kind = type(value)
    if kind is bool or kind is str or kind is int:
        return value
    if kind is float:
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
        return value
    if isinstance(value, Mapping):
        return {str(key): _from_jsonata(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_from_jsonata(item) for item in value]
    raise _UnsupportedResult(value)


class _UnsupportedResult(Exception):
    """A result that is not JSON (a function)."""


def jsonata_type_name(value: Any) -> str:
    """The JSONata type name of a JSON value (``null``, ``number``, ``array``, ...)."""
    if value is None:
        return "null"
    if type(value) is bool:
        return "boolean"
    if type(value) in (int, float):
        return "number"
    if type(value) is str:
        return "string"
    if type(value) is list:
        return "array"
    return "object"


# ---------------------------------------------------------------------------------------------
# The functions Step Functions adds


class _FunctionError(Exception):
    """A failure inside one of Step Functions' functions; the message is JSONata-style."""


def _argument(args: tuple[Any, ...], index: int) -> Any:
    return args[index] if index < len(args) else None


def _plain(value: Any) -> Any:
    if value is utils.Utils.NULL_VALUE:
        return None
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _signature_error(name: str, position: int) -> _FunctionError:
    return _FunctionError(
        f'T0410: Argument {position} of function "{name}" does not match function signature'
    )


def _surplus(args: tuple[Any, ...], name: str, allowed: int) -> None:
    if len(args) > allowed and any(arg is not None for arg in args[allowed:]):
        raise _signature_error(name, allowed + 1)


def _towards_zero(value: Any, name: str, position: int) -> int:
    if type(value) not in (int, float) or type(value) is bool:
        raise _signature_error(name, position)
    if isinstance(value, float) and not math.isfinite(value):
        raise _signature_error(name, position)
    return int(value)


def _fn_partition(*args: Any) -> Any:
    _surplus(args, "partition", 2)
    array = _argument(args, 0)
    if array is None:
        return None
    if not isinstance(array, list):
        raise _FunctionError('T0412: Argument 1 of function "partition" must be an array')
    if not array:
        return None
    size_argument = _argument(args, 1)
    if size_argument is None:
        return [_plain(array)]
    size = _towards_zero(size_argument, "partition", 2)
    if size < 0:
        raise _FunctionError("D3137: Second argument must be zero or greater")
    if size == 0:
        return None
    items = _plain(array)
    return [items[start : start + size] for start in range(0, len(items), size)]


_MAX_RANGE_ELEMENTS = 360_145
_MEMORY_LIMIT = "Expression evaluation memory limit exceeded: Check for excessive memory usage"


def _fn_range(*args: Any) -> Any:
    _surplus(args, "range", 3)
    start = _towards_zero(_argument(args, 0), "range", 1)
    end = _towards_zero(_argument(args, 1), "range", 2)
    step_argument = _argument(args, 2)
    if step_argument is None:
        return None
    step = _towards_zero(step_argument, "range", 3)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    if (end - start) // step + 1 > _MAX_RANGE_ELEMENTS:
        raise _FunctionError(_MEMORY_LIMIT)
    values = list(range(start, end + (1 if step > 0 else -1), step))
    # a one-element sequence is its element in JSONata
    return values[0] if len(values) == 1 else values


_HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _fn_hash(*args: Any) -> Any:
    _surplus(args, "hash", 2)
    text = _argument(args, 0)
    if type(text) is not str:
        raise _signature_error("hash", 1)
    algorithm = _argument(args, 1)
    if algorithm is None:
        return None
    if type(algorithm) is not str:
        raise _signature_error("hash", 2)
    if algorithm not in _HASH_ALGORITHMS:
        raise _FunctionError(
            f"D3137: Hash algorithm '{algorithm}' must be one of "
            "SHA-1, SHA-384, SHA-256, SHA-512, MD5"
        )
    return hashlib.new(_HASH_ALGORITHMS[algorithm], text.encode("utf-8")).hexdigest()


_JAVA_MULTIPLIER = 0x5DEECE66D
_JAVA_MASK = (1 << 48) - 1


def java_random_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: AWS draws seeded ``$random`` from it."""
    state = (seed ^ _JAVA_MULTIPLIER) & _JAVA_MASK

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * _JAVA_MULTIPLIER + 0xB) & _JAVA_MASK
        return state >> (48 - bits)

    high = next_bits(26)
    low = next_bits(27)
    return ((high << 27) + low) * (1.0 / (1 << 53))


def _fn_random(*args: Any) -> Any:
    import random

    _surplus(args, "random", 1)
    seed = _argument(args, 0)
    if seed is None:
        return random.random()
    return java_random_double(_towards_zero(seed, "random", 1))


def _fn_uuid(*args: Any) -> Any:
    _surplus(args, "uuid", 0)
    return str(uuid.uuid4())


def _reject_constant(text: str) -> Any:
    raise ValueError(text)


def _fn_parse(*args: Any) -> Any:
    _surplus(args, "parse", 1)
    text = _argument(args, 0)
    if text is None:
        return None
    if type(text) is not str:
        raise _signature_error("parse", 1)
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise _FunctionError("D3137: Invalid JSON") from None
    return _to_jsonata(value) if value is None else value


_STEP_FUNCTIONS_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "partition": _fn_partition,
    "range": _fn_range,
    "hash": _fn_hash,
    "random": _fn_random,
    "uuid": _fn_uuid,
    "parse": _fn_parse,
}
_STEP_FUNCTIONS_LAMBDAS = {
    name: jsonata.Jsonata.JLambda(function) for name, function in _STEP_FUNCTIONS_FUNCTIONS.items()
}


# ---------------------------------------------------------------------------------------------
# Expressions


def _error_text(exc: BaseException) -> tuple[str, str]:
    """(message, separator): a coded JSONata message is its own sentence (". "), others ": "."""
    if isinstance(exc, _FunctionError):
        message = str(exc)
    elif isinstance(exc, jexception.JException):
        code = exc.error
        if code == "D1011":
            return "Stack overflow error: Check for non-terminating recursive function", ": "
        if code == "D1012":
            return "Expression evaluation timeout: Check for infinite loop", ": "
        # the library's message catalog says "Object" where jsonata-js says "function"
        text = (
            str(exc)
            .replace(" of Object ", " of function ")
            .replace("Object signature", "function signature")
        )
        message = text if text.startswith(f"{code}") else f"{code}: {text}"
    elif isinstance(exc, RecursionError):
        return "Stack overflow error: Check for non-terminating recursive function", ": "
    else:
        message = str(exc) or type(exc).__name__
        return message, ": "
    separator = ". " if len(message) > 5 and message[:5].isalnum() and message[5] == ":" else ": "
    return message, separator


class CompiledExpression:
    """One compiled ``{% ... %}`` expression of a field."""

    __slots__ = ("_jsonata", "field", "source", "variables")

    def __init__(self, source: str, field: str) -> None:
        self.source = source
        self.field = field
        try:
            parsed = parse_jsonata(source)
        except JsonataSyntaxError as exc:
            raise JsonataDefinitionError(exc.code, exc.message, field) from None
        self._jsonata = parsed.jsonata
        self._jsonata.set_output_convert_nulls(False)
        self._jsonata.set_validate_input(False)
        for name, function in _STEP_FUNCTIONS_LAMBDAS.items():
            self._jsonata.register_function(name, function)
        self._jsonata.register_function("eval", None)  # AWS removes $eval: calling it is T1006
        self.variables: frozenset[str] = parsed.variables

    def _fail(self, detail: str) -> QueryEvaluationError:
        return QueryEvaluationError(
            f"The JSONata expression '{self.source}' specified for the field '{self.field}' "
            f"{detail}",
            self.field,
        )

    def evaluate(self, states: Mapping[str, Any], variables: Any = None) -> Any:
        """The expression's value; raises QueryEvaluationError (also for undefined).

        ``states`` is the ``$states`` value (see :func:`states_binding`); ``variables`` is
        anything with ``get(name, default)`` (a dict or a VariableScope).
        """
        engine = self._jsonata
        frame = jsonata.Jsonata.Frame(engine.environment)
        if variables is not None:
            for name in self.variables:
                value = variables.get(name, _MISSING)
                if value is not _MISSING:
                    frame.bind(name, _to_jsonata(value))
        frame.bind("states", states)
        timebox.Timebox(frame, EVALUATION_TIMEOUT_MS, EVALUATION_MAX_DEPTH)
        # the library keeps per-thread state ($now, $millis) on the last expression it built
        jsonata.Jsonata.CURRENT.jsonata = engine
        try:
            raw = engine.evaluate(None, frame)
        except (Exception, RecursionError) as exc:
            message, separator = _error_text(exc)
            raise self._fail(f"threw an error during evaluation{separator}{message}") from None
        if raw is None:
            raise self._fail("returned nothing (undefined).")
        try:
            return _from_jsonata(raw)
        except _UnsupportedResult:
            raise self._fail("returned an unsupported result type.") from None

    def __repr__(self) -> str:
        return f"CompiledExpression({self.source!r}, field={self.field!r})"


def compile_expression(text: str, field: str) -> CompiledExpression:
    """Compile ``{% expression %}`` (delimiters included) for the field ``field``."""
    if not is_jsonata_expression(text):
        raise JsonataDefinitionError(
            INVALID_JSONATA_EXPRESSION,
            "A JSONata expression must be a string that starts with '{%' and ends with '%}'",
            field,
        )
    source = text[2:-2].strip()
    if not source:
        raise JsonataDefinitionError(INVALID_JSONATA_EXPRESSION, "The expression is empty", field)
    return CompiledExpression(source, field)


# ---------------------------------------------------------------------------------------------
# Templates


Renderer = Callable[[Mapping[str, Any], Any], Any]


def _compile_node(node: Any, field: str, found: list[CompiledExpression]) -> tuple[bool, Any]:
    """(True, value) for a constant subtree, else (False, renderer)."""
    kind = type(node)
    if kind is str:
        if not is_jsonata_expression(node):
            return True, node
        expression = compile_expression(node, field)
        found.append(expression)
        return False, expression.evaluate
    if kind is dict:
        entries = [
            (key, *_compile_node(value, f"{field}/{key}", found)) for key, value in node.items()
        ]
        if all(constant for _, constant, _ in entries):
            return True, node

        def render_object(states: Mapping[str, Any], variables: Any) -> Any:
            return {
                key: copy_json(compiled) if constant else compiled(states, variables)
                for key, constant, compiled in entries
            }

        return False, render_object
    if kind is list:
        items = [
            _compile_node(value, f"{field}[{index}]", found) for index, value in enumerate(node)
        ]
        if all(constant for constant, _ in items):
            return True, node

        def render_array(states: Mapping[str, Any], variables: Any) -> Any:
            return [
                copy_json(compiled) if constant else compiled(states, variables)
                for constant, compiled in items
            ]

        return False, render_array
    return True, node


class CompiledJsonataTemplate:
    """A compiled JSONata template: any JSON value whose strings may be ``{% %}`` expressions."""

    __slots__ = ("_compiled", "constant", "expressions", "field", "template", "variables")

    def __init__(self, template: Any, field: str) -> None:
        self.template = template
        self.field = field
        found: list[CompiledExpression] = []
        self.constant, self._compiled = _compile_node(template, field, found)
        self.expressions: tuple[CompiledExpression, ...] = tuple(found)
        self.variables: frozenset[str] = frozenset().union(*(e.variables for e in found))

    def render(self, states: Mapping[str, Any], variables: Any = None) -> Any:
        """The template's value; raises QueryEvaluationError naming the failing field."""
        if self.constant:
            return copy_json(self._compiled)
        return self._compiled(states, variables)

    def __repr__(self) -> str:
        return f"CompiledJsonataTemplate({self.template!r}, field={self.field!r})"


def compile_jsonata_template(template: Any, field: str) -> CompiledJsonataTemplate:
    """Compile a template for the field ``field``; raises JsonataDefinitionError."""
    return CompiledJsonataTemplate(template, field)
