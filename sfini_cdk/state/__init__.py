"""State definitions: the state types, their mix-ins, choice rules and error names."""

from __future__ import annotations

from sfini_cdk.state import choice
from sfini_cdk.state._base import (
    CanCatch,
    CanRetry,
    Catcher,
    HasArguments,
    HasAssign,
    HasNext,
    HasOutput,
    HasParameters,
    HasResultPath,
    HasResultSelector,
    Retrier,
    State,
)
from sfini_cdk.state._branching import Map, Parallel
from sfini_cdk.state._distributed import DistributedMap, ItemBatcher, S3ItemReader, S3ResultWriter
from sfini_cdk.state._states import Choice, Fail, Pass, Succeed, Wait
from sfini_cdk.state._task import Task
from sfini_cdk.state.error_names import PREDEFINED_ERRORS, States
from sfini_cdk.state.query_language import QueryLanguage

__all__ = [
    "PREDEFINED_ERRORS",
    "CanCatch",
    "CanRetry",
    "Catcher",
    "Choice",
    "DistributedMap",
    "Fail",
    "HasArguments",
    "HasAssign",
    "HasNext",
    "HasOutput",
    "HasParameters",
    "HasResultPath",
    "HasResultSelector",
    "ItemBatcher",
    "Map",
    "Parallel",
    "Pass",
    "QueryLanguage",
    "Retrier",
    "S3ItemReader",
    "S3ResultWriter",
    "State",
    "States",
    "Succeed",
    "Task",
    "Wait",
    "choice",
]
