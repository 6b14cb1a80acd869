"""The checker's rules, as a table of (definition, the first diagnostic): AWS's code, the JSON
pointer, the kind the definition model raises by, and the problem in full. These are the rules
the definition model once wrote a second time; now model, checker and engine share them."""

from __future__ import annotations

from typing import Any

import pytest

from sfini_asl.checker import check_definition
from sfini_asl.diagnostics import Kind
from sfini_asl.spec import PREDEFINED_ERRORS
from sfini_cdk.state.error_names import PREDEFINED_ERRORS as MODEL_ERRORS
from sfini_cdk.state.error_names import States

SCHEMA, TARGET = "SCHEMA_VALIDATION_FAILED", "MISSING_TRANSITION_TARGET"
ARN = "arn:aws:states:us-east-1:123456789012:activity:a"
PROCESSOR = {"StartAt": "i", "States": {"i": {"Type": "Succeed"}}}


def _one(state: dict[str, Any], language: str = "JSONPath", **top: Any) -> dict[str, Any]:
    if state["Type"] not in ("Succeed", "Fail", "Choice"):
        state = {**state, "End": True}
    return {"QueryLanguage": language, "StartAt": "s", "States": {"s": state}, **top}


def _task(**fields: Any) -> dict[str, Any]:
    return _one({"Type": "Task", "Resource": ARN, **fields})


def _map(**fields: Any) -> dict[str, Any]:
    return _one({"Type": "Map", "ItemProcessor": PROCESSOR, **fields})


def _choice(rule: dict[str, Any], language: str = "JSONPath") -> dict[str, Any]:
    definition = _one(
        {"Type": "Choice", "Choices": [{**rule, "Next": "end"}], "Default": "end"}, language
    )
    definition["States"]["end"] = {"Type": "Succeed"}
    return definition


# (id, definition, code, location, kind, text): the first diagnostic
ROWS: list[tuple[str, dict[str, Any], str, str, str, str]] = [
    ("machine-timeout-null", _one({"Type": "Succeed"}, TimeoutSeconds=None), SCHEMA,
     "/TimeoutSeconds", Kind.FIELD, "TimeoutSeconds of the state machine must be an int >= 1"),
    ("error-path-intrinsic", _one({"Type": "Fail", "ErrorPath": "States.MathAdd(1, 2)"}),
     SCHEMA, "/States/s/ErrorPath", Kind.PATH, "is neither a reference path nor one of"),
    ("cause-path-argument", _one({"Type": "Fail", "CausePath": "States.Format('{}', $.a..)"}),
     SCHEMA, "/States/s/CausePath", Kind.PATH, "CausePath argument '$.a..' is not a valid"),
    ("seconds-path-filter", _one({"Type": "Wait", "SecondsPath": "$.a[?(@.x)]"}), SCHEMA,
     "/States/s/SecondsPath", Kind.PATH, "SecondsPath '$.a[?(@.x)]' must be a reference path"),
    ("items-path-wildcard", _map(ItemsPath="$[*]"), SCHEMA, "/States/s/ItemsPath", Kind.PATH,
     "ItemsPath '$[*]' must be a reference path"),
    ("result-path-context", _one({"Type": "Pass", "ResultPath": "$$.x"}), SCHEMA,
     "/States/s/ResultPath", Kind.PATH, "into the state's data"),
    ("result-path-variable", _one({"Type": "Pass", "ResultPath": "$v.a"}), SCHEMA,
     "/States/s/ResultPath", Kind.PATH, "ResultPath '$v.a' must be a reference path into the "
     "state's data, not a variable"),
    ("catcher-result-path-variable",
     _task(Catch=[{"ErrorEquals": ["E"], "Next": "s", "ResultPath": "$v"}]), SCHEMA,
     "/States/s/Catch/0/ResultPath", Kind.PATH, "not a variable"),
    ("variable-path-syntax", _one({"Type": "Pass", "InputPath": "$v.["}), SCHEMA,
     "/States/s/InputPath", Kind.PATH, "InputPath '$v.[' is not a valid JSONPath"),
    ("path-not-a-string", _one({"Type": "Wait", "SecondsPath": 5}), SCHEMA,
     "/States/s/SecondsPath", Kind.PATH, "SecondsPath must be a JSONPath str, got int 5"),
    ("template-variable-path", _one({"Type": "Pass", "Parameters": {"a": [{"x.$": "$v.["}]}}),
     SCHEMA, "/States/s/Parameters/a/0/x.$", Kind.PATH, "Parameters.a[0].x.$ '$v.[' is not"),
    ("template-not-a-string", _one({"Type": "Pass", "Assign": {"x.$": 3}}), SCHEMA,
     "/States/s/Assign/x.$", Kind.PATH, "Assign.x.$ must be a path or intrinsic function str"),
    ("rule-path-operand-indefinite",
     _choice({"Not": {"Variable": "$.a", "NumericEqualsPath": "$..b"}}), SCHEMA,
     "/States/s/Choices/0", Kind.PATH, "Choices[0].Not.NumericEqualsPath: Invalid JSONPath"),
    ("rule-variable-syntax", _choice({"Variable": "$.", "IsNull": True}), SCHEMA,
     "/States/s/Choices/0", Kind.PATH, "Choices[0].Variable: Invalid JSONPath"),
    ("rule-reading-a-variable", _choice({"Variable": "$v.[", "IsNull": True}), SCHEMA,
     "/States/s/Choices/0", Kind.PATH, "Choices[0].Variable '$v.[' is not a valid JSONPath"),
    ("rule-operator", _choice({"Variable": "$.a", "NumberEquals": 1}), SCHEMA,
     "/States/s/Choices/0", Kind.CHOICE_RULE, "Choices[0].NumberEquals: Unknown comparison"),
    ("retrier-field", _task(Retry=[{"ErrorEquals": ["E"], "Next": "x"}]), SCHEMA,
     "/States/s/Retry/0/Next", Kind.FIELD, "Retry[0]: Next is not a retrier field"),
    ("reserved-error-prefix", _task(Catch=[{"ErrorEquals": ["States.Nope"], "Next": "s"}]),
     SCHEMA, "/States/s/Catch/0/ErrorEquals", Kind.ERROR_MATCH, "'States.Nope', which is no"),
    ("all-not-last", _task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["E"]}]),
     SCHEMA, "/States/s/Retry/0/ErrorEquals", Kind.ERROR_MATCH,
     "Retry[0] matches States.ALL but is not the last Retry entry"),
    ("max-delay-limit", _task(Retry=[{"ErrorEquals": ["E"], "MaxDelaySeconds": 31_622_401}]),
     SCHEMA, "/States/s/Retry/0/MaxDelaySeconds", Kind.FIELD,
     "Retry[0].MaxDelaySeconds must be an int from 1 to 31622400, got 31622401"),
    ("task-timeout-max", _task(TimeoutSeconds=100_000_000), SCHEMA, "/States/s/TimeoutSeconds",
     Kind.FIELD, "TimeoutSeconds must be an int from 1 to 99999999, got 100000000"),
    ("catcher-without-next", _task(Catch=[{"ErrorEquals": ["E"]}]), SCHEMA, "/States/s/Catch/0",
     Kind.TARGET, "Catch[0].Next target None is not a state of the state machine"),
    ("both-processors", _map(Iterator=PROCESSOR), SCHEMA, "/States/s", Kind.FIELD,
     "ItemProcessor and Iterator cannot both be set"),
    ("distributed-without-type",
     _map(ItemProcessor={**PROCESSOR, "ProcessorConfig": {"Mode": "DISTRIBUTED"}}), SCHEMA,
     "/States/s/ItemProcessor/ProcessorConfig/ExecutionType", Kind.FIELD,
     "ExecutionType must be 'STANDARD' or 'EXPRESS' in DISTRIBUTED mode, got None"),
    ("concurrency-and-path", _map(MaxConcurrency=1, MaxConcurrencyPath="$.n"), SCHEMA,
     "/States/s", Kind.FIELD, "MaxConcurrency and MaxConcurrencyPath cannot both be set"),
    ("label-character", _map(Label="a b"), SCHEMA, "/States/s/Label", Kind.FIELD,
     "Label contains whitespace (' '), which AWS forbids in labels"),
    ("naive-timestamp", _one({"Type": "Wait", "Timestamp": "2030-01-01T00:00:00"}), SCHEMA,
     "/States/s/Timestamp", Kind.TIME_ZONE, "has no time zone"),
    ("jsonata-dollar-key",
     _one({"Type": "Task", "Resource": ARN, "Arguments": {"a": {"b.$": "$"}}}, "JSONata"),
     SCHEMA, "/States/s/Arguments/a/b.$", Kind.QUERY_LANGUAGE,
     "Arguments.a.b.$: keys ending in '.$' are JSONPath syntax"),
    ("jsonata-condition", _choice({"Condition": "$.a"}, "JSONata"), SCHEMA,
     "/States/s/Choices/0/Condition", Kind.EXPRESSION,
     "is neither a boolean nor a JSONata expression"),
    ("rule-reading-a-variable-operand", _choice({"Variable": "$v", "NumericEquals": "1"}),
     SCHEMA, "/States/s/Choices/0", Kind.CHOICE_RULE,
     "Choices[0].NumericEquals: The value of 'NumericEquals' must be a number"),
    ("rule-reading-a-variable-operator", _choice({"Not": {"Variable": "$v", "IsNull": 1}}),
     SCHEMA, "/States/s/Choices/0", Kind.CHOICE_RULE, "Choices[0].Not.IsNull: The value of"),
    ("rule-variable-operand-path", _choice({"Variable": "$.a", "StringEqualsPath": "$v[*]"}),
     SCHEMA, "/States/s/Choices/0", Kind.PATH,
     "Choices[0].StringEqualsPath '$v[*]' must be a reference path"),
    ("assign-twice", _one({"Type": "Pass", "Assign": {"x": 1, "x.$": "$.a"}}), SCHEMA,
     "/States/s/Assign/x.$", Kind.FIELD, "Assign names variable 'x': the variable is assigned "
     "more than once"),
    ("catch-assign-twice",
     _task(Catch=[{"ErrorEquals": ["E"], "Next": "s", "Assign": {"x.$": "$", "x": 1}}]),
     SCHEMA, "/States/s/Catch/0/Assign/x", Kind.FIELD, "Catch[0].Assign names variable 'x'"),
    ("variable-final-line-break", _one({"Type": "Pass", "Assign": {"a\n": 1}}), SCHEMA,
     "/States/s/Assign/a\n", Kind.FIELD, "Assign names variable 'a\\n': a variable name"),
    ("jsonata-variable-line-break", _one({"Type": "Pass", "Assign": {"a\n": 1}}, "JSONata"),
     SCHEMA, "/States/s/Assign/a\n", Kind.FIELD, "Assign names variable 'a\\n'"),
    ("jsonata-items-object", _map(Items={"a": [1]}) | {"QueryLanguage": "JSONata"}, SCHEMA,
     "/States/s/Items", Kind.FIELD, "Items must be a JSON array or a '{% ... %}' expression"),
    ("jsonata-items-number", _map(Items=3) | {"QueryLanguage": "JSONata"}, SCHEMA,
     "/States/s/Items", Kind.FIELD, "got 3"),
    ("map-arguments", _map(Arguments={"a": 1}) | {"QueryLanguage": "JSONata"}, SCHEMA,
     "/States/s", Kind.FIELD, "Field 'Arguments' is not supported by a Map state"),
    ("expression-under-a-graph-key",
     _one({"Type": "Pass", "Output": {"Branches": "{% 1 + %}"}}, "JSONata"),
     "INVALID_JSONATA_EXPRESSION", "/States/s/Output/Branches", Kind.EXPRESSION,
     "Output.Branches '{% 1 + %}' is not a valid JSONata expression"),
    ("expression-deep-under-graph-keys",
     _task(Arguments={"a": [{"ItemProcessor": {"Iterator": "{% $$ %}"}}]})
     | {"QueryLanguage": "JSONata"},
     "UNSUPPORTED_JSONATA_EXPRESSION", "/States/s/Arguments/a/0/ItemProcessor/Iterator",
     Kind.EXPRESSION, "Arguments.a[0].ItemProcessor.Iterator"),
    ("jsonata-unclosed", _one({"Type": "Fail", "Error": "{% 'oops'"}, "JSONata"),
     "INVALID_JSONATA_EXPRESSION", "/States/s/Error", Kind.EXPRESSION,
     "Error \"{% 'oops'\" is not a JSONata expression"),
    ("jsonata-syntax", _one({"Type": "Pass", "Output": {"a": ["{% 1 + %}"]}}, "JSONata"),
     "INVALID_JSONATA_EXPRESSION", "/States/s/Output/a/0", Kind.EXPRESSION,
     "Output.a[0] '{% 1 + %}' is not a valid JSONata expression"),
    ("jsonata-items", _map(Items="xs") | {"QueryLanguage": "JSONata"}, SCHEMA,
     "/States/s/Items", Kind.EXPRESSION, "Items 'xs' is not a JSONata expression"),
    ("jsonata-number", _task(TimeoutSeconds="5") | {"QueryLanguage": "JSONata"}, SCHEMA,
     "/States/s/TimeoutSeconds", Kind.EXPRESSION, "TimeoutSeconds '5' is not a JSONata"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("definition", "code", "location", "kind", "text"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_first_diagnostic(
    definition: dict[str, Any], code: str, location: str, kind: str, text: str
) -> None:
    first = check_definition(definition)[0]
    assert (first.code, first.location, first.kind) == (code, location, kind)
    assert text in first.text
    assert first.state == (None if location == "/TimeoutSeconds" else "s")


def test_problems_of_a_nested_graph_name_the_state_holding_it() -> None:
    loop = {"StartAt": "a", "States": {"a": {"Type": "Pass", "Next": "a"}}}
    definition = _one({"Type": "Parallel", "Branches": [loop]})
    (problem,) = check_definition(definition, name="m")
    assert (problem.code, problem.location, problem.state) == (
        "MISSING_END_STATE",
        "/States/s/Branches/0/States",
        "s",
    )
    assert problem.message == "Workflow has no terminal state"  # AWS's wording stays
    assert problem.text.startswith("branch 0 of Parallel state 's' has no terminal state")


def test_a_missing_target_names_the_state_and_the_graph() -> None:
    states = {"s": {"Type": "Pass", "Next": "nowhere"}, "t": {"Type": "Succeed"}}
    problem = check_definition({"StartAt": "s", "States": states}, name="m")[0]
    assert (problem.message, problem.state) == ("Missing 'Next' target: nowhere", "s")
    assert problem.text == "Next target 'nowhere' is not a state of state machine 'm'"


# --- a machine whose query language is not known yet -----------------------------------------


LANGUAGES = ("JSONPath", "JSONata")


def _unknown(state: dict[str, Any]) -> dict[str, Any]:
    definition = _one(state)
    del definition["QueryLanguage"]
    return definition


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Pass", "Output": {"a": 1}},
        {"Type": "Task", "Resource": ARN, "Arguments": {"a": "{% $states.input %}"}},
        {"Type": "Task", "Resource": ARN, "TimeoutSeconds": "{% $states.input.t %}"},
        {"Type": "Pass", "Assign": {"v": "{% $x + %}"}},
        {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "s"}], "Default": "s"},
    ],
    ids=["jsonata-field", "jsonata-arguments", "expression-number", "expression", "condition"],
)
def test_language_dependent_rules_wait_for_the_language(state: dict[str, Any]) -> None:
    definition = _unknown(state)
    if state["Type"] == "Choice":
        definition["States"]["s"]["Choices"][0]["Next"] = "end"
        definition["States"]["s"]["Default"] = "end"
        definition["States"]["end"] = {"Type": "Succeed"}
    assert check_definition(definition, default_language=None) == []
    # ... which decides: one of the languages rejects it
    assert any(check_definition(definition, default_language=lang) for lang in LANGUAGES)


@pytest.mark.parametrize(
    ("state", "location"),
    [
        ({"Type": "Pass", "InputPath": "$.a b"}, "/States/s/InputPath"),
        ({"Type": "Pass", "Parameters": {"x.$": "$.["}}, "/States/s/Parameters/x.$"),
        ({"Type": "Task", "Resource": ARN, "TimeoutSeconds": 0}, "/States/s/TimeoutSeconds"),
        ({"Type": "Task", "Resource": ARN, "TimeoutSeconds": "5"}, "/States/s/TimeoutSeconds"),
    ],
    ids=["path", "template", "number", "number-str"],
)
def test_what_no_language_accepts_is_rejected_before_it_is_known(
    state: dict[str, Any], location: str
) -> None:
    problems = check_definition(_unknown(state), default_language=None)
    assert [p.location for p in problems] == [location]


def test_the_model_and_the_checker_know_the_same_predefined_errors() -> None:
    assert MODEL_ERRORS is PREDEFINED_ERRORS  # one list, sfini_asl.spec's
    # and the model's names for Python code name exactly those errors
    named = {value for key, value in vars(States).items() if key.isupper()}
    assert named == PREDEFINED_ERRORS
