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


def _jsonata(definition: dict[str, Any]) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", **definition}


def _after_assign(rule: dict[str, Any]) -> dict[str, Any]:
    """A Choice state reading ``$x`` (a number) and ``$y`` (an object), assigned before it."""
    definition = _choice(rule)
    first = {"Type": "Pass", "Assign": {"x": 1, "y": {"a": [1]}}, "Next": "A"}
    return {"StartAt": "V", "States": {"V": first, **definition["States"]}}


def _task(**fields: Any) -> dict[str, Any]:
    resource = "arn:aws:states:::lambda:invoke"
    return _state({"Type": "Task", "Resource": resource, **fields, "End": True})


def _parallel(**fields: Any) -> dict[str, Any]:
    branch = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return _state({"Type": "Parallel", "Branches": [branch], **fields, "End": True})


CATCH_ALL = {"ErrorEquals": ["States.ALL"], "Next": "B"}

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
    ("result-path-variable", _pass(ResultPath="$x"), REJECT,
     "ResultPath writes into the state's data, not into a variable"),
    ("catcher-result-path-variable",
     _state({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
             "Catch": [{**CATCH_ALL, "ResultPath": "$x.error"}]}, B={"Type": "Succeed"}),
     REJECT, "so does a catcher's"),
    ("input-path-variable",
     {"StartAt": "V", "States": {"V": {"Type": "Pass", "Assign": {"x": {}}, "Next": "A"},
                                 **_pass(InputPath="$x")["States"]}},
     ACCEPT, "InputPath may read a variable"),
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
    # JSONPath Choice Rules reading variables: the engine parsed them whole, the checker read
    # their paths only; AWS's ASL takes '$name' in Variable and in '...Path' operands
    ("choice-variable", _after_assign({"Variable": "$x", "NumericEquals": 1}), ACCEPT,
     "a Variable may read a workflow variable"),
    ("choice-variable-operand", _after_assign({"Variable": "$.a", "NumericEqualsPath": "$x"}),
     ACCEPT, "a '...Path' operand may read one"),
    ("choice-variable-nested",
     _after_assign({"Or": [{"Not": {"Variable": "$y.a[0]", "IsPresent": True}}]}), ACCEPT,
     "so may a nested rule, into the variable's value"),
    ("choice-variable-literal-type", _after_assign({"Variable": "$x", "NumericEquals": "1"}),
     REJECT, "NumericEquals takes a number, whatever Variable reads"),
    ("choice-variable-unknown-operator", _after_assign({"Variable": "$x", "NumberEquals": 1}),
     REJECT, "the comparison operators are listed"),
    ("choice-variable-type-test", _after_assign({"And": [{"Variable": "$x", "IsNull": 1}]}),
     REJECT, "IsNull takes true or false"),
    ("choice-variable-operand-wildcard",
     _after_assign({"Variable": "$.a", "NumericEqualsPath": "$y.a[*]"}), REJECT,
     "a '...Path' operand is a reference path"),
    ("choice-variable-timestamp",
     _after_assign({"Variable": "$x", "TimestampEquals": "2016-08-18t17:33:00Z"}), REJECT,
     "an uppercase T separates date and time"),
    # Assign: each variable once, named by the whole pattern
    ("assign-twice", _pass(Assign={"x": 1, "x.$": "$.a"}), REJECT,
     "'x' and 'x.$' assign one variable twice"),
    ("assign-twice-in-rule",
     _choice({"Variable": "$.a", "IsPresent": True, "Assign": {"x.$": "$.a", "x": 2}}), REJECT,
     "so in a Choice Rule's Assign"),
    ("assign-twice-in-catcher",
     _state({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
             "Catch": [{**CATCH_ALL, "Assign": {"x": 1, "x.$": "$.Error"}}]},
            B={"Type": "Succeed"}), REJECT, "so in a catcher's Assign"),
    ("assign-distinct", _pass(Assign={"x": 1, "y.$": "$.a", "z.$": "$x"}), ACCEPT,
     "distinct names, values from the input and from a variable"),
    ("variable-final-line-break", _pass(Assign={"a\n": 1}), REJECT,
     "a variable name is letters, digits and '_' (no line break, at the end either)"),
    ("variable-final-line-break-jsonata", _jsonata(_pass(Assign={"a\n": 1})), REJECT,
     "the same name rule in JSONata"),
    ("variable-80", _pass(Assign={"v" * 80: 1}), ACCEPT, "at most 80 characters"),
    ("variable-81", _pass(Assign={"v" * 81: 1}), REJECT, "at most 80 characters"),
    # JSONata Items: "a JSON array or a JSONata expression that must evaluate to an array"
    ("jsonata-items-object", _jsonata(_map(Items={"a": [1]})), REJECT, "Items is an array"),
    ("jsonata-items-number", _jsonata(_map(Items=3)), REJECT, "Items is an array"),
    ("jsonata-items-plain-string", _jsonata(_map(Items="$.a")), REJECT,
     "a string is an expression or nothing"),
    ("jsonata-items-array", _jsonata(_map(Items=[1, "{% 2 %}"])), ACCEPT, "an array"),
    ("jsonata-items-expression", _jsonata(_map(Items="{% [1, 2] %}")), ACCEPT,
     "an expression"),
    # Arguments: Task and Parallel; a Map's iterations read ItemSelector
    ("jsonata-map-arguments", _jsonata(_map(Arguments={"a": 1})), REJECT,
     "a Map state has no Arguments"),
    ("jsonpath-map-arguments", _map(Arguments={"a": 1}), REJECT,
     "nor in JSONPath, which has no Arguments at all"),
    ("jsonata-map-item-selector", _jsonata(_map(ItemSelector={"a": "{% $states.input %}"})),
     ACCEPT, "a JSONata Map shapes its items with ItemSelector"),
    ("jsonpath-map-parameters", _map(Parameters={"a.$": "$"}), ACCEPT,
     "Parameters, ItemSelector's legacy name in a JSONPath Map"),
    ("jsonata-task-arguments", _jsonata(_task(Arguments={"a": "{% 1 %}"})), ACCEPT,
     "a Task's Arguments"),
    ("jsonata-parallel-arguments", _jsonata(_parallel(Arguments={"a": 1})), ACCEPT,
     "a Parallel state's Arguments"),
    # a JSONata field's keys named like nested graphs are data: their expressions are checked
    ("jsonata-expression-under-branches",
     _jsonata(_pass(Output={"Branches": "{% 1 + %}"})), REJECT, "INVALID_JSONATA_EXPRESSION"),
    ("jsonata-expression-deep-under-graph-keys",
     _jsonata(_task(Arguments={"a": [{"ItemProcessor": {"Iterator": "{% $$ %}"}}]})), REJECT,
     "UNSUPPORTED_JSONATA_EXPRESSION: '$$'"),
    ("jsonata-valid-under-branches",
     _jsonata(_pass(Output={"Branches": ["{% $states.input %}"]})), ACCEPT,
     "a valid expression there is fine"),
    # a JSONata Condition: an expression, or a literal boolean (AWS's ASL grammar takes both)
    ("jsonata-condition-true", _jsonata(_choice({"Condition": True})), ACCEPT,
     "a literal true"),
    ("jsonata-condition-false", _jsonata(_choice({"Condition": False})), ACCEPT,
     "a literal false"),
    ("jsonata-condition-number", _jsonata(_choice({"Condition": 1})), REJECT,
     "neither a boolean nor an expression"),
    ("jsonata-condition-plain-string", _jsonata(_choice({"Condition": "true"})), REJECT,
     "a string is an expression or nothing"),
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


ROLE = "arn:aws:iam::123456789012:role/agreement"


def test_create_state_machine_gives_the_named_rows_their_verdict(sfn: Any) -> None:
    """CreateStateMachine refuses what ValidateStateMachineDefinition does, and creates the
    rest (but for the Distributed Map, valid ASL this engine does not run yet)."""
    disagreements = []
    for index, (row_id, definition, verdict, _why) in enumerate(NAMED):
        if row_id == "distributed-map":
            continue
        try:
            sfn.create_state_machine(
                name=f"agreement-{index}", definition=json.dumps(definition), roleArn=ROLE
            )
        except sfn.exceptions.InvalidDefinition:
            created = REJECT
        else:
            created = ACCEPT
        if created != verdict:
            disagreements.append(f"{row_id}: expected {verdict}, got {created}")
    assert disagreements == []


def _run(sfn: Any, name: str, definition: dict[str, Any], given: Any) -> Any:
    arn = sfn.create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    result = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(given))
    assert result["status"] == "SUCCEEDED", result
    return json.loads(result["output"])


@pytest.mark.parametrize(("condition", "chosen"), [(True, "yes"), (False, "no")])
def test_the_engine_runs_a_literal_boolean_condition(
    sfn: Any, condition: bool, chosen: str
) -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": condition, "Next": "yes"}],
                  "Default": "no"},
            "yes": {"Type": "Pass", "Output": "yes", "End": True},
            "no": {"Type": "Pass", "Output": "no", "End": True},
        },
    }  # fmt: skip
    assert _run(sfn, f"condition-{condition}", definition, {}) == chosen


@pytest.mark.parametrize(("given", "chosen"), [({"limit": 1}, "at-limit"), ({"limit": 2}, "no")])
def test_the_engine_runs_a_choice_rule_reading_variables(
    sfn: Any, given: dict[str, Any], chosen: str
) -> None:
    rule = {"Variable": "$count", "NumericEqualsPath": "$.limit", "Next": "at-limit"}
    definition = {
        "StartAt": "V",
        "States": {
            "V": {"Type": "Pass", "Assign": {"count": 1}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [rule], "Default": "no"},
            "at-limit": {"Type": "Pass", "Result": "at-limit", "End": True},
            "no": {"Type": "Pass", "Result": "no", "End": True},
        },
    }
    assert _run(sfn, f"variables-{given['limit']}", definition, given) == chosen
