"""Reading the conformance corpus (recorded AWS behaviour) for the data-plane unit tests.

The corpus lives outside the repository (``../shared/conformance`` next to the checkout, or
``$SFINI_CONFORMANCE_DIR``); tests read it, never copy it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sfini_runtime.local.interpreter.failures import StatesError
from sfini_runtime.local.interpreter.jsonpath.choice_rules import compile_choice_rule
from sfini_runtime.local.interpreter.jsonpath.dataflow import StateDataflow
from tests.conformance import case_files

#: what the corpus's normalisation turns names and ARNs into
STATE_MACHINE_NAME = "<ArnPart_0idx>"
EXECUTION_NAME = "<ExecArnPart_0idx>"
_ARN_PREFIX = "arn:<partition>:states:<region>:111111111111"
STATE_MACHINE_ARN = f"{_ARN_PREFIX}:stateMachine:{STATE_MACHINE_NAME}"


def load_cases(category: str) -> list[dict[str, Any]]:
    """Every case of ``category``, sorted by id (FileNotFoundError when the corpus is missing)."""
    cases = []
    for path in case_files():
        case = json.loads(path.read_text())
        if case.get("category") == category:
            cases.append(case)
    return cases


def case_id(case: dict[str, Any]) -> str:
    return case["id"].split("::", 1)[-1]


def context_for(case: dict[str, Any], state_name: str) -> dict[str, Any]:
    """A context object spelled the way the corpus normalises AWS's."""
    return {
        "Execution": {
            "Id": f"{_ARN_PREFIX}:execution:{STATE_MACHINE_NAME}:{EXECUTION_NAME}",
            "Input": case.get("input"),
            "Name": EXECUTION_NAME,
            "RoleArn": "snf_role_arn",
            "StartTime": "start-time",
        },
        "State": {"EnteredTime": "entered-time", "Name": state_name},
        "StateMachine": {"Id": STATE_MACHINE_ARN, "Name": STATE_MACHINE_NAME},
    }


_JSON_IN_CAUSE = re.compile(r"'(\{.*?\}|\[.*?\])'")


def normalise_cause(cause: str | None) -> str | None:
    """Quote JSON inside a cause the way the corpus does (``'<json-input:1>'``)."""
    if cause is None:
        return None
    return _JSON_IN_CAUSE.sub("'<json-input:1>'", cause)


_SIMPLE_TYPES = {"Pass", "Choice", "Succeed", "Fail"}


def is_simple_jsonpath_machine(definition: dict[str, Any]) -> bool:
    """Only Pass/Choice/Succeed/Fail states in JSONPath, no variables, no Fail paths."""
    text = json.dumps(definition)
    if "QueryLanguage" in text or "Assign" in text or "ErrorPath" in text or "CausePath" in text:
        return False
    return all(state.get("Type") in _SIMPLE_TYPES for state in definition["States"].values())


def run_simple_machine(case: dict[str, Any]) -> tuple[str, Any, str | None, str | None]:
    """Run a Pass/Choice/Succeed/Fail machine with the data-plane modules alone.

    Returns (status, output, error, cause). Event ids: the n-th state entered has id 2n.
    """
    definition = case["definition"]
    states = definition["States"]
    name = definition["StartAt"]
    data = case.get("input", {})
    entered_id = 2
    for _ in range(1000):
        state = states[name]
        context = context_for(case, name)
        kind = state["Type"]
        try:
            flow = StateDataflow.compile(name, state)
            if kind == "Fail":
                return "FAILED", None, state.get("Error"), state.get("Cause")
            if kind == "Pass":
                effective = flow.effective_input(data, context)
                result = state.get("Result", effective)
                data = flow.result_to_output(data, result, context)
            elif kind == "Choice":
                effective = flow.effective_input(data, context)
                target = state.get("Default")
                for rule in state["Choices"]:
                    if compile_choice_rule(rule)(effective, context):
                        target = rule["Next"]
                        break
                if target is None:
                    return "FAILED", None, "States.NoChoiceMatched", None
                data = flow.output(effective, context)
                name = target
                entered_id += 2
                continue
            else:  # Succeed
                data = flow.output(flow.effective_input(data, context), context)
        except StatesError as exc:
            located = exc.at_state(name, entered_id)
            return "FAILED", None, located.error, located.cause
        if kind == "Succeed" or state.get("End"):
            return "SUCCEEDED", data, None, None
        name = state["Next"]
        entered_id += 2
    raise AssertionError("the machine did not end")


def simple_cases(*categories: str) -> Iterator[dict[str, Any]]:
    """Cases of ``categories`` that :func:`run_simple_machine` can evaluate."""
    for category in categories:
        for case in load_cases(category):
            if is_simple_jsonpath_machine(case["definition"]):
                yield case
