"""The Amazon States Language interpreter: definitions, executions, history and activities.

The :class:`Engine` is the API the HTTP service calls. The data-plane modules are
re-exported here as well: the JSONPath ones (``jsonpath``: per-state data flow, payload
templates, intrinsic functions, choice rules), the JSONata ones (``jsonata``: expressions,
per-state data flow) and the shared workflow variables (``variables``). Each state
is compiled for its query language (its own ``QueryLanguage``, else the machine's): a
JSONPath state never evaluates JSONata.
"""

from __future__ import annotations

from sfini_asl.jsonpath import PathNotFound, compile_path, set_at_path
from sfini_asl.timestamps import parse_timestamp

from .definition import (
    CompiledDefinition,
    Diagnostic,
    Graph,
    compile_definition,
    validate_definition,
)
from .engine import Engine
from .execution import ExecutionRecord
from .failures import StatesError, error_matches
from .history import MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES, History
from .jsonata.dataflow import JsonataDataflowDefinitionError, JsonataStateDataflow
from .jsonata.expressions import (
    JsonataDefinitionError,
    QueryEvaluationError,
    compile_expression,
    compile_jsonata_template,
)
from .jsonpath.choice_rules import compile_choice_rule
from .jsonpath.dataflow import StateDataflow
from .jsonpath.intrinsics import compile_intrinsic
from .jsonpath.payload import compile_template
from .variables import VariableScope, compile_assign

__all__ = [
    "MAX_HISTORY_EVENTS",
    "MAX_PAYLOAD_BYTES",
    "CompiledDefinition",
    "Diagnostic",
    "Engine",
    "ExecutionRecord",
    "Graph",
    "History",
    "JsonataDataflowDefinitionError",
    "JsonataDefinitionError",
    "JsonataStateDataflow",
    "PathNotFound",
    "QueryEvaluationError",
    "StateDataflow",
    "StatesError",
    "VariableScope",
    "compile_assign",
    "compile_choice_rule",
    "compile_definition",
    "compile_expression",
    "compile_intrinsic",
    "compile_jsonata_template",
    "compile_path",
    "compile_template",
    "error_matches",
    "parse_timestamp",
    "set_at_path",
    "validate_definition",
]
