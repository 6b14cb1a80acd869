"""One verdict: the same definitions through the definition model (``sfini_cdk.validation``),
the shared checker (``sfini_asl.checker``) and the local engine (ValidateStateMachineDefinition
over HTTP), and the verdict each must give (AWS's, where it is documented or recorded).

Rows: definitions AWS accepted (the conformance corpus), mutations of them AWS's documented
rules decide, and the definitions the model and the engine used to disagree on.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sfini_asl.checker import check_definition
from sfini_cdk.errors import InvalidDefinition
from sfini_cdk.validation import validate_definition as model_check
from sfini_runtime.local import LocalEngine
from tests.conformance import case_files

ACCEPT, REJECT = "accept", "reject"
Mutation = Callable[[dict[str, Any]], None]


def _pass(**fields: Any) -> dict[str, Any]:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", **fields, "End": True}}}


def _state(state: dict[str, Any], name: str = "A", **others: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": name, "States": {name: state, **others}}


def _choice(rule: dict[str, Any]) -> dict[str, Any]:
    done = {"Type": "Succeed"}
    return _state({"Type": "Choice", "Choices": [{**rule, "Next": "B"}], "Default": "B"}, B=done)


def _map(**fields: Any) -> dict[str, Any]:
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return _state({"Type": "Map", "ItemProcessor": processor, **fields, "End": True})


#: (id, definition, verdict, why): the pairs the two sides disagreed on, and AWS's rules
NAMED: list[tuple[str, dict[str, Any], str, str]] = [
    ("intrinsic-leading-zero", _pass(Parameters={"x.$": "States.MathAdd(01, 2)"}), REJECT,
     "intrinsic arguments are JSON numbers"),
    ("jsonpath-function", _pass(InputPath="$.a.length()"), ACCEPT,
     "AWS takes it and fails at run time (awsdocs/aws-step-functions-developer-guide#5)"),
    ("state-name-with-lt", _state({"Type": "Succeed"}, "a<b"), ACCEPT,
     "state names are 1-80 characters; the forbidden characters are resource names'"),
    ("state-name-aws-example", _state({"Type": "Succeed"}, "Job Complete?"), ACCEPT,
     "the CDK's own Step Functions example"),
    ("state-name-newline", _state({"Type": "Succeed"}, "a\nb"), REJECT,
     "AWS's schema pattern ^.{1,80}$"),
    ("state-name-81", _state({"Type": "Succeed"}, "s" * 81), REJECT, "at most 80 characters"),
    ("map-label-41", _map(Label="x" * 41), REJECT, "a Label has at most 40 characters"),
    ("map-label-40", _map(Label="x" * 40), ACCEPT, "a Label has at most 40 characters"),
    ("result-path-context", _pass(ResultPath="$$.x"), REJECT,
     "ResultPath is a reference path into the state's data"),
    ("result-path-filter", _pass(ResultPath="$.a[?(@.b)]"), REJECT, "a reference path"),
    ("result-path-null", _pass(ResultPath=None), ACCEPT, "null discards the result"),
    ("timestamp-lowercase-t",
     _choice({"Variable": "$.t", "TimestampEquals": "2016-08-18t17:33:00Z"}), REJECT,
     "an uppercase T separates date and time"),
    ("wait-timestamp-lowercase-t",
     _state({"Type": "Wait", "Timestamp": "2016-08-18t17:33:00Z", "End": True}), REJECT,
     "an uppercase T separates date and time"),
    ("numeric-equals-string", _choice({"Variable": "$.n", "NumericEquals": "1"}), REJECT,
     "NumericEquals takes a number"),
    ("string-matches-number", _choice({"Variable": "$.n", "StringMatches": 1}), REJECT,
     "StringMatches takes a string"),
    ("boolean-equals-string", _choice({"Variable": "$.n", "BooleanEquals": "true"}), REJECT,
     "BooleanEquals takes a boolean"),
    ("machine-comment-number", {"Comment": 1, **_pass()}, REJECT, "Comment is a string"),
    ("state-comment-number", _pass(Comment=1), REJECT, "Comment is a string"),
    ("unknown-operator", _choice({"Variable": "$.n", "NumberEquals": 1}), REJECT,
     "the comparison operators are listed"),
    ("variable-unicode", _pass(Assign={"étape": 1}), ACCEPT, "variable names are identifiers"),
    ("variable-states", _pass(Assign={"states": 1}), REJECT, "'states' is reserved"),
    ("jsonata-syntax", {"QueryLanguage": "JSONata", **_pass(Output="{% $x + %}")}, REJECT,
     "INVALID_JSONATA_EXPRESSION"),
    ("jsonata-context-ref", {"QueryLanguage": "JSONata", **_pass(Output="{% $$ %}")}, REJECT,
     "UNSUPPORTED_JSONATA_EXPRESSION: '$$'"),
    ("jsonata-top-level-name", {"QueryLanguage": "JSONata", **_pass(Output="{% a %}")}, REJECT,
     "UNSUPPORTED_JSONATA_EXPRESSION: a name at the top level"),
    ("jsonata-states-input", {"QueryLanguage": "JSONata", **_pass(Output="{% $states.input.a %}")},
     ACCEPT, "$states is how a JSONata state reads its input"),
    ("distributed-map", _map(ItemProcessor={
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}), ACCEPT,
     "Distributed Map is ASL (this engine does not run it yet, which is not a verdict)"),
]  # fmt: skip


def _remove_start(definition: dict[str, Any]) -> None:
    definition["StartAt"] = "no such state"


def _numeric_comment(definition: dict[str, Any]) -> None:
    definition["Comment"] = 7


def _question_mark_names(definition: dict[str, Any]) -> None:
    states = definition["States"]
    renamed = {f"{name}?": state for name, state in states.items()}
    for state in renamed.values():
        if isinstance(state.get("Next"), str):
            state["Next"] += "?"
        if isinstance(state.get("Default"), str):
            state["Default"] += "?"
        for entry in (*state.get("Choices", ()), *state.get("Catch", ())):
            entry["Next"] += "?"
    definition["States"] = renamed
    definition["StartAt"] += "?"


def _unreachable_extra(definition: dict[str, Any]) -> None:
    definition["States"]["Orphan"] = {"Type": "Succeed"}


#: (mutation, verdict): applied to every corpus definition
MUTATIONS: dict[str, tuple[Mutation, str]] = {
    "start-at-missing": (_remove_start, REJECT),
    "numeric-comment": (_numeric_comment, REJECT),
    "question-mark-names": (_question_mark_names, ACCEPT),
    "unreachable-state": (_unreachable_extra, REJECT),
}


ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:conformance"


def _corpus() -> Iterator[tuple[str, dict[str, Any]]]:
    """The corpus's definitions, with the ARN its runner substitutes for ``${ActivityArn}``."""
    for path in case_files():
        text = path.read_text().replace("${ActivityArn}", ACTIVITY)
        yield path.stem, json.loads(text)["definition"]


def _rows() -> Iterator[tuple[str, dict[str, Any], str]]:
    for row_id, definition, verdict, _why in NAMED:
        yield row_id, definition, verdict
    for case_id, definition in _corpus():
        yield f"corpus:{case_id}", definition, ACCEPT
        for name, (mutate, verdict) in MUTATIONS.items():
            mutated = copy.deepcopy(definition)
            mutate(mutated)
            yield f"corpus:{case_id}:{name}", mutated, verdict


ROWS = list(_rows())


def _model(definition: dict[str, Any]) -> str:
    language = definition.get("QueryLanguage", "JSONPath")
    try:
        model_check(copy.deepcopy(definition), query_language=language, name="m")
    except InvalidDefinition:
        return REJECT
    return ACCEPT


@pytest.fixture(scope="module")
def sfn() -> Iterator[Any]:
    with LocalEngine(time_scale=0) as engine:
        yield engine.client()


def test_the_table_covers_every_kind_of_row() -> None:
    assert len(NAMED) >= 20
    assert sum(1 for row_id, _, _ in ROWS if row_id.startswith("corpus:")) >= 400 * 5


def test_model_checker_and_engine_give_one_verdict(sfn: Any) -> None:
    disagreements = []
    for row_id, definition, verdict in ROWS:
        text = json.dumps(definition)
        engine = sfn.validate_state_machine_definition(definition=text)
        verdicts = {
            "model": _model(definition),
            "checker": ACCEPT if not check_definition(text) else REJECT,
            "engine": ACCEPT if engine["result"] == "OK" else REJECT,
        }
        if set(verdicts.values()) != {verdict}:
            disagreements.append(f"{row_id}: expected {verdict}, got {verdicts}")
    assert disagreements == []
