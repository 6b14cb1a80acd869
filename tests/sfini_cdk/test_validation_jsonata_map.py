"""JSONata states (fields they must not have, '.$' keys, expressions in every field that takes
one), the Map state's processor configuration and legacy spellings, and the fields each state
type has."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import sfini_cdk as sfini
from sfini_cdk import validation

PROCESSOR = {"StartAt": "i", "States": {"i": {"Type": "Succeed"}}}


def _one(state: dict[str, Any], *, language: str = "JSONata") -> dict[str, Any]:
    if state["Type"] not in ("Succeed", "Fail", "Choice"):
        state = {**state, "End": True}
    return {"QueryLanguage": language, "StartAt": "t", "States": {"t": state}}


def _check(definition: dict[str, Any]) -> None:
    validation.validate_definition(definition, query_language=definition.get("QueryLanguage"))


TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}
MAP = {"Type": "Map", "ItemProcessor": PROCESSOR}

# Fields a JSONata state must not have: (state type template, field, value)
JSONPATH_ONLY = [
    (TASK, "InputPath", "$.a"),
    (TASK, "OutputPath", "$.a"),
    (TASK, "Parameters", {"a": 1}),
    (TASK, "ResultSelector", {"a": 1}),
    (TASK, "ResultPath", "$.a"),
    (TASK, "TimeoutSecondsPath", "$.t"),
    (TASK, "HeartbeatSecondsPath", "$.h"),
    ({"Type": "Pass"}, "Result", {"a": 1}),
    ({"Type": "Wait"}, "SecondsPath", "$.s"),
    ({"Type": "Wait"}, "TimestampPath", "$.t"),
    ({"Type": "Fail"}, "ErrorPath", "$.e"),
    ({"Type": "Fail"}, "CausePath", "$.c"),
    (MAP, "ItemsPath", "$.xs"),
    (MAP, "Parameters", {"a": 1}),
    (MAP, "MaxConcurrencyPath", "$.n"),
    (MAP, "ToleratedFailureCountPath", "$.n"),
    (MAP, "ToleratedFailurePercentagePath", "$.n"),
]


@pytest.mark.parametrize(
    ("template", "field", "value"),
    JSONPATH_ONLY,
    ids=[f"{template['Type']}-{field}" for template, field, _ in JSONPATH_ONLY],
)
def test_jsonata_state_rejects_jsonpath_fields(template, field, value) -> None:
    state = {**template, field: value}
    definition = _one(state)
    with pytest.raises(sfini.QueryLanguageMismatch) as caught:
        _check(definition)
    assert caught.value.state_name == "t"
    assert f"{field} is not allowed in a JSONata state" in str(caught.value)
    _check(_one(state, language="JSONPath"))  # the same state is valid under JSONPath


# JSONata fields holding templates in which '.$' keys are rejected: (state, field label)
DOLLAR_KEYS = [
    ({**TASK, "Arguments": {"a.$": "$.x"}}, "Arguments.a.$"),
    ({**TASK, "Arguments": {"outer": {"inner.$": "$.x"}}}, "Arguments.outer.inner.$"),
    ({**TASK, "Output": {"a.$": "{% 1 %}"}}, "Output.a.$"),
    ({"Type": "Pass", "Output": [{"x.$": "$.y"}]}, "Output[0].x.$"),
    ({"Type": "Pass", "Assign": {"v.$": "$.x"}}, "Assign.v.$"),
    ({**MAP, "ItemSelector": {"v.$": "$$.Map.Item.Value"}}, "ItemSelector.v.$"),
    (
        {
            "Type": "Choice",
            "Choices": [{"Condition": "{% true %}", "Next": "t", "Output": {"o.$": "$"}}],
            "Default": "t",
        },
        "Choices[0].Output.o.$",
    ),
    (
        {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "t", "Assign": {"e.$": "$"}}]},
        "Catch[0].Assign.e.$",
    ),
]


@pytest.mark.parametrize(("state", "where"), DOLLAR_KEYS, ids=[where for _, where in DOLLAR_KEYS])
def test_jsonata_templates_reject_dollar_keys(state: dict[str, Any], where: str) -> None:
    definition = _one(copy.deepcopy(state))
    if state["Type"] == "Choice":  # a rule leading back to itself: give it an exit
        definition["States"]["t"]["Choices"][0]["Next"] = "end"
        definition["States"]["t"]["Default"] = "end"
        definition["States"]["end"] = {"Type": "Succeed"}
    if "Catch" in state:
        definition["States"]["t"]["Catch"][0]["Next"] = "end"
        definition["States"]["end"] = {"Type": "Succeed"}
    with pytest.raises(sfini.QueryLanguageMismatch) as caught:
        _check(definition)
    assert caught.value.state_name == "t"
    assert str(caught.value).startswith(f"state 't': {where}: keys ending in '.$' are JSONPath")


def test_dollar_keys_stay_valid_under_jsonpath_and_in_jsonata_item_data() -> None:
    _check(_one({**TASK, "Parameters": {"a.$": "$.x"}}, language="JSONPath"))
    _check(_one({**MAP, "Items": [{"literal.$": "data, not a template"}]}))


def test_python_api_names_the_dollar_key() -> None:
    task = sfini.Task("t", "arn:aws:states:::lambda:invoke", arguments={"Payload.$": "$"})
    with pytest.raises(sfini.QueryLanguageMismatch, match=r"Arguments\.Payload\.\$: keys ending"):
        sfini.construct_state_machine("m", task, query_language="JSONata").to_dict()


# Every field a JSONata state may write as an expression: (state, field label in messages)
def _expression_cases(expression: str) -> list[tuple[dict[str, Any], str]]:
    return [
        ({**TASK, "TimeoutSeconds": expression}, "TimeoutSeconds"),
        ({**TASK, "HeartbeatSeconds": expression}, "HeartbeatSeconds"),
        ({**TASK, "Arguments": expression}, "Arguments"),
        ({**TASK, "Arguments": {"a": [expression]}}, "Arguments.a[0]"),
        ({**TASK, "Output": expression}, "Output"),
        ({**TASK, "Assign": {"v": expression}}, "Assign.v"),
        ({"Type": "Wait", "Seconds": expression}, "Seconds"),
        ({"Type": "Wait", "Timestamp": expression}, "Timestamp"),
        ({**MAP, "Items": expression}, "Items"),
        ({**MAP, "ItemSelector": {"v": expression}}, "ItemSelector.v"),
        ({**MAP, "MaxConcurrency": expression}, "MaxConcurrency"),
        ({**MAP, "ToleratedFailureCount": expression}, "ToleratedFailureCount"),
        ({**MAP, "ToleratedFailurePercentage": expression}, "ToleratedFailurePercentage"),
        ({"Type": "Fail", "Error": expression}, "Error"),
        ({"Type": "Fail", "Cause": expression}, "Cause"),
        ({"Type": "Succeed", "Output": expression}, "Output"),
    ]


FIELD_IDS = [field for _, field in _expression_cases("")]


@pytest.mark.parametrize(
    ("state", "field"), _expression_cases("{% $states.input.n %}"), ids=FIELD_IDS
)
def test_expressions_are_accepted_in_every_field_that_takes_one(state, field, lint) -> None:
    _check(_one(state))
    lint(_one(state))


@pytest.mark.parametrize(
    ("state", "field"), _expression_cases("{% $states.input.( %}"), ids=FIELD_IDS
)
def test_expression_syntax_errors_name_the_field(state, field) -> None:
    with pytest.raises(sfini.InvalidExpression) as caught:
        _check(_one(state))
    assert caught.value.state_name == "t"
    assert str(caught.value).startswith(f"state 't': {field} '{{% $states.input.( %}}' is not a")


def test_choice_condition_is_syntax_checked() -> None:
    gate = sfini.Choice("gate")
    gate.add(sfini.Condition("{% $states.input.n > %}", sfini.Succeed("big")))
    gate.set_default(sfini.Succeed("small"))
    with pytest.raises(sfini.InvalidExpression, match=r"Choices\[0\]\.Condition") as caught:
        sfini.construct_state_machine("m", gate, query_language="JSONata")
    assert caught.value.state_name == "gate"


# --- Map: processor configuration and legacy spellings -----------------------------------------


def _jsonpath_map(**fields: Any) -> dict[str, Any]:
    return _one({"Type": "Map", **fields}, language="JSONPath")


@pytest.mark.parametrize(
    "fields",
    [
        {"ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **PROCESSOR}},
        {"ItemProcessor": {"ProcessorConfig": {}, **PROCESSOR}},
        {"ItemProcessor": PROCESSOR},
        {
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                **PROCESSOR,
            },
            "Label": "batch",
        },
        {"Iterator": PROCESSOR, "Parameters": {"v.$": "$$.Map.Item.Value"}},
        {"Iterator": PROCESSOR, "ItemsPath": "$.xs", "MaxConcurrency": 2},
        {"ItemProcessor": PROCESSOR, "ItemSelector": {"v.$": "$$.Map.Item.Value"}},
    ],
    ids=[
        "inline",
        "empty-config",
        "no-config",
        "distributed",
        "legacy-iterator-parameters",
        "legacy-iterator",
        "item-selector",
    ],
)
def test_map_shapes_aws_accepts(fields: dict[str, Any], lint) -> None:
    _check(_jsonpath_map(**fields))
    lint(_jsonpath_map(**fields))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"ItemProcessor": {"ProcessorConfig": {"Mode": "PARALLEL"}, **PROCESSOR}},
            "ItemProcessor.ProcessorConfig.Mode must be 'INLINE' or 'DISTRIBUTED', got 'PARALLEL'",
        ),
        (
            {"ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, **PROCESSOR}},
            "ExecutionType must be 'STANDARD' or 'EXPRESS' in DISTRIBUTED mode, got None",
        ),
        (
            {"ItemProcessor": {"ProcessorConfig": "INLINE", **PROCESSOR}},
            "ItemProcessor.ProcessorConfig must be an object",
        ),
        (
            {"Iterator": PROCESSOR, "ItemProcessor": PROCESSOR},
            "ItemProcessor and Iterator cannot both be set",
        ),
        (
            {"ItemProcessor": PROCESSOR, "ItemSelector": {}, "Parameters": {}},
            "ItemSelector and Parameters cannot both be set",
        ),
        ({}, "Map state has no ItemProcessor (or legacy Iterator) object"),
    ],
    ids=[
        "mode",
        "distributed-without-type",
        "config-not-object",
        "both-processors",
        "both-selectors",
        "no-processor",
    ],
)
def test_map_shapes_aws_rejects(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(sfini.InvalidField) as caught:
        _check(_jsonpath_map(**fields))
    assert caught.value.state_name == "t"
    assert message in str(caught.value)


def test_python_map_renders_inline_processor_config_and_legacy_parameters(render) -> None:
    mapped = sfini.Map("t", sfini.Succeed("i"), parameters={"v.$": "$$.Map.Item.Value"})
    state = render(sfini.construct_state_machine("m", mapped))["States"]["t"]
    assert state["ItemProcessor"]["ProcessorConfig"] == {"Mode": "INLINE"}
    assert state["Parameters"] == {"v.$": "$$.Map.Item.Value"}
    assert "Iterator" not in state


# --- fields a state type does not have ----------------------------------------------------------

UNKNOWN_FIELDS = [
    ({"Type": "Pass", "Retry": [{"ErrorEquals": ["E"]}]}, "Field 'Retry' is not supported by a"),
    ({"Type": "Pass", "Resource": "arn:x"}, "Field 'Resource' is not supported by a Pass state"),
    ({"Type": "Succeed", "ResultPath": "$.r"}, "Field 'ResultPath' is not supported by a Succeed"),
    ({"Type": "Wait", "Seconds": 1, "TimeoutSeconds": 5}, "'TimeoutSeconds' is not supported by a"),
    ({"Type": "Fail", "Assign": {"x": 1}}, "Field 'Assign' is not supported by a Fail state"),
    ({**TASK, "Paramters": {"a": 1}}, "Field 'Paramters' is not supported by a Task state"),
    ({**TASK, "Branches": [], "Items": []}, "Field 'Branches' is not supported by a Task state"),
    ({**MAP, "Branches": []}, "Field 'Branches' is not supported by a Map state"),
    ({**TASK, "Retry": [{"ErrorEquals": ["E"], "Next": "x"}]}, "Retry[0]: Next is not a retrier"),
    (
        {**TASK, "Catch": [{"ErrorEquals": ["E"], "Next": "t", "MaxAttempts": 1}]},
        "Catch[0]: MaxAttempts is not a catcher field",
    ),
]


@pytest.mark.parametrize(
    ("state", "message"), UNKNOWN_FIELDS, ids=[message for _, message in UNKNOWN_FIELDS]
)
def test_fields_a_state_type_does_not_have_are_rejected(state, message) -> None:
    with pytest.raises(sfini.InvalidField) as caught:
        _check(_one(state, language="JSONPath"))
    assert caught.value.state_name == "t"
    assert message in str(caught.value)


def test_every_field_the_python_api_writes_is_a_field_of_its_state_type(render) -> None:
    # one of each state type with every option given
    task = sfini.Task(
        "task", "arn:aws:states:us-east-1:123456789012:activity:a", "c", "$", "$", "$.r",
        10, heartbeat=5, parameters={"a": 1}, result_selector={"b": 1}, assign={"v": 1},
        credentials={"RoleArn": "arn:aws:iam::123456789012:role/r"},
    )  # fmt: skip
    task.retry_for(["E"], 1, 2, 2.0, max_delay=5, jitter_strategy="FULL", comment="r")
    done = sfini.Succeed("done", "c", "$", "$")
    task.catch(["States.ALL"], done, "$.e", assign={"w": 1}, comment="c")
    passing = sfini.Pass("pass", "c", "$", "$", "$.p", {"x": 1}, assign={"u": 1})
    wait = sfini.Wait("wait", 1, "c", "$", "$", assign={"z": 1})
    gate = sfini.Choice("gate", "c", "$", "$", assign={"y": 1})
    gate.add(sfini.NumericEquals("$.n", 1, passing))
    gate.set_default(sfini.Fail("fail", "c", cause="x", error="E"))
    parallel = sfini.Parallel("parallel", "c", "$", "$", "$.p", parameters={"a": 1})
    parallel.add(sfini.construct_state_machine("branch", sfini.Succeed("b")))
    parallel.retry_for(["E"])
    mapped = sfini.Map(
        "map", sfini.Succeed("i"), "c", "$", "$", "$.m", items_path="$.xs",
        item_selector={"a": 1}, max_concurrency=2, tolerated_failure_count=1,
        tolerated_failure_percentage=5, label="each",
    )  # fmt: skip
    for first, second in [(task, wait), (wait, gate), (passing, parallel), (parallel, mapped)]:
        first.goes_to(second)
    definition = render(sfini.construct_state_machine("m", task))
    for name, state in definition["States"].items():
        assert set(state) <= validation.STATE_FIELDS[state["Type"]], name
    assert set(definition["States"]) == {
        "task", "wait", "gate", "pass", "parallel", "map", "done", "fail"
    }  # fmt: skip
