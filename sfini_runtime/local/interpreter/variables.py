"""Workflow variables: scopes, ``Assign`` in both query languages, and ``$var`` in JSONPath.

A :class:`VariableScope` holds the variables of one scope. The state machine's top-level
states share the root scope; each Parallel branch and each Map iteration runs in a
:meth:`VariableScope.child` scope that reads the outer scopes and whose assignments stay in
it (they never leak out). A state's ``Assign`` is evaluated completely, every right-hand side
reading the values from before the state's assignments, and only then bound
(:meth:`VariableScope.assign`).

Limits (AWS): the values one ``Assign`` sets may serialise to at most 256 KiB, and the
variables of an execution to at most 10 MiB; past either the state fails with
``States.DataLimitExceeded``.

JSONPath states read variables as ``$name`` / ``$name.field[0]`` in paths, payload templates,
intrinsic function arguments and choice rules. The JSONPath modules do not know variables, so
this module adapts: an expression that references a variable is rewritten at compile time so
that ``$name`` reads ``$$.__sfini_variables__.name`` and ``$$`` reads
``$$.__sfini_context__`` (``sfini_asl.variables``, whose rewriting the checker parses Choice
Rules in too), and it is evaluated with :func:`bind_context` (a context object holding both).
Expressions without variable references are compiled and run unchanged. An ``Assign`` reaches
:func:`compile_assign` checked (``sfini_asl.checker``: valid names, each assigned once).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sfini_asl.jsonpath import CompiledPath, PathNotFound, compile_path
from sfini_asl.variables import (
    CONTEXT_KEY,
    VARIABLES_KEY,
    has_variable_reference,
    restore_text,
    rewrite_rule,
    rewrite_template,
    rewrite_variable_references,
    rule_reads_variables,
    template_reads_variables,
)

from .failures import STATES_DATA_LIMIT_EXCEEDED, StatesError
from .jsonata.expressions import CompiledJsonataTemplate, compile_jsonata_template
from .jsonpath.choice_rules import compile_choice_rule
from .jsonpath.payload import CompiledTemplate, compile_template

__all__ = [
    "CONTEXT_KEY",
    "MAX_ASSIGN_BYTES",
    "MAX_EXECUTION_VARIABLE_BYTES",
    "VARIABLES_KEY",
    "CompiledAssign",
    "VariableAwareChoiceRule",
    "VariableAwarePath",
    "VariableAwareTemplate",
    "VariableScope",
    "assigned_variables_details",
    "bind_context",
    "compile_assign",
    "has_variable_reference",
    "restore_text",
    "rewrite_rule",
    "rewrite_template",
    "rewrite_variable_references",
]

MAX_ASSIGN_BYTES = 256 * 1024
MAX_EXECUTION_VARIABLE_BYTES = 10 * 1024 * 1024

_MISSING: Any = object()


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _size(value: Any) -> int:
    return len(_compact(value).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# Scopes


class _Budget:
    """The bytes the variables of one execution hold (shared by all its scopes)."""

    __slots__ = ("generation", "used")

    def __init__(self) -> None:
        self.used = 0
        self.generation = 0  # bumped by every assignment: invalidates flattened views


class VariableScope:
    """The variables of one scope; lookups fall through to the enclosing scopes."""

    __slots__ = ("_budget", "_flat", "_sizes", "_values", "parent")

    def __init__(
        self, parent: VariableScope | None = None, values: Mapping[str, Any] | None = None
    ) -> None:
        self.parent = parent
        self._values: dict[str, Any] = {}
        self._sizes: dict[str, int] = {}
        self._budget = parent._budget if parent is not None else _Budget()
        self._flat: tuple[int, dict[str, Any]] | None = None
        if values:
            self.assign(dict(values))

    def child(self) -> VariableScope:
        """A scope for a Parallel branch or a Map iteration: reads this one, writes its own."""
        return VariableScope(self)

    def get(self, name: str, default: Any = None) -> Any:
        """The value of ``name`` in this scope or the nearest enclosing one."""
        scope: VariableScope | None = self
        while scope is not None:
            value = scope._values.get(name, _MISSING)
            if value is not _MISSING:
                return value
            scope = scope.parent
        return default

    def __contains__(self, name: object) -> bool:
        return self.get(name, _MISSING) is not _MISSING  # type: ignore[arg-type]

    def __getitem__(self, name: str) -> Any:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.visible())

    @property
    def local(self) -> dict[str, Any]:
        """The variables assigned in this scope itself."""
        return self._values

    def visible(self) -> dict[str, Any]:
        """Every variable this scope can read (inner scopes shadow outer ones); do not mutate."""
        generation = self._budget.generation
        if self._flat is not None and self._flat[0] == generation:
            return self._flat[1]
        if self.parent is None:
            flat = self._values
        else:
            flat = dict(self.parent.visible())
            flat.update(self._values)
        self._flat = (generation, flat)
        return flat

    @property
    def total_bytes(self) -> int:
        """The bytes all variables of the execution hold (serialised as compact JSON)."""
        return self._budget.used

    def assign(self, assignments: Mapping[str, Any]) -> None:
        """Bind ``assignments`` (already evaluated) in this scope, enforcing AWS's limits."""
        if not assignments:
            return
        sizes = {name: _size(value) for name, value in assignments.items()}
        assigned_bytes = sum(sizes.values())
        if assigned_bytes > MAX_ASSIGN_BYTES:
            raise StatesError(
                STATES_DATA_LIMIT_EXCEEDED,
                f"The variables assigned by the state ({assigned_bytes} bytes) exceed the "
                f"maximum of {MAX_ASSIGN_BYTES} bytes for one Assign",
                in_state=True,
            )
        released = sum(self._sizes.get(name, 0) for name in assignments)
        total = self._budget.used - released + assigned_bytes
        if total > MAX_EXECUTION_VARIABLE_BYTES:
            raise StatesError(
                STATES_DATA_LIMIT_EXCEEDED,
                f"The variables of the execution ({total} bytes) would exceed the maximum of "
                f"{MAX_EXECUTION_VARIABLE_BYTES} bytes",
                in_state=True,
            )
        self._values.update(assignments)
        self._sizes.update(sizes)
        self._budget.used = total
        self._budget.generation += 1

    def __repr__(self) -> str:
        return f"VariableScope({self._values!r}, parent={self.parent!r})"


def assigned_variables_details(assignments: Mapping[str, Any]) -> dict[str, Any]:
    """The ``assignedVariables`` fields of a ``...StateExited`` event (values as JSON text)."""
    return {
        "assignedVariables": {name: _compact(value) for name, value in assignments.items()},
        "assignedVariablesDetails": {"truncated": False},
    }


# ---------------------------------------------------------------------------------------------
# $var in JSONPath expressions


def bind_context(context: Any, variables: VariableScope | Mapping[str, Any] | None) -> dict:
    """The context object a rewritten expression reads (the real one, and the variables)."""
    if variables is None:
        visible: Mapping[str, Any] = {}
    elif isinstance(variables, VariableScope):
        visible = variables.visible()
    else:
        visible = variables
    return {CONTEXT_KEY: context, VARIABLES_KEY: visible}


def _restored_error(exc: StatesError) -> StatesError:
    return StatesError(exc.error, restore_text(exc.cause), in_state=exc.in_state)


class VariableAwareTemplate:
    """A JSONPath payload template (Parameters, ItemSelector, ...) that may read ``$var``."""

    __slots__ = ("compiled", "template", "uses_variables")

    def __init__(self, template: Any) -> None:
        self.template = template
        self.uses_variables = template_reads_variables(template)
        source = rewrite_template(template) if self.uses_variables else template
        self.compiled: CompiledTemplate = compile_template(source)

    def render(self, data: Any, context: Any = None, variables: Any = None) -> Any:
        """The payload for ``data``, the context object and the visible variables."""
        if not self.uses_variables:
            return self.compiled.render(data, context)
        try:
            return self.compiled.render(data, bind_context(context, variables))
        except StatesError as exc:
            raise _restored_error(exc) from None


class VariableAwarePath:
    """A JSONPath (ItemsPath, ...Path fields) that may start at a variable: ``$items[0]``."""

    __slots__ = ("compiled", "source", "uses_variables")

    def __init__(self, path: str) -> None:
        self.source = path
        self.uses_variables = has_variable_reference(path)
        text = rewrite_variable_references(path) if self.uses_variables else path
        self.compiled: CompiledPath = compile_path(text)

    def get(self, data: Any, context: Any = None, variables: Any = None) -> Any:
        """Like CompiledPath.get; raises PathNotFound naming the original path."""
        if not self.uses_variables:
            return self.compiled.get(data, context)
        try:
            return self.compiled.get(data, bind_context(context, variables))
        except PathNotFound as exc:
            raise PathNotFound(self.source, restore_text(exc.detail) or exc.detail) from None


class VariableAwareChoiceRule:
    """A JSONPath choice rule whose Variable (or ...Path operand) may be ``$var``."""

    __slots__ = ("_rule", "uses_variables")

    def __init__(self, rule: Mapping[str, Any]) -> None:
        self.uses_variables = rule_reads_variables(rule)
        self._rule = compile_choice_rule(rewrite_rule(rule) if self.uses_variables else rule)

    def __call__(self, data: Any, context: Any = None, variables: Any = None) -> bool:
        if not self.uses_variables:
            return self._rule(data, context)
        try:
            return self._rule(data, bind_context(context, variables))
        except StatesError as exc:
            raise _restored_error(exc) from None


# ---------------------------------------------------------------------------------------------
# Assign


class CompiledAssign:
    """A state's compiled ``Assign`` (JSONata or JSONPath).

    :meth:`evaluate` returns the new values without binding them (every right-hand side reads
    the values from before the state's assignments); bind them with
    :meth:`VariableScope.assign` once the state's other outputs are computed.
    """

    __slots__ = ("_entries", "_template", "field", "names", "query_language")

    def __init__(self, assign: Any, query_language: str, field: str = "Assign") -> None:
        self.field = field
        self.query_language = query_language
        # ``assign`` passed the checker: an object naming each variable once, by a valid name
        names: list[str] = []
        if query_language == "JSONata":
            entries: list[tuple[str, CompiledJsonataTemplate]] = []
            for key, value in assign.items():
                entries.append((key, compile_jsonata_template(value, f"{field}/{key}")))
                names.append(key)
            self._entries: tuple[tuple[str, CompiledJsonataTemplate], ...] = tuple(entries)
            self._template: VariableAwareTemplate | None = None
        else:
            names = [key[:-2] if key.endswith(".$") else key for key in assign]
            self._entries = ()
            self._template = VariableAwareTemplate(assign)
        self.names: tuple[str, ...] = tuple(names)

    def evaluate_jsonata(self, states: Mapping[str, Any], variables: Any = None) -> dict[str, Any]:
        """JSONata: each value with ``$states`` and the variables as of state entry."""
        return {name: template.render(states, variables) for name, template in self._entries}

    def evaluate_jsonpath(
        self, data: Any, context: Any = None, variables: Any = None
    ) -> dict[str, Any]:
        """JSONPath: ``.$`` values read ``data`` (``$``), the context (``$$``) and ``$var``."""
        assert self._template is not None
        return self._template.render(data, context, variables)

    def __repr__(self) -> str:
        return f"CompiledAssign({self.names!r}, {self.query_language})"


def compile_assign(assign: Any, query_language: str, field: str = "Assign") -> CompiledAssign:
    """Compile an ``Assign`` object the checker passed."""
    return CompiledAssign(assign, query_language, field)
